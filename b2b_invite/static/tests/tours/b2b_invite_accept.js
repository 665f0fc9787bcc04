/** @odoo-module **/

import { registry } from "@web/core/registry";
import * as b2bTourUtils from "@b2b_invite/js/tours/b2b_tour_utils";

// From the link of the invitation email to a logged-in shop page.
// The test opens the tour on the emailed /b2b/invite/<token> link.
registry.category("web_tour.tours").add("b2b_invite_accept", {
    steps: () => [
        {
            content: "The invitation greets the contact",
            trigger: ".o_b2b_invitation h1:contains(Welcome, Alice Buyer)",
        },
        {
            content: "The login is prefilled with the contact's email",
            trigger: ".o_b2b_accept_form input[name=login]:value(alice@acme.example.com)",
        },
        {
            content: "Choose a username of one's own",
            trigger: ".o_b2b_accept_form input[name=login]",
            run: "edit alice.tour",
        },
        ...b2bTourUtils.acceptWithPassword("Str0ng-Passw0rd"),
        {
            content: "Logged in, on the shop",
            trigger: "body:has(#wrap.o_wsale_products_page) header:contains(Alice Buyer)",
        },
    ],
});

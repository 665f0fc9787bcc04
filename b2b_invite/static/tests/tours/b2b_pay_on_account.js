/** @odoo-module **/

import { registry } from "@web/core/registry";
import * as b2bTourUtils from "@b2b_invite/js/tours/b2b_tour_utils";
import * as tourUtils from "@website_sale/js/tours/tour_utils";

// From the link of the invitation email to an order confirmed with Pay on account.
// The test opens the tour on the emailed /b2b/invite/<token> link; the customer may pay on account.
registry.category("web_tour.tours").add("b2b_invite_pay_on_account", {
    steps: () => [
        {
            content: "The invitation greets the contact",
            trigger: ".o_b2b_invitation h1:contains(Welcome, Nina New)",
        },
        {
            content: "The password rules are stated before any try",
            trigger: ".o_b2b_password_rules:contains(not only spaces)",
        },
        ...b2bTourUtils.acceptWithPassword("Str0ng-Passw0rd"),
        {
            content: "The shop greets the new customer",
            trigger: ".o_wsale_products_page .o_b2b_welcome:contains(Your account is ready, Nina New.)",
        },
        ...b2bTourUtils.searchShop("Zeta Test Roast"),
        b2bTourUtils.openProduct("Zeta Test Roast 1 kg"),
        b2bTourUtils.addToCart(),
        tourUtils.goToCart({ quantity: 1 }),
        tourUtils.goToCheckout(),
        tourUtils.confirmOrder(),
        {
            content: "Choose Pay on account",
            trigger: 'input[name="o_payment_radio"][data-payment-method-code="b2b_on_account"]',
            run: "click",
        },
        tourUtils.pay(),
        {
            content: "The order is confirmed, to be invoiced on account",
            trigger: '.oe_website_sale_tx_status:contains("It will be invoiced to your account")',
            timeout: 30000,
        },
    ],
});

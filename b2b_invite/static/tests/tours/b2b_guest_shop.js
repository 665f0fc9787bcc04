/** @odoo-module **/

import { registry } from "@web/core/registry";
import * as b2bTourUtils from "@b2b_invite/js/tours/b2b_tour_utils";

// A guest on a B2B shop open to guests: guest prices, and "Log in" instead of "Add to cart".
registry.category("web_tour.tours").add("b2b_invite_guest_shop", {
    url: "/shop?search=Zeta",
    steps: () => [
        {
            content: "The shop shows the product with the guest price",
            trigger: ".oe_product_cart:has(a:contains('Zeta Test Roast 1 kg')) .product_price:contains('18.00')",
        },
        {
            content: "No quick 'Add to cart' in the grid",
            trigger: ".oe_product_cart:has(a:contains('Zeta Test Roast 1 kg')):not(:has(.o_wsale_product_btn))",
        },
        b2bTourUtils.openProduct("Zeta Test Roast 1 kg"),
        {
            content: "The product page shows the guest price",
            trigger: "#product_detail .oe_price:contains('18.00')",
        },
        {
            content: "'Add to cart' is replaced by a message and 'Log in'",
            trigger: "#product_detail:not(:has(#add_to_cart)) .o_b2b_order_refusal:contains('Log in to order.')",
        },
        {
            content: "Log in",
            trigger: ".o_b2b_order_refusal a.o_b2b_login",
            run: "click",
        },
        {
            content: "The login page opens, to come back to the product",
            trigger: ".oe_login_form:has(input[name='redirect'][value*='/shop/'])",
        },
    ],
});

/** @odoo-module **/

import { registry } from "@web/core/registry";
import * as b2bTourUtils from "@b2b_invite/js/tours/b2b_tour_utils";
import * as tourUtils from "@website_sale/js/tours/tour_utils";

// A sales rep logs in, picks one of its customers and orders for it, paying by wire transfer.
// The test opens the tour on /web/login, as a visitor.
registry.category("web_tour.tours").add("b2b_invite_sales_rep_order", {
    steps: () => [
        {
            content: "Type the rep's login",
            trigger: "form.oe_login_form input[name=login]",
            run: "edit rita",
        },
        {
            content: "Type its password",
            trigger: "form.oe_login_form input[name=password]",
            run: "edit rita-secret-1",
        },
        {
            content: "Log in",
            trigger: "form.oe_login_form button[type=submit]",
            run: "click",
        },
        {
            content: "The rep's portal leads to its customers",
            trigger: ".o_portal_index_card a[href='/my/customers']:contains(My customers)",
            run: "click",
        },
        {
            content: "Acme Cafés is one of them; the other customer is not",
            trigger: ".o_b2b_my_customers:not(:contains(Globex Bistro)) tr.o_b2b_customer:contains(Acme Cafés) select[name=partner_id]:has(option:contains(Alice Buyer))",
        },
        {
            content: "Order for Acme Cafés, as its contact Alice Buyer",
            trigger: "tr.o_b2b_customer:contains(Acme Cafés) button:contains(Order for)",
            run: "click",
        },
        {
            content: "The shop says whom the rep orders for",
            trigger: ".o_wsale_products_page .o_b2b_order_for .o_b2b_order_for_customer:contains(Acme Cafés)",
        },
        ...b2bTourUtils.searchShop("Zeta Test Roast"),
        {
            content: "The customer's price is shown (20.00 less 25%)",
            trigger: ".oe_product_cart:has(a:contains('Zeta Test Roast 1 kg')) .product_price:contains('15.00')",
        },
        b2bTourUtils.openProduct("Zeta Test Roast 1 kg"),
        b2bTourUtils.addToCart("Add it to the customer's cart"),
        tourUtils.goToCart({ quantity: 1 }),
        {
            content: "The cart is Acme's",
            trigger: ".o_b2b_order_for .o_b2b_order_for_customer:contains(Acme Cafés)",
        },
        tourUtils.goToCheckout(),
        {
            content: "The customer's delivery address is proposed",
            trigger: "#delivery_address_row:contains(3 Oven Road)",
        },
        tourUtils.confirmOrder(),
        ...tourUtils.payWithTransfer(),
    ],
});

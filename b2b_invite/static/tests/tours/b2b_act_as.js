/** @odoo-module **/

import { registry } from "@web/core/registry";
import * as b2bTourUtils from "@b2b_invite/js/tours/b2b_tour_utils";
import * as tourUtils from "@website_sale/js/tours/tour_utils";

// From a demo contact's form in the backend: act as Anna Berg, order at her price, stop.
// The test opens the tour on the contact's form, logged in as someone allowed to act.
registry.category("web_tour.tours").add("b2b_invite_act_as", {
    steps: () => [
        {
            content: "Act as the customer from its contact form",
            trigger: ".o_form_view button[name=action_b2b_act_as_customer]",
            run: "click",
        },
        {
            content: "The shop says whom one acts as",
            trigger: ".o_b2b_act_banner:contains(Acting as Anna Berg (Nordic Bean Cafés AB))",
        },
        ...tourUtils.searchProduct("Arabica Coffee Beans"),
        {
            content: "Open a product",
            trigger: ".oe_product_cart a:contains(Arabica Coffee Beans 1 kg)",
            run: "click",
        },
        {
            content: "The product has the customer's price (its wholesale pricelist), not the list price",
            trigger: "#product_detail .oe_price:contains(21.56)",
        },
        b2bTourUtils.addToCart("Add it to the customer's cart"),
        {
            content: "The cart counts it",
            trigger: ".my_cart_quantity:contains(1)",
        },
        {
            content: "Open the cart",
            trigger: "a[href='/shop/cart']",
            run: "click",
        },
        {
            content: "The cart line has the customer's price",
            trigger: "#cart_products:contains(Arabica Coffee Beans 1 kg):contains(21.56)",
        },
        {
            content: "Click the banner",
            trigger: ".o_b2b_act_banner .dropdown-toggle",
            run: "click",
        },
        {
            content: "Keep acting",
            trigger: ".o_b2b_act_banner .o_b2b_act_keep",
            run: "click",
        },
        {
            content: "Still acting: click the banner again",
            trigger: ".o_b2b_act_banner .dropdown-toggle",
            run: "click",
        },
        {
            content: "Stop acting",
            trigger: ".o_b2b_act_banner .o_b2b_act_stop",
            run: "click",
        },
        {
            content: "Back on the contact's form, as oneself, with its acting session counted",
            trigger: ".o_form_view button[name=action_b2b_view_act_sessions]:contains(Acting sessions):contains(1)",
        },
    ],
});

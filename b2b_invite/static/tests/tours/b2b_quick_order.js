/** @odoo-module **/

import { registry } from "@web/core/registry";

// A contact who may order: Quick order from the header, a usual product's quantity changed, a
// product added by its internal reference, everything into the cart in one click.
registry.category("web_tour.tours").add("b2b_invite_quick_order", {
    url: "/shop",
    steps: () => [
        {
            content: "Open Quick order from the header",
            trigger: ".o_b2b_quick_order_link a",
            run: "click",
        },
        {
            content: "The usual products are listed, the last quantity proposed",
            trigger: ".o_b2b_usual_product:has(.o_b2b_product_name:contains('Tour Beans')) input.o_b2b_quantity[value='4']",
        },
        {
            content: "An archived product is shown, with why it cannot be added",
            trigger: ".o_b2b_usual_product:has(.o_b2b_product_name:contains('Tour Syrup')) .o_b2b_not_addable:contains('No longer sold.')",
        },
        {
            content: "Order 7 of the beans this time",
            trigger: ".o_b2b_usual_product:has(.o_b2b_product_name:contains('Tour Beans')) input.o_b2b_quantity",
            run: "edit 7",
        },
        {
            content: "None of the milk this time",
            trigger: ".o_b2b_usual_product:has(.o_b2b_product_name:contains('Tour Milk')) input.o_b2b_quantity",
            run: "edit 0",
        },
        {
            content: "Add cups by their internal reference",
            trigger: "textarea[name='lines']",
            run: "edit TOUR-CUPS, 3",
        },
        {
            content: "Add to cart",
            trigger: ".o_b2b_quick_order_submit",
            run: "click",
        },
        {
            content: "The cart has the beans, 7 of them",
            trigger: "#cart_products .o_cart_product:has(a:contains('Tour Beans')) input.js_quantity[value='7']",
        },
        {
            content: "and the cups, 3 of them",
            trigger: "#cart_products .o_cart_product:has(a:contains('Tour Cups')) input.js_quantity[value='3']",
        },
        {
            content: "and no milk",
            trigger: "#cart_products:not(:has(a:contains('Tour Milk')))",
        },
    ],
});

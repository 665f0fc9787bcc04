/** @odoo-module **/

// Steps the B2B tours share (loaded with the tours only, in web.assets_tests).

/**
 * On the invitation page: choose a password, confirm it and create the account.
 * @param {string} password
 */
export function acceptWithPassword(password) {
    return [
        {
            content: "Choose a password",
            trigger: ".o_b2b_accept_form input[name=password]",
            run: `edit ${password}`,
        },
        {
            content: "Confirm it",
            trigger: ".o_b2b_accept_form input[name=confirm_password]",
            run: `edit ${password}`,
        },
        {
            content: "Create the account",
            trigger: ".o_b2b_accept_form button[type=submit]",
            run: "click",
        },
    ];
}

/**
 * On a shop page: search the shop for `term`.
 * @param {string} term
 */
export function searchShop(term) {
    return [
        {
            content: "Search the product",
            trigger: "form.o_wsale_products_searchbar_form input[name=search]",
            run: `edit ${term}`,
        },
        {
            content: "Run the search",
            trigger: "form.o_wsale_products_searchbar_form button[type=submit]",
            run: "click",
        },
    ];
}

/**
 * In the shop's results: open the product named `name`.
 * @param {string} name
 */
export function openProduct(name) {
    return {
        content: "Open the product",
        trigger: `.oe_product_cart a:contains('${name}')`,
        run: "click",
    };
}

/**
 * On a product page: add it to the cart.
 * @param {string} [content] what the step says
 */
export function addToCart(content = "Add it to the cart") {
    return {
        content,
        trigger: "#product_detail #add_to_cart",
        run: "click",
    };
}

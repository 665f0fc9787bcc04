/** @odoo-module **/

import { registry } from "@web/core/registry";

// From the registration link to the code email (the test reads the code from the mail queue).
registry.category("web_tour.tours").add("b2b_join_email", {
    steps: () => [
        {
            content: "The registration page asks for an email address",
            trigger: "h1:contains('Become a customer')",
        },
        {
            content: "Type the work email",
            trigger: "form.o_b2b_join_email_form input[name='email']",
            run: "edit tour.prospect@lakeside.example.com",
        },
        {
            content: "Ask for a code",
            trigger: "form.o_b2b_join_email_form button[type='submit']",
            run: "click",
        },
        {
            content: "The code page tells where the code went",
            trigger: "h1:contains('Check your email')",
        },
        {
            trigger: "strong:contains('tour.prospect@lakeside.example.com')",
        },
    ],
});

// From the code step to "Request received"; the test gives the emailed code in the URL fragment.
registry.category("web_tour.tours").add("b2b_join_details", {
    steps: () => [
        {
            content: "Type the code from the email",
            trigger: "form.o_b2b_join_code_form input[name='verification_code']",
            async run(helpers) {
                await helpers.edit(new URLSearchParams(window.location.hash.slice(1)).get("code"));
            },
        },
        {
            content: "Confirm the code",
            trigger: "form.o_b2b_join_code_form button[type='submit']",
            run: "click",
        },
        {
            content: "The business details form opens",
            trigger: "h1:contains('Your business')",
        },
        {
            trigger: "input[name='company_name']",
            run: "edit Lakeside Roasters AB",
        },
        {
            trigger: "input[name='phone']",
            run: "edit 08 410 226 00",
        },
        {
            trigger: "input[name='street']",
            run: "edit Sveavägen 12",
        },
        {
            trigger: "input[name='zip']",
            run: "edit 111 57",
        },
        {
            trigger: "input[name='city']",
            run: "edit Stockholm",
        },
        {
            trigger: "select[name='country_id']",
            run: "selectByLabel Sweden",
        },
        {
            trigger: "input[name='contact_name']",
            run: "edit Tove Lind",
        },
        {
            trigger: "input[name='function']",
            run: "edit Owner",
        },
        {
            trigger: "textarea[name='message']",
            run: "edit We run three cafés.",
        },
        {
            content: "Send the request",
            trigger: "form.o_b2b_join_details_form button[type='submit']",
            run: "click",
        },
        {
            content: "The request is received",
            trigger: "h1:contains('Request received')",
        },
    ],
});

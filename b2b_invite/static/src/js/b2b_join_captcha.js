/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";
import { ReCaptcha } from "@google_recaptcha/js/recaptcha";

// The registration email form, when the website has a reCAPTCHA key: the form is sent with a
// reCAPTCHA v3 token, which the server checks (ir.http._verify_request_recaptcha_token).
publicWidget.registry.B2bJoinCaptcha = publicWidget.Widget.extend({
    selector: "form.o_b2b_join_email_form[data-b2b-recaptcha-key]",
    events: { submit: "_onSubmit" },

    init() {
        this._super(...arguments);
        this._recaptcha = new ReCaptcha();
    },

    willStart() {
        const loading = this._recaptcha.loadLibs();
        loading?.catch?.(() => {}); // a script that does not load is dealt with on submit
        return this._super(...arguments);
    },

    async _onSubmit(ev) {
        if (this._tokenReady) {
            return;
        }
        ev.preventDefault();
        let token = "";
        try {
            token = (await this._recaptcha.getToken("b2b_join")).token || "";
        } catch {
            // reCAPTCHA did not load: the form goes without a token, and the page says why.
        }
        const input = document.createElement("input");
        Object.assign(input, { type: "hidden", name: "recaptcha_token_response", value: token });
        this.el.appendChild(input);
        this._tokenReady = true;
        this.el.requestSubmit();
    },
});

/** @odoo-module **/

import { rpc } from "@web/core/network/rpc";
import publicWidget from "@web/legacy/js/public/public_widget";

const POLL_DELAY = 2000; // ms
const POLL_MAX = 60; // tries: two minutes, longer than Odoo's SMTP timeout

/**
 * The code page of self-registration: while the code email waits in Odoo's mail queue, ask the
 * server where it stands, and tell the person when it was sent or could not be (then they may ask
 * for a new code at once). The page never waits on the SMTP server itself.
 */
publicWidget.registry.B2bJoinCodeStatus = publicWidget.Widget.extend({
    selector: ".o_b2b_join_code_status",

    start() {
        this.tries = 0;
        if (this.el.dataset.state === "queued") {
            this._schedule();
        }
        return this._super(...arguments);
    },

    destroy() {
        clearTimeout(this.timer);
        this._super(...arguments);
    },

    _schedule() {
        this.timer = setTimeout(() => this._poll(), POLL_DELAY);
    },

    async _poll() {
        let state = "queued";
        try {
            state = (await rpc(this.el.dataset.statusUrl, {})).state;
        } catch {
            // A network hiccup: ask again.
        }
        this._show(state);
        if (state === "queued" && ++this.tries < POLL_MAX) {
            this._schedule();
        }
    },

    _show(state) {
        const blocks = [...this.el.querySelectorAll("[data-state-of]")];
        if (!blocks.some((block) => block.dataset.stateOf === state)) {
            return; // the page is gone (code used or expired): its next load says so
        }
        this.el.dataset.state = state;
        for (const block of blocks) {
            block.classList.toggle("d-none", block.dataset.stateOf !== state);
        }
    },
});

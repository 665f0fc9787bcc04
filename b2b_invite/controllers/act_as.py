from babel.units import format_unit

from odoo import http
from odoo.addons.website.controllers.main import WebsiteSession
from odoo.addons.website_sale.controllers.main import WebsiteSale
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools.misc import babel_locale_parse, get_lang

from ..models.b2b_act_session import acting_state
from ..models.ir_http import STOP_ROUTE


class B2bActAs(http.Controller):
    """Act as customer: start (from the contact's button), stop (from the banner), and the pages that
    say why acting was refused or ended. The rules live in b2b.act.session, the session swap in ir.http."""

    @http.route("/b2b/act-as/start", type="http", auth="user", website=True, sitemap=False, methods=["GET"])
    def start(self, token=None, **_kwargs):
        ActSession = request.env["b2b.act.session"]
        if acting_state():
            return self._page(request.env._("You are already acting as a customer: stop acting first."))
        try:
            ActSession._check_actor()
        except AccessError as error:
            return self._page(error.args[0])
        partner = ActSession._take_start(token)
        if not partner:
            return self._page(request.env._(
                "This link to act as a customer has expired or was already used: start again from the contact."))
        if refusal := ActSession._refusal(partner, request.website):
            return self._page(refusal, partner=partner)
        user = ActSession._portal_user(partner)
        log = ActSession._open(partner, user, request.website, request.httprequest.remote_addr)
        request.env["ir.http"]._b2b_act_enter(user, log)
        return request.redirect("/shop")

    @http.route(STOP_ROUTE, type="http", auth="user", website=True, sitemap=False, methods=["POST"])
    def stop(self, **_kwargs):
        """Back to the actor's own session, on the contact's form in the backend."""
        if not acting_state():
            return request.redirect("/odoo")
        ended = getattr(request, "b2b_act_end", None)  # e.g. the idle time ran out before this click
        partner = request.env["ir.http"]._b2b_act_leave(ended if ended in ("timed_out", "logged_out") else "stopped")
        if not request.session.uid:
            return request.redirect("/web/login")
        return request.redirect(f"/odoo/contacts/{partner.id}")

    @http.route("/b2b/act-as/refused", type="http", auth="user", website=True, sitemap=False)
    def refused(self, **_kwargs):
        """Where the pages refused while acting send the actor (see ir.http)."""
        if not acting_state():
            return request.redirect("/my")
        return self._page(request.env._(
            "While you act as a customer, its account details, password, two-factor authentication, "
            "API keys and devices stay out of reach, and so does the backend. Stop acting to use them as yourself."),
            title=request.env._("Not available while acting"), status=403)

    @http.route("/b2b/act-as/ended", type="http", auth="user", website=True, sitemap=False)
    def ended(self, partner_id=None, reason=None, **_kwargs):
        partner = request.env["res.partner"]
        if partner_id and partner_id.isdecimal():
            partner = partner.browse(int(partner_id)).exists()
            if partner and not partner.has_access("read"):
                partner = partner.browse()
        messages = {
            "timed_out": request.env._(
                "Acting stopped by itself after %s without activity.",  # "after 1 minute", "after 2 hours"
                format_unit(int(request.env["b2b.act.session"]._idle_time().total_seconds() // 60),
                            "duration-minute", locale=babel_locale_parse(get_lang(request.env).code))),
            "login_changed": request.env._(
                "Acting stopped: the customer's login was archived or its password changed."),
        }
        return self._page(
            messages.get(reason, request.env._("Acting as a customer stopped.")),
            title=request.env._("You are back in your own session"), partner=partner, status=200)

    @http.route("/my/account/shopping-assistance", type="http", auth="user", website=True, sitemap=False,
                methods=["POST"])
    def shopping_assistance(self, allow=None, **_kwargs):
        """A customer's contact allows or forbids our staff to act as its company's contacts."""
        request.env["b2b.act.session"]._set_consent(allow == "1")
        return request.redirect("/my/account")

    def _page(self, message, title=None, partner=None, status=403):
        return request.render("b2b_invite.act_as_page", {
            "title": title or request.env._("You cannot act as this customer"),
            "message": message,
            "partner": partner or request.env["res.partner"],
            "b2b_act": request.env["b2b.act.session"]._current(),
        }, status=status)


class B2bActAsLogout(WebsiteSession):
    """Logging out while acting ends acting ("logged out") and logs the whole browser session out."""

    @http.route()
    def logout(self, *args, **kwargs):
        self._b2b_act_end_with_logout()
        return super().logout(*args, **kwargs)

    @http.route()
    def destroy(self, *args, **kwargs):
        self._b2b_act_end_with_logout()
        return super().destroy(*args, **kwargs)

    def _b2b_act_end_with_logout(self):
        if acting_state():
            ended = getattr(request, "b2b_act_end", None)
            request.env["ir.http"]._b2b_act_leave(ended if ended in ("timed_out", "login_changed") else "logged_out")


class B2bActAsShop(WebsiteSale):

    def _validate_address_values(self, address_values, partner_sudo, *args, **kwargs):
        """While acting, the checkout's address form says why the customer's email cannot change
        (res.partner refuses it too)."""
        invalid_fields, missing_fields, error_messages = super()._validate_address_values(
            address_values, partner_sudo, *args, **kwargs)
        if (
            acting_state() and partner_sudo and partner_sudo.user_ids
            and "email" in address_values and address_values["email"] != partner_sudo.email
        ):
            invalid_fields.add("email")
            error_messages.append(request.env._("While acting as a customer you cannot change its email address."))
        return invalid_fields, missing_fields, error_messages

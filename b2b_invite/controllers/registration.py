from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.b2b_registration_request import DETAILS
from ..tools import tokens
from ..tools.forms import check_form_token

# A field people never see; bots that fill every field fill it too.
HONEYPOT = "b2b_website_url"


class B2bRegistrationController(http.Controller):
    """Self-registration pages: /b2b/join/<join code>, then /b2b/join/<join code>/<flow token>.

    Each step calls one model method; the records are reached through the website's join
    code and the flow token, which are the credentials here (hence the superuser records the
    models return). The controller only renders. The forms' CSRF tokens are checked here
    (``csrf=False`` on the routes), so that a stale one gets the form back with what was typed.
    """

    @http.route("/b2b/join/<string:join_code>", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"], csrf=False)
    def join(self, join_code, **post):
        website = request.env["website"]._b2b_join_website(join_code)
        if not website:
            return self._render("invalid", join_code, status=404)
        values = {"email": post.get("email", "")}
        if request.httprequest.method == "POST":
            if post.get(HONEYPOT):
                # Answer a bot as a person: a code page that leads nowhere.
                return request.redirect(f"/b2b/join/{join_code}/{tokens.new_salt()}{tokens.new_salt()}", code=303)
            try:
                check_form_token(post)
                verification = request.env["b2b.registration.verification"]._request(
                    website, post.get("email"), request.httprequest.remote_addr)
            except UserError as error:
                values["error"] = error.args[0]
            else:
                return request.redirect(verification._flow_path(), code=303)
        return self._render("email", join_code, **values)

    @http.route("/b2b/join/<string:join_code>/<string:flow>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET", "POST"], csrf=False)
    def join_step(self, join_code, flow, **post):
        website = request.env["website"]._b2b_join_website(join_code)
        if not website:
            return self._render("invalid", join_code, status=404)
        verification = request.env["b2b.registration.verification"]._find_by_flow(website, flow)
        if verification:
            return self._code_step(verification, join_code, flow, post)
        registration = request.env["b2b.registration.request"]._find_by_flow(website, flow)
        if not registration:
            return self._render("expired", join_code, status=404)
        if registration.state == "verified":
            return self._details_step(registration, join_code, flow, post)
        return self._render("received", join_code, registration=registration)

    @http.route("/b2b/join/<string:join_code>/<string:flow>/resend", type="http", auth="public", website=True,
                sitemap=False, methods=["POST"], csrf=False)
    def resend_code(self, join_code, flow, **post):
        website = request.env["website"]._b2b_join_website(join_code)
        if not website:
            return self._render("invalid", join_code, status=404)
        verification = request.env["b2b.registration.verification"]._find_by_flow(website, flow)
        if not verification:
            return self._render("expired", join_code, status=404)
        values = {"verification": verification, "flow": flow}
        try:
            check_form_token(post)
            verification._resend(request.httprequest.remote_addr)
        except UserError as error:
            values["error"] = error.args[0]
        else:
            values["info"] = request.env._("We sent you a new code. The previous one no longer works.")
        return self._render("code", join_code, **values)

    def _code_step(self, verification, join_code, flow, post):
        values = {"verification": verification, "flow": flow}
        if request.httprequest.method == "POST":
            try:
                check_form_token(post)
                _registration, error = verification._verify(
                    post.get("verification_code"), request.httprequest.remote_addr)
            except UserError as refusal:
                error = refusal.args[0]
            if not error:
                return request.redirect(request.httprequest.path, code=303)
            values["error"] = error
        return self._render("code", join_code, **values)

    def _details_step(self, registration, join_code, flow, post):
        form = {"country_id": str(self._default_country().id)}
        errors = {}
        values = {"registration": registration, "flow": flow, "form": form, "errors": errors}
        if request.httprequest.method == "POST":
            form.update({fname: post.get(fname, "") for fname in (*DETAILS, "country_id")})
            if post.get(HONEYPOT):
                return self._render("received", join_code, registration=registration)
            try:
                check_form_token(post)
                errors.update(registration._submit(post, request.httprequest.remote_addr))
            except UserError as error:
                values["error"] = error.args[0]
            else:
                if not errors:
                    return request.redirect(request.httprequest.path, code=303)
        return self._render("details", join_code, countries=request.env["res.country"].sudo().search([]), **values)

    def _default_country(self):
        Country = request.env["res.country"].sudo()
        geoip_code = request.geoip.country_code
        return (geoip_code and Country.search([("code", "=", geoip_code)], limit=1)) \
            or request.website.company_id.country_id

    def _render(self, step, join_code, status=200, **values):
        return request.render(
            "b2b_invite.join_page", {"step": step, "join_code": join_code, **values}, status=status)

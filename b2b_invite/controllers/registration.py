from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.b2b_registration_request import DETAILS
from ..tools import tokens
from ..tools.forms import check_form_token, check_text_fields, no_referrer

# A field people never see; bots that fill every field fill it too.
HONEYPOT = "b2b_website_url"
# The flow token of the person's registration, kept in the session (never in the address bar)
SESSION_FLOW = "b2b_join_flow"
CAPTCHA_ACTION = "b2b_join"


class B2bRegistrationController(http.Controller):
    """Self-registration pages: /b2b/join/<join code>, then /b2b/join/<join code>/request.

    The flow token that carries one registration from step to step lives in the session; the link
    of the code email, /b2b/join/<join code>/<flow token>, puts it there and sends the browser to
    /b2b/join/<join code>/request. Each step calls one model method; the records are reached
    through the website's join code and the flow token, which are the credentials here (hence
    the superuser records the models return). The controller only renders. The forms are
    checked here (``csrf=False`` on the routes), so that a stale or unreadable one gets the form
    back with what was typed.
    """

    @http.route("/b2b/join/<string:join_code>", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"], csrf=False)
    def join(self, join_code, **post):
        website = request.env["website"]._b2b_join_website(join_code)
        if not website:
            return self._render("invalid", join_code, status=404)
        values, status = {"email": ""}, 200
        if request.httprequest.method == "POST":
            try:
                check_text_fields(post)
                values["email"] = post.get("email", "")
                if post.get(HONEYPOT):
                    # Answer a bot as a person: a code page that leads nowhere.
                    return self._to_step(join_code, tokens.new_salt() + tokens.new_salt())
                check_form_token(post)
                self._check_captcha()
                verification = request.env["b2b.registration.verification"]._request(
                    website, post.get("email"), request.httprequest.remote_addr)
            except UserError as error:
                values["error"] = error.args[0]
                status = getattr(error, "http_status", status)
            else:
                return self._to_step(join_code, verification._flow_secret())
        return self._render("email", join_code, status=status, captcha=self._captcha_keys(), **values)

    @http.route("/b2b/join/<string:join_code>/<string:flow>", type="http", auth="public", website=True,
                sitemap=False, methods=["GET"])
    def join_link(self, join_code, flow):
        """The link of the code email: the flow goes to the session, the browser to the current step."""
        if not request.env["website"]._b2b_join_website(join_code):
            return self._render("invalid", join_code, status=404)
        return self._to_step(join_code, flow)

    @http.route("/b2b/join/<string:join_code>/request", type="http", auth="public", website=True,
                sitemap=False, methods=["GET", "POST"], csrf=False)
    def join_step(self, join_code, **post):
        website = request.env["website"]._b2b_join_website(join_code)
        if not website:
            return self._render("invalid", join_code, status=404)
        flow = request.session.get(SESSION_FLOW)
        verification = request.env["b2b.registration.verification"]._find_by_flow(website, flow)
        if verification:
            return self._code_step(verification, join_code, post)
        registration = request.env["b2b.registration.request"]._find_by_flow(website, flow)
        if not registration:
            return self._render("expired", join_code, status=404)
        if registration.state == "verified":
            return self._details_step(registration, join_code, post)
        return self._render("received", join_code, registration=registration)

    @http.route("/b2b/join/<string:join_code>/request/resend", type="http", auth="public", website=True,
                sitemap=False, methods=["POST"], csrf=False)
    def resend_code(self, join_code, **post):
        website = request.env["website"]._b2b_join_website(join_code)
        if not website:
            return self._render("invalid", join_code, status=404)
        verification = request.env["b2b.registration.verification"]._find_by_flow(
            website, request.session.get(SESSION_FLOW))
        if not verification:
            return self._render("expired", join_code, status=404)
        values, status = {"verification": verification}, 200
        try:
            check_form_token(post)
            verification._resend(request.httprequest.remote_addr)
        except UserError as error:
            values["error"] = error.args[0]
            status = getattr(error, "http_status", status)
        else:
            values["info"] = request.env._("We sent you a new code. The previous one no longer works.")
        return self._render("code", join_code, status=status, **values)

    @http.route("/b2b/join/<string:join_code>/request/code_status", type="json", auth="public", website=True,
                sitemap=False)
    def code_status(self, join_code):
        """Where the session's code email stands, for the code page to tell the person (it never waits on SMTP)."""
        website = request.env["website"]._b2b_join_website(join_code)
        verification = request.env["b2b.registration.verification"]._find_by_flow(
            website, request.session.get(SESSION_FLOW))
        return {"state": verification._code_email_state() if verification else "expired"}

    def _code_step(self, verification, join_code, post):
        values, status = {"verification": verification}, 200
        if request.httprequest.method == "POST":
            try:
                check_form_token(post)
                _registration, error = verification._verify(
                    post.get("verification_code"), request.httprequest.remote_addr)
            except UserError as refusal:
                error = refusal.args[0]
                status = getattr(refusal, "http_status", status)
            if not error:
                return request.redirect(request.httprequest.path, code=303)
            values["error"] = error
        return self._render("code", join_code, status=status, **values)

    def _details_step(self, registration, join_code, post):
        form = {"country_id": str(self._default_country().id)}
        errors = {}
        values, status = {"registration": registration, "form": form, "errors": errors}, 200
        if request.httprequest.method == "POST":
            try:
                check_text_fields(post)
                form.update({fname: post.get(fname, "") for fname in (*DETAILS, "country_id")})
                if post.get(HONEYPOT):
                    return self._render("received", join_code, registration=registration)
                check_form_token(post)
                errors.update(registration._submit(post, request.httprequest.remote_addr))
            except UserError as error:
                values["error"] = error.args[0]
                status = getattr(error, "http_status", status)
            else:
                if not errors:
                    return request.redirect(request.httprequest.path, code=303)
        return self._render("details", join_code, status=status,
                            countries=request.env["res.country"].sudo().search([]), **values)

    def _check_captcha(self):
        """Odoo's captcha (reCAPTCHA, with `google_recaptcha`; Cloudflare Turnstile too, with
        `website_cf_turnstile`): a no-op until the website has its keys."""
        if not request.env["ir.http"]._verify_request_recaptcha_token(CAPTCHA_ACTION):
            raise UserError(request.env._("We could not tell you from a robot. Please try again."))

    def _captcha_keys(self):
        """The public keys of the captchas the email form asks for (see _check_captcha)."""
        params = request.env["ir.config_parameter"].sudo()
        keys = {"recaptcha": params.get_param("recaptcha_public_key")}
        if hasattr(request.env["ir.http"], "_verify_turnstile_token"):  # website_cf_turnstile is installed
            keys["turnstile"] = params.get_param("cf.turnstile_site_key")
        return keys

    def _to_step(self, join_code, flow):
        request.session[SESSION_FLOW] = flow
        return no_referrer(request.redirect(f"/b2b/join/{join_code}/request", code=303))

    def _default_country(self):
        Country = request.env["res.country"].sudo()
        geoip_code = request.geoip.country_code
        return (geoip_code and Country.search([("code", "=", geoip_code)], limit=1)) \
            or request.website.company_id.country_id

    def _render(self, step, join_code, status=200, **values):
        return no_referrer(request.render(
            "b2b_invite.join_page", {"step": step, "join_code": join_code, **values}, status=status))

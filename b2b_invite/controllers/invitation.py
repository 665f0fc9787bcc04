from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.web.controllers.export import CSVExport
from odoo.exceptions import UserError
from odoo.http import content_disposition, request

from ..models.b2b_invitation import OPEN_STATES
from ..tools.forms import UnreadableForm, check_form_token, no_referrer

# The invitation link's secret, kept in the session once the emailed link is opened
SESSION_KEY = "b2b_invitation_token"
# Set once the invitation is accepted: the shop greets the person on its next page (controllers/shop.py)
WELCOME_KEY = "b2b_welcome"


class B2bInvitationController(http.Controller):
    """The invited person's pages: the controller reads the token and renders; the model decides.

    The emailed link /b2b/invite/<token> puts its token in the session and sends the browser to
    /b2b/invite: the secret stays out of the address bar, the history, proxy logs and referrers.
    """

    @http.route("/b2b/invite/<string:token>", type="http", auth="public", website=True, sitemap=False,
                methods=["GET"])
    def invitation_link(self, token):
        request.session[SESSION_KEY] = token
        return no_referrer(request.redirect("/b2b/invite", code=303))

    # csrf=False: the form's token is checked below, where a stale one gets the form back.
    @http.route("/b2b/invite", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"], csrf=False)
    def invitation(self, **post):
        invitation = self._session_invitation()
        status = invitation._link_status() if invitation else "invalid"
        values = {"invitation": invitation, "status": status, "login": invitation.email}
        code = 404 if status == "invalid" else 200
        if status == "expired":
            invitation._notify_expired_link()
        elif status == "valid" and request.httprequest.method == "POST":
            try:
                check_form_token(post)
                login = invitation._accept(post.get("login"), post.get("password"), post.get("confirm_password"),
                                           ip=request.httprequest.remote_addr)
            except UserError as error:
                values.update(error=error.args[0], login=post.get("login"))
                code = getattr(error, "http_status", code)
            else:
                request.env.cr.commit()  # pylint: disable=invalid-commit; authenticate() opens its own cursor
                request.session.authenticate(
                    request.db, {"login": login, "password": post["password"], "type": "password"})
                if invitation.partner_id.b2b_ordering:
                    request.session[WELCOME_KEY] = True
                    return request.redirect("/shop")
                return request.redirect("/my")
        # One answer for unknown, tampered and revoked links: it tells nothing about which.
        return self._render(values, code)

    @http.route("/b2b/invite/renew", type="http", auth="public", website=True, sitemap=False,
                methods=["POST"], csrf=False)
    def request_renewal(self, **post):
        invitation = self._session_invitation()
        if not invitation:
            return self._render({"status": "invalid"}, 404)
        status = invitation._link_status()
        try:
            check_form_token(post)
        except UnreadableForm as error:
            return self._render({"invitation": invitation, "status": status, "error": error.args[0]}, 400)
        except UserError:
            return request.redirect("/b2b/invite", code=303)  # the page again, to click again
        if status != "expired":
            return request.redirect("/b2b/invite", code=303)  # a link still valid, or accepted
        invitation._request_renewal()
        return self._render({"invitation": invitation, "status": "renewal_requested"})

    def _session_invitation(self):
        # The token is the credential: _find_by_token returns a sudo record, or nothing.
        return request.env["b2b.invitation"]._find_by_token(request.session.get(SESSION_KEY))

    def _render(self, values, status=200):
        return no_referrer(request.render("b2b_invite.invitation_page", values, status=status))

    @http.route("/b2b/invitations/export/<int:wizard_id>", type="http", auth="user")
    def export_links(self, wizard_id):
        """The invitation links of a bulk wizard as CSV: one row per contact, links never stored."""
        wizard = request.env["b2b.invite.wizard"].browse(wizard_id).exists()
        if not wizard:
            raise NotFound()
        wizard.check_access("read")  # a wizard belongs to its creator (ir.rule)
        return self._links_csv(wizard.invitation_ids)

    @http.route("/b2b/invitations/export/campaign/<int:campaign_id>", type="http", auth="user")
    def export_campaign_links(self, campaign_id):
        """The invitation links of a campaign that generated links without email, as CSV."""
        campaign = request.env["b2b.invite.campaign"].browse(campaign_id).exists()
        if not campaign:
            raise NotFound()
        campaign.check_access("read")  # its starter's, or a B2B Manager's (ir.rule)
        return self._links_csv(campaign.invitation_ids)

    def _links_csv(self, invitations):
        invitations = invitations.filtered(lambda inv: inv.state in OPEN_STATES)
        urls = {row["id"]: row["invitation_url"] for row in invitations.read(["invitation_url"])}  # managers only
        tz = request.env.user.tz or "UTC"
        headers = [
            request.env._("Company"), request.env._("Contact"), request.env._("Email"),
            request.env._("Invitation link"), request.env._("Expires on (%s)", tz),
        ]
        rows = [
            [
                invitation.commercial_partner_id.name, invitation.partner_id.name, invitation.email,
                urls[invitation.id],
                fields.Datetime.context_timestamp(invitation, invitation.expiration_date).strftime("%Y-%m-%d %H:%M"),
            ]
            for invitation in invitations.sorted(lambda inv: (inv.commercial_partner_id.name, inv.partner_id.name))
        ]
        # With a byte order mark: Excel then reads the file as UTF-8 (names with accents stay whole)
        content = "\ufeff" + CSVExport().from_data(None, headers, rows)
        return request.make_response(content, headers=[
            ("Content-Type", "text/csv;charset=utf-8"),
            ("Content-Disposition", content_disposition("b2b_invitation_links.csv")),
        ])

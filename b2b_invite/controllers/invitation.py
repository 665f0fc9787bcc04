from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.web.controllers.export import CSVExport
from odoo.exceptions import UserError
from odoo.http import content_disposition, request

from ..tools.forms import check_form_token


class B2bInvitationController(http.Controller):
    """The invited person's pages: the controller reads the token and renders; the model decides."""

    # csrf=False: the form's token is checked below, where a stale one gets the form back.
    @http.route("/b2b/invite/<string:token>", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"], csrf=False)
    def invitation(self, token, **post):
        # The token is the credential: _find_by_token returns a sudo record, or nothing.
        invitation = request.env["b2b.invitation"]._find_by_token(token)
        status = invitation._link_status() if invitation else "invalid"
        values = {"invitation": invitation, "token": token, "status": status, "login": invitation.email}
        if status == "expired":
            invitation._notify_expired_link()
        elif status == "valid" and request.httprequest.method == "POST":
            try:
                check_form_token(post)
                login = invitation._accept(post.get("login"), post.get("password"), post.get("confirm_password"))
            except UserError as error:
                values.update(error=error.args[0], login=post.get("login"))
            else:
                request.env.cr.commit()  # pylint: disable=invalid-commit; authenticate() opens its own cursor
                request.session.authenticate(
                    request.db, {"login": login, "password": post["password"], "type": "password"})
                return request.redirect("/shop" if invitation.partner_id.b2b_ordering else "/my")
        # One answer for unknown, tampered and revoked links: it tells nothing about which.
        return request.render("b2b_invite.invitation_page", values, status=404 if status == "invalid" else 200)

    @http.route("/b2b/invite/<string:token>/renew", type="http", auth="public", website=True, sitemap=False,
                methods=["POST"], csrf=False)
    def request_renewal(self, token, **post):
        invitation = request.env["b2b.invitation"]._find_by_token(token)
        if not invitation:
            return request.render("b2b_invite.invitation_page", {"status": "invalid"}, status=404)
        try:
            check_form_token(post)
        except UserError:
            return request.redirect(f"/b2b/invite/{token}", code=303)  # the page again, to click again
        if invitation._link_status() != "expired":
            return request.redirect(f"/b2b/invite/{token}", code=303)  # a link still valid, or accepted
        invitation._request_renewal()
        return request.render("b2b_invite.invitation_page", {
            "invitation": invitation, "token": token, "status": "renewal_requested",
        })

    @http.route("/b2b/invitations/export/<int:wizard_id>", type="http", auth="user")
    def export_links(self, wizard_id):
        """The invitation links of a bulk wizard as CSV: one row per contact, links never stored."""
        wizard = request.env["b2b.invite.wizard"].browse(wizard_id).exists()
        if not wizard:
            raise NotFound()
        wizard.check_access("read")  # a wizard belongs to its creator
        invitations = wizard.invitation_ids.filtered(lambda inv: inv.state in ("draft", "sent"))
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
        content = CSVExport().from_data(None, headers, rows)
        return request.make_response(content, headers=[
            ("Content-Type", "text/csv;charset=utf8"),
            ("Content-Disposition", content_disposition("b2b_invitation_links.csv")),
        ])

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request


class B2bInvitationController(http.Controller):
    """The invited person's pages: the controller reads the token and renders; the model decides."""

    @http.route("/b2b/invite/<string:token>", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"])
    def invitation(self, token, **post):
        # The token is the credential: _find_by_token returns a sudo record, or nothing.
        invitation = request.env["b2b.invitation"]._find_by_token(token)
        status = invitation._link_status() if invitation else "invalid"
        values = {"invitation": invitation, "token": token, "status": status, "login": invitation.email}
        if status == "expired":
            invitation._notify_expired_link()
        elif status == "valid" and request.httprequest.method == "POST":
            try:
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
                methods=["POST"])
    def request_renewal(self, token, **post):
        invitation = request.env["b2b.invitation"]._find_by_token(token)
        if not invitation or invitation._link_status() != "expired":
            return request.render("b2b_invite.invitation_page", {"status": "invalid"}, status=404)
        invitation._request_renewal()
        return request.render("b2b_invite.invitation_page", {
            "invitation": invitation, "token": token, "status": "renewal_requested",
        })

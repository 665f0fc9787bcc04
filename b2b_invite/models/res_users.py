from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        self.env["b2b.act.session"]._check_user_write(vals)
        res = super().write(vals)
        if vals.get("active") is False:
            # An archived portal login ends the invitation it came from. Its sessions end at
            # their next request: `active` is part of Odoo's session token.
            self.env["b2b.invitation"].sudo().search(
                [("user_id", "in", self.ids), ("state", "=", "accepted")]
            ).write({"state": "revoked", "revoked_by_id": self.env.uid, "revoked_date": fields.Datetime.now()})
        return res

    @api.model
    def _get_signup_invitation_scope(self):
        """A B2B website is on invitation only, whatever its own sign-up setting says."""
        website = self.env["website"].sudo().get_current_website(fallback=False)
        if website and website.b2b_mode:
            return "b2b"
        return super()._get_signup_invitation_scope()

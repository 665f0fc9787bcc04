from odoo import api, fields, models

from ..models.b2b_invitation import OPEN_STATES
from ..tools.access import check_b2b_manager
from ..tools.notifications import notification, raise_first


class B2bCreateLoginWizard(models.TransientModel):
    """The admin alternative to the invitation email: a login with a password the admin sets."""

    _name = "b2b.create.login.wizard"
    _description = "Create a B2B login with a password"

    partner_id = fields.Many2one("res.partner", string="Contact", required=True, readonly=True)
    login = fields.Char(required=True, compute="_compute_login", store=True, readonly=False, precompute=True)
    password = fields.Char(help="Cleared once the login is created.")  # required in the form
    send_email = fields.Boolean(
        "Email the contact", help="Tell the contact that the account is ready (the password is not sent).",
    )

    @api.depends("partner_id")
    def _compute_login(self):
        for wizard in self:
            wizard.login = wizard.partner_id.email_normalized or wizard.login

    def action_create_login(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        Invitation = self.env["b2b.invitation"]
        invitation = Invitation.search(
            [("partner_id", "=", self.partner_id.id), ("state", "in", OPEN_STATES)], limit=1)
        if not invitation:
            invitation, refused, failed = Invitation._invite_many(self.partner_id, send=False)
            raise_first(refused, failed)
        elif invitation._link_status() == "expired":
            invitation._issue_token()
        login = invitation._accept(self.login, self.password)
        self.password = False  # a typed password does not stay in the database
        if self.send_email:
            self.env.ref("b2b_invite.mail_template_b2b_account_ready")._b2b_send(invitation.ids)
        return notification(
            self.env._("Login created"),
            self.env._("%(contact)s can now log in as %(login)s.", contact=self.partner_id.display_name, login=login),
            next_action={"type": "ir.actions.act_window_close"},
        )

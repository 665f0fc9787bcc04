from odoo import fields, models

from ..models.res_users import REP_ACCESS


class B2bRepInviteWizard(models.TransientModel):
    """Invite an outside sales rep: the invitation machinery of contacts, with the rep's wording."""

    _name = "b2b.rep.invite.wizard"
    _description = "Invite a sales rep"

    email = fields.Char(required=True)
    name = fields.Char(required=True)
    rep_access = fields.Selection(
        REP_ACCESS, string="Access type", required=True, default="allocated",
        help="All active customers, or only the customers allocated to the rep: those whose "
             "Salesperson it is or that list it among their Sales reps (Sales & Purchase tab).",
    )

    def action_invite(self):
        self.ensure_one()
        invitation = self.env["b2b.invitation"]._invite_sales_rep(self.name, self.email, self.rep_access)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invitation"),
            "res_model": "b2b.invitation",
            "res_id": invitation.id,
            "view_mode": "form",
            "target": "current",
        }

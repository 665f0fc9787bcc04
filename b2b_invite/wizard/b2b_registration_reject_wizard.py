from odoo import fields, models

from ..tools.access import check_b2b_manager


class B2bRegistrationRejectWizard(models.TransientModel):
    _name = "b2b.registration.reject.wizard"
    _description = "Reject B2B registration requests"

    registration_ids = fields.Many2many("b2b.registration.request", string="Requests", required=True)
    reason = fields.Text(required=True, help="Emailed to the person who sent the request.")

    def action_reject(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        self.registration_ids._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}

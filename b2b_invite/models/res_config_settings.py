from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    b2b_invite_validity_days = fields.Integer(
        "Invitation validity (days)", config_parameter="b2b_invite.validity_days", default=7,
    )
    b2b_mode = fields.Boolean(related="website_id.b2b_mode", readonly=False)
    b2b_guest_access = fields.Boolean(related="website_id.b2b_guest_access", readonly=False)
    b2b_guest_pricelist_id = fields.Many2one(related="website_id.b2b_guest_pricelist_id", readonly=False)
    b2b_guest_hide_prices = fields.Boolean(related="website_id.b2b_guest_hide_prices", readonly=False)
    b2b_own_documents = fields.Boolean(related="company_id.b2b_own_documents", readonly=False)

from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    b2b_mode = fields.Boolean(
        "B2B shop",
        help="Sign-up is by invitation only and only contacts allowed to order can buy.",
    )

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    b2b_own_documents = fields.Boolean(
        "Contacts see only their own documents",
        help="In the portal, a customer's contact sees only the orders, quotations and invoices "
             "where it is the customer, not those of the other contacts of its company.",
    )

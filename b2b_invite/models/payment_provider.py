from odoo import api, fields, models
from odoo.addons.payment import utils as payment_utils

ON_ACCOUNT = "b2b_on_account"


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    custom_mode = fields.Selection(
        selection_add=[(ON_ACCOUNT, "Pay on account")], ondelete={ON_ACCOUNT: "set null"})

    @api.model
    def _get_compatible_providers(self, company_id, partner_id, amount, *args, report=None, **kwargs):
        """Pay on account is offered for orders only (not to pay an invoice), and only to customers
        allowed to pay on account (their company's *Pay on account*, on the Sales & Purchase tab)."""
        providers = super()._get_compatible_providers(company_id, partner_id, amount, *args, report=report, **kwargs)
        on_account = providers.filtered(lambda provider: provider.custom_mode == ON_ACCOUNT)
        if on_account and not kwargs.get("sale_order_id"):
            providers -= on_account
            payment_utils.add_to_report(report, on_account, available=False, reason=self.env._("not an order"))
        elif on_account and not self.env["res.partner"].browse(partner_id)._b2b_may_pay_on_account():
            providers -= on_account
            payment_utils.add_to_report(
                report, on_account, available=False, reason=self.env._("the customer may not pay on account"))
        return providers

    def _get_default_payment_method_codes(self):
        """The payment method that comes with Pay on account is switched on with it."""
        if self.custom_mode == ON_ACCOUNT:
            return {ON_ACCOUNT}
        return super()._get_default_payment_method_codes()

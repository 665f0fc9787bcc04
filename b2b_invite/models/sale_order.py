from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Default delivery method by weekday (days of service)
    # ------------------------------------------------------------------

    def _b2b_weekday_carrier(self):
        """The customer's delivery method for an order placed today (in the user's timezone)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.with_company(self.company_id).partner_id._b2b_carrier_on(today)

    def _get_preferred_delivery_method(self, available_delivery_methods):
        """Shop checkout: the day's delivery method comes before the customer's usual one."""
        carrier = self._b2b_weekday_carrier()
        if carrier in available_delivery_methods and self.carrier_id not in available_delivery_methods:
            return carrier
        return super()._get_preferred_delivery_method(available_delivery_methods)

    def action_open_delivery_wizard(self):
        """Backend "Add shipping": the day's delivery method is the one proposed."""
        action = super().action_open_delivery_wizard()
        if not self.env.context.get("carrier_recompute") and (carrier := self._b2b_weekday_carrier()):
            action["context"]["default_carrier_id"] = carrier.id
        return action

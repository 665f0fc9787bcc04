from odoo import fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    b2b_ordered_by_id = fields.Many2one(
        "res.users", string="Ordered by", readonly=True, copy=False, index="btree_not_null")

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

    # ------------------------------------------------------------------
    # Ordering gate (B2B shop): every way of filling or paying a cart meets it
    # ------------------------------------------------------------------

    def _b2b_order_refusal(self):
        """Why the customer of this cart may not order it on its website, or False.

        The customer is the cart's contact, through its login: the payment routes work on the
        cart as superuser, so the current user says nothing there. A contact without a login
        orders as a guest would.
        """
        self.ensure_one()
        website = self.website_id
        if not website.b2b_mode:
            return False
        users = self.sudo().partner_id.user_ids
        customer = users.filtered(lambda user: not user.share)[:1] or users[:1] or website.user_id
        return website._b2b_order_refusal(customer)

    def _b2b_check_ordering(self):
        if refusal := self._b2b_order_refusal():
            raise UserError(refusal)

    def _cart_update(self, product_id, line_id=None, add_qty=0, set_qty=0, **kwargs):
        """Both cart routes (/shop/cart/update and /shop/cart/update_json), the product and combo
        configurators and any other route that fills a cart end here.

        Who may not order may still lower or remove lines. Whether a line grew is read on the cart
        itself, before and after Odoo's update: the request's numbers are Odoo's to parse (it reads
        "0.0" or "nan" as 1).
        """
        refusal = self._b2b_order_refusal()
        if not refusal:
            return super()._cart_update(product_id, line_id=line_id, add_qty=add_qty, set_qty=set_qty, **kwargs)
        before = {line.id: line.product_uom_qty for line in self.order_line}
        with self.env.cr.savepoint():  # undone, whoever catches the refusal
            values = super()._cart_update(product_id, line_id=line_id, add_qty=add_qty, set_qty=set_qty, **kwargs)
            if any(line.product_uom_qty > before.get(line.id, 0) for line in self.order_line):
                raise UserError(refusal)
        return values

    def _is_cart_ready(self):
        return super()._is_cart_ready() and not self._b2b_order_refusal()

    def _check_cart_is_ready_to_be_paid(self):
        self._b2b_check_ordering()
        return super()._check_cart_is_ready_to_be_paid()

    def action_confirm(self):
        """A website order becomes real only for who may order; salespeople confirm what they decide.

        The shop and payment routes confirm as superuser for the visitor (a portal user or the
        public user): the real user tells them apart from a salesperson's click.
        """
        if not self.env.user._is_internal():
            for order in self:
                order._b2b_check_ordering()
        return super().action_confirm()

    def _validate_order(self):
        # A free order or a signed quotation confirmed while acting as the customer: the actor placed it
        self.env["b2b.act.session"]._record_orders(self)
        return super()._validate_order()

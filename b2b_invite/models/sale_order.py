from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.batch_lookups import batch_lookups


class SaleOrder(models.Model):
    _inherit = "sale.order"

    b2b_ordered_by_id = fields.Many2one(
        "res.users", string="Ordered by", readonly=True, copy=False, tracking=True, index="btree_not_null",
        help="Who placed this order in the shop on behalf of the customer: a sales rep, or staff acting as "
             "the customer.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("b2b_ordered_by_id") for vals in vals_list):
            raise AccessError(self.env._("Who ordered on behalf of a customer is set by the shop only."))
        return super().create(vals_list)

    def write(self, vals):
        if "b2b_ordered_by_id" in vals and not self.env.su:
            raise AccessError(self.env._("Who ordered on behalf of a customer is set by the shop only."))
        return super().write(vals)

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
        orders as a guest would. A cart ordered on behalf of the contact is the rep's to order:
        the rep must still serve the contact's company.
        """
        self.ensure_one()
        website = self.website_id
        if not website.b2b_mode:
            return False
        if rep := self.sudo().b2b_ordered_by_id:
            return website._b2b_order_refusal(rep, customer=self.sudo().partner_id)
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

    # ------------------------------------------------------------------
    # Quick order: many products into the cart at once
    # ------------------------------------------------------------------

    def _b2b_cart_add(self, quantities):
        """Add {product: quantity} to this cart at once, as ``_cart_update`` adds one product.

        The same rules as the shop's: the ordering gate (every quantity is positive, so the cart
        grows), a draft cart, products that may go in a cart (``_is_add_to_cart_allowed``),
        ``_verify_updated_quantity``, existing lines updated through
        ``_prepare_order_line_update_values`` and ``_update_cart_line_values``, the prices of
        sale.order.line's own computes on the cart's pricelist, the website's zero-price rule and
        the delivery line. New lines are created in one ``create``, with the pricelist rules and
        analytic models looked up once (tools/batch_lookups.py): the number of queries does not
        grow with the number of products. Products with options are refused before
        (``product.product._b2b_quick_order_refusal``), so a new line is a product and a quantity.

        :param dict quantities: {product.product: whole quantity > 0}
        :return: the lines added or updated
        """
        self.ensure_one()
        if refusal := self._b2b_order_refusal():
            raise UserError(refusal)
        if self.state != "draft":
            raise UserError(self.env._("This order is no longer a cart: it cannot be changed."))
        products = self.env["product.product"].concat(*quantities)
        with batch_lookups(self.with_company(self.company_id), products) as order:
            lines, new_lines = order.order_line.browse(), []
            for product, add_qty in quantities.items():
                if add_qty <= 0 or not product._is_add_to_cart_allowed():
                    raise UserError(self.env._("%s cannot be added to the cart.", product.display_name))
                line = order._cart_find_product_line(product.id)[:1]
                quantity, _warning = order._verify_updated_quantity(line, product.id, line.product_uom_qty + add_qty)
                if line:
                    order._update_cart_line_values(line, order._prepare_order_line_update_values(line, quantity))
                    lines |= line
                elif quantity > 0:
                    new_lines.append({"order_id": order.id, "product_id": product.id, "product_uom_qty": quantity})
            lines |= order.env["sale.order.line"].sudo().create(new_lines)
            order.env.flush_all()  # the computes that wait for a flush run within the batch too
            order._b2b_check_prices(lines)
            # The delivery line follows the cart, as after any _cart_update.
            if order.only_services:
                order._remove_delivery_line()
            elif order.carrier_id:
                rate = order.carrier_id.rate_shipment(order)
                if rate["success"]:
                    order.order_line.filtered("is_delivery").price_unit = rate["price"]
                else:
                    order._remove_delivery_line()
        return lines

    def _b2b_check_prices(self, lines):
        """The website's "prevent sale of zero priced product", as _cart_update applies it."""
        if not self.website_id.prevent_zero_price_sale:
            return
        free_types = self.env["product.template"]._get_product_types_allow_zero_price()
        unpriced = lines.filtered(lambda line: line.product_template_id.type != "combo" and not line.price_unit
                                  and line.product_id.service_tracking not in free_types)
        if unpriced:
            raise UserError(self.env._(
                "These products have no price yet and cannot be ordered online: %s",
                ", ".join(unpriced.product_id.mapped("display_name"))))

    def _validate_order(self):
        # A free order or a signed quotation confirmed while acting as the customer: the actor placed it
        self.env["b2b.act.session"]._record_orders(self)
        return super()._validate_order()

from markupsafe import Markup

from odoo import api, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    @api.model_create_multi
    def create(self, vals_list):
        """No payment for the website order of who may not order (a B2B shop's gate).

        Every payment route ends here: the shop's, Odoo's `/my/orders/<id>/transaction` (reached
        with the order's access token, logged in or not) and payment links. Salespeople may take
        a payment for their customer.
        """
        transactions = super().create(vals_list)
        if not self.env.user._is_internal():
            for order in transactions.sale_order_ids:
                order._b2b_check_ordering()
        # An order paid, or sent for payment, while acting as the customer: the actor placed it
        self.env["b2b.act.session"]._record_orders(transactions.sale_order_ids)
        return transactions

    def _check_amount_and_confirm_order(self):
        """A payment that arrives once its customer may no longer order leaves the order a quotation,
        with a note to the salesperson (the payment is kept: they decide)."""
        refused = self.browse()
        for transaction in self:
            for order in transaction.sale_order_ids.filtered(lambda order: order.state in ("draft", "sent")):
                if refusal := order._b2b_order_refusal():
                    refused |= transaction
                    order.message_post(
                        body=Markup("<p>%s</p>") % self.env._(
                            "Payment %(reference)s received, but the order was not confirmed: %(refusal)s",
                            reference=transaction.reference, refusal=refusal),
                        partner_ids=order.user_id.partner_id.ids, subtype_xmlid="mail.mt_note",
                    )
        return super(PaymentTransaction, self - refused)._check_amount_and_confirm_order()

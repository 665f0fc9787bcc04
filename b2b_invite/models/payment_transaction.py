from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError

from .payment_provider import ON_ACCOUNT


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    @api.model_create_multi
    def create(self, vals_list):
        """No payment for the website order of who may not order (a B2B shop's gate), and no Pay on
        account for a customer not allowed it.

        Every payment route ends here: the shop's, Odoo's `/my/orders/<id>/transaction` (reached
        with the order's access token, logged in or not) and payment links. Salespeople may take
        a payment for their customer.
        """
        transactions = super().create(vals_list)
        if not self.env.user._is_internal():
            for order in transactions.sale_order_ids:
                order._b2b_check_ordering()
        for transaction in transactions.filtered(lambda tx: tx.provider_id.custom_mode == ON_ACCOUNT):
            if not transaction.sale_order_ids:
                raise UserError(self.env._("Pay on account is for orders: choose another payment method."))
            if not transaction.partner_id._b2b_may_pay_on_account():
                raise UserError(self.env._(
                    "%s may not pay on account: choose another payment method.",
                    transaction.partner_id.commercial_partner_id.name))
        # An order paid, or sent for payment, while acting as the customer: the actor placed it
        self.env["b2b.act.session"]._record_orders(transactions.sale_order_ids)
        return transactions

    def _post_process(self):
        """Pay on account: once the customer chose it (the transaction is pending, as payment_custom
        leaves it), its order is confirmed, through the ordering gate; it is invoiced later, on the
        customer's terms. Odoo's own post-processing then finds no quotation left to mark as sent."""
        for transaction in self.filtered(lambda tx: tx.state == "pending" and tx.provider_id.custom_mode == ON_ACCOUNT):
            for order in transaction.sale_order_ids.filtered(lambda order: order.state in ("draft", "sent")):
                refusal = order._b2b_order_refusal()
                if not refusal and not order.partner_id._b2b_may_pay_on_account():
                    refusal = self.env._(
                        "%s may no longer pay on account.", order.partner_id.commercial_partner_id.name)
                if refusal:
                    transaction._b2b_note_refusal(order, refusal)
                else:
                    order.with_context(send_email=True).action_confirm()
        return super()._post_process()

    def _check_amount_and_confirm_order(self):
        """A payment that arrives once its customer may no longer order leaves the order a quotation,
        with a note to the salesperson (the payment is kept: they decide)."""
        refused = self.browse()
        for transaction in self:
            for order in transaction.sale_order_ids.filtered(lambda order: order.state in ("draft", "sent")):
                if refusal := order._b2b_order_refusal():
                    refused |= transaction
                    transaction._b2b_note_refusal(order, refusal)
        return super(PaymentTransaction, self - refused)._check_amount_and_confirm_order()

    def _b2b_note_refusal(self, order, refusal):
        """Tell the salesperson, on the order, why this payment did not confirm it."""
        order.message_post(
            body=Markup("<p>%s</p>") % self.env._(
                "Payment %(reference)s received, but the order was not confirmed: %(refusal)s",
                reference=self.reference, refusal=refusal),
            partner_ids=order.user_id.partner_id.ids, subtype_xmlid="mail.mt_note",
        )

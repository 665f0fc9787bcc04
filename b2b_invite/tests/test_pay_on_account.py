import json
import re

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import B2bShopCommon


@tagged("post_install", "-at_install")
class TestPayOnAccount(B2bShopCommon, HttpCase):
    """Pay on account (payment_custom): offered only to customers allowed it, and it confirms the order.

    Acme Cafés (Alice, Bob) may pay on account; Globex Bistro (Carla) may not.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.on_account = cls.env.ref("b2b_invite.payment_provider_on_account")
        cls.on_account.write({"state": "enabled", "is_published": True})
        cls.method = cls.env.ref("b2b_invite.payment_method_on_account")
        cls.customer.b2b_pay_on_account = True
        cls.other_customer.write({
            "street": "2 Harbour Road", "city": "Antwerp", "zip": "2000", "country_id": cls.env.ref("base.be").id,
        })
        cls.other_contact.phone = "+32 470 55 01 03"  # a complete address for the checkout
        cls.env["delivery.carrier"].create({
            "name": "Our truck", "delivery_type": "fixed", "fixed_price": 5.0, "is_published": True,
            "product_id": cls.env["product.product"].create({"name": "Truck delivery", "type": "service"}).id,
        })

    def login(self, user):
        self.authenticate(user.login, f"{user.login}-secret-1")

    @mute_logger("odoo.http")  # refusals are logged as warnings
    def json(self, url, **params):
        response = self.url_open(
            url, data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data", {})

    def cart_of(self, user):
        """A cart of the logged-in `user`, filled in the shop."""
        self.login(user)
        self.url_open("/shop/cart/update", data={
            "product_id": self.product.id, "add_qty": 2, "csrf_token": http.Request.csrf_token(self)})
        self.url_open("/shop/checkout")  # the address and the delivery method, as the browser goes
        self.url_open("/shop/confirm_order")
        return self.env["sale.order"].search(
            [("partner_id", "=", user.partner_id.id), ("website_id", "=", self.website.id), ("state", "=", "draft")])

    def offered_providers(self):
        """The payment providers of the payment page, by id."""
        page = self.url_open("/shop/payment")
        self.assertEqual(page.status_code, 200)
        return {int(pid) for pid in re.findall(r'data-provider-id="(\d+)"', page.text)}

    def pay_on_account(self, order, url=None):
        """What the payment form does with Pay on account: the transaction, the provider's page, the status."""
        result, error = self.json(
            url or f"/shop/payment/transaction/{order.id}", access_token=order._portal_ensure_token(),
            amount=order.amount_total, provider_id=self.on_account.id, payment_method_id=self.method.id,
            token_id=None, flow="redirect", tokenization_requested=False, landing_route="/shop/payment/validate")
        if result:
            self.url_open("/payment/custom/process", data={"reference": result["reference"]})
            self.json("/payment/status/poll")  # what /payment/status does next
        return result, error

    def test_offered_only_to_customers_allowed_it(self):
        self.cart_of(self.alice)
        self.assertIn(self.on_account.id, self.offered_providers())
        self.cart_of(self.carla)
        self.assertNotIn(self.on_account.id, self.offered_providers())
        Provider = self.env["payment.provider"].sudo()
        order_id = self.env["sale.order"].search([], limit=1).id
        providers = Provider._get_compatible_providers(
            self.env.company.id, self.other_contact.id, 10.0, sale_order_id=order_id)
        self.assertNotIn(self.on_account, providers)
        providers = Provider._get_compatible_providers(
            self.env.company.id, self.contact2.id, 10.0, sale_order_id=order_id)
        self.assertIn(self.on_account, providers, "every contact of a customer allowed it")
        providers = Provider._get_compatible_providers(self.env.company.id, self.contact2.id, 10.0)
        self.assertNotIn(self.on_account, providers, "not to pay an invoice")

    def test_pay_on_account_confirms_the_order(self):
        cart = self.cart_of(self.alice)
        _result, error = self.pay_on_account(cart)
        self.assertFalse(error)
        self.assertEqual(cart.state, "sale", "confirmed without online payment")
        self.assertEqual(cart.transaction_ids.state, "pending", "no payment is recorded: it is invoiced later")
        self.assertFalse(cart.transaction_ids.payment_id)
        page = self.url_open("/shop/payment/validate")  # the landing route: on to the confirmation
        self.assertTrue(page.url.endswith("/shop/confirmation"), page.url)
        self.assertIn("invoiced to your account", page.text)
        self.assertNotIn("Finalize your payment", page.text)

    def test_refused_to_a_customer_not_allowed_it_through_every_door(self):
        cart = self.cart_of(self.carla)
        _result, error = self.pay_on_account(cart)
        self.assertIn("Globex Bistro may not pay on account", error["message"])
        # Odoo's portal route, with the order's access token, logged in or not
        self.authenticate(None, None)
        _result, error = self.pay_on_account(cart, url=f"/my/orders/{cart.id}/transaction")
        self.assertIn("Globex Bistro may not pay on account", error["message"])
        self.assertEqual(cart.state, "draft")
        self.assertFalse(cart.transaction_ids)

    def test_the_ordering_gate_holds_for_pay_on_account(self):
        cart = self.cart_of(self.alice)
        self.contact.b2b_ordering = False
        self.authenticate(None, None)
        _result, error = self.pay_on_account(cart, url=f"/my/orders/{cart.id}/transaction")
        self.assertIn("not allowed to place orders for Acme Cafés", error["message"])
        self.assertEqual(cart.state, "draft")

    def test_credit_withdrawn_before_confirmation_leaves_a_quotation(self):
        cart = self.cart_of(self.alice)
        result, _error = self.json(
            f"/shop/payment/transaction/{cart.id}", access_token=cart._portal_ensure_token(),
            amount=cart.amount_total, provider_id=self.on_account.id, payment_method_id=self.method.id,
            token_id=None, flow="redirect", tokenization_requested=False, landing_route="/shop/payment/validate")
        self.customer.b2b_pay_on_account = False
        self.url_open("/payment/custom/process", data={"reference": result["reference"]})
        self.json("/payment/status/poll")
        self.assertIn(cart.state, ("draft", "sent"))
        self.assertIn("may no longer pay on account", "".join(cart.message_ids.mapped("body")))

    def test_only_b2b_managers_and_accountants_grant_it(self):
        with self.assertRaises(AccessError):
            self.other_customer.with_user(self.salesperson).b2b_pay_on_account = True
        self.other_customer.with_user(self.manager).b2b_pay_on_account = True
        self.assertTrue(self.other_contact._b2b_may_pay_on_account())

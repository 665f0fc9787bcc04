import html
import re
from urllib.parse import urlparse

from odoo import Command, fields, http
from odoo.exceptions import AccessDenied
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.res_partner import CARRIER_FIELDS
from .common import B2bHttpMixin, B2bRepCommon

NOT_YOURS = "You cannot order for this customer: it is not one of your customers."


@tagged("post_install", "-at_install")
class TestOrderFor(B2bHttpMixin, B2bRepCommon, HttpCase):
    """A sales rep orders on behalf of the customers it serves, and of no other, through every door.

    Rita (outside rep) is allocated Acme Cafés (Alice, Bob); Adam (outside rep) serves all customers;
    Carla is the contact of Globex Bistro, allocated to nobody.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier = cls.env["delivery.carrier"].create({
            "name": "Acme's day truck", "delivery_type": "fixed", "fixed_price": 4.0, "is_published": True,
            "product_id": cls.env["product.product"].create({"name": "Day truck", "type": "service"}).id,
        })
        today = fields.Date.context_today(cls.env.user)
        cls.customer[CARRIER_FIELDS[today.weekday()]] = cls.carrier
        cls.transfer = cls.env.ref("payment.payment_provider_transfer")
        cls.transfer.write({"state": "enabled", "is_published": True})

    # ------------------------------------------------------------------
    # Helpers: the doors, as a browser or a script opens them
    # ------------------------------------------------------------------

    def order_for(self, contact, **data):
        return self.post("/b2b/order-for", partner_id=str(contact.id) if contact else "", **data)

    def add_to_cart(self, qty=1):
        return self.rpc("/shop/cart/update_json", product_id=self.product.id, add_qty=qty)

    def bar(self, url="/shop"):
        """The "Ordering for" bar of a shop page, as text."""
        match = re.search(r'<div class="o_b2b_order_for .*?</div>', self.url_open(url).text, re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip() if match else ""

    def carts_of(self, contact, rep=None):
        return self.env["sale.order"].search([
            ("partner_id", "=", contact.id), ("b2b_ordered_by_id", "=", (rep or self.rep).id),
            ("website_id", "=", self.website.id)])

    def pay_by_transfer(self, cart):
        """The payment form of /shop/payment with Wire Transfer: transaction, then the provider's page."""
        result, error = self.rpc(
            f"/shop/payment/transaction/{cart.id}", access_token=cart._portal_ensure_token(),
            amount=cart.amount_total, provider_id=self.transfer.id,
            payment_method_id=self.env.ref("payment_custom.payment_method_wire_transfer").id, token_id=None,
            flow="redirect", tokenization_requested=False, landing_route="/shop/payment/validate")
        if result:
            self.url_open("/payment/custom/process", data={"reference": result["reference"]})
            self.json("/payment/status/poll")  # what /payment/status does next
        return result, error

    def listed_customers(self, url="/my/customers"):
        """The customers listed on the My customers page."""
        return re.findall(r'class="o_b2b_customer"[^>]*>\s*<td[^>]*><strong>([^<]+)</strong>', self.url_open(url).text)

    def refusal(self, response):
        """Why the page says the choice was refused (or None)."""
        match = re.search(r'o_b2b_order_for_error[^>]*>([^<]*)<', response.text)
        return html.unescape(match.group(1)) if match else None

    # ------------------------------------------------------------------
    # Choosing whom to order for
    # ------------------------------------------------------------------

    def test_picker_lists_the_customers_the_rep_serves_only(self):
        self.login(self.rep)
        self.assertIn("Choose the customer you order for.", self.bar())
        page = self.url_open("/my/customers").text
        self.assertIn("Acme Cafés", page)
        self.assertNotIn("Globex Bistro", page)
        self.assertIn(f'<option value="{self.contact.id}"', page)
        self.assertNotIn(f'<option value="{self.other_contact.id}"', page)
        self.assertEqual(self.listed_customers(), ["Acme Cafés"])
        self.assertEqual(self.listed_customers("/my/customers?search=Globex"), [])
        self.assertEqual(self.listed_customers("/my/customers?search=bob"), ["Acme Cafés"], "by a contact's name")
        for odd in ("?page=abc", "?page=-1", "/page/999", "?search=" + "x" * 5000):
            self.assertEqual(self.url_open("/my/customers" + odd).status_code, 200, odd[:20])
        home = self.url_open("/my").text
        self.assertIn("My customers", home)

        self.login(self.rep_all)
        self.assertLessEqual({"Acme Cafés", "Globex Bistro"}, set(self.listed_customers()))

        self.login(self.alice)
        self.assertEqual(urlparse(self.url_open("/my/customers").url).path, "/my", "not a rep: no customers")
        self.assertNotIn("My customers", self.url_open("/my").text)

    def test_allocated_rep_cannot_reach_another_customer(self):
        self.login(self.rep)
        response = self.order_for(self.other_contact)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.refusal(response), NOT_YOURS)
        self.assertNotIn("Globex", response.text, "nothing told about the other customer")
        self.assertIn("Choose the customer you order for.", self.bar(), "nothing changed")

        response = self.order_for(self.contact)
        self.assertEqual(urlparse(response.url).path, "/shop")
        self.assertIn("Ordering for: Acme Cafés ( Alice Buyer )", self.bar())
        for refused, message in [
            (self.other_contact, NOT_YOURS),
            (self.other_customer, NOT_YOURS),
            (self.rep_all.partner_id, NOT_YOURS),
            (self.customer, "Acme Cafés is not allowed to place orders for Acme Cafés."),  # the company itself
        ]:
            response = self.order_for(refused)
            self.assertEqual(response.status_code, 403, refused.name)
            self.assertEqual(self.refusal(response), message, refused.name)
            self.assertIn("Ordering for: Acme Cafés ( Alice Buyer )", self.bar(), "the choice stays")
        for odd in ("", "12abc", "-1", "9999999999", "٣", f"{self.other_contact.id} "):
            response = self.post("/b2b/order-for", partner_id=odd)
            self.assertEqual(response.status_code, 403, odd)
            self.assertIn(self.refusal(response), ("Choose one of your customers' contacts to order for.", NOT_YOURS))
        response = self.url_open("/b2b/order-for", data={"csrf_token": http.Request.csrf_token(self)},
                                 files={"partner_id": ("id.txt", str(self.other_contact.id).encode())})
        self.assertEqual(self.refusal(response), "Choose one of your customers' contacts to order for.",
                         "a file is no contact")
        response = self.url_open("/b2b/order-for", data={"partner_id": str(self.contact2.id)})
        self.assertIn("This page had expired", self.refusal(response), "without its CSRF token, nothing is done")
        self.assertIn("Ordering for: Acme Cafés ( Alice Buyer )", self.bar())
        self.assertFalse(self.carts_of(self.other_contact))

        self.env.ref("website.default_website").b2b_mode = False
        response = self.order_for(self.contact2)
        self.assertEqual(self.refusal(response), "Ordering on behalf of a customer is for the B2B shop.")

    def test_rep_with_access_to_all_serves_active_activated_customers_only(self):
        self.login(self.rep_all)
        self.assertEqual(urlparse(self.order_for(self.other_contact).url).path, "/shop")
        self.assertIn("Ordering for: Globex Bistro ( Carla Other )", self.bar())
        self.assertIsNone(self.add_to_cart()[1].get("name"))
        self.other_customer.b2b_awaiting_activation = True
        response = self.order_for(self.other_contact)
        self.assertEqual(self.refusal(response), "The account of Globex Bistro is not activated yet.")
        self.assertNotIn("Globex Bistro", self.listed_customers())
        _result, error = self.add_to_cart()
        self.assertIn("not activated yet", error["message"], "the earlier choice can't go on either")
        self.other_customer.write({"b2b_awaiting_activation": False, "active": False})
        response = self.order_for(self.other_contact)
        self.assertIn("The account of Globex Bistro is closed", self.refusal(response))
        self.assertEqual(urlparse(self.order_for(self.contact2).url).path, "/shop")

    # ------------------------------------------------------------------
    # The order placed on behalf of a customer
    # ------------------------------------------------------------------

    def test_order_for_a_customer_has_its_prices_addresses_carrier_and_the_rep(self):
        self.login(self.rep)
        self.order_for(self.contact)
        page = self.url_open(self.product.website_url).text
        self.assertIn('id="add_to_cart"', page)
        self.assertRegex(page, re.compile(r'class="oe_price.{0,300}?15\.00', re.S), "the customer's price")
        result, error = self.add_to_cart(qty=2)
        self.assertFalse(error)
        self.assertEqual(result["quantity"], 2)

        cart = self.carts_of(self.contact)
        self.assertRecordValues(cart, [{
            "partner_id": self.contact.id, "partner_invoice_id": self.acme_invoicing.id,
            "partner_shipping_id": self.acme_delivery.id, "pricelist_id": self.acme_pricelist.id,
            "b2b_ordered_by_id": self.rep.id, "user_id": self.salesperson.id, "state": "draft",
        }])
        self.assertEqual(cart.order_line.price_unit, 15.0, "20.00 less the customer's 25%")
        self.assertTrue(any("Ordered by Rita Rep on behalf of Acme Cafés, Alice Buyer." in body
                            for body in cart.message_ids.mapped("body")), "in the chatter")

        checkout = self.url_open("/shop/checkout")
        self.assertEqual(urlparse(checkout.url).path, "/shop/checkout")
        self.assertEqual(cart.carrier_id, self.carrier, "the carrier of the day")
        self.assertEqual(urlparse(self.url_open("/shop/payment").url).path, "/shop/payment")
        result, error = self.pay_by_transfer(cart)
        self.assertFalse(error)
        self.assertEqual(cart.state, "sent", "the order is placed, awaiting the transfer")
        self.assertEqual(cart.transaction_ids.partner_id, self.acme_invoicing)
        cart.action_confirm()  # the seller confirms it once paid

        for customer in (self.alice, self.bob):
            self.login(customer)
            orders = self.url_open("/my/orders").text
            self.assertIn(cart.name, orders, f"{customer.name} sees it as its company's order")
            self.assertEqual(self.url_open(f"/my/orders/{cart.id}").status_code, 200)
        self.login(self.rep)
        self.assertIn(cart.name, self.url_open("/my/orders").text, "and so does the rep")

    def test_internal_salesperson_orders_for_its_allocated_customer(self):
        self.authenticate(self.salesperson.login, self.salesperson.login)
        self.assertIn("You are ordering for yourself.", self.bar())
        self.assertEqual(self.order_for(self.other_contact).status_code, 403, "Own Documents Only")
        self.order_for(self.contact2)
        self.add_to_cart()
        cart = self.carts_of(self.contact2, rep=self.salesperson)
        self.assertRecordValues(cart, [{"partner_id": self.contact2.id, "user_id": self.salesperson.id,
                                        "pricelist_id": self.acme_pricelist.id}])

    def test_switching_customers_keeps_each_cart_for_later(self):
        self.login(self.rep_all)
        self.order_for(self.contact)
        self.add_to_cart(qty=1)
        acme_cart = self.carts_of(self.contact, rep=self.rep_all)
        self.order_for(self.other_contact)
        self.assertIn("Ordering for: Globex Bistro", self.bar("/shop/cart"))
        self.add_to_cart(qty=3)
        globex_cart = self.carts_of(self.other_contact, rep=self.rep_all)
        self.assertEqual((acme_cart.cart_quantity, globex_cart.cart_quantity), (1, 3))
        self.assertEqual(globex_cart.pricelist_id, self.other_customer.property_product_pricelist)
        self.customer.property_product_pricelist = self.other_customer.property_product_pricelist

        self.order_for(self.contact)
        result, _error = self.add_to_cart(qty=1)
        self.assertEqual(result["quantity"], 2, "back to Acme: its cart was kept")
        self.assertEqual(self.carts_of(self.contact, rep=self.rep_all), acme_cart)
        self.assertEqual(acme_cart.pricelist_id, self.other_customer.property_product_pricelist,
                         "with Acme's pricelist of today")
        self.assertEqual(acme_cart.order_line.price_unit, acme_cart.pricelist_id._get_product_price(self.product, 2))
        self.assertNotEqual(acme_cart.order_line.price_unit, 15.0, "no longer the old contract's price")

        response = self.post("/b2b/order-for/stop")
        self.assertEqual(urlparse(response.url).path, "/shop")
        self.assertIn("Choose the customer you order for.", self.bar("/shop/cart"))
        _result, error = self.add_to_cart()
        self.assertIn("Choose the customer you order for.", error["message"], "an outside rep orders for customers")
        self.assertEqual((acme_cart.state, globex_cart.state), ("draft", "draft"), "both carts kept")

        self.login(self.alice)
        self.add_to_cart()
        own_cart = self.env["sale.order"].search([("partner_id", "=", self.contact.id),
                                                  ("b2b_ordered_by_id", "=", False), ("state", "=", "draft")])
        self.assertEqual(len(own_cart), 1, "Alice's own cart, not the one the rep is filling")
        self.assertEqual(acme_cart.cart_quantity, 2)

    # ------------------------------------------------------------------
    # A choice that stops being valid
    # ------------------------------------------------------------------

    def test_quick_order_is_the_customer_s_before_any_cart(self):
        """Before any cart for it, the rep's Quick order page is the customer's: its usual products."""
        order = self.env["sale.order"].create({
            "partner_id": self.contact.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 4})],
        })
        order.action_confirm()
        self.login(self.rep)
        self.order_for(self.contact)
        self.assertFalse(self.carts_of(self.contact))
        page = self.url_open("/shop/quick-order").text
        self.assertRegex(page, rf"For <strong>{re.escape(self.customer.name)}</strong>")
        self.assertEqual(page.count('class="o_b2b_usual_product'), 1)
        self.assertIn(f"Ordering for: {self.customer.name}", self.bar("/shop/quick-order"))

    def test_rep_whose_customer_is_no_longer_allocated_cannot_go_on(self):
        self.login(self.rep)
        self.order_for(self.contact)
        self.add_to_cart()
        cart = self.carts_of(self.contact)
        self.assertNotIn(NOT_YOURS, self.bar())
        self.customer.b2b_rep_ids = False
        self.assertIn(f"Ordering for: Acme Cafés ( {self.contact.name} ) {NOT_YOURS}", self.bar(),
                      "the bar says the choice no longer holds")
        _result, error = self.add_to_cart()
        self.assertEqual(error["message"], NOT_YOURS)
        for url in ("/shop/checkout", "/shop/confirm_order", "/shop/payment", "/shop/payment/validate"):
            response = self.url_open(url)
            self.assertEqual(urlparse(response.url).path, "/shop/cart", url)
            self.assertIn(NOT_YOURS, response.text, url)
        _result, error = self.pay_by_transfer(cart)
        self.assertIn(NOT_YOURS, error["message"])
        self.assertFalse(cart.transaction_ids)
        self.assertEqual((cart.state, cart.cart_quantity), ("draft", 1))
        self.assertEqual(self.url_open(f"/my/orders/{cart.id}").url.rsplit("/", 1)[1], "my",
                         "nor does the rep read the customer's orders any more")

    def test_revoked_rep_can_do_nothing(self):
        self.login(self.rep)
        self.order_for(self.contact)
        self.add_to_cart()
        cart = self.carts_of(self.contact)
        order = self._confirmed_order(self.contact)
        self.rep.partner_id.action_b2b_revoke()
        self.assertFalse(self.rep.active)
        self.assertEqual(urlparse(self.url_open("/my/customers").url).path, "/web/login", "its session ended")
        self.assertEqual(urlparse(self.order_for(self.contact2).url).path, "/web/login")
        _result, error = self.call_kw("sale.order", "search_read", [[]], {"fields": ["name"]})
        self.assertEqual(error, "odoo.http.SessionExpiredException")
        self.assertEqual(cart.order_line.product_uom_qty, 1)
        self.assertIn("cannot order on behalf", cart._b2b_order_refusal(), "its cart can't be ordered either")
        with self.assertRaises(AccessDenied):
            self.login(self.rep)
        self.assertTrue(order.exists())

    # ------------------------------------------------------------------
    # What a rep reads: its customers, their contacts and their orders, through every door
    # ------------------------------------------------------------------

    def test_rep_reads_its_customers_and_their_orders_only(self):
        order_acme = self._confirmed_order(self.contact2)
        order_globex = self._confirmed_order(self.other_contact)
        self.login(self.rep)

        orders = self.url_open("/my/orders").text
        self.assertIn(order_acme.name, orders)
        self.assertNotIn(order_globex.name, orders)
        self.assertEqual(self.url_open(f"/my/orders/{order_acme.id}").status_code, 200)
        for url in (f"/my/orders/{order_globex.id}", f"/my/orders/{order_globex.id}?access_token=forged",
                    f"/my/orders/{order_globex.id}?report_type=pdf"):
            response = self.url_open(url)
            self.assertEqual(urlparse(response.url).path, "/my", url)
            self.assertNotIn(order_globex.name, response.text, url)

        result, error = self.call_kw("res.partner", "search_read", [[]], {"fields": ["id"]})
        self.assertFalse(error)
        acme_family = self.env["res.partner"].search([("commercial_partner_id", "=", self.customer.id)])
        self.assertEqual({row["id"] for row in result}, set((acme_family | self.rep.partner_id).ids))
        result, error = self.call_kw("sale.order", "search_read", [[]], {"fields": ["id"]})
        self.assertEqual({row["id"] for row in result}, {order_acme.id})
        for model, record in [("res.partner", self.other_contact), ("res.partner", self.other_customer),
                              ("sale.order", order_globex), ("sale.order.line", order_globex.order_line)]:
            _result, error = self.call_kw(model, "read", [record.ids, ["display_name"]])
            self.assertEqual(error, "odoo.exceptions.AccessError", f"{model} {record.display_name}")
        _result, error = self.call_kw("sale.order", "write", [order_acme.ids, {"note": "changed"}])
        self.assertEqual(error, "odoo.exceptions.AccessError", "read only")
        _result, error = self.call_kw("res.users", "write", [self.rep.ids, {"b2b_rep_access": "all"}])
        self.assertEqual(error, "odoo.exceptions.AccessError")
        self.assertEqual(urlparse(self.url_open("/odoo").url).path, "/my", "no backend")

        self.env.company.b2b_own_documents = True
        self.assertIn(order_acme.name, self.url_open("/my/orders").text,
                      "'Contacts see only their own documents' narrows what customers see, not the rep")

        self.login(self.rep_all)
        result, _error = self.call_kw("sale.order", "search_read", [[("id", "in", (order_acme | order_globex).ids)]],
                                      {"fields": ["id"]})
        self.assertEqual({row["id"] for row in result}, set((order_acme | order_globex).ids))
        self.other_customer.b2b_awaiting_activation = True
        result, _error = self.call_kw("sale.order", "search_read", [[("id", "in", (order_acme | order_globex).ids)]],
                                      {"fields": ["id"]})
        self.assertEqual({row["id"] for row in result}, {order_acme.id}, "not a customer awaiting activation")

    def test_a_plain_portal_login_reads_no_customer(self):
        plain = new_test_user(self.env, login="b2b_portal_plain", groups="base.group_portal")
        self.authenticate(plain.login, plain.login)
        result, _error = self.call_kw("res.partner", "search_read", [[("id", "=", self.customer.id)]],
                                      {"fields": ["id"]})
        self.assertEqual(result, [])

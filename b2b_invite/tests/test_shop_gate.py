import re
from urllib.parse import parse_qs, urlparse

from odoo.tests import HttpCase, tagged

from .common import B2bHttpMixin, B2bShopCommon


@tagged("post_install", "-at_install")
class TestShopGate(B2bHttpMixin, B2bShopCommon, HttpCase):
    """A B2B shop refuses, on the server, every cart and checkout route to who may not order."""

    def as_guest(self):
        self.authenticate(None, None)

    def add_to_cart(self):
        return self.post("/shop/cart/update", product_id=self.product.id, add_qty=1)

    def checkout_button_classes(self):
        """Of {"disabled"}, the classes that the cart's checkout buttons have."""
        buttons = re.findall(r'name="website_sale_main_button"\s+class="([^"]*)"', self.url_open("/shop/cart").text)
        self.assertTrue(buttons)
        return {"disabled"} & {css for classes in buttons for css in classes.split()}

    def carts(self):
        return self.env["sale.order"].search([
            ("website_id", "=", self.website.id), ("id", "not in", self.orders_before.ids)])

    def assertRefusedOnCart(self, response, message):
        self.assertEqual(urlparse(response.url).path, "/shop/cart")
        self.assertIn("o_b2b_order_refusal", response.text)
        self.assertIn(message, response.text)

    # ------------------------------------------------------------------
    # Guests
    # ------------------------------------------------------------------

    def test_guest_browses_but_cannot_add_to_cart(self):
        self.website.b2b_guest_access = True
        self.as_guest()
        shop = self.url_open("/shop?search=Zeta")
        self.assertEqual(urlparse(shop.url).path, "/shop")
        self.assertIn(self.product.name, shop.text)

        page = self.url_open(self.product.website_url)
        self.assertNotIn('id="add_to_cart"', page.text)
        self.assertIn("o_b2b_login", page.text)

        self.assertRefusedOnCart(self.add_to_cart(), "Log in to order.")
        answer = self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=1)
        self.assertJsonRefused(answer, "Log in to order.")
        self.assertFalse(self.carts(), "no cart was created for the guest")

    def test_guest_orders_as_before_on_a_shop_without_b2b_mode(self):
        self.website.b2b_mode = False
        self.as_guest()
        response = self.add_to_cart()
        self.assertEqual(urlparse(response.url).path, "/shop/cart")
        self.assertNotIn("o_b2b_order_refusal", response.text)
        self.assertEqual(self.carts().order_line.product_id, self.product)

    def test_shop_closed_to_guests_asks_them_to_log_in(self):
        self.as_guest()
        for url in ("/shop", self.product.website_url, "/shop/cart"):
            response = self.url_open(url)
            location = urlparse(response.url)
            self.assertEqual(location.path, "/web/login", url)
            self.assertEqual(parse_qs(location.query)["redirect"], [url])
            self.assertIn("Our shop is open to our business customers: log in to see it.", response.text)
        response = self.add_to_cart()
        self.assertEqual(urlparse(response.url).path, "/web/login")
        self.assertFalse(self.carts())
        self.website.b2b_guest_access = True
        self.assertEqual(urlparse(self.url_open("/shop").url).path, "/shop")

    def test_sign_up_page_is_closed_on_a_b2b_website(self):
        self.website.auth_signup_uninvited = "b2c"
        self.as_guest()
        self.assertEqual(self.url_open("/web/signup").status_code, 404)
        self.website.b2b_mode = False
        self.assertEqual(self.url_open("/web/signup").status_code, 200)

    # ------------------------------------------------------------------
    # Contacts
    # ------------------------------------------------------------------

    def test_contact_not_allowed_to_order_cannot_add_to_cart(self):
        self.contact2.b2b_ordering = False
        self.login(self.bob)
        message = "Your account is not allowed to place orders for Acme Cafés"
        page = self.url_open(self.product.website_url)
        self.assertNotIn('id="add_to_cart"', page.text)
        self.assertIn(message, page.text)
        self.assertNotIn("o_b2b_login", page.text)

        self.assertRefusedOnCart(self.add_to_cart(), message)
        answer = self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=1)
        self.assertJsonRefused(answer, message)
        self.assertFalse(self.carts())

    def test_contact_allowed_to_order_orders(self):
        self.login(self.alice)
        page = self.url_open(self.product.website_url)
        self.assertIn('id="add_to_cart"', page.text)
        response = self.add_to_cart()
        self.assertNotIn("o_b2b_order_refusal", response.text)
        cart = self.carts()
        self.assertEqual((cart.partner_id, cart.order_line.product_id), (self.contact, self.product))
        answer = self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=2)
        self.assertEqual(answer["result"]["quantity"], 3)

    def test_grid_add_to_cart_button_for_who_may_order_only(self):
        """The shop asks the gate once for its grid; each card follows that answer."""
        self.env.ref("website_sale.products_add_to_cart").active = True
        for user, shown in self.as_each_visitor():
            grid = self.url_open("/shop?search=Zeta").text
            self.assertIn(self.product.name, grid)
            self.assertEqual("o_wsale_product_btn" in grid, shown, user and user.login)

    def test_salesperson_orders_in_a_b2b_shop(self):
        self.authenticate(self.salesperson.login, self.salesperson.login)
        self.add_to_cart()
        self.assertEqual(self.carts().order_line.product_id, self.product)

    def test_every_checkout_route_refuses_who_lost_the_right_to_order(self):
        self.login(self.alice)
        self.add_to_cart()
        cart = self.carts()
        self.assertTrue(cart.order_line)
        checkout = self.url_open("/shop/checkout")
        self.assertEqual(urlparse(checkout.url).path, "/shop/checkout", "allowed: the checkout opens")
        self.assertEqual(self.checkout_button_classes(), set())

        self.contact.b2b_ordering = False
        message = "Your account is not allowed to place orders for Acme Cafés"
        for url in ("/shop/checkout", "/shop/address", "/shop/confirm_order", "/shop/extra_info",
                    "/shop/payment", "/shop/payment/validate"):
            self.assertRefusedOnCart(self.url_open(url), message)
        self.assertRefusedOnCart(self.post("/shop/address/submit", name="Alice", street="Elsewhere 2"), message)
        self.assertNotEqual(self.contact.street, "Elsewhere 2")
        self.assertEqual(self.checkout_button_classes(), {"disabled"})

        answer = self.json(f"/shop/payment/transaction/{cart.id}", access_token=cart._portal_ensure_token(),
                           amount=cart.amount_total, provider_id=1, payment_method_id=1, token_id=None,
                           flow="redirect", tokenization_requested=False, landing_route="/shop/payment/validate")
        self.assertJsonRefused(answer, message)
        answer = self.json("/shop/express_checkout", billing_address={"name": "Alice", "email": "a@b.example.com"})
        self.assertJsonRefused(answer, message)
        self.assertEqual(cart.state, "draft")
        self.assertFalse(cart.transaction_ids)

    def test_refusal_links_to_the_salesperson_or_the_contact_page(self):
        self.contact.b2b_ordering = False
        self.login(self.alice)
        page = self.url_open(self.product.website_url).text
        self.assertIn('href="mailto:sally@seller.example.com"', page)
        self.assertIn("Contact Sally Sales", page)
        self.customer.user_id = False
        page = self.url_open(self.product.website_url).text
        self.assertIn('class="btn btn-secondary o_b2b_ask_seller" href="/contactus"', page)

    def test_customer_with_its_own_pricelist_has_no_pricelist_switcher(self):
        pricelist = self.env["product.pricelist"].create({"name": "Acme contract", "selectable": False})
        self.env["product.pricelist"].create({"name": "Promo for all", "selectable": True})
        self.customer.property_product_pricelist = pricelist  # its contacts' too
        self.website.b2b_guest_access = True
        self.as_guest()
        self.url_open("/shop")  # the guest's pricelist is kept in the session...
        self.login(self.alice)
        self.assertEqual(self.website.with_user(self.alice)._b2b_customer_pricelist(), pricelist)
        page = self.url_open("/shop").text
        self.assertIn("o_pricelist_dropdown dropdown d-none", page, "no pricelist switcher")
        self.assertNotIn("Promo for all", page)

    def test_contact_who_lost_the_right_to_order_can_still_empty_the_cart(self):
        self.login(self.alice)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=3)
        line = self.carts().order_line
        self.contact.b2b_ordering = False
        message = "Your account is not allowed to place orders for Acme Cafés"
        for params in ({"add_qty": 1}, {"set_qty": 4}):
            answer = self.json("/shop/cart/update_json", product_id=self.product.id, line_id=line.id, **params)
            self.assertJsonRefused(answer, message)
        self.assertEqual(line.product_uom_qty, 3)
        answer = self.json("/shop/cart/update_json", product_id=self.product.id, line_id=line.id, set_qty=2)
        self.assertEqual(answer["result"]["quantity"], 2)
        answer = self.json("/shop/cart/update_json", product_id=self.product.id, line_id=line.id, set_qty=0)
        self.assertEqual(answer["result"]["quantity"], 0)
        self.assertFalse(line.exists())

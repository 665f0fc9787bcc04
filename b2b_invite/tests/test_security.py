"""Issue 10: the holes a security review found, each tried the way an attacker would."""
import json
import re
from datetime import datetime, timedelta

import requests

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.product_template import is_price
from .common import (
    PASSWORD,
    B2bCommon,
    B2bCommonMixin,
    B2bHttpMixin,
    B2bRegistrationCommon,
    B2bShopCommon,
    form_token,
    portal_password,
)

NOT_ALLOWED = "Your account is not allowed to place orders for Acme Cafés"


# ----------------------------------------------------------------------
# 1. A salesperson can take over any portal account
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestAccountTakeover(B2bHttpMixin, B2bShopCommon, HttpCase):
    """Alice (Acme Cafés) has a portal login; Sally the salesperson tries to become her."""

    ATTACKER = "mallory@evil.example.com"

    def assertAliceKeepsHerLogin(self):
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.login, "alice")
        self.assertTrue(self.alice.active)
        self.alice.with_user(self.alice)._check_credentials(
            {"type": "password", "password": portal_password("alice")}, {"interactive": False})
        self.assertFalse(self.env["mail.mail"].search([("email_to", "ilike", self.ATTACKER)]))

    def test_salesperson_takeover_over_json_rpc_fails(self):
        self.authenticate("b2b_sales", "b2b_sales")
        # The review's attack: an invitation for a contact with a login, with the attacker's email...
        _result, error = self.call_kw("b2b.invitation", "create", [
            {"partner_id": self.contact.id, "email": self.ATTACKER}])
        self.assertEqual(error, "odoo.exceptions.AccessError")
        # ... or for the public partner, to turn the public user into a portal user.
        public = self.env.ref("base.public_partner")
        _result, error = self.call_kw("b2b.invitation", "create", [
            {"partner_id": public.id, "email": self.ATTACKER, "state": "sent"}])
        self.assertEqual(error, "odoo.exceptions.AccessError")
        # An invitation made the right way, for a contact without a login, cannot be pointed elsewhere.
        dave = self._new_contact("Dave Buyer", "dave@acme.example.com")
        _result, error = self.call_kw("res.partner", "action_b2b_invite", [dave.ids])
        self.assertFalse(error)
        invitation = dave.b2b_invitation_ids
        for values in ({"email": self.ATTACKER}, {"partner_id": self.contact.id}, {"state": "draft"},
                       {"company_id": self.env.company.id}, {"user_id": self.alice.id}):
            _result, error = self.call_kw("b2b.invitation", "write", [invitation.ids, values])
            self.assertEqual(error, "odoo.exceptions.AccessError", values)
        self.assertRecordValues(invitation, [{
            "partner_id": dave.id, "email": "dave@acme.example.com", "state": "sent", "user_id": False}])
        self.assertAliceKeepsHerLogin()
        self.assertFalse(self.env.ref("base.public_user").active)

    def test_manager_writes_are_validated(self):
        dave = self._new_contact("Dave Buyer", "dave@acme.example.com")
        dave.action_b2b_invite()
        invitation = dave.b2b_invitation_ids.with_user(self.manager)
        for email in (self.ATTACKER, f"dave@acme.example.com, {self.ATTACKER}", "not an address"):
            with self.assertRaises(ValidationError, msg=email):
                invitation.write({"email": email})
        for values in ({"partner_id": self.contact.id}, {"state": "accepted"}, {"user_id": self.alice.id}):
            with self.assertRaises(UserError, msg=values):
                invitation.write(values)
        self.assertRecordValues(invitation, [{"partner_id": dave.id, "email": "dave@acme.example.com"}])

    def test_accept_never_takes_over_an_active_login(self):
        dave = self._new_contact("Dave Buyer", "dave@acme.example.com")
        dave.action_b2b_invite()
        invitation = dave.b2b_invitation_ids
        # Meanwhile Dave got a login another way: the old link may not take it over.
        dave_user = new_test_user(self.env, login="dave", groups="base.group_portal", partner_id=dave.id)
        with self.assertRaises(UserError):
            invitation._accept("mallory", PASSWORD)
        self.assertEqual((dave_user.login, dave_user.active), ("dave", True))
        self.assertEqual(invitation.state, "sent")
        with self.assertRaises(UserError):
            invitation._create_portal_user("mallory", PASSWORD)
        self.assertEqual(dave_user.login, "dave")

    def test_accept_rechecks_that_the_contact_may_be_invited(self):
        dave = self._new_contact("Dave Buyer", "dave@acme.example.com")
        dave.action_b2b_invite()
        dave.b2b_ordering = False
        with self.assertRaises(UserError):
            dave.b2b_invitation_ids._accept("dave", PASSWORD)
        self.assertFalse(dave.user_ids)

    def test_public_user_is_never_given_a_login(self):
        public_user = self.env.ref("base.public_user")
        public = public_user.partner_id
        public.write({"email": "public@shop.example.com", "b2b_ordering": True})
        _invitations, refused, _failed = self.env["b2b.invitation"]._invite_many(public)
        self.assertIn(public, refused)
        # Even an invitation that somehow exists cannot be accepted.
        with self.assertRaises(UserError):
            self.env["b2b.invitation"].sudo().create({
                "partner_id": public.id, "email": "public@shop.example.com", "state": "sent",
                **self.env["b2b.invitation"]._new_token_values(),
            })._accept("public.takeover", PASSWORD)
        self.assertFalse(public_user.active)
        self.assertTrue(public_user._is_public())


# ----------------------------------------------------------------------
# 2. A contact who may not order can still pay for and confirm a cart
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestPaymentGate(B2bHttpMixin, B2bShopCommon, HttpCase):
    """The ordering gate holds where an order is paid or confirmed, with Odoo's demo provider."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env["ir.module.module"]._get("payment_demo")
        assert demo.state == "installed", "payment_demo is not installed: run the tests with bin/b2b-test"
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "is_published": True})
        cls.method = cls.env.ref("payment_demo.payment_method_demo")
        cls.method.active = True

    def cart_of(self, user):
        self.login(user)
        self.url_open("/shop/cart/update", data={
            "product_id": self.product.id, "add_qty": 1, "csrf_token": http.Request.csrf_token(self)})
        cart = self.env["sale.order"].search([("partner_id", "=", user.partner_id.id), ("state", "=", "draft"),
                                              ("website_id", "=", self.website.id)], order="id desc", limit=1)
        self.assertTrue(cart.order_line)
        return cart

    def pay(self, cart, **params):
        """/my/orders/<id>/transaction, the route the order's portal page and its access token open."""
        return self.json(f"/my/orders/{cart.id}/transaction", **{
            "access_token": cart._portal_ensure_token(), "provider_id": self.provider.id,
            "payment_method_id": self.method.id, "token_id": None, "amount": cart.amount_total,
            "flow": "direct", "tokenization_requested": False, "landing_route": cart.get_portal_url(),
            **params,
        })

    def test_contact_without_ordering_cannot_pay_its_cart(self):
        cart = self.cart_of(self.alice)
        self.contact.b2b_ordering = False
        self.assertJsonRefused(self.pay(cart), NOT_ALLOWED)
        self.authenticate(None, None)  # the token works without a session too
        self.assertJsonRefused(self.pay(cart), NOT_ALLOWED)
        self.assertFalse(cart.transaction_ids)
        self.assertEqual(cart.state, "draft")

    def test_payment_done_after_the_right_was_removed_does_not_confirm(self):
        cart = self.cart_of(self.alice)
        self.assertIn("reference", self.pay(cart)["result"])
        transaction = cart.transaction_ids
        self.contact.b2b_ordering = False
        self.json("/payment/demo/simulate_payment", reference=transaction.reference, payment_details="4242",
                  simulated_state="done")
        self.json("/payment/status/poll")
        self.assertEqual(transaction.state, "done")
        self.assertEqual(cart.state, "draft", "paid, but not confirmed: the salesperson decides")
        self.assertTrue(cart.message_ids.filtered(lambda message: "not confirmed" in (message.body or "")))

    def test_website_order_of_a_refused_contact_is_not_confirmed(self):
        cart = self.cart_of(self.alice)
        self.contact.b2b_ordering = False
        with self.assertRaisesRegex(UserError, NOT_ALLOWED):
            cart.with_user(self.alice).sudo().action_confirm()
        self.assertEqual(cart.state, "draft")
        cart.with_user(self.salesperson).action_confirm()  # the salesperson still may
        self.assertEqual(cart.state, "sale")

    def test_revived_cart_is_not_merged_into_a_refused_cart(self):
        cart = self.cart_of(self.alice)
        abandoned = self.env["sale.order"].create({
            "partner_id": self.contact.id, "website_id": self.website.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 5})],
        })
        self.contact.b2b_ordering = False
        page = self.url_open(f"/shop/cart?access_token={abandoned._portal_ensure_token()}&revive=merge")
        self.assertIn(NOT_ALLOWED, page.text)
        self.assertEqual(abandoned.state, "draft")
        self.assertEqual(abandoned.order_line.product_uom_qty, 5)
        self.assertEqual(cart.order_line.product_uom_qty, 1)


# ----------------------------------------------------------------------
# 3. The cart gate parses quantities its own way
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestCartQuantities(B2bHttpMixin, B2bShopCommon, HttpCase):
    """Quantities Odoo reads as 1 ("0.0", "-1e0", "nan") add nothing for who may not order."""

    ODD = ("0.0", "-1e0", "nan")

    def carts(self):
        return self.env["sale.order"].search([
            ("website_id", "=", self.website.id), ("id", "not in", self.orders_before.ids)])

    def try_odd_quantities(self, line=None):
        for qty in self.ODD:
            params = {"product_id": self.product.id, "add_qty": qty}
            self.assertJsonRefused(self.json("/shop/cart/update_json", **params), "order")
            if line:
                self.assertJsonRefused(self.json("/shop/cart/update_json", line_id=line.id, **params), "order")
            answer = self.json("/website_sale/product_configurator/update_cart", main_product={
                "product_id": self.product.id, "product_template_id": self.product.product_tmpl_id.id,
                "quantity": qty, "product_custom_attribute_values": [], "no_variant_attribute_value_ids": [],
            }, optional_products=[])
            self.assertJsonRefused(answer, "order")
            # The combo configurator sets quantities, which Odoo reads as 0 here: it adds nothing.
            self.json("/website_sale/combo_configurator/update_cart", combo_product_id=self.product.id,
                      quantity=qty, selected_combo_items=[])

    def test_contact_not_allowed_to_order(self):
        self.login(self.alice)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=3)
        line = self.carts().order_line
        self.contact.b2b_ordering = False
        self.try_odd_quantities(line)
        self.assertEqual(self.carts().order_line, line)
        self.assertEqual(line.product_uom_qty, 3)

    def test_guest(self):
        self.website.b2b_guest_access = True
        self.authenticate(None, None)
        self.try_odd_quantities()
        self.assertFalse(self.carts().order_line)


# ----------------------------------------------------------------------
# 4. B2B Managers can create pricelists and pricelist rules
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestPricelistRights(B2bCommon):

    def test_b2b_manager_cannot_create_pricelists(self):
        with self.assertRaises(AccessError):
            self.env["product.pricelist"].with_user(self.manager).create({"name": "Everything free"})
        pricelist = self.env["product.pricelist"].create({"name": "Website prices"})
        with self.assertRaises(AccessError):
            self.env["product.pricelist.item"].with_user(self.manager).create({
                "pricelist_id": pricelist.id, "applied_on": "3_global", "compute_price": "percentage",
                "percent_price": 100,
            })


# ----------------------------------------------------------------------
# 5. "Hide prices from guests" leaks through JSON routes
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestHiddenPricesInConfigurators(B2bHttpMixin, B2bShopCommon, HttpCase):
    """Every configurator route that returns a price, as a guest of a shop that hides them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website.write({"b2b_guest_access": True, "b2b_guest_hide_prices": True})
        size = cls.env["product.attribute"].create({
            "name": "Bag size", "create_variant": "no_variant",
            "value_ids": [Command.create({"name": "1 kg"}), Command.create({"name": "5 kg"})],
        })
        cls.template = cls.env["product.template"].create({
            "name": "Zeta Configurable Roast", "list_price": 30.0, "is_published": True,
            "website_id": cls.website.id, "compare_list_price": 45.0,
            "attribute_line_ids": [Command.create({
                "attribute_id": size.id, "value_ids": [Command.set(size.value_ids.ids)]})],
        })
        cls.template.attribute_line_ids.product_template_value_ids[1].price_extra = 70.0
        cls.optional = cls.env["product.template"].create({
            "name": "Zeta Grinder", "list_price": 120.0, "is_published": True, "website_id": cls.website.id})
        cls.template.optional_product_ids = cls.optional
        cls.combo_item_product = cls.env["product.product"].create({"name": "Zeta Cup", "list_price": 4.0})
        combo = cls.env["product.combo"].create({
            "name": "Zeta cups", "combo_item_ids": [Command.create({
                "product_id": cls.combo_item_product.id, "extra_price": 2.5})],
        })
        cls.combo_product = cls.env["product.template"].create({
            "name": "Zeta Breakfast", "type": "combo", "list_price": 9.0, "is_published": True,
            "website_id": cls.website.id, "combo_ids": [Command.link(combo.id)],
        })

    def prices(self, value, key=""):
        """Every number the answer gives under a key that names a price."""
        if isinstance(value, dict):
            return [price for name, item in value.items() for price in self.prices(item, name)]
        if isinstance(value, list):
            return [price for item in value for price in self.prices(item, key)]
        return [value] if is_price(key, value) else []

    def answers(self):
        ptav_ids = self.template.attribute_line_ids.product_template_value_ids.ids
        today = fields.Datetime.to_string(datetime.now())
        common = {"currency_id": self.website.currency_id.id, "so_date": today}
        combo = {"product_tmpl_id": self.combo_product.id, "quantity": 1, "date": today,
                 "currency_id": self.website.currency_id.id}
        routes = {
            "/website_sale/product_configurator/get_values": {
                "product_template_id": self.template.id, "quantity": 1, "ptav_ids": ptav_ids[1:], **common},
            "/website_sale/product_configurator/update_combination": {
                "product_template_id": self.template.id, "ptav_ids": ptav_ids[1:], "quantity": 1, **common},
            "/website_sale/product_configurator/get_optional_products": {
                "product_template_id": self.template.id, "ptav_ids": ptav_ids[1:], "parent_ptav_ids": [], **common},
            "/website_sale/combo_configurator/get_data": combo,
            "/website_sale/combo_configurator/get_price": combo,
        }
        return {route: self.json(route, **params)["result"] for route, params in routes.items()}

    def test_every_configurator_route_blanks_prices_for_guests(self):
        self.authenticate(None, None)
        for route, answer in self.answers().items():
            prices = self.prices({"price": answer} if isinstance(answer, (int, float)) else answer)
            self.assertTrue(prices, route)
            self.assertFalse([price for price in prices if price], f"{route} tells a price: {answer}")

    def test_customers_see_the_prices(self):
        self.login(self.alice)
        for route, answer in self.answers().items():
            prices = self.prices({"price": answer} if isinstance(answer, (int, float)) else answer)
            self.assertTrue([price for price in prices if price], route)


# ----------------------------------------------------------------------
# 6. The expired-link activity note puts a typed name into HTML
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestActivityNoteEscaping(B2bCommon):

    def test_markup_in_a_company_name_is_escaped(self):
        self.customer.name = '<a href="https://evil.example.com">Acme</a> <b>Cafés</b>'
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation.expiration_date = fields.Datetime.now() - timedelta(hours=1)
        invitation.sudo()._notify_expired_link()
        note = invitation.activity_ids.note
        self.assertIn("&lt;b&gt;Cafés&lt;/b&gt;", note)
        self.assertNotIn("<b>", note)
        self.assertNotIn("<a href", note)


# ----------------------------------------------------------------------
# 7. Wizards are readable by other users; a typed password stays stored
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestWizardOwnership(B2bCommonMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_salesperson = new_test_user(
            cls.env, login="b2b_sales2", groups="base.group_user,sales_team.group_sale_salesman")
        cls.other_manager = new_test_user(
            cls.env, login="b2b_manager2", groups="base.group_user,b2b_invite.group_b2b_manager")

    def test_another_user_cannot_read_a_wizard(self):
        Wizard = self.env["b2b.invite.wizard"]
        wizard = Wizard.with_user(self.salesperson)._open(self.contact)["res_id"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.other_salesperson).browse(wizard).read(["partner_ids"])
        login_wizard = self.env["b2b.create.login.wizard"].with_user(self.manager).create(
            {"partner_id": self.contact.id, "password": PASSWORD})
        with self.assertRaises(AccessError):
            login_wizard.with_user(self.other_manager).read(["password"])
        activation = self.env["b2b.activation.wizard"].with_user(self.manager).create({
            "partner_id": self.customer.id, "pricelist_id": self.env["product.pricelist"].search([], limit=1).id})
        with self.assertRaises(AccessError):
            activation.with_user(self.other_manager).read(["pricelist_id"])

    def test_links_export_is_its_creator_own(self):
        wizard = self.env["b2b.invite.wizard"].with_user(self.manager).browse(
            self.env["b2b.invite.wizard"].with_user(self.manager)._open(self.contact)["res_id"])
        wizard.mode = "export"
        wizard.action_confirm()
        self.authenticate("b2b_manager2", "b2b_manager2")
        response = self.url_open(f"/b2b/invitations/export/{wizard.id}")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("/b2b/invite/", response.text)

    def test_typed_password_is_cleared_once_used(self):
        self.contact.action_b2b_invite()
        wizard = self.env["b2b.create.login.wizard"].with_user(self.manager).create(
            {"partner_id": self.contact.id, "password": PASSWORD})
        wizard.action_create_login()
        self.assertFalse(wizard.sudo().password)
        self.assertEqual(self.contact.b2b_invite_state, "accepted")


# ----------------------------------------------------------------------
# 8. Tokens in URL paths
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestTokensOutOfUrls(B2bRegistrationCommon, HttpCase):
    """After the first visit, the address bar (and what it leaks) no longer holds the secret."""

    def assertTokenGone(self, link, secret):
        first = self.url_open(link, allow_redirects=False)
        self.assertEqual(first.status_code, 303)
        self.assertEqual(first.headers.get("Referrer-Policy"), "no-referrer")
        location = first.headers["Location"]
        self.assertNotIn(secret, location)
        page = self.url_open(location)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(secret, page.url)
        self.assertEqual(page.headers.get("Referrer-Policy"), "no-referrer")
        return page

    def test_invitation_link(self):
        self.contact.action_b2b_invite()
        link = self.emailed_link(self.contact.b2b_invitation_ids)
        page = self.assertTokenGone(link, link.rsplit("/", 1)[1])
        self.assertIn("Welcome, Alice Buyer", page.text)
        self.assertNotIn(link, page.text, "the form posts without the token")

    def test_registration_flow_link(self):
        verification = self.env["b2b.registration.verification"]._request(
            self.website, "mikko@lakeside.example.com", "10.0.0.1")
        flow_path = verification._flow_path()
        page = self.assertTokenGone(flow_path, flow_path.rsplit("/", 1)[1])
        self.assertIn("Check your email", page.text)
        self.assertNotIn(flow_path, page.text)


# ----------------------------------------------------------------------
# 9. Registration limits
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestRegistrationLimits(B2bRegistrationCommon):

    def test_ipv6_addresses_count_by_64(self):
        RateLimit = self.env["b2b.rate.limit"]
        for number in range(10):
            RateLimit._check_rate("join.code", f"2001:db8:1:2::{number + 1:x}", f"email:person{number}@example.com")
        with self.assertRaisesRegex(UserError, "Too many attempts"):
            RateLimit._check_rate("join.code", "2001:db8:1:2:ffff:1:2:3", "email:person10@example.com")
        RateLimit._check_rate("join.code", "2001:db8:1:3::1", "email:person11@example.com")  # another /64

    def test_global_cap_on_code_emails(self):
        self.env["res.config.settings"].create({"b2b_join_code_emails_per_hour": 3}).execute()
        self.assertEqual(self.env["ir.config_parameter"].get_param("b2b_invite.join_code_emails_per_hour"), "3")
        Verification = self.env["b2b.registration.verification"]
        for number in range(3):
            Verification._request(self.website, f"person{number}@example.com", f"10.0.0.{number + 1}")
        with self.assertRaisesRegex(UserError, "Too many attempts"):
            Verification._request(self.website, "person3@example.com", "10.0.0.9")
        self.assertEqual(Verification.search_count([]), 3)


@tagged("post_install", "-at_install")
class TestRegistrationCaptcha(B2bRegistrationCommon, HttpCase):
    """With a reCAPTCHA key set (google_recaptcha comes with website), the email step asks for it.

    Google's answer is given by the test's HTTP handler (Odoo blocks requests leaving the machine).
    """

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if r.url.startswith("https://www.recaptcha.net/recaptcha/api/siteverify"):
            response = requests.Response()
            response.status_code = 200
            human = "response=human-token" in (r.body or "")
            response._content = json.dumps(
                {"success": True, "score": 0.9, "action": "b2b_join"} if human
                else {"success": False, "error-codes": ["invalid-input-response"]}
            ).encode()
            return response
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("recaptcha_public_key", "site-key-for-tests")
        self.env["ir.config_parameter"].set_param("recaptcha_private_key", "secret-key-for-tests")
        self.env["ir.config_parameter"].set_param("recaptcha_min_score", "0.5")
        self.join_path = f"/b2b/join/{self.website.b2b_join_code}"

    def post_email(self, email, **extra):
        page = self.url_open(self.join_path)
        self.assertIn('data-b2b-recaptcha-key="site-key-for-tests"', page.text)
        return self.url_open(self.join_path, data={
            "csrf_token": form_token(page), "email": email, **extra})

    def test_a_bot_gets_no_code(self):
        with mute_logger("odoo.addons.google_recaptcha.models.ir_http"):
            page = self.post_email("bot@spam.example.com", recaptcha_token_response="bot-token")
        self.assertIn("The reCaptcha token is invalid.", page.text)
        self.assertFalse(self.env["b2b.registration.verification"].search([]))
        page = self.post_email("person@lakeside.example.com", recaptcha_token_response="human-token")
        self.assertIn("Check your email", page.text)
        self.assertTrue(self.env["b2b.registration.verification"].search(
            [("email", "=", "person@lakeside.example.com")]))


# ----------------------------------------------------------------------
# 10. Resend goes to the invitation's stored email
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestResendToCurrentEmail(B2bCommon):

    def test_resend_goes_to_the_contact_current_email(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.contact.email = "Alice.New@acme.example.com"
        self.contact.with_user(self.salesperson).action_b2b_resend()
        self.assertEqual(invitation.email, "alice.new@acme.example.com")
        self.assertEqual(self.invitation_mails(invitation)[:1].email_to, "alice.new@acme.example.com")
        # An open invitation follows its contact's address as it changes (test_mail_delivery); an
        # expired one does not: Resend reads the address then.
        invitation.write({"state": "expired"})
        self.contact.email = "no address"
        with self.assertRaisesRegex(UserError, "Alice Buyer has no valid email address"):
            self.contact.with_user(self.salesperson).action_b2b_resend()
        self.assertEqual(invitation.email, "alice.new@acme.example.com")


# ----------------------------------------------------------------------
# 11. Portal users over RPC
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestPortalRpc(B2bHttpMixin, B2bShopCommon, HttpCase):
    """Alice, a portal user, calls every B2B action of res.partner over JSON-RPC."""

    ACTIONS = (
        "action_b2b_invite", "action_b2b_resend", "action_b2b_revoke", "action_b2b_open_invite_wizard",
        "action_b2b_invite_primary_contact", "action_b2b_invite_ordering_contacts",
        "action_b2b_view_invitations", "action_b2b_create_login", "action_b2b_activate",
        "action_b2b_invite_sales_rep", "action_b2b_act_as_customer", "action_b2b_view_act_sessions",
        "action_b2b_allow_ordering_and_invite",
    )

    def test_every_b2b_action_is_refused(self):
        self.assertEqual(
            set(self.ACTIONS), {name for name in dir(self.env["res.partner"]) if name.startswith("action_b2b_")},
            "every action is tried")
        dave = self._new_contact("Dave Buyer", "dave@acme.example.com")
        dave.action_b2b_invite()
        self.login(self.alice)
        for method in self.ACTIONS:
            for partners in (self.contact, dave, self.customer):
                result, error = self.call_kw("res.partner", method, [partners.ids])
                self.assertEqual(error, "odoo.exceptions.AccessError", f"{method} on {partners.name}: {result}")
        self.assertEqual(dave.b2b_invitation_ids.state, "sent")
        self.assertEqual(len(dave.b2b_invitation_ids), 1)
        self.assertTrue(self.bob.active)

    def test_b2b_fields_are_not_for_portal_users(self):
        self.login(self.alice)
        for fname in ("b2b_invite_state", "b2b_invitation_ids", "b2b_inviter_id", "b2b_awaiting_activation",
                      "b2b_carrier_monday_id", "b2b_rep_ids", "b2b_pay_on_account", "b2b_invite_blocker"):
            result, error = self.call_kw("res.partner", "read", [self.contact.ids, [fname]])
            self.assertEqual(error, "odoo.exceptions.AccessError", f"{fname}: {result}")


# ----------------------------------------------------------------------
# 12. Malformed input
# ----------------------------------------------------------------------

@tagged("post_install", "-at_install")
class TestMalformedInput(B2bRegistrationCommon, HttpCase):
    """A file sent in place of a text field, on every public form: a clear page, never a 500."""

    FILE = ("field.txt", b"not text", "text/plain")

    def page_form(self, path):
        """GET a page; (the URL its first form posts to, its CSRF token)."""
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, path)
        action = re.search(r'<form method="post"[^>]*action="([^"]+)"', page.text)[1]
        return action, form_token(page)

    def assertClearAnswer(self, response, where):
        self.assertEqual(response.status_code, 400, where)
        self.assertIn("This form could not be read", response.text, where)

    def post_file(self, action, csrf, field, **data):
        with mute_logger("odoo.http"):
            return self.url_open(action, data={"csrf_token": csrf, **data}, files={field: self.FILE})

    def test_a_file_in_each_public_form(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        action, csrf = self.page_form(self.emailed_link(invitation))
        response = self.post_file(action, csrf, "login", password=PASSWORD, confirm_password=PASSWORD)
        self.assertClearAnswer(response, "accept: login")
        self.assertEqual(invitation.state, "sent")
        response = self.post_file(action, csrf, "password", login="alice")
        self.assertClearAnswer(response, "accept: password")

        join = f"/b2b/join/{self.website.b2b_join_code}"
        action, csrf = self.page_form(join)
        self.assertClearAnswer(self.post_file(action, csrf, "email"), "join: email")
        self.assertFalse(self.env["b2b.registration.verification"].search([]))

        verification = self.env["b2b.registration.verification"]._request(
            self.website, "mikko@lakeside.example.com", "10.0.0.1")
        action, csrf = self.page_form(verification._flow_path())
        self.assertClearAnswer(self.post_file(action, csrf, "verification_code"), "join: code")
        self.assertEqual(verification.tries, 0)
        resend = re.search(r'action="([^"]+/resend)"', self.url_open(verification._flow_path()).text)[1]
        self.assertClearAnswer(self.post_file(resend, csrf, "csrf_token"), "join: resend")

        registration = self._new_registration(email="other@lakeside.example.com", state="verified")
        action, csrf = self.page_form(registration._flow_path())
        response = self.post_file(action, csrf, "company_name", **{
            key: value for key, value in self.form.items() if key != "company_name"})
        self.assertClearAnswer(response, "join: details")
        self.assertEqual(registration.state, "verified")

    def test_a_file_in_the_renewal_form(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation.expiration_date = fields.Datetime.now() - timedelta(hours=1)
        action, csrf = self.page_form(self.emailed_link(invitation))
        self.assertTrue(action.endswith("/renew"), action)
        self.assertClearAnswer(self.post_file(action, csrf, "csrf_token"), "renew")
        self.assertFalse(invitation.renewal_requested_date)

    def test_accept_form_is_rate_limited(self):
        self.contact2.action_b2b_invite()
        self.contact2.b2b_invitation_ids._accept("bob.taken", PASSWORD)
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        action, csrf = self.page_form(self.emailed_link(invitation))
        for _try in range(10):
            page = self.url_open(action, data={"csrf_token": csrf, "login": "bob.taken", "password": PASSWORD,
                                               "confirm_password": PASSWORD})
            self.assertIn("is already taken", page.text)
        page = self.url_open(action, data={"csrf_token": csrf, "login": "alice", "password": PASSWORD,
                                           "confirm_password": PASSWORD})
        self.assertIn("Too many attempts. Please try again in an hour.", page.text)
        self.assertEqual(invitation.state, "sent")

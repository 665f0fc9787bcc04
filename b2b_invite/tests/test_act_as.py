import html
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.b2b_act_session import PENDING
from .common import B2bShopCommon, portal_password

PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
STOP_FORM_TOKEN = re.compile(r'action="/b2b/act-as/stop".*?name="csrf_token" value="([^"]+)"', re.S)


def visible_text(page):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


class ActAsCase(B2bShopCommon, HttpCase):
    """A browser session (requests) that acts as customers: the actor Ada, with the right to act."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.actor = new_test_user(
            cls.env, login="b2b_actor", name="Ada Actor", email="ada@seller.example.com",
            groups="base.group_user,b2b_invite.group_b2b_act_as_customer",
        )
        cls.customer.b2b_act_consent = True
        cls.ActSession = cls.env["b2b.act.session"]

    # The server rotates the session id: keep the one cookie it set last
    def request(self, url, data=None, **kwargs):
        response = self.url_open(url, data=data, allow_redirects=False, **kwargs)
        if sid := response.cookies.get("session_id"):
            self.opener.cookies.clear()
            self.opener.cookies.set("session_id", sid)
        return response

    def current_session(self):
        return http.root.session_store.get(self.opener.cookies["session_id"])

    @mute_logger("odoo.http")
    def json(self, url, **params):
        response = self.request(url, data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
                                headers={"Content-Type": "application/json"})
        self.assertTrue(response.headers.get("Content-Type", "").startswith("application/json"), response.text[:300])
        return response.json()

    def login_as(self, user):
        self.authenticate(user.login, user.login)

    def click_act_as(self, partner):
        """The contact form's button, as the browser's user: the JSON-RPC answer."""
        return self.json("/web/dataset/call_button", model="res.partner", method="action_b2b_act_as_customer",
                         args=[partner.ids], kwargs={})

    def start(self, partner, actor=None, login=True):
        if login:
            self.login_as(actor or self.actor)
        answer = self.click_act_as(partner)
        self.assertEqual(answer["result"]["type"], "ir.actions.act_url", answer)
        return self.request(answer["result"]["url"])

    def stop(self, token=None):
        token = token or self.stop_token()
        return self.request("/b2b/act-as/stop", data={"csrf_token": token})

    def stop_token(self):
        return STOP_FORM_TOKEN.search(self.request("/shop").text).group(1)

    def post(self, url, **data):
        return self.request(url, data={**data, "csrf_token": self.stop_token()})

    def log(self, partner=None):
        return self.ActSession.search([("partner_id", "=", (partner or self.contact).id)])

    def assertRedirect(self, response, path):
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        self.assertEqual(urlparse(response.headers["Location"]).path, path)

    def assertJsonError(self, answer, name, message=None):
        self.assertNotIn("result", answer)
        self.assertEqual(answer["error"]["data"]["name"], name)
        if message:
            self.assertIn(message, answer["error"]["data"]["message"])


@tagged("post_install", "-at_install")
class TestActAs(ActAsCase):

    def test_start_banner_stop_back_to_the_actor(self):
        self.login_as(self.actor)
        own = self.current_session()
        own["b2b_test_mine"] = "the actor's own"  # anything of the actor's session, its cart for instance
        http.root.session_store.save(own)

        response = self.start(self.contact, login=False)
        self.assertRedirect(response, "/shop")
        acting = self.current_session()
        self.assertEqual(acting.uid, self.alice.id)
        self.assertNotEqual(acting.sid, own.sid, "the session id is rotated on start")
        self.assertNotIn("b2b_test_mine", acting)
        shop = self.request("/shop")
        self.assertEqual(shop.status_code, 200)
        self.assertIn("Acting as Alice Buyer (Acme Cafés)", visible_text(shop.text))
        self.assertIn("Stop acting", shop.text)
        self.assertIn("Keep acting", shop.text)
        for url in ("/my", "/contactus", "/shop/cart"):  # a route, a page without route, the cart
            self.assertIn("Acting as Alice Buyer (Acme Cafés)", visible_text(self.request(url).text), url)
        with mute_logger("odoo.http"):
            self.assertEqual(self.request("/b2b/act-as/stop", data={"csrf_token": "forged"}).status_code, 400)
        self.assertEqual(self.current_session().uid, self.alice.id, "Stop without its CSRF token does nothing")

        response = self.stop()
        self.assertRedirect(response, f"/odoo/contacts/{self.contact.id}")
        back = self.current_session()
        self.assertEqual(back.uid, self.actor.id)
        self.assertNotIn(back.sid, (own.sid, acting.sid), "the session id is rotated on stop")
        self.assertEqual(back["b2b_test_mine"], "the actor's own")
        self.assertNotIn("o_b2b_act_banner", self.request("/shop").text)

        log = self.log()
        self.assertRecordValues(log, [{
            "actor_id": self.actor.id, "user_id": self.alice.id, "partner_id": self.contact.id,
            "commercial_partner_id": self.customer.id, "website_id": self.website.id,
            "end_reason": "stopped", "ip_address": "127.0.0.1",
        }])
        self.assertLessEqual(log.start_date, log.end_date)
        self.assertEqual(self.contact.with_user(self.actor).b2b_act_session_count, 1)

    def test_acting_person_sees_the_customers_prices_and_cart_and_documents(self):
        pricelist = self.env["product.pricelist"].create({
            "name": "Acme prices", "selectable": False,
            "item_ids": [Command.create({"applied_on": "3_global", "compute_price": "percentage",
                                         "percent_price": 10})],
        })
        self.customer.property_product_pricelist = pricelist  # the customer's contacts follow
        self.login_as(self.alice)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=2)
        alice_cart = self.env["sale.order"].search([("partner_id", "=", self.contact.id), ("state", "=", "draft")])
        order = self._confirmed_order(self.contact)
        self.login_as(self.actor)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=5)
        actor_cart = self.env["sale.order"].search([("partner_id", "=", self.actor.partner_id.id)])

        self.start(self.contact, login=False)
        page = self.request(self.product.website_url).text
        self.assertIn("18.00", re.search(r'<span class="oe_price".*?</span>', page, re.S).group(0))
        cart = self.request("/shop/cart").text
        self.assertIn(f'data-line-id="{alice_cart.order_line.id}"', cart)
        self.assertNotIn(f'data-line-id="{actor_cart.order_line.id}"', cart)
        self.assertEqual(self.request(f"/my/orders/{order.id}").status_code, 200)
        self.stop()
        self.assertEqual(actor_cart.partner_id, self.actor.partner_id, "the actor's own cart stays its own")
        self.assertEqual(self.current_session()["sale_order_id"], actor_cart.id)

    def test_refusals_have_a_clear_message(self):
        self.bob.active = False
        nobody = self._new_contact("Nora Nologin", "nora@acme.example.com")
        refusals = {
            self.salesperson.partner_id: "Sally Sales is an internal user",
            self.env.ref("base.partner_admin"): "is an internal user",
            self.contact2: "The login of Acme Cafés, Bob Buyer is archived.",
            nobody: "Acme Cafés, Nora Nologin has no login: invite the contact first.",
            self.other_contact: "Globex Bistro has not allowed shopping assistance",
        }
        for partner, message in refusals.items():
            with self.subTest(partner=partner.name), self.assertRaisesRegex(UserError, re.escape(message)):
                partner.with_user(self.actor).action_b2b_act_as_customer()
        with self.assertRaisesRegex(UserError, "one contact at a time"):
            (self.contact | self.contact2).with_user(self.actor).action_b2b_act_as_customer()
        self.login_as(self.actor)
        for partner, message in refusals.items():
            self.assertJsonError(self.click_act_as(partner), "odoo.exceptions.UserError", message)
        self.assertNotIn(PENDING, self.current_session())
        self.assertFalse(self.ActSession.search([]))

    def test_consent_required_or_not(self):
        self.assertTrue(self.env["website"].create({"name": "Another shop"}).b2b_act_consent_required,
                        "consent is required by default")
        self.login_as(self.actor)
        self.assertJsonError(self.click_act_as(self.other_contact), "odoo.exceptions.UserError",
                             "Globex Bistro has not allowed shopping assistance")
        self.website.b2b_act_consent_required = False
        self.assertRedirect(self.start(self.other_contact), "/shop")
        self.assertEqual(self.current_session().uid, self.carla.id)
        self.stop()
        self.website.b2b_act_consent_required = True
        self.other_customer.b2b_act_consent = True
        self.assertRedirect(self.start(self.other_contact), "/shop")
        self.assertEqual(self.current_session().uid, self.carla.id)

    def test_outside_the_group_the_method_and_the_route_refuse(self):
        with self.assertRaisesRegex(AccessError, "not allowed to act as a customer"):
            self.contact.with_user(self.salesperson).action_b2b_act_as_customer()
        self.login_as(self.salesperson)
        self.assertJsonError(self.click_act_as(self.contact), "odoo.exceptions.AccessError")
        self.assertNotIn(PENDING, self.current_session())
        response = self.request(f"/b2b/act-as/start?token={'a' * 64}")
        self.assertEqual(response.status_code, 403)
        self.assertIn("not allowed to act as a customer", response.text)
        self.assertEqual(self.current_session().uid, self.salesperson.id)

        # A link made for the actor, opened in another session (the salesperson's), does nothing
        self.login_as(self.actor)
        url = self.click_act_as(self.contact)["result"]["url"]
        self.login_as(self.salesperson)
        self.assertEqual(self.request(url).status_code, 403)
        self.assertEqual(self.current_session().uid, self.salesperson.id)
        self.login_as(self.alice)
        self.assertEqual(self.request(url).status_code, 403)
        self.assertEqual(self.current_session().uid, self.alice.id)
        self.assertFalse(self.ActSession.search([]))

    def test_start_link_is_single_use_short_lived_and_rechecked(self):
        self.login_as(self.actor)
        url = self.click_act_as(self.contact)["result"]["url"]
        self.assertEqual(self.request(url.replace("token=", "token=0")).status_code, 403, "a tampered link")
        self.assertEqual(self.request(url).status_code, 403, "a link is used up by any try")

        url = self.click_act_as(self.contact)["result"]["url"]
        session = self.current_session()
        session[PENDING] = dict(session[PENDING], expires=0)
        http.root.session_store.save(session)
        response = self.request(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("expired or was already used", response.text)

        url = self.click_act_as(self.contact)["result"]["url"]
        self.assertRedirect(self.request(url), "/shop")
        self.stop()
        self.assertEqual(self.request(url).status_code, 403, "a link starts acting once")

        # The start route checks again what the button checked
        url = self.click_act_as(self.contact)["result"]["url"]
        self.customer.b2b_act_consent = False
        response = self.request(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Acme Cafés has not allowed shopping assistance", response.text)
        self.customer.b2b_act_consent = True
        url = self.click_act_as(self.contact)["result"]["url"]
        self.alice.active = False
        self.assertIn("is archived", self.request(url).text)
        self.alice.active = True
        url = self.click_act_as(self.contact)["result"]["url"]
        self.actor.groups_id = [Command.unlink(self.env.ref("b2b_invite.group_b2b_act_as_customer").id)]
        response = self.request(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("not allowed to act as a customer", response.text)
        self.assertEqual(len(self.log()), 1)

    def test_pages_refused_while_acting(self):
        self.start(self.contact)
        token = self.stop_token()
        for url in ("/my/account", "/my/security", "/odoo", "/odoo/contacts", "/web", "/web/login",
                    "/web/reset_password", "/b2b/invite/" + "0" * 64):
            with self.subTest(url=url):
                self.assertRedirect(self.request(url), "/b2b/act-as/refused")
        page = self.request("/b2b/act-as/refused")
        self.assertEqual(page.status_code, 403)
        self.assertIn("Not available while acting", page.text)
        self.assertIn("Stop acting", page.text)

        email, password = self.contact.email, portal_password("alice")
        posts = {
            "/my/account": {"name": "Alice Buyer", "email": "mallory@evil.example.com", "phone": "1",
                            "street": "1 Bean Street", "city": "Brussels", "zipcode": "1000",
                            "country_id": str(self.env.ref("base.be").id)},
            "/my/security": {"op": "password", "old": password, "new1": "Other-Passw0rd!", "new2": "Other-Passw0rd!"},
            "/my/deactivate_account": {"validation": self.alice.login, "password": password},
            "/my/account/shopping-assistance": {"allow": "0"},
        }
        for url, data in posts.items():
            with self.subTest(url=url):
                self.assertRedirect(self.request(url, data={**data, "csrf_token": token}), "/b2b/act-as/refused")
        self.assertEqual(self.contact.email, email)
        self.assertTrue(self.alice.active)
        self.assertTrue(self.customer.b2b_act_consent)
        self.env["res.users"].with_user(self.alice)._check_credentials(
            {"login": self.alice.login, "password": password, "type": "password"}, {"interactive": False})

        # The backend's JSON-RPC: neither the customer's login nor its API keys
        answer = self.json("/web/dataset/call_kw", model="res.users", method="write",
                           args=[self.alice.ids, {"email": "mallory@evil.example.com"}], kwargs={})
        self.assertJsonError(answer, "odoo.exceptions.AccessError", "not available while you act as a customer")
        answer = self.json("/web/dataset/call_button", model="res.users", method="api_key_wizard",
                           args=[self.alice.ids], kwargs={})
        self.assertJsonError(answer, "odoo.exceptions.AccessError")
        self.assertEqual(self.alice.email, email)
        self.assertFalse(self.env["res.users.apikeys"].search([("user_id", "=", self.alice.id)]))
        self.assertEqual(self.current_session().uid, self.alice.id, "still acting")

    def test_checkout_address_form_keeps_the_customers_email(self):
        self.start(self.contact)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=1)
        answer = self.post("/shop/address/submit", partner_id=str(self.contact.id), address_type="billing",
                           name="Alice Buyer", email="mallory@evil.example.com", phone="+32 470 55 01 02",
                           street="1 Bean Street", city="Brussels", zip="1000",
                           country_id=str(self.env.ref("base.be").id)).json()
        self.assertIn("email", answer["invalid_fields"])
        self.assertIn("While acting as a customer you cannot change its email address.", answer["messages"])
        self.assertEqual(self.contact.email, "alice@acme.example.com")

    def test_idle_timeout_ends_acting_by_itself(self):
        self.start(self.contact)
        log = self.log()
        log.last_activity_date = fields.Datetime.now() - timedelta(minutes=29)
        self.assertEqual(self.request("/shop").status_code, 200, "29 minutes idle: still acting")
        self.assertGreater(log.last_activity_date, fields.Datetime.now() - timedelta(minutes=1),
                           "the activity is recorded")

        last = log.last_activity_date = fields.Datetime.now() - timedelta(minutes=31)
        response = self.request("/shop")
        self.assertRedirect(response, "/b2b/act-as/ended")
        self.assertEqual(parse_qs(urlparse(response.headers["Location"]).query)["reason"], ["timed_out"])
        self.assertEqual(self.current_session().uid, self.actor.id)
        self.assertRecordValues(log, [{"end_reason": "timed_out", "end_date": last + timedelta(minutes=30)}])
        page = self.request(response.headers["Location"])
        self.assertIn("Acting stopped by itself after 30 minutes without activity.", page.text)
        self.assertIn(f"/odoo/contacts/{self.contact.id}", page.text)
        self.assertNotIn("o_b2b_act_banner", page.text)

        # A website page without a route (served by the website's fallback) meets the same timeout
        self.start(self.contact)
        self.log().filtered(lambda log: not log.end_date).last_activity_date = last
        self.assertRedirect(self.request("/contactus"), "/b2b/act-as/ended")
        self.assertEqual(self.current_session().uid, self.actor.id)

    def test_idle_time_is_a_setting_and_a_json_request_after_it_adds_nothing(self):
        self.env["res.config.settings"].create({"b2b_act_idle_minutes": 5}).execute()
        with self.assertRaises(UserError):
            self.env["res.config.settings"].create({"b2b_act_idle_minutes": 0}).execute()
        self.start(self.contact)
        self.log().last_activity_date = fields.Datetime.now() - timedelta(minutes=6)
        answer = self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=1)
        self.assertEqual(answer["error"]["code"], 100, "session expired: the page reloads")
        carts = self.env["sale.order"].search([("partner_id", "in", (self.contact | self.actor.partner_id).ids)])
        self.assertFalse(carts)
        self.assertRedirect(self.request("/shop"), "/b2b/act-as/ended")
        self.assertEqual(self.current_session().uid, self.actor.id)
        self.assertEqual(self.log().end_reason, "timed_out")

    def test_idle_time_of_one_minute_is_said_in_the_singular(self):
        self.env["res.config.settings"].create({"b2b_act_idle_minutes": 1}).execute()
        self.login_as(self.actor)
        page = self.request("/b2b/act-as/ended?reason=timed_out")
        self.assertIn("Acting stopped by itself after 1 minute without activity.", page.text)

    def test_idle_job_ends_sessions_nobody_came_back_to(self):
        self.start(self.contact)
        log = self.log()
        log.last_activity_date = last = fields.Datetime.now() - timedelta(hours=2)
        self.ActSession._cron_end_idle()
        self.assertRecordValues(log, [{"end_reason": "timed_out", "end_date": last + timedelta(minutes=30)}])
        self.assertRedirect(self.request("/shop"), "/b2b/act-as/ended")
        self.assertEqual(self.current_session().uid, self.actor.id)

    def test_logout_ends_acting(self):
        self.start(self.contact)
        self.assertRedirect(self.request("/web/session/logout?redirect=/"), "/")
        self.assertIsNone(self.current_session().uid)
        self.assertEqual(self.log().end_reason, "logged_out")

    def test_stop_after_the_customers_login_was_archived(self):
        self.start(self.contact)
        token = self.stop_token()
        self.contact.action_b2b_revoke()  # archives Alice's login
        self.assertFalse(self.alice.active)
        response = self.stop(token)
        self.assertRedirect(response, f"/odoo/contacts/{self.contact.id}")
        self.assertEqual(self.current_session().uid, self.actor.id)
        self.assertEqual(self.log().end_reason, "stopped")

    def test_stop_after_the_actors_own_login_changed_logs_out(self):
        self.start(self.contact)
        token = self.stop_token()
        self.actor.active = False  # or its password changed: its own session is not given back
        self.assertRedirect(self.stop(token), "/web/login")
        self.assertIsNone(self.current_session().uid)
        self.assertEqual(self.log().end_reason, "stopped")

    def test_any_page_after_the_customers_login_was_archived_ends_acting(self):
        self.start(self.contact)
        self.alice.active = False
        response = self.request("/shop")
        self.assertRedirect(response, "/b2b/act-as/ended")
        self.assertEqual(self.current_session().uid, self.actor.id)
        self.assertEqual(self.log().end_reason, "login_changed")
        page = visible_text(self.request(response.headers["Location"]).text)
        self.assertIn("Acting stopped: the customer's login was archived or its password changed.", page)

    def test_every_session_is_logged_and_the_log_is_read_only(self):
        actor2 = new_test_user(
            self.env, login="b2b_actor2", groups="base.group_user,b2b_invite.group_b2b_act_as_customer")
        self.start(self.contact)
        self.stop()
        self.start(self.contact2, actor=actor2)
        self.stop()
        self.start(self.contact)
        self.request("/web/session/logout")
        logs = self.ActSession.search([])
        self.assertEqual(len(logs), 3)
        self.assertEqual(set(logs.mapped("end_reason")), {"stopped", "logged_out"})
        own = logs.filtered(lambda log: log.actor_id == self.actor)
        self.assertEqual(self.ActSession.with_user(self.actor).search([]), own)
        self.assertEqual(self.ActSession.with_user(self.manager).search([]), logs)
        self.assertEqual(self.customer.with_user(self.manager).b2b_act_session_count, 3)

        log = logs[0]
        for user in (self.actor, self.manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    log.with_user(user).write({"end_reason": "timed_out"})
                with self.assertRaises(AccessError):
                    self.ActSession.with_user(user).create({
                        "actor_id": user.id, "user_id": self.alice.id, "partner_id": self.contact.id})
                with self.assertRaises(AccessError):
                    log.with_user(user).unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            log.sudo().unlink()
        self.assertEqual(self.ActSession.search_count([]), 3)

    def test_order_placed_while_acting_carries_the_actor(self):
        truck = self.env["product.product"].create({"name": "Truck", "type": "service"})
        carrier = self.env["delivery.carrier"].create({"name": "Acme truck", "product_id": truck.id})
        provider = self.env.ref("payment.payment_provider_demo")
        provider.write({"state": "test", "is_published": True})
        self.start(self.contact)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=2)
        order = self.env["sale.order"].search([("partner_id", "=", self.contact.id), ("state", "=", "draft")])
        order.set_delivery_line(carrier, 0.0)
        answer = self.json(f"/shop/payment/transaction/{order.id}", access_token=order._portal_ensure_token(),
                           amount=order.amount_total, provider_id=provider.id,
                           payment_method_id=self.env.ref("payment_demo.payment_method_demo").id, token_id=None,
                           flow="direct", tokenization_requested=False, landing_route="/shop/payment/validate")
        self.assertIn("result", answer, answer)
        self.assertEqual(order.b2b_ordered_by_id, self.actor)
        self.assertIn(order, self.log().order_ids)
        note = order.message_ids.filtered(lambda message: "Placed by Ada Actor, acting as" in str(message.body))
        self.assertEqual(note.author_id, self.actor.partner_id)
        self.stop()
        order.action_confirm()

        # The customer's own order, later: nobody acted
        self.login_as(self.alice)
        self.json("/shop/cart/update_json", product_id=self.product.id, add_qty=1)
        own = self.env["sale.order"].search([("partner_id", "=", self.contact.id), ("state", "=", "draft")])
        own.set_delivery_line(carrier, 0.0)
        self.json(f"/shop/payment/transaction/{own.id}", access_token=own._portal_ensure_token(),
                  amount=own.amount_total, provider_id=provider.id,
                  payment_method_id=self.env.ref("payment_demo.payment_method_demo").id, token_id=None,
                  flow="direct", tokenization_requested=False, landing_route="/shop/payment/validate")
        self.assertTrue(own.transaction_ids)
        self.assertEqual(self.log().order_ids, order)
        self.assertFalse(own.b2b_ordered_by_id)

    def test_quotation_signed_while_acting_carries_the_actor(self):
        quotation = self.env["sale.order"].create({
            "partner_id": self.contact.id, "require_signature": True, "require_payment": False,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 3})],
        })
        quotation.action_quotation_sent()
        self.start(self.contact)
        answer = self.json(f"/my/orders/{quotation.id}/accept", access_token=quotation._portal_ensure_token(),
                           name="Alice Buyer", signature=PIXEL)
        self.assertIn("result", answer, answer)
        self.assertEqual(quotation.state, "sale")
        self.assertEqual(quotation.b2b_ordered_by_id, self.actor)
        self.assertEqual(self.log().order_ids, quotation)

    def test_customer_allows_shopping_assistance_on_its_account_page(self):
        self.customer.b2b_act_consent = False
        self.login_as(self.bob)
        page = self.request("/my/account").text
        self.assertIn("Allow shopping assistance", page)
        token = re.search(r'action="/my/account/shopping-assistance".*?name="csrf_token" value="([^"]+)"',
                          page, re.S).group(1)
        self.assertRedirect(self.request("/my/account/shopping-assistance", data={"allow": "1", "csrf_token": token}),
                            "/my/account")
        self.assertTrue(self.customer.b2b_act_consent)
        self.assertIn("Stop allowing shopping assistance", self.request("/my/account").text)
        self.assertTrue(self.customer.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "b2b_act_consent"))
        self.request("/my/account/shopping-assistance", data={"allow": "0", "csrf_token": token})
        self.assertFalse(self.customer.b2b_act_consent)

        # Nobody else sets it: salespeople cannot, B2B Managers can on the customer's word
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesperson).b2b_act_consent = True
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson).create({"name": "Co", "b2b_act_consent": True})
        self.customer.with_user(self.manager).b2b_act_consent = True
        self.assertTrue(self.customer.b2b_act_consent)


@tagged("post_install", "-at_install")
class TestActAsTour(ActAsCase):

    def test_act_as_a_demo_contact_order_at_its_price_and_stop(self):
        anna = self.env.ref("b2b_invite.partner_nordic_anna")
        self.start_tour(f"/odoo/contacts/{anna.id}", "b2b_invite_act_as", login=self.actor.login)
        log = self.ActSession.search([("partner_id", "=", anna.id)])
        self.assertRecordValues(log, [{"actor_id": self.actor.id, "end_reason": "stopped"}])
        cart = self.env["sale.order"].search([("partner_id", "=", anna.id), ("state", "=", "draft")])
        self.assertEqual(cart.order_line.mapped("price_unit"), [21.56])

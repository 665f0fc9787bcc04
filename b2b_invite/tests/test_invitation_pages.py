import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import PASSWORD, B2bCommonMixin, form_token, new_token_of


@tagged("post_install", "-at_install")
class TestInvitationPages(B2bCommonMixin, HttpCase):

    def setUp(self):
        super().setUp()
        self.contact.action_b2b_invite()
        self.invitation = self.contact.b2b_invitation_ids
        self.link = self.emailed_link(self.invitation)

    def submit(self, path, action=None, **fields_):
        """GET the page, then POST its form (to `action`, default the page) with the page's CSRF token."""
        page = self.url_open(path)
        csrf = form_token(page)
        return self.url_open(action or page.url, data={"csrf_token": csrf, **fields_})

    def accept(self, login="alice", password=PASSWORD, confirm=PASSWORD):
        return self.submit(self.link, login=login, password=password, confirm_password=confirm)

    def page_body(self, response):
        """The invitation part of a page (the rest carries per-request tokens)."""
        return re.search(r'<div id="wrap" class="o_b2b_invitation">.*?</div>\s*</div>', response.text, re.S).group(0)

    def test_valid_link_shows_company_contact_and_login(self):
        response = self.url_open(self.link)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Welcome, Alice Buyer", response.text)
        self.assertIn("Acme Cafés", response.text)
        self.assertIn('value="alice@acme.example.com"', response.text)

    def test_accept_logs_in_and_lands_in_shop(self):
        response = self.accept(login="Alice.Shop")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/shop"), response.url)
        user = self.invitation.user_id
        self.assertEqual(user.login, "alice.shop")
        account = self.url_open("/my/account")
        self.assertEqual(account.status_code, 200)
        self.assertNotIn("/web/login", account.url)
        # The link cannot be used again
        reused = self.url_open(self.link)
        self.assertIn("Invitation already accepted", reused.text)
        self.assertNotIn('name="password"', reused.text)

    def test_shop_greets_the_person_after_acceptance(self):
        website = self.env.ref("website.default_website")
        website.b2b_mode = True
        response = self.accept()
        self.assertTrue(response.url.endswith("/shop"), response.url)
        self.assertIn("o_b2b_welcome", response.text)
        self.assertIn("Your account is ready, Alice Buyer.", response.text)
        self.assertNotIn("o_b2b_welcome", self.url_open("/shop").text, "once")

    def test_accept_form_states_the_password_rules(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_password_policy.minlength", 10)
        page = self.url_open(self.link)
        self.assertIn("At least 10 characters, not only spaces.", page.text)
        self.assertIn('minlength="10"', page.text)

    def test_stale_form_comes_back_with_what_was_typed(self):
        self.url_open(self.link)
        response = self.url_open("/b2b/invite", data={
            "csrf_token": "stale", "login": "alice.typed", "password": PASSWORD, "confirm_password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertIn("This page had expired: check what you typed and send it again.", response.text)
        self.assertIn('value="alice.typed"', response.text)
        self.assertEqual(self.invitation.state, "sent")
        self.assertEqual(self.accept(login="alice.typed").status_code, 200)
        self.assertEqual(self.invitation.user_id.login, "alice.typed")

    def test_second_click_after_accepting_says_already_accepted(self):
        page = self.url_open(self.link)
        csrf = form_token(page)
        data = {"csrf_token": csrf, "login": "alice", "password": PASSWORD, "confirm_password": PASSWORD}
        self.url_open("/b2b/invite", data=data)
        again = self.url_open("/b2b/invite", data=data)
        self.assertEqual(again.status_code, 200)
        self.assertIn("Invitation already accepted", again.text)
        self.assertEqual(self.env["res.users"].search_count([("partner_id", "=", self.contact.id)]), 1)

    def test_logged_in_visitor_is_told_whose_session_it_is(self):
        self.assertNotIn("o_b2b_other_session", self.url_open(self.link).text)
        self.authenticate(self.salesperson.login, self.salesperson.login)
        page = self.url_open(self.link).text
        self.assertIn("o_b2b_other_session", page)
        self.assertIn(self.salesperson.name, page)

    def test_wrong_confirmation_keeps_form(self):
        response = self.accept(login="alice.typed", confirm=PASSWORD + "x")
        self.assertIn("The passwords do not match", response.text)
        self.assertIn('value="alice.typed"', response.text, "what the person typed stays")
        self.assertEqual(self.invitation.state, "sent")
        self.assertFalse(self.invitation.user_id)

    def test_too_short_password(self):
        response = self.accept(password="short", confirm="short")
        self.assertIn("at least 8 characters", response.text)
        self.assertEqual(self.invitation.state, "sent")

    def test_taken_login(self):
        self.contact2.action_b2b_invite()
        self.contact2.b2b_invitation_ids._accept("bob", PASSWORD)
        response = self.accept(login="BOB")
        self.assertIn("The login bob is already taken", response.text)
        self.assertEqual(self.invitation.state, "sent")

    def test_expired_link(self):
        self.invitation.expiration_date = fields.Datetime.now() - timedelta(hours=1)
        response = self.url_open(self.link)
        self.assertEqual(response.status_code, 200)
        self.assertIn("This invitation has expired", response.text)
        self.assertNotIn('name="password"', response.text)
        self.assertEqual(self.invitation.state, "expired")
        # The inviter here is OdooBot: the customer's salesperson is told instead
        self.assertEqual(self.invitation.activity_ids.user_id, self.salesperson)
        # A POST to the accept form of an expired link creates nothing
        self.accept()
        self.assertFalse(self.invitation.user_id)
        # A stale "Ask for a new invitation" form shows the page again and asks nothing
        stale = self.url_open("/b2b/invite/renew", data={"csrf_token": "stale"})
        self.assertIn("This invitation has expired", stale.text)
        self.assertFalse(self.invitation.renewal_requested_date)
        # "Ask for a new invitation"
        response = self.submit(self.link, action="/b2b/invite/renew")
        self.assertIn("Request sent", response.text)
        self.assertTrue(self.invitation.renewal_requested_date)
        self.assertTrue(self.invitation.message_ids.filtered(lambda m: "asked for a new invitation" in m.body))

    def test_renewal_of_a_link_still_valid_shows_the_link(self):
        response = self.submit(self.link, action="/b2b/invite/renew")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Welcome, Alice Buyer", response.text)
        self.assertFalse(self.invitation.renewal_requested_date)

    def test_invalid_links_all_look_the_same(self):
        token = new_token_of(self.invitation)
        tampered = token[:10] + ("a" if token[10] != "a" else "b") + token[11:]
        self.contact2.action_b2b_invite()
        revoked = self.emailed_link(self.contact2.b2b_invitation_ids)
        self.contact2.action_b2b_revoke()
        pages = [
            self.url_open(path)
            for path in ("/b2b/invite/" + "0" * 64, "/b2b/invite/" + tampered, revoked, "/b2b/invite/short")
        ]
        self.assertEqual({page.status_code for page in pages}, {404})
        bodies = {self.page_body(page) for page in pages}
        self.assertEqual(len(bodies), 1, "unknown, tampered and revoked links cannot be told apart")
        self.assertIn("This invitation link is not valid", bodies.pop())

    def test_revoked_login_session_stops(self):
        self.accept()
        self.assertNotIn("/web/login", self.url_open("/my/account").url)
        self.contact.action_b2b_revoke()
        self.assertIn("/web/login", self.url_open("/my/account").url)

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CSRF_RE, B2bRegistrationCommon, form_token

CODE_RE = re.compile(r">(\d{6})<")


@tagged("post_install", "-at_install")
class TestRegistrationFlow(B2bRegistrationCommon, HttpCase):
    """The public pages, step by step, as a prospect (or a bot) meets them."""

    def setUp(self):
        super().setUp()
        self.join_path = f"/b2b/join/{self.website.b2b_join_code}"
        page = self.url_open(self.join_path)
        self.csrf_token = form_token(page)

    def post(self, path, **data):
        return self.url_open(path, data={"csrf_token": self.csrf_token, **data}, allow_redirects=False)

    def ask_code(self, email="mikko@lakeside.example.com"):
        """Post the email step; return the path of the steps it redirects to and the code emailed."""
        response = self.post(self.join_path, email=email)
        self.assertEqual(response.status_code, 303, response.text)
        verification = self.env["b2b.registration.verification"].search(
            [("email", "=", email.strip().lower())], limit=1)
        return self.parse_http_location(response.headers["Location"]).path, self.code_of(verification)

    def open_link(self, flow_record):
        """Open the emailed link of a registration's flow; return the path of its steps."""
        response = self.url_open(flow_record._flow_path())
        self.assertEqual(response.status_code, 200)
        return self.parse_http_location(response.url).path

    def code_of(self, verification):
        mail = self.mails_of(verification)[-1:]
        return CODE_RE.search(mail.body_html)[1] if mail else None

    def registration(self, email="mikko@lakeside.example.com"):
        return self.env["b2b.registration.request"].search([("email", "=", email)])

    def verified_flow(self):
        """Steps 1 and 2 done: (the path of the steps, the request in state "Email verified")."""
        flow_path, code = self.ask_code()
        self.assertEqual(self.post(flow_path, verification_code=code).status_code, 303)
        return flow_path, self.registration()

    # The registration, step by step

    def test_step_1_join_page(self):
        page = self.url_open(self.join_path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Become a customer", page.text)
        self.assertIn('name="b2b_website_url"', page.text, "the honeypot is there")

    def test_step_2_email_gets_a_code_stored_as_a_digest_only(self):
        flow_path, code = self.ask_code("  Mikko@Lakeside.Example.com ")
        verification = self.env["b2b.registration.verification"].search([])
        self.assertEqual(verification.email, "mikko@lakeside.example.com")
        self.assertEqual(flow_path, f"{self.join_path}/request", "the flow token stays out of the URL")
        mail = self.mails_of(verification)
        self.assertEqual(mail.email_to, "mikko@lakeside.example.com")
        self.assertIn(self.website.get_base_url() + verification._flow_path(), mail.body_html,
                      "the email links back to the step")
        self.assertRegex(code, r"^\d{6}$")
        stored = verification.sudo().read()[0]
        self.assertNotIn(code, [value for value in stored.values() if isinstance(value, str)], "the code is not stored")
        self.assertRegex(stored["code_digest"], r"^[0-9a-f]{64}$")
        self.assertLessEqual(verification.expiration_date, fields.Datetime.now() + timedelta(minutes=10))
        self.assertIn("Check your email", self.url_open(flow_path).text)

    def test_step_3_a_wrong_code_then_the_right_one(self):
        flow_path, code = self.ask_code()
        verification = self.env["b2b.registration.verification"].search([])
        wrong = "000000" if code != "000000" else "111111"
        page = self.post(flow_path, verification_code=wrong)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Wrong code. 4 tries left.", page.text)
        response = self.post(flow_path, verification_code=f"{code[:3]} {code[3:]}")
        self.assertEqual(response.status_code, 303, "spaces in the typed code do not matter")
        self.assertFalse(verification.exists())
        self.assertRecordValues(self.registration(), [{"state": "verified", "website_id": self.website.id}])

    def test_step_4_refused_details_keep_what_was_typed(self):
        flow_path, registration = self.verified_flow()
        page = self.url_open(flow_path)
        self.assertIn("Your business", page.text)
        self.assertIn("mikko@lakeside.example.com", page.text)
        page = self.post(flow_path, **{**self.form, "company_name": "", "city": "S" * 65, "phone": "12"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("Required.", page.text)
        self.assertIn("At most 64 characters.", page.text)
        self.assertIn("This phone number does not look right for Sweden", page.text)
        self.assertIn('value="Sveavägen 12"', page.text)
        self.assertEqual(registration.state, "verified")

    def test_step_5_details_sent_reach_the_b2b_managers(self):
        flow_path, registration = self.verified_flow()
        self.assertEqual(self.post(flow_path, **self.form).status_code, 303)
        self.assertIn("Request received", self.url_open(flow_path).text)
        self.assertRecordValues(registration, [{
            "state": "pending", "company_name": "Lakeside Roasters AB", "phone": "+46 8 410 226 00",
            "country_id": self.sweden.id,
        }])
        received, new = self.mails_of(registration)
        self.assertEqual(received.email_to, "mikko@lakeside.example.com")
        self.assertIn(self.manager.partner_id, new.recipient_ids)
        self.assertIn(self.manager, registration.activity_ids.user_id)

    def test_step_6_posting_again_changes_nothing(self):
        flow_path, registration = self.verified_flow()
        self.post(flow_path, **self.form)
        page = self.post(flow_path, **{**self.form, "company_name": "Another name"})
        self.assertIn("Request received", page.text)
        self.assertEqual(registration.company_name, "Lakeside Roasters AB")

    def test_country_defaults_to_the_website_company_country(self):
        """The visitor's location is unknown here (no GeoIP for 127.0.0.1): the form proposes the country
        of the website's company, not the first of the list nor the United States."""
        belgium = self.env.ref("base.be")
        self.website.company_id.country_id = belgium
        flow_path, code = self.ask_code()
        self.assertEqual(self.post(flow_path, verification_code=code).status_code, 303)
        page = self.url_open(flow_path)
        self.assertIn("Your business", page.text)
        selected = re.findall(r'<option value="(\d+)" selected="[^"]+"', page.text)
        self.assertEqual(selected, [str(belgium.id)])

    def test_known_and_unknown_emails_get_the_same_answer(self):
        self.env["res.users"].create({
            "login": "alice@acme.example.com", "partner_id": self.contact.id,
            "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
        })
        pages = []
        for email in ("alice@acme.example.com", "nobody@unknown.example.com"):
            response = self.post(self.join_path, email=email)
            self.assertEqual(response.status_code, 303)
            page = self.url_open(response.headers["Location"])
            self.assertEqual(page.status_code, 200)
            text = page.text.replace(email, "EMAIL")
            text = re.sub(r"/b2b/join/\w+/\w+", "/b2b/join/FLOW", CSRF_RE.sub("CSRF", text))
            text = re.sub(r"\b[0-9a-f]{40}o\d*\b", "CSRF", text)  # the token the page's scripts carry
            pages.append(text)
            verification = self.env["b2b.registration.verification"].search([("email", "=", email)])
            self.assertEqual(len(self.mails_of(verification)), 1, "both get a code")
        self.assertEqual(pages[0], pages[1])

    def test_five_wrong_codes_kill_the_code(self):
        flow_path, code = self.ask_code()
        wrong = "000000" if code != "000000" else "111111"
        self.assertIn("Type the 6-digit code we sent you.", self.post(flow_path, verification_code=" ").text)
        messages = [self.post(flow_path, verification_code=wrong).text for _try in range(5)]
        self.assertIn("Wrong code. 4 tries left.", messages[0])
        self.assertIn("Wrong code. 1 try left.", messages[3])
        self.assertIn("Wrong code. That was the last try: ask for a new code.", messages[4])
        page = self.post(flow_path, verification_code=code)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Too many wrong codes: this code no longer works.", page.text)
        self.assertFalse(self.registration())

    def test_expired_code(self):
        flow_path, code = self.ask_code()
        verification = self.env["b2b.registration.verification"].search([])
        verification.expiration_date = fields.Datetime.now() - timedelta(seconds=1)
        page = self.post(flow_path, verification_code=code)
        self.assertIn("This code has expired. Ask for a new code.", page.text)
        self.assertFalse(self.registration())

    def test_resend_is_throttled_and_replaces_the_code(self):
        flow_path, old_code = self.ask_code()
        verification = self.env["b2b.registration.verification"].search([])
        page = self.post(f"{flow_path}/resend")
        self.assertIn("A code was sent less than a minute ago", page.text)
        self.assertEqual(len(self.mails_of(verification)), 1)

        verification.sent_date = fields.Datetime.now() - timedelta(minutes=2)
        old_mail = self.mails_of(verification)
        page = self.post(f"{flow_path}/resend")
        self.assertIn("We sent you a new code.", page.text)
        self.assertFalse(old_mail.exists(), "the old code's email, still queued, is not sent")
        self.assertEqual(len(self.mails_of(verification)), 1)
        new_code = self.code_of(verification)
        if new_code != old_code:
            self.assertIn("Wrong code.", self.post(flow_path, verification_code=old_code).text)
        self.assertEqual(self.post(flow_path, verification_code=new_code).status_code, 303)
        self.assertTrue(self.registration())

    def test_code_requests_are_rate_limited_per_email(self):
        for _request in range(5):
            self.ask_code()
        page = self.post(self.join_path, email="mikko@lakeside.example.com")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Too many attempts. Please try again in an hour.", page.text)
        self.assertIn('value="mikko@lakeside.example.com"', page.text, "the address stays in the form")
        verifications = self.env["b2b.registration.verification"].search([])
        self.assertEqual(len(verifications), 5)
        self.assertEqual(len(self.mails_of(verifications)), 5)
        self.ask_code("someone.else@lakeside.example.com")  # another address from the same connection

    def test_code_requests_are_rate_limited_per_ip(self):
        for number in range(10):
            self.ask_code(f"person{number}@example.com")
        page = self.post(self.join_path, email="person10@example.com")
        self.assertIn("Too many attempts. Please try again in an hour.", page.text)
        self.assertFalse(self.env["b2b.registration.verification"].search([("email", "=", "person10@example.com")]))

    def test_form_posts_are_rate_limited(self):
        flow_path, code = self.ask_code()
        RateLimit = self.env["b2b.rate.limit"]
        for _post in range(15):  # earlier posts for this address, from anywhere
            RateLimit._hit("b2b.join.post.email:mikko@lakeside.example.com", 3600)
        page = self.post(flow_path, verification_code=code)
        self.assertIn("Too many attempts. Please try again in an hour.", page.text)
        self.assertFalse(self.registration())

        registration = self._new_registration(email="other@lakeside.example.com", state="verified")
        for _post in range(30):  # earlier posts from this connection
            RateLimit._hit("b2b.join.post.ip:127.0.0.1", 3600)
        page = self.post(self.open_link(registration), **self.form)
        self.assertIn("Too many attempts. Please try again in an hour.", page.text)
        self.assertEqual(registration.state, "verified")

    def test_honeypot(self):
        response = self.post(self.join_path, email="bot@spam.example.com", b2b_website_url="http://spam.example.com")
        self.assertEqual(response.status_code, 303, "a bot gets the answer a person gets")
        self.assertFalse(self.env["b2b.registration.verification"].search([]))
        self.assertFalse(self.env["mail.mail"].search([("email_to", "=", "bot@spam.example.com")]))
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 404)
        self.assertIn("This page is no longer valid", page.text)

        registration = self._new_registration(state="verified")
        page = self.post(self.open_link(registration), **self.form, b2b_website_url="http://spam.example.com")
        self.assertIn("Request received", page.text)
        self.assertEqual(registration.state, "verified")
        self.assertFalse(self.mails_of(registration))

    def test_regenerated_link(self):
        flow_path, code = self.ask_code()
        self.website._b2b_join_regenerate()
        for path in (self.join_path, flow_path):
            page = self.url_open(path)
            self.assertEqual(page.status_code, 404)
            self.assertIn("This registration link is not valid", page.text)
        page = self.post(flow_path, verification_code=code)
        self.assertEqual(page.status_code, 404)
        self.assertFalse(self.registration())
        self.assertEqual(self.url_open(f"/b2b/join/{self.website.b2b_join_code}").status_code, 200)

    def test_disabled_link(self):
        flow_path, _code = self.ask_code()
        self.website.b2b_join_enabled = False
        for path in (self.join_path, flow_path):
            page = self.url_open(path)
            self.assertEqual(page.status_code, 404)
            self.assertIn("This registration link is not valid", page.text)
        page = self.post(self.join_path, email="late@lakeside.example.com")
        self.assertEqual(page.status_code, 404)
        Verification = self.env["b2b.registration.verification"]
        self.assertFalse(Verification.search([("email", "=", "late@lakeside.example.com")]))

    def test_bad_input_gets_a_message(self):
        for email in ("mikko", "mikko\x00@lakeside.example.com", "x" * 300 + "@example.com"):
            page = self.post(self.join_path, email=email)
            self.assertEqual(page.status_code, 200)
            self.assertIn("Enter a valid email address", page.text)
        for path in ("/b2b/join/%00", "/b2b/join/" + "a" * 500, f"{self.join_path}/%00",
                     f"{self.join_path}/{'ab' * 32}", f"{self.join_path}/not-a-flow"):
            page = self.url_open(path)
            self.assertEqual(page.status_code, 404, path)
        registration = self._new_registration(state="verified")
        steps = self.open_link(registration)
        page = self.post(steps, **{**self.form, "country_id": "999999999", "message": "x" * 2001})
        self.assertEqual(page.status_code, 200)
        self.assertIn("Choose a country.", page.text)
        self.assertIn("At most 2000 characters.", page.text)
        for country_id in ("²", "\u0661", "abc", "-1"):  # digits to str.isdigit(), not to int() or to a person
            page = self.post(steps, **{**self.form, "country_id": country_id})
            self.assertEqual(page.status_code, 200, country_id)
            self.assertIn("Choose a country.", page.text, country_id)
        page = self.url_open(steps, data={**self.form, "csrf_token": "stale"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("This page had expired: check what you typed and send it again.", page.text)
        self.assertIn(f'value="{self.form["company_name"]}"', page.text, "what was typed stays")
        self.assertEqual(registration.state, "verified")
        response = self.post(steps, **{**self.form, "company_name": "Null\x00 Cafe"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(registration.company_name, "Null Cafe")

    def test_qr_code_downloads(self):
        base = f"/web/content/website/{self.website.id}"
        self.authenticate("admin", "admin")
        png = self.url_open(f"{base}/b2b_join_qr?download=true&filename=registration-qr.png")
        self.assertEqual(png.status_code, 200)
        self.assertEqual(png.headers["Content-Type"], "image/png")
        self.assertTrue(png.content.startswith(b"\x89PNG"))
        self.assertIn("attachment", png.headers["Content-Disposition"])
        svg = self.url_open(f"{base}/b2b_join_qr_svg?download=true&filename=registration-qr.svg")
        self.assertEqual(svg.status_code, 200)
        self.assertTrue(svg.headers["Content-Type"].startswith("image/svg+xml"))
        self.assertIn(b"<svg", svg.content)
        self.authenticate("b2b_sales", "b2b_sales")
        self.assertNotEqual(self.url_open(f"{base}/b2b_join_qr").status_code, 200)

    def test_tour_from_the_join_link_to_request_received(self):
        self.start_tour(self.join_path, "b2b_join_email")
        verification = self.env["b2b.registration.verification"].search(
            [("email", "=", "tour.prospect@lakeside.example.com")])
        code = self.code_of(verification)
        self.assertTrue(code)
        self.start_tour(f"{verification._flow_path()}#code={code}", "b2b_join_details")
        registration = self.registration("tour.prospect@lakeside.example.com")
        self.assertEqual(registration.state, "pending")
        self.assertEqual((registration.company_name, registration.contact_name, registration.phone),
                         ("Lakeside Roasters AB", "Tove Lind", "+46 8 410 226 00"))
        self.assertEqual(registration.message, "We run three cafés.")

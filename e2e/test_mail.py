"""Mail that arrives: a real Odoo (HTTP and cron workers, the mail queue job at its hourly interval)
sends through a real SMTP server on loopback, within seconds, and survives an SMTP outage."""
import os
import re
import time
import unittest
import uuid

from .client import Browser, Rpc, wait_until
from .server import LOGS, body_text, shared

MAX_SECONDS = 60  # a mail that takes longer fails the test
PASSWORD = "E2e-Passw0rd-2026"
SELLER = ("sam.seller@freshline-wholesale.example.com", "demo1234")  # the demo salesperson
TIMINGS = []  # (what, seconds from the click to the mailbox, of which after the page or call answered)


def tearDownModule():
    if not TIMINGS:
        return
    lines = [f"{what}: {seconds:.1f} s from the click ({queued:.1f} s after the answer)"
             for what, seconds, queued in TIMINGS]
    with open(os.path.join(LOGS, "e2e-timings.txt"), "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    print("\nMail delivery, from the request to the SMTP server:\n  " + "\n  ".join(lines), flush=True)


class TestMailArrives(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.shared = shared()
        cls.url, cls.mailbox = cls.shared.server.url, cls.shared.mailbox
        cls.admin = Rpc(cls.url, cls.shared.db, "admin", "admin")
        cls.seller = Rpc(cls.url, cls.shared.db, *SELLER)
        website = cls.admin("website", "search_read", [("b2b_join_enabled", "=", True)], ["b2b_join_code"], limit=1)
        cls.join_path = f"/b2b/join/{website[0]['b2b_join_code']}"
        cls.customer = cls.admin("res.partner", "search", [("name", "=", "Alpine Bistro Supply GmbH")])[0]

    def setUp(self):
        self.mailbox.refuse = False
        self.tag = uuid.uuid4().hex[:8]

    # -- helpers -------------------------------------------------------------

    def received(self, address, started, answered, what):
        """The mail to `address`, which must arrive within MAX_SECONDS of the click (`started`); its delay
        is recorded, and what of it came after the page or the call answered (`answered`)."""
        try:
            message = self.mailbox.wait_for(lambda m: address in str(m["To"]), timeout=MAX_SECONDS)
        except TimeoutError:
            self.fail(f"{what}: no mail to {address} within {MAX_SECONDS} s")
        now = time.monotonic()
        TIMINGS.append((what, now - started, now - answered))
        self.assertLess(now - started, MAX_SECONDS, what)
        return message

    def new_contact(self, name):
        email = f"{name.lower().replace(' ', '.')}.{self.tag}@alpinebistro.example.com"
        return self.admin("res.partner", "create", {
            "name": f"{name} {self.tag}", "email": email, "parent_id": self.customer, "b2b_ordering": True,
        }), email

    def invitation(self, contact):
        invitations = self.seller("b2b.invitation", "search_read", [("partner_id", "=", contact)],
                                  ["state", "email_state", "email_failure"])
        return invitations[0] if invitations else {}

    def accept(self, link, email):
        browser = Browser(self.url)
        response = browser.submit(browser.path(link), "o_b2b_accept_form",
                                  login=email, password=PASSWORD, confirm_password=PASSWORD)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertTrue(response.headers["Location"].endswith("/shop"))
        page = browser.get("/my/account")
        self.assertEqual(page.status_code, 200)
        self.assertIn(email, page.text, "logged in as the new contact")

    @staticmethod
    def link_of(message):
        return re.search(r'href="([^"]+/b2b/invite/[0-9a-f]{64})"', body_text(message))[1]

    @staticmethod
    def code_of(message):
        return re.search(r">\s*(\d{6})\s*<", body_text(message))[1]

    def ask_code(self, browser, email):
        response = browser.submit(self.join_path, "o_b2b_join_email_form", email=email)
        self.assertEqual(response.status_code, 303, response.text[:500])
        return browser.path(response.headers["Location"])

    def code_state(self, browser, flow):
        return browser.json(f"{flow}/code_status")["state"]

    # -- tests ---------------------------------------------------------------

    def test_verification_code_arrives(self):
        browser, email = Browser(self.url), f"prospect.{self.tag}@lakeside.example.com"
        started = time.monotonic()
        flow = self.ask_code(browser, email)
        code = self.code_of(self.received(email, started, time.monotonic(), "verification code"))
        wait_until(lambda: self.code_state(browser, flow) == "sent", timeout=10)
        response = browser.submit(flow, "o_b2b_join_code_form", verification_code=code)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertIn("Your business", browser.get(flow).text)

    def test_invitation_arrives_and_is_accepted(self):
        contact, email = self.new_contact("Ella Invited")
        started = time.monotonic()
        self.seller("res.partner", "action_b2b_invite", [contact])
        link = self.link_of(self.received(email, started, time.monotonic(), "invitation"))
        self.assertEqual(wait_until(lambda: self.invitation(contact)["email_state"] == "sent" and "sent",
                                    timeout=10), "sent")
        self.accept(link, email)
        self.assertEqual(self.invitation(contact)["state"], "accepted")

    def test_smtp_refusing_keeps_the_invitation_and_resend_delivers(self):
        contact, email = self.new_contact("Olaf Outage")
        self.mailbox.refuse = True  # the server answers 451 to every message
        self.seller("res.partner", "action_b2b_invite", [contact])
        failed = wait_until(lambda: self.invitation(contact)["email_state"] == "failed" and self.invitation(contact),
                            timeout=MAX_SECONDS)
        self.assertEqual(failed["state"], "sent", "the invitation keeps its state")
        self.assertIn("451", failed["email_failure"])
        self.assertIn(failed["id"], self.seller("b2b.invitation", "search", [("email_state", "=", "failed")]))
        self.assertIn(contact, self.seller("res.partner", "search", [("b2b_invite_email_state", "=", "failed")]))
        self.assertFalse([m for m in self.mailbox.messages if email in str(m["To"])])

        self.mailbox.refuse = False
        started = time.monotonic()
        self.seller("res.partner", "action_b2b_resend", [contact])
        link = self.link_of(self.received(email, started, time.monotonic(), "invitation resent after an outage"))
        wait_until(lambda: self.invitation(contact)["email_state"] == "sent", timeout=10)
        self.assertNotIn(contact, self.seller("res.partner", "search", [("b2b_invite_email_state", "=", "failed")]))
        self.accept(link, email)

    def test_code_when_smtp_unreachable(self):
        browser, email = Browser(self.url), f"unlucky.{self.tag}@lakeside.example.com"
        self.mailbox.stop()  # connections refused
        try:
            flow = self.ask_code(browser, email)
            wait_until(lambda: self.code_state(browser, flow) == "failed", timeout=MAX_SECONDS)
            page = browser.get(flow).text
            self.assertIn('data-state="failed"', page)
            self.assertIn("We could not send the code to", page)
        finally:
            self.mailbox.start()
        started = time.monotonic()
        page = browser.submit(flow, "o_b2b_join_resend_form")
        answered = time.monotonic()
        self.assertIn("We sent you a new code.", page.text, "at once, without the minute's wait")
        code = self.code_of(self.received(email, started, answered, "verification code after an outage"))
        response = browser.submit(flow, "o_b2b_join_code_form", verification_code=code)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertIn("Your business", browser.get(flow).text)


from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import PASSWORD, B2bCommon, B2bCommonMixin, B2bRegistrationCommon, form_token, new_token_of

SMTP_DOWN = "[Errno 111] Connection refused"


class MailQueueMixin:
    """What the mail queue job would do, and whether a flow woke it."""

    def queue_wakeups(self):
        """How many times the mail queue job was asked to run now (ir.cron._trigger)."""
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)])

    def assertWakesQueue(self, times=1):
        test = self

        class Wakes:
            def __enter__(self):
                self.before = test.queue_wakeups()

            def __exit__(self, exc_type, *exc):
                if not exc_type:
                    test.assertEqual(test.queue_wakeups() - self.before, times, "the mail queue job is woken")

        return Wakes()

    def fail_delivery(self, mails, reason=SMTP_DOWN):
        """The queue job met an SMTP outage: Odoo marks the mails failed and keeps them (even auto_delete)."""
        mails.sudo().write({"state": "exception", "failure_reason": reason})

    def deliver(self, mails):
        """The queue job sent the mails: Odoo deletes them (auto_delete)."""
        mails.sudo().send()
        self.assertFalse(mails.exists())


@tagged("post_install", "-at_install")
class TestPromptDelivery(MailQueueMixin, B2bRegistrationCommon):
    """Each mail a person waits for is queued and the mail queue job is woken, once per run."""

    def test_single_invite_and_resend_wake_the_queue(self):
        with self.assertWakesQueue():
            self.contact.with_user(self.salesperson).action_b2b_invite()
        with self.assertWakesQueue():
            self.contact.with_user(self.salesperson).action_b2b_resend()

    def test_bulk_run_wakes_the_queue_once(self):
        contacts = self.env["res.partner"].create([
            {"name": f"Bulk {i}", "email": f"bulk{i}@acme.example.com", "parent_id": self.customer.id,
             "b2b_ordering": True} for i in range(30)
        ])
        wizard = self.env["b2b.invite.wizard"].with_user(self.salesperson)._open(contacts)
        with self.assertWakesQueue(1):
            self.env["b2b.invite.wizard"].browse(wizard["res_id"]).with_user(self.salesperson).action_confirm()
        self.assertEqual(len(self.invitation_mails(contacts.b2b_invitation_ids)), 30)
        with self.assertWakesQueue(1):
            contacts.with_user(self.salesperson).action_b2b_resend()

    def test_queue_job_sends_by_runs_that_fit_a_cron_worker_s_limits(self):
        """10 runs of the queue job in a row fit in a cron worker's 60 s of CPU (installed by the hook)."""
        self.assertEqual(self.env["ir.config_parameter"].get_param("mail.mail.queue.batch.size"), "100")

    def test_export_mode_wakes_nothing(self):
        wizard = self.env["b2b.invite.wizard"].with_user(self.manager)._open(self.contact)
        wizard = self.env["b2b.invite.wizard"].browse(wizard["res_id"]).with_user(self.manager)
        wizard.mode = "export"
        with self.assertWakesQueue(0):
            wizard.action_confirm()

    def test_registration_emails_wake_the_queue(self):
        Verification = self.env["b2b.registration.verification"]
        with self.assertWakesQueue():
            verification = Verification._request(self.website, "mikko@lakeside.example.com", "10.0.0.1")
        self.assertEqual(verification.mail_id.state, "outgoing")
        registration = self._new_registration(state="verified")
        with self.assertWakesQueue(2):  # received, and the managers' alert
            registration.sudo()._submit(self.form, "10.0.0.1")
        with self.assertWakesQueue():
            registration.with_user(self.manager).action_approve()
        other = self._new_registration(email="other@lakeside.example.com")
        with self.assertWakesQueue():
            other.with_user(self.manager)._reject("Not in our area.")

    def test_account_ready_and_activation_wake_the_queue(self):
        with self.assertWakesQueue():
            self.env["b2b.create.login.wizard"].with_user(self.manager).create({
                "partner_id": self.contact.id, "login": "alice", "password": PASSWORD, "send_email": True,
            }).action_create_login()
        registration = self._new_registration()
        registration.action_approve()
        pricelist = self.env["product.pricelist"].create({"name": "Wholesale"})
        wizard = Form(self.env["b2b.activation.wizard"].with_user(self.manager).with_context(
            **registration.with_user(self.manager).action_activate()["context"]))
        wizard.pricelist_id = pricelist
        with self.assertWakesQueue():  # one email: the invitation, which says the account is active
            wizard.save().action_activate()


@tagged("post_install", "-at_install")
class TestSmtpDown(MailQueueMixin, B2bCommon):
    """The outgoing server refuses or is unreachable: nothing is lost, the failure shows, Resend recovers."""

    def test_invitation_kept_flagged_and_resent(self):
        self.contact.with_user(self.salesperson).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids.with_user(self.salesperson)
        token = new_token_of(invitation)
        self.assertEqual(invitation.email_state, "queued")
        mail = invitation.sudo().mail_id
        self.fail_delivery(mail)
        invitation.invalidate_recordset()

        # Kept: its state and its link; flagged with the reason, on the invitation and the contact.
        self.assertEqual(invitation.state, "sent")
        self.assertEqual(invitation._find_by_token(token), invitation)
        self.assertEqual((invitation.email_state, invitation.email_failure), ("failed", SMTP_DOWN))
        contact = self.contact.with_user(self.salesperson)
        self.assertEqual((contact.b2b_invite_email_state, contact.b2b_invite_email_failure), ("failed", SMTP_DOWN))
        # The Invitations lists filter them (as the salesperson, who cannot read mails).
        Invitation = self.env["b2b.invitation"].with_user(self.salesperson)
        self.assertEqual(Invitation.search([("email_state", "=", "failed")]), invitation)
        self.assertNotIn(invitation, Invitation.search([("email_state", "!=", "failed")]))
        Partner = self.env["res.partner"].with_user(self.salesperson)
        self.assertEqual(Partner.search([("b2b_invite_email_state", "=", "failed")]), self.contact)

        # Resend once the server is back: a new link, queued, the failed email of the dead link dropped.
        contact.action_b2b_resend()
        invitation.invalidate_recordset()
        self.assertFalse(mail.exists())
        self.assertEqual(invitation.email_state, "queued")
        self.assertFalse(Invitation.search([("email_state", "=", "failed")]))
        self.assertFalse(invitation._find_by_token(token))
        new_mail = invitation.sudo().mail_id
        self.assertIn(new_token_of(invitation), new_mail.body_html)
        self.deliver(new_mail)
        invitation.invalidate_recordset()
        self.assertEqual(invitation.email_state, "sent")
        self.assertEqual(Invitation.search([("email_state", "=", "sent"), ("id", "=", invitation.id)]), invitation)

    def test_failure_type_when_no_reason(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation.sudo().mail_id.write({"state": "exception", "failure_type": "mail_email_invalid"})
        invitation.invalidate_recordset()
        self.assertEqual(invitation.email_failure, "Invalid email address")

    def test_accepted_invitation_shows_no_email_state(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.fail_delivery(invitation.sudo().mail_id)
        invitation._accept("alice", PASSWORD)  # the link copied by a manager, for instance
        self.assertFalse(invitation.email_state)
        self.assertFalse(self.env["b2b.invitation"].search([("email_state", "=", "failed")]))
        self.assertIn(invitation, self.env["b2b.invitation"].search([("email_state", "=", False)]))


@tagged("post_install", "-at_install")
class TestEmailChange(MailQueueMixin, B2bCommon):
    """A contact's new email address takes its open invitation and its login along."""

    def test_open_invitation_follows_the_new_address(self):
        self.contact.with_user(self.salesperson).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        old_token, old_mail = new_token_of(invitation), invitation.sudo().mail_id
        with self.assertWakesQueue():
            self.contact.with_user(self.salesperson).email = "Alice.New@Acme.example.com"
        self.assertEqual(invitation.email, "alice.new@acme.example.com")
        self.assertEqual((invitation.state, invitation.send_count), ("sent", 2))
        self.assertFalse(invitation._find_by_token(old_token), "the old link stops working")
        self.assertFalse(old_mail.exists(), "the old link's email, still queued, is not sent")
        mail = invitation.sudo().mail_id
        self.assertEqual(mail.email_to, "alice.new@acme.example.com")
        self.assertIn(new_token_of(invitation), mail.body_html)
        # The new address may be the login, the old one no longer.
        invitation._accept("alice.new@acme.example.com", PASSWORD)

    def test_draft_invitation_takes_the_new_address_without_email(self):
        invitation, _refused, _failed = self.env["b2b.invitation"]._invite_many(self.contact, send=False)
        token = new_token_of(invitation)
        self.contact.email = "alice.new@acme.example.com"
        self.assertEqual((invitation.state, invitation.email), ("draft", "alice.new@acme.example.com"))
        self.assertEqual(invitation._find_by_token(token), invitation, "an exported link stays valid")
        self.assertFalse(self.invitation_mails(invitation))

    def test_login_follows_and_the_old_address_is_told(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation._accept("alice@acme.example.com", PASSWORD)
        user = invitation.user_id
        with self.assertWakesQueue():
            self.contact.with_user(self.salesperson).email = "alice.new@acme.example.com"
        self.assertEqual(user.login, "alice.new@acme.example.com")
        self.assertEqual(invitation.email, "alice@acme.example.com", "what the invitation was sent to stays")
        notice = self.env["mail.mail"].sudo().search([("model", "=", "res.users"), ("res_id", "=", user.id)])
        self.assertEqual(notice.email_to, "alice@acme.example.com")
        self.assertIn("login at", notice.subject)
        self.assertIn("alice.new@acme.example.com", notice.body_html)
        note = self.contact.message_ids.filtered(lambda message: "became" in str(message.body))
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("alice.new@acme.example.com", note.body)

    def test_username_login_stays(self):
        self.contact.action_b2b_invite()
        self.contact.b2b_invitation_ids._accept("alice", PASSWORD)
        user = self.contact.b2b_invitation_ids.user_id
        with self.assertWakesQueue(0):
            self.contact.email = "alice.new@acme.example.com"
        self.assertEqual(user.login, "alice")

    def test_internal_login_is_never_renamed(self):
        self.salesperson.partner_id.email = "sally.new@seller.example.com"
        self.assertEqual(self.salesperson.login, "b2b_sales")
        employee = self.env["res.users"].create({
            "name": "Emma Employee", "login": "emma@seller.example.com", "email": "emma@seller.example.com",
            "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
        })
        employee.partner_id.email = "emma.new@seller.example.com"
        self.assertEqual(employee.login, "emma@seller.example.com")

    def test_addresses_in_use_are_refused_and_nothing_is_lost(self):
        self.contact.action_b2b_invite()
        self.contact2.action_b2b_invite()
        bob = self.contact2.b2b_invitation_ids
        bob._accept("bob@acme.example.com", PASSWORD)
        carl = self._new_contact("Carl Buyer", "carl@acme.example.com")
        carl.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        token = new_token_of(invitation)
        for email, message in (
            ("BOB@acme.example.com", "Alice Buyer: bob@acme.example.com is already used by the login of"),
            ("carl@acme.example.com", "Alice Buyer: carl@acme.example.com is already invited as Acme Cafés, Carl"),
            (self.salesperson.email, "is the email of an internal user"),
            ("", "Alice Buyer has an open invitation: give a valid email address"),
            ("not an address", "Alice Buyer has an open invitation: give a valid email address"),
        ):
            with self.subTest(email=email), self.assertRaisesRegex(UserError, message):
                self.contact.with_user(self.salesperson).email = email
            self.assertEqual(self.contact.email, "alice@acme.example.com")
            self.assertEqual((invitation.email, invitation._find_by_token(token)), (self.contact.email, invitation))
        with self.assertRaisesRegex(UserError, "cannot both get the address"):
            (self.contact | carl).write({"email": "shared@acme.example.com"})
        # Bob's login is renamed only where no one else has the address.
        with self.assertRaisesRegex(UserError, "Bob Buyer: carl@acme.example.com is already invited as"):
            self.contact2.email = "carl@acme.example.com"
        self.assertEqual(bob.user_id.login, "bob@acme.example.com")

    def test_who_may_not_change_the_address_learns_nothing(self):
        self.contact.action_b2b_invite()
        self.contact2.action_b2b_invite()
        employee = new_test_user(self.env, login="b2b_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.contact.with_user(employee).email = "bob@acme.example.com"

    def test_contacts_without_b2b_access_change_freely(self):
        other = self._new_contact("Olga Other", "olga@acme.example.com", ordering=False)
        self.contact.action_b2b_invite()
        other.email = "alice@acme.example.com"  # two contacts may share an address outside the B2B portal
        other.email = False
        self.assertFalse(other.email)


@tagged("post_install", "-at_install")
class TestApprovalEmail(MailQueueMixin, B2bRegistrationCommon):

    def test_approval_emails_the_person(self):
        registration = self._new_registration()
        registration.with_user(self.manager).action_approve()
        mail = self.mails_of(registration)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, "mikko@lakeside.example.com")
        self.assertIn("is approved", mail.subject)
        self.assertIn("We will activate your account shortly", mail.body_html)
        self.assertIn("Lakeside Roasters AB", mail.body_html)
        self.assertIn("Mikko Virtanen", mail.body_html)


@tagged("post_install", "-at_install")
class TestEmailLanguage(MailQueueMixin, B2bRegistrationCommon):
    """Each email renders in its recipient's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")

    def test_invitation_in_the_contact_language(self):
        template = self.env.ref("b2b_invite.mail_template_b2b_invitation")
        template.with_context(lang="fr_FR").subject = "{{ object.company_id.name }} vous invite"
        self.contact.lang = "fr_FR"
        self.contact2.lang = "en_US"
        (self.contact | self.contact2).with_user(self.salesperson).with_context(lang="en_US").action_b2b_invite()
        french = self.invitation_mails(self.contact.b2b_invitation_ids)
        english = self.invitation_mails(self.contact2.b2b_invitation_ids)
        self.assertEqual(french.subject, f"{self.env.company.name} vous invite")
        self.assertEqual(english.subject, f"{self.env.company.name} invites you to order online")
        month = self.contact.b2b_invitation_ids.expiration_date.month
        french_months = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                         "nov.", "déc."]
        self.assertIn(french_months[month - 1], french.body_html, "dates in French too")

    def test_every_template_renders_in_the_recipient_language(self):
        self.contact.lang = "fr_FR"
        self.salesperson.lang = "fr_FR"
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation._accept("alice", PASSWORD)
        user = invitation.user_id
        verification = self.env["b2b.registration.verification"].with_context(lang="fr_FR")._request(
            self.website, "mikko@lakeside.example.com", "10.0.0.1")
        registration = self._new_registration()
        registration.lang = "fr_FR"
        cases = [
            ("mail_template_b2b_invitation", invitation, {}),
            ("mail_template_b2b_account_ready", invitation, {}),
            ("mail_template_b2b_invitation_expired", invitation, {"b2b_recipient_lang": self.salesperson.lang}),
            ("mail_template_b2b_registration_code", verification, {}),
            ("mail_template_b2b_registration_received", registration, {}),
            ("mail_template_b2b_registration_new", registration, {"b2b_recipient_lang": "fr_FR"}),
            ("mail_template_b2b_registration_approved", registration, {}),
            ("mail_template_b2b_registration_rejected", registration, {}),
            ("mail_template_b2b_ready_to_order", self.contact, {}),
            ("mail_template_b2b_login_changed", user, {}),
        ]
        for xmlid, record, context in cases:
            with self.subTest(template=xmlid):
                template = self.env.ref(f"b2b_invite.{xmlid}").with_context(**context)
                self.assertEqual(template._render_lang(record.ids), {record.id: "fr_FR"})

    def test_approval_email_in_the_person_language(self):
        template = self.env.ref("b2b_invite.mail_template_b2b_registration_approved")
        template.with_context(lang="fr_FR").subject = "Votre inscription est approuvée"
        registration = self._new_registration()
        registration.lang = "fr_FR"
        registration.with_user(self.manager).action_approve()
        self.assertEqual(self.mails_of(registration).subject, "Votre inscription est approuvée")


@tagged("post_install", "-at_install")
class TestTemplatesAtHand(B2bCommon):

    def test_settings_open_the_templates_without_developer_mode(self):
        admin = self.env.ref("base.user_admin")
        settings = self.env["res.config.settings"].with_user(admin).create({})
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_b2b_edit_invitation_email"', arch)
        self.assertIn('name="action_b2b_edit_emails"', arch)

        action = settings.action_b2b_edit_invitation_email()
        self.assertEqual((action["res_model"], action["res_id"], action["view_mode"]), (
            "mail.template", self.env.ref("b2b_invite.mail_template_b2b_invitation").id, "form"))
        action = settings.action_b2b_edit_emails()
        templates = self.env["mail.template"].with_user(admin).search(action["domain"])
        names = set(templates.mapped("name"))
        for name in ("B2B: Invitation to the portal and shop", "B2B: Registration verification code",
                     "B2B: Registration request approved", "B2B: You're ready to order", "B2B: Your login changed"):
            self.assertIn(name, names)
        self.assertFalse({name for name in names if not name.startswith("B2B: ")}, "only the addon's emails")


@tagged("post_install", "-at_install")
class TestCodePage(MailQueueMixin, B2bRegistrationCommon, HttpCase):
    """The code page learns from the code's email whether it left, without waiting on SMTP."""


    def setUp(self):
        super().setUp()
        self.join_path = f"/b2b/join/{self.website.b2b_join_code}"
        self.csrf_token = form_token(self.url_open(self.join_path))

    def post(self, path, **data):
        return self.url_open(path, data={"csrf_token": self.csrf_token, **data}, allow_redirects=False)

    def status(self, flow_path):
        return self.make_jsonrpc_request(f"{flow_path}/code_status")["state"]

    def test_code_not_sent_is_told_and_a_new_one_allowed_at_once(self):
        response = self.post(self.join_path, email="mikko@lakeside.example.com")
        flow_path = self.parse_http_location(response.headers["Location"]).path
        verification = self.env["b2b.registration.verification"].search([])
        self.assertEqual(self.status(flow_path), "queued")
        page = self.url_open(flow_path).text
        self.assertIn('data-state="queued"', page)

        mail = verification.mail_id
        self.fail_delivery(mail)
        self.assertEqual(self.status(flow_path), "failed")
        page = self.url_open(flow_path).text
        self.assertIn('data-state="failed"', page)
        self.assertRegex(page, r'class="alert alert-warning o_b2b_code_not_sent\s*"')
        self.assertIn("We could not send the code to", page)

        # A new code at once (no minute to wait): a new email, the failed one dropped.
        page = self.post(f"{flow_path}/resend").text
        self.assertIn("We sent you a new code.", page)
        self.assertFalse(mail.exists())
        self.assertEqual(self.status(flow_path), "queued")
        self.deliver(verification.mail_id)
        self.assertEqual(self.status(flow_path), "sent")
        self.assertIn('data-state="sent"', self.url_open(flow_path).text)
        self.assertEqual(self.status(f"/b2b/join/{'x' * 32}/request"), "expired", "no flow: nothing to tell")


@tagged("post_install", "-at_install")
class TestPortalEmailChange(B2bCommonMixin, HttpCase):
    """A contact changes its own address at /my/account: its login follows, its session stays."""

    def setUp(self):
        super().setUp()
        self.contact.action_b2b_invite()
        self.contact.b2b_invitation_ids._accept("alice@acme.example.com", PASSWORD)
        self.user = self.contact.b2b_invitation_ids.user_id
        self.contact.write({"street": "1 Bean Street", "city": "Brussels", "country_id": self.env.ref("base.be").id,
                            "phone": "+32 2 555 01 01"})
        self.authenticate("alice@acme.example.com", PASSWORD)

    def submit(self, email):
        page = self.url_open("/my/account")
        csrf = form_token(page)
        return self.url_open("/my/account", data={
            "csrf_token": csrf, "name": "Alice Buyer", "email": email, "phone": "+32 2 555 01 01",
            "street": "1 Bean Street", "city": "Brussels", "zipcode": "1000",
            "country_id": str(self.env.ref("base.be").id),
        }, allow_redirects=False)

    def test_login_follows_and_session_stays(self):
        response = self.submit("alice.new@acme.example.com")
        self.assertEqual(response.status_code, 303, response.text[:2000])
        self.assertEqual(self.user.login, "alice.new@acme.example.com")
        page = self.url_open("/my/account", allow_redirects=False)
        self.assertEqual(page.status_code, 200, "still logged in")
        self.assertIn("alice.new@acme.example.com", page.text)

    def test_address_in_use_is_refused_in_the_form(self):
        self._new_contact("Bob Buyer", "bob@acme.example.com").action_b2b_invite()
        response = self.submit("bob@acme.example.com")
        self.assertEqual(response.status_code, 200)
        self.assertIn("This email address cannot be used for your account", response.text)
        self.assertNotIn("Bob Buyer", response.text, "whose address it is stays unsaid")
        self.assertEqual(self.contact.email, "alice@acme.example.com")
        self.assertEqual(self.user.login, "alice@acme.example.com")

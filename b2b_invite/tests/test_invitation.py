import threading
from datetime import timedelta

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from .common import PASSWORD, B2bCommon, new_token_of


@tagged("post_install", "-at_install")
class TestInvitation(B2bCommon):

    # -- invite ------------------------------------------------------------

    def test_invite_sends_email_with_link(self):
        before = fields.Datetime.now()
        self.contact.with_user(self.salesperson).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.assertRecordValues(invitation, [{
            "state": "sent", "email": "alice@acme.example.com", "inviter_id": self.salesperson.id,
            "send_count": 1, "commercial_partner_id": self.customer.id,
        }])
        self.assertEqual(self.contact.b2b_invite_state, "invited")
        self.assertAlmostEqual(
            invitation.expiration_date, before + timedelta(days=7), delta=timedelta(minutes=1))
        mail = self.invitation_mails(invitation)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, "alice@acme.example.com")
        self.assertIn("Acme Cafés", mail.body_html)
        self.assertIn("Sally Sales", mail.body_html)
        self.assertIn(invitation.with_user(self.manager).invitation_url, mail.body_html)
        # Queued, not sent inline; logged in the chatter without the link
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(mail.mail_message_id, invitation.message_ids)
        self.assertNotIn("/b2b/invite/", mail.mail_message_id.body)

    def test_validity_setting(self):
        self.env["ir.config_parameter"].set_param("b2b_invite.validity_days", "3")
        with freeze_time("2027-01-10 09:00:00"):
            self.contact.action_b2b_invite()
        self.assertEqual(
            self.contact.b2b_invitation_ids.expiration_date, fields.Datetime.to_datetime("2027-01-13 09:00:00"))
        self.assertIn("valid until", self.contact.b2b_invitation_ids.message_ids[0].body)

    def test_validity_setting_is_bounded(self):
        for days in (0, -3, 366, 3_000_000):
            with self.subTest(days=days), self.assertRaisesRegex(ValidationError, "valid for 1 to 365 days"):
                self.env["res.config.settings"].create({"b2b_invite_validity_days": days})
        self.env["res.config.settings"].create({"b2b_invite_validity_days": 30}).execute()
        self.assertEqual(self.env["b2b.invitation"]._validity_days(), 30)
        # A value set past the bounds elsewhere (a system parameter) is held within them
        self.env["ir.config_parameter"].set_param("b2b_invite.validity_days", "2147483647")
        self.contact.action_b2b_invite()
        self.assertEqual(self.contact.b2b_invite_state, "invited")
        self.assertEqual(self.env["b2b.invitation"]._validity_days(), 365)

    def test_sent_or_accepted_invitation_is_revoked_not_deleted(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        with self.assertRaisesRegex(UserError, "revoke it instead"):
            invitation.unlink()
        invitation._accept("alice", PASSWORD)
        with self.assertRaisesRegex(UserError, "revoke it instead"):
            invitation.unlink()
        invitation.action_revoke()
        invitation.unlink()
        self.assertEqual(self.contact.b2b_invite_state, "not_invited")

    def test_token_is_secret_and_hashed(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        token = new_token_of(invitation)
        self.assertRegex(token, r"^[0-9a-f]{64}$")  # 256 bits
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM b2b_invitation WHERE id = %s", [invitation.id])
        stored = " ".join(str(value) for value in self.env.cr.fetchone())
        self.assertNotIn(token, stored, "the link token itself is never stored")
        self.assertEqual(invitation._find_by_token(token), invitation)
        tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
        self.assertFalse(invitation._find_by_token(tampered))
        self.assertFalse(invitation._find_by_token(""))
        self.assertFalse(invitation._find_by_token("x" * 64))
        # Only B2B Managers see the link; nobody reads the salt or the digest
        self.assertIn(token, invitation.with_user(self.manager).read(["invitation_url"])[0]["invitation_url"])
        with self.assertRaises(AccessError):
            invitation.with_user(self.salesperson).read(["invitation_url"])
        for field in ("token_salt", "token_digest"):
            with self.assertRaises(AccessError):
                invitation.with_user(self.manager).read([field])

    def test_one_open_invitation_per_contact(self):
        self.contact.action_b2b_invite()
        with self.assertRaisesRegex(UserError, "Alice Buyer already has an open invitation"):
            self.contact.action_b2b_invite()
        self.assertEqual(len(self.contact.b2b_invitation_ids), 1)

    # -- who may be invited -------------------------------------------------

    def test_refusals_name_the_contact(self):
        no_email = self._new_contact("Nora Nomail", False)
        bad_email = self._new_contact("Ivan Invalid", "ivan-at-acme")
        not_ordering = self._new_contact("Olga Observer", "olga@acme.example.com", ordering=False)
        for partner, message in [
            (no_email, "Nora Nomail has no valid email address"),
            (bad_email, "Ivan Invalid has no valid email address"),
            (not_ordering, "Olga Observer is not allowed to order"),
        ]:
            with self.assertRaisesRegex(UserError, message):
                partner.action_b2b_invite()
            self.assertFalse(partner.b2b_invitation_ids)

    def test_contact_of_an_archived_company_is_refused(self):
        self.customer.action_archive()
        self.assertTrue(self.contact.active)
        with self.assertRaisesRegex(UserError, "Alice Buyer: its company Acme Cafés is archived"):
            self.contact.action_b2b_invite()
        self.assertFalse(self.contact.b2b_invitation_ids)

    def test_email_used_by_another_login_or_invitation(self):
        self.contact.action_b2b_invite()
        # Same address (other case, spaces) on another contact: refused while the first is open
        twin = self._new_contact("Alice Twin", "  ALICE@Acme.example.com ")
        with self.assertRaisesRegex(UserError, "Alice Twin: alice@acme.example.com is already invited as"):
            twin.action_b2b_invite()
        # ... and once the first one has a login
        self.contact.b2b_invitation_ids._accept("alice", PASSWORD)
        with self.assertRaisesRegex(UserError, "already used by the login of"):
            twin.action_b2b_invite()
        # An internal user's address is refused too
        employee = self._new_contact("Eve Employee", self.salesperson.email)
        with self.assertRaisesRegex(UserError, "is the email of an internal user"):
            employee.action_b2b_invite()

    def test_bulk_invite_skips_and_reports(self):
        no_email = self._new_contact("Nora Nomail", False)
        twin = self._new_contact("Bob Twin", "bob@acme.example.com")
        contacts = self.contact | self.contact2 | no_email | twin
        action = contacts.with_user(self.salesperson).action_b2b_invite()
        self.assertEqual((self.contact | self.contact2).mapped("b2b_invite_state"), ["invited", "invited"])
        self.assertEqual((no_email | twin).mapped("b2b_invite_state"), ["not_invited", "not_invited"])
        message = action["params"]["message"]
        self.assertIn("2 contact(s): Alice Buyer, Bob Buyer", message)
        self.assertIn("Acme Cafés, Nora Nomail has no valid email address", message)
        self.assertIn("Acme Cafés, Bob Twin has the same email as Acme Cafés, Bob Buyer", message)

    # -- resend, revoke, expire ---------------------------------------------

    def test_resend_gives_a_new_link(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        old_token, old_mail = new_token_of(invitation), self.invitation_mails(invitation)
        self.contact.with_user(self.salesperson).action_b2b_resend()
        self.assertEqual(invitation.send_count, 2)
        self.assertFalse(old_mail.exists(), "the email of the previous link, still queued, is not sent")
        self.assertEqual(len(self.invitation_mails(invitation)), 1)
        self.assertIn(new_token_of(invitation), self.invitation_mails(invitation).body_html)
        self.assertEqual(len(invitation.message_ids.filtered(lambda m: "Invitation sent to" in m.body)), 2,
                         "the chatter keeps both sendings")
        self.assertFalse(invitation._find_by_token(old_token), "the previous link stops working")
        self.assertEqual(invitation._find_by_token(new_token_of(invitation)), invitation)

    def test_resend_needs_an_invitation(self):
        with self.assertRaisesRegex(UserError, "Alice Buyer has no open or expired invitation"):
            self.contact.action_b2b_resend()

    def test_cron_expires_and_resend_revives(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            self.env["b2b.invitation"]._cron_expire()
            self.assertEqual(invitation.state, "expired")
            self.assertEqual(self.contact.b2b_invite_state, "expired")
            self.contact.action_b2b_resend()
            self.assertEqual(invitation.state, "sent")
            self.assertEqual(invitation._link_status(), "valid")

    def test_expired_link_alerts_the_inviter_once(self):
        self.salesperson.tz = "Europe/Brussels"
        self.contact.with_user(self.salesperson).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation.expiration_date = "2027-01-08 09:00:00"
        with freeze_time("2027-01-10 09:00:00"):
            self.assertEqual(invitation._link_status(), "expired")
            invitation._notify_expired_link()
            invitation._notify_expired_link()
        self.assertEqual(invitation.state, "expired")
        activity = invitation.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        alert = self.env["mail.mail"].sudo().search([
            ("model", "=", "b2b.invitation"), ("res_id", "=", invitation.id),
            ("subject", "ilike", "opened an expired invitation"),
        ])
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.recipient_ids, self.salesperson.partner_id)
        self.assertIn("Jan 8, 2027, 10:00:00", alert.body_html, "the expiry in the salesperson's time zone")
        self.assertIn("(Europe/Brussels)", alert.body_html, "which it says")
        self.assertIn("send a new one", alert.subject)

    def test_expired_alert_goes_to_salesperson_when_inviter_left(self):
        self.contact.with_user(self.manager).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.manager.active = False
        invitation.expiration_date = fields.Datetime.now() - timedelta(days=1)
        invitation._notify_expired_link()
        self.assertEqual(invitation.activity_ids.user_id, self.salesperson)

    def test_renewal_todo_closes_once_a_new_link_is_issued(self):
        self.contact.with_user(self.salesperson).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation.expiration_date = fields.Datetime.now() - timedelta(days=1)
        invitation._notify_expired_link()
        self.assertEqual(invitation.activity_ids.summary, "Send a new invitation")
        self.contact.with_user(self.salesperson).action_b2b_resend()
        self.assertFalse(invitation.activity_ids, "done by itself")
        done = invitation.message_ids.filtered(lambda message: message.mail_activity_type_id)
        self.assertIn("A new link was issued.", done[:1].body)

    def test_revoke_archives_login_and_allows_new_invitation(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation._accept("alice", PASSWORD)
        user = invitation.user_id
        self.assertTrue(user.active)
        self.contact.with_user(self.salesperson).action_b2b_revoke()
        self.assertRecordValues(invitation, [{"state": "revoked", "revoked_by_id": self.salesperson.id}])
        self.assertFalse(user.active)
        self.assertEqual(self.contact.b2b_invite_state, "revoked")
        # Invite again later: the old login is reactivated, never duplicated
        self.contact.action_b2b_invite()
        again = self.contact.b2b_invitation_ids - invitation
        self.assertEqual(again.state, "sent")
        again._accept("alice.new", "An0ther-Passw0rd")
        self.assertTrue(user.active)
        self.assertEqual(user.login, "alice.new")
        self.assertEqual(self.env["res.users"].with_context(active_test=False).search_count(
            [("partner_id", "=", self.contact.id)]), 1)

    def test_revoke_open_invitation_kills_link(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        token = new_token_of(invitation)
        self.contact.action_b2b_revoke()
        self.assertFalse(invitation._find_by_token(token))

    def test_archiving_contact_or_company_revokes(self):
        self.contact.action_b2b_invite()
        self.contact.b2b_invitation_ids._accept("alice", PASSWORD)
        self.contact2.action_b2b_invite()
        alice_user = self.contact.b2b_invitation_ids.user_id
        # Odoo alone refuses to archive a contact with an active user
        self.contact.action_archive()
        self.assertFalse(alice_user.active)
        self.assertEqual(self.contact.b2b_invitation_ids.state, "revoked")
        self.assertEqual(self.contact2.b2b_invitation_ids.state, "sent")
        self.customer.action_archive()
        self.assertEqual(self.contact2.b2b_invitation_ids.state, "revoked")

    def test_archived_user_revokes_its_invitation(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        invitation._accept("alice", PASSWORD)
        invitation.user_id.action_archive()
        self.assertEqual(invitation.state, "revoked")

    # -- accept ---------------------------------------------------------------

    def test_accept_creates_portal_login(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        login = invitation._accept("  Alice.Buyer ", PASSWORD, PASSWORD)
        self.assertEqual(login, "alice.buyer")
        user = invitation.user_id
        self.assertRecordValues(user, [{"login": "alice.buyer", "partner_id": self.contact.id, "share": True}])
        self.assertTrue(user._is_portal())
        self.assertEqual(invitation.state, "accepted")
        self.assertEqual(self.contact.b2b_invite_state, "accepted")
        user.with_user(user)._check_credentials({"type": "password", "password": PASSWORD}, {"interactive": False})
        # Single use
        with self.assertRaisesRegex(UserError, "already accepted"):
            invitation._accept("alice2", PASSWORD)

    def test_every_contact_gets_its_own_login(self):
        (self.contact | self.contact2).action_b2b_invite()
        for contact, login in [(self.contact, "alice"), (self.contact2, "bob")]:
            contact.b2b_invitation_ids._accept(login, PASSWORD)
        users = self.env["res.users"].search([("partner_id.commercial_partner_id", "=", self.customer.id)])
        self.assertEqual(sorted(users.mapped("login")), ["alice", "bob"])

    def test_accept_refuses_bad_input_and_keeps_invitation_open(self):
        self.contact.action_b2b_invite()
        self.contact2.action_b2b_invite()
        self.contact2.b2b_invitation_ids._accept("taken", PASSWORD)
        invitation = self.contact.b2b_invitation_ids
        for login, password, confirm, message in [
            ("TAKEN", PASSWORD, PASSWORD, "The login taken is already taken"),
            ("", PASSWORD, PASSWORD, "Choose a login"),
            ("a b c", PASSWORD, PASSWORD, "no spaces"),
            ("x" * 65, PASSWORD, PASSWORD, "3 to 64 characters"),
            ("ab\x00cd", PASSWORD, PASSWORD, "3 to 64 characters"),
            ("\u200balice", PASSWORD, PASSWORD, "3 to 64 characters"),
            (self.contact2.email, PASSWORD, PASSWORD, "must be the contact's own, alice@acme.example.com"),
            ("alice", "", "", "Choose a password"),
            ("alice", " " * 10, " " * 10, "Choose a password"),
            ("alice", "\u200b" * 10, "\u200b" * 10, "Choose a password"),
            ("alice", "Aa1-" * 1025, "Aa1-" * 1025, "at most 4096 characters"),
            ("alice", PASSWORD, "Str0ng-Passw0rd!", "passwords do not match"),
            ("alice", "short", "short", "at least 8 characters"),
        ]:
            with self.subTest(login=login, password=password), self.assertRaisesRegex(UserError, message):
                invitation._accept(login, password, confirm)
        self.assertEqual(invitation.state, "sent")
        self.assertFalse(self.env["res.users"].search([("partner_id", "=", self.contact.id)]))

    def test_accept_refuses_expired_link(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        with freeze_time(fields.Datetime.now() + timedelta(days=8)), \
                self.assertRaisesRegex(UserError, "expired"):
            invitation._accept("alice", PASSWORD)

    # -- create login with a password ------------------------------------------

    def test_create_login_with_password(self):
        wizard = self.env["b2b.create.login.wizard"].with_user(self.manager).create({
            "partner_id": self.contact.id, "password": PASSWORD,
        })
        self.assertEqual(wizard.login, "alice@acme.example.com")
        wizard.action_create_login()
        invitation = self.contact.b2b_invitation_ids
        self.assertEqual(invitation.state, "accepted")
        self.assertEqual(invitation.user_id.login, "alice@acme.example.com")
        self.assertFalse(self.invitation_mails(invitation), "no email unless asked")

    def test_create_login_with_password_and_email(self):
        self.contact.action_b2b_invite()  # an open invitation is used, not duplicated
        self.env["b2b.create.login.wizard"].with_user(self.manager).create({
            "partner_id": self.contact.id, "login": "alice", "password": PASSWORD, "send_email": True,
        }).action_create_login()
        invitation = self.contact.b2b_invitation_ids
        self.assertEqual(len(invitation), 1)
        ready = self.invitation_mails(invitation).filtered(lambda m: "is ready" in m.subject)
        self.assertEqual(len(ready), 1)
        self.assertIn("alice", ready.body_html)
        self.assertNotIn(PASSWORD, ready.body_html)

    def test_create_login_says_at_once_why_a_contact_cannot_have_one(self):
        no_email = self._new_contact("Nora Nomail", False)
        with self.assertRaisesRegex(UserError, "Nora Nomail has no valid email address"):
            no_email.action_b2b_create_login()
        self.assertEqual(self.contact.action_b2b_create_login()["res_model"], "b2b.create.login.wizard")

    def test_create_login_refuses_not_ordering_contact(self):
        self.contact.b2b_ordering = False
        wizard = self.env["b2b.create.login.wizard"].with_user(self.manager).create({
            "partner_id": self.contact.id, "password": PASSWORD,
        })
        with self.assertRaisesRegex(UserError, "Alice Buyer is not allowed to order"):
            wizard.action_create_login()

    def test_salesperson_cannot_create_login_with_password(self):
        with self.assertRaises(AccessError):
            self.env["b2b.create.login.wizard"].with_user(self.salesperson).create({
                "partner_id": self.contact.id, "password": PASSWORD,
            })


@tagged("post_install", "-at_install")
class TestInvitationConcurrency(TransactionCase):
    """Two accepts of one link at the same time, in two real (committed) transactions."""

    def test_two_accepts_create_one_user(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            contact = env["res.partner"].create({
                "name": "Connie Current", "email": "connie@race.example.com", "b2b_ordering": True,
            })
            invitation, _refused, _failed = env["b2b.invitation"]._invite_many(contact, send=False)
        self.addCleanup(self._cleanup, contact.id)

        barrier = threading.Barrier(2)
        outcomes = []

        def accept(env, login):
            """One request: what Odoo's retrying() does, without the registry lock the runner holds."""
            barrier.wait(timeout=30)
            for _attempt in range(5):
                try:
                    env["b2b.invitation"].browse(invitation.id)._accept(login, PASSWORD)
                    env.cr.commit()
                    outcomes.append("accepted")
                    return
                except SerializationFailure:  # the other request holds or changed the row: try again
                    env.cr.rollback()
                    env.invalidate_all(flush=False)
                except UserError as error:
                    env.cr.rollback()
                    outcomes.append(str(error))
                    return

        # Environments are made here: the test runner holds the registry lock that making one takes.
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            envs = [api.Environment(cr, SUPERUSER_ID, {}) for cr in (cr1, cr2)]
            threads = [threading.Thread(target=accept, args=(env, login))
                       for env, login in zip(envs, ("connie.one", "connie.two"), strict=True)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(len(outcomes), 2, outcomes)
        self.assertEqual(outcomes.count("accepted"), 1, outcomes)
        self.assertIn("This invitation was already accepted", " ".join(outcomes))
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM res_users WHERE partner_id = %s", [contact.id])
            self.assertEqual(cr.fetchone()[0], 1)

    def _cleanup(self, partner_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].browse(partner_id)  # its invitations go with it (ondelete cascade)
            env["res.users"].with_context(active_test=False).search([("partner_id", "=", partner_id)]).unlink()
            partner.unlink()

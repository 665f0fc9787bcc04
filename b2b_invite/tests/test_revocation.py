from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import tagged

from .common import PASSWORD, B2bCommon


@tagged("post_install", "-at_install")
class TestRevocation(B2bCommon):
    """Every door that ends a contact's B2B access goes through b2b.invitation._revoke_access: the
    invitation closes, the login is archived once, and one chatter line says who did it."""

    def setUp(self):
        super().setUp()
        self.contact.action_b2b_invite()
        self.invitation = self.contact.b2b_invitation_ids
        self.invitation._accept("alice", PASSWORD)
        self.login = self.invitation.user_id

    @contextmanager
    def archivings(self):
        """The ids of the logins archived by res.users.write while the block runs, once per write."""
        Users = type(self.env["res.users"])
        write = Users.write
        archived = []

        def counting_write(users, vals):
            if vals.get("active") is False:
                archived.extend(users.ids)
            return write(users, vals)

        with patch.object(Users, "write", counting_write):
            yield archived

    def revoke_notes(self, record):
        return record.message_ids.filtered(lambda message: "B2B access revoked by" in (message.body or ""))

    def assert_revoked_once(self, archived, by):
        self.assertEqual(archived, self.login.ids, "the login is archived, once")
        self.assertFalse(self.login.active)
        self.assertRecordValues(self.invitation, [{"state": "revoked", "revoked_by_id": by.id}])
        notes = self.revoke_notes(self.invitation)
        self.assertEqual(len(notes), 1, "one chatter line")
        self.assertIn(f"B2B access revoked by {by.name}", notes.body)
        self.assertIn("the login alice is archived", notes.body)
        self.assertFalse(self.invitation.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state" and value.new_value_char == "Revoked"),
            "no tracking message beside the line")

    def test_invitation_revoke(self):
        with self.archivings() as archived:
            self.invitation.with_user(self.salesperson).action_revoke()
        self.assert_revoked_once(archived, self.salesperson)

    def test_contact_revoke(self):
        with self.archivings() as archived:
            self.contact.with_user(self.salesperson).action_b2b_revoke()
        self.assert_revoked_once(archived, self.salesperson)

    def test_archiving_the_contact_or_its_company(self):
        with self.archivings() as archived:
            self.contact.with_user(self.manager).action_archive()
        self.assert_revoked_once(archived, self.manager)
        self.contact.action_unarchive()
        self.contact.action_b2b_invite()
        again = self.contact.b2b_invitation_ids - self.invitation
        again._accept("alice2", PASSWORD)
        self.assertEqual(again.user_id, self.login, "the archived login is given back")
        with self.archivings() as archived:
            self.customer.action_archive()
        self.assertEqual(archived, self.login.ids)
        self.assertEqual(again.state, "revoked")
        self.assertEqual(len(self.revoke_notes(again)), 1)

    def test_archiving_the_login(self):
        with self.archivings() as archived:
            self.login.with_user(self.manager).sudo().action_archive()
        self.assert_revoked_once(archived, self.manager)

    def test_campaign_revoke_line(self):
        campaign = self.env["b2b.invite.campaign"].with_user(self.salesperson)._start(
            "revoke", invitations=self.invitation.with_user(self.salesperson))
        with self.archivings() as archived:
            self.env.ref("b2b_invite.ir_cron_b2b_campaign").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(campaign.state, "done")
        self.assert_revoked_once(archived, self.salesperson)  # the campaign runs as its starter

    def test_login_without_invitation(self):
        """A contact given a login another way (Odoo's portal wizard): Revoke archives it, told on the contact."""
        bob = self.env["res.users"].with_context(no_reset_password=True)._create_user_from_template({
            "login": "bob", "partner_id": self.contact2.id, "password": PASSWORD,
        })
        with self.archivings() as archived:
            self.contact2.with_user(self.salesperson).action_b2b_revoke()
        self.assertEqual(archived, bob.ids)
        self.assertEqual(len(self.revoke_notes(self.contact2)), 1)
        self.assertIn("the login bob is archived", self.revoke_notes(self.contact2).body)

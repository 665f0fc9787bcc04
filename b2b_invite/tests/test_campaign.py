from unittest.mock import patch

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PASSWORD, B2bCommon


class Crash(OperationalError):
    """A worker dying in the middle of a batch, after its work and before its commit: its connection
    to the database is lost, and with it the batch's transaction."""


@tagged("post_install", "-at_install")
class TestCampaign(B2bCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("b2b_invite.campaign_threshold", 5)
        cls.env["ir.config_parameter"].set_param("b2b_invite.campaign_batch_size", 4)
        cls.lane = cls.env.ref("b2b_invite.ir_cron_b2b_campaign")
        cls.many = cls.env["res.partner"].create([
            {"name": f"Chef {i:02d}", "email": f"chef{i:02d}@acme.example.com", "parent_id": cls.customer.id,
             "b2b_ordering": True}
            for i in range(8)
        ])
        cls.salesperson.notification_type = "inbox"

    def run_cron(self, times=20):
        """Run the lane as Odoo's cron would, batch after batch, until there is nothing left to claim."""
        Campaign = self.env["b2b.invite.campaign"]
        for _run in range(times):
            before = Campaign.search([("state", "=", "running")])._pending_count()
            self.lane.method_direct_trigger()
            self.env.invalidate_all()
            if not before:
                return
        self.fail("the campaigns never ended")

    def notice_of(self, campaign):
        """The message that told the person who started the campaign that it ended."""
        return campaign.message_ids.filtered(lambda message: self.salesperson.partner_id in message.partner_ids)

    def start_invite_campaign(self, partners, user=None):
        wizard = self.env["b2b.invite.wizard"].with_user(user or self.salesperson)._open(partners)
        wizard = self.env["b2b.invite.wizard"].with_user(user or self.salesperson).browse(wizard["res_id"])
        self.assertTrue(wizard.runs_as_campaign, "the wizard says it will run in the background")
        action = wizard.action_confirm()
        campaign = wizard.campaign_id
        self.assertEqual(action, campaign._open(), "the wizard opens the campaign and returns at once")
        return campaign

    def test_campaign_over_threshold_completes_through_the_cron(self):
        nomail = self._new_contact("Nina Nomail", False)
        observer = self._new_contact("Oscar Observer", "oscar@acme.example.com", ordering=False)
        twin = self._new_contact("Tina Twin", "CHEF00@acme.example.com")  # Chef 00's address
        contacts = self.many | nomail | observer | twin
        campaign = self.start_invite_campaign(contacts)
        self.assertRecordValues(campaign, [{
            "state": "running", "kind": "invite", "user_id": self.salesperson.id, "contact_count": 11,
            "remaining_count": 11, "done_count": 0,
        }])
        self.assertFalse(contacts.b2b_invitation_ids, "nothing is done in the request that starts it")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.lane.id)]), "the lanes are woken")

        self.lane.method_direct_trigger()  # one batch of 4
        self.assertRecordValues(campaign, [{"state": "running", "remaining_count": 7}])
        self.run_cron()

        self.assertRecordValues(campaign, [{
            "state": "done", "done_count": 8, "skipped_count": 3, "failed_count": 0, "remaining_count": 0,
            "progress": 100.0,
        }])
        reasons = {line.partner_id: (line.state, line.reason) for line in campaign.line_ids}
        self.assertEqual(reasons[nomail], ("skipped", "Acme Cafés, Nina Nomail has no valid email address."))
        self.assertEqual(reasons[observer][0], "skipped")
        self.assertIn("is not allowed to order", reasons[observer][1])
        self.assertEqual(reasons[twin][0], "skipped")
        self.assertIn("chef00@acme.example.com", reasons[twin][1])
        invitations = campaign.invitation_ids
        self.assertEqual(invitations.partner_id, self.many)
        self.assertEqual(set(invitations.mapped("state")), {"sent"})
        self.assertEqual(invitations.inviter_id, self.salesperson, "the campaign works as the person who started it")
        self.assertEqual(len(self.invitation_mails(invitations)), 8, "one queued email per invitation")
        self.assertTrue(self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("mail.ir_cron_mail_scheduler_action").id)]), "the mail queue is woken")

        # The starter is told: a notification in Odoo and an email
        notice = self.notice_of(campaign)
        self.assertIn("The campaign is complete: 8 done, 3 skipped, 0 failed.", notice.body)
        self.assertEqual(notice.notification_ids.mapped("notification_type"), ["inbox"])
        email = self.env["mail.mail"].search([("model", "=", campaign._name), ("res_id", "=", campaign.id)])
        self.assertEqual(email.email_to, '"Sally Sales" <sally@seller.example.com>')
        self.assertIn("Invite: 11 contacts: ended", email.subject)

    def test_below_threshold_the_wizard_invites_at_once(self):
        wizard = self.env["b2b.invite.wizard"].with_user(self.salesperson).create(
            {"partner_ids": [(6, 0, self.many[:5].ids)]})
        self.assertFalse(wizard.runs_as_campaign)
        wizard.action_confirm()
        self.assertFalse(wizard.campaign_id)
        self.assertRecordValues(wizard, [{"state": "done", "done_count": 5}])

    def test_interrupted_batch_resumes_without_double_sends(self):
        campaign = self.start_invite_campaign(self.many)
        self.lane.method_direct_trigger()  # the first batch commits
        self.assertEqual(campaign.done_count, 4)

        Line = type(self.env["b2b.invite.campaign.line"])
        record = Line._record

        def crash_after_the_work(lines, outcomes):
            record(lines, outcomes)  # invitations created, emails queued, outcomes written...
            raise Crash  # ... and the worker dies before its commit

        with self.assertRaises(Crash), self.env.cr.savepoint(), patch.object(Line, "_record", crash_after_the_work):
            self.lane.method_direct_trigger()
        self.env.invalidate_all()
        self.assertRecordValues(campaign, [{"done_count": 4, "remaining_count": 4}])
        self.assertEqual(len(self.many.b2b_invitation_ids), 4, "the second batch left nothing behind")

        self.run_cron()
        self.assertRecordValues(campaign, [{"state": "done", "done_count": 8, "remaining_count": 0}])
        for partner in self.many:
            invitations = partner.b2b_invitation_ids
            self.assertEqual(len(invitations), 1, f"{partner.name}: invited exactly once")
            self.assertEqual(len(self.invitation_mails(invitations)), 1, f"{partner.name}: one email queued")

    def test_two_workers_claim_disjoint_batches(self):
        """Two cursors, as two cron workers on one or two servers, claim batches of one campaign."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].create([{"name": f"Worker test {i}"} for i in range(6)])
            campaign = env["b2b.invite.campaign"].create({"name": "Two workers", "kind": "invite"})
            campaign._add_lines([(partner_id, None) for partner_id in partners.ids])
            ids = (campaign.id, partners.ids)

        def cleanup():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["b2b.invite.campaign"].browse(ids[0]).write({"state": "cancelled"})
                env["b2b.invite.campaign"].browse(ids[0]).unlink()
                env["res.partner"].browse(ids[1]).unlink()
        self.addCleanup(cleanup)

        with self.registry.cursor() as cr1, self.registry.cursor() as cr2, self.registry.cursor() as cr3:
            worker1 = api.Environment(cr1, SUPERUSER_ID, {})["b2b.invite.campaign"]
            worker2 = api.Environment(cr2, SUPERUSER_ID, {})["b2b.invite.campaign"]
            worker3 = api.Environment(cr3, SUPERUSER_ID, {})["b2b.invite.campaign"]
            batch1 = worker1._claim_lines(4)
            batch2 = worker2._claim_lines(4)
            self.assertEqual(len(batch1), 4)
            self.assertEqual(len(batch2), 2, "the second worker skips the lines the first one holds")
            self.assertFalse(set(batch1.ids) & set(batch2.ids))
            self.assertEqual(set(batch1.ids) | set(batch2.ids), set(
                api.Environment(cr2, SUPERUSER_ID, {})["b2b.invite.campaign"].browse(ids[0]).line_ids.ids))
            self.assertFalse(worker3._claim_lines(4), "a third worker finds nothing while both hold theirs")
            cr3.rollback()
            cr1.rollback()  # the first worker dies: its lines are free again, the second one's are not
            self.assertEqual(worker3._claim_lines(10), batch1.with_env(worker3.env))
            cr3.rollback()
            cr2.rollback()

    def test_pause_resume_cancel(self):
        campaign = self.start_invite_campaign(self.many)
        with self.assertRaises(AccessError):
            campaign.with_user(self.salesperson).action_pause()
        with self.assertRaises(AccessError):
            campaign.with_user(self.salesperson).write({"state": "paused"})
        campaign.with_user(self.manager).action_pause()
        self.lane.method_direct_trigger()
        self.assertRecordValues(campaign, [{"state": "paused", "remaining_count": 8}])

        campaign.with_user(self.manager).action_resume()
        self.lane.method_direct_trigger()
        self.assertRecordValues(campaign, [{"state": "running", "done_count": 4, "remaining_count": 4}])

        campaign.with_user(self.manager).action_cancel()
        self.lane.method_direct_trigger()
        self.assertRecordValues(campaign, [{"state": "cancelled", "done_count": 4, "remaining_count": 4}])
        self.assertTrue(campaign.end_date)
        self.assertIn("The campaign was cancelled: 4 done, 0 skipped, 0 failed, 4 not processed.",
                      self.notice_of(campaign).body)
        with self.assertRaisesRegex(UserError, "is not paused"):
            campaign.with_user(self.manager).action_resume()
        with self.assertRaisesRegex(UserError, "has already ended"):
            campaign.with_user(self.manager).action_cancel()

    def test_salespeople_see_their_own_campaigns_managers_all(self):
        other_sales = new_test_user(
            self.env, login="b2b_sales_2", groups="base.group_user,base.group_partner_manager,"
                                                  "sales_team.group_sale_salesman")
        campaign = self.start_invite_campaign(self.many)
        Campaign = self.env["b2b.invite.campaign"]
        self.assertEqual(Campaign.with_user(self.salesperson).search([]), campaign)
        self.assertFalse(Campaign.with_user(other_sales).search([]))
        self.assertFalse(self.env["b2b.invite.campaign.line"].with_user(other_sales).search([]))
        self.assertIn(campaign, Campaign.with_user(self.manager).search([]))
        with self.assertRaises(AccessError):
            Campaign.with_user(self.salesperson).create({"name": "As another", "kind": "invite",
                                                         "user_id": self.manager.id})
        with self.assertRaisesRegex(UserError, "cannot change"):
            campaign.with_user(self.manager).write({"user_id": self.manager.id})
        with self.assertRaisesRegex(UserError, "cancel it before deleting it"):
            campaign.with_user(self.manager).unlink()

    def test_resend_and_revoke_campaigns(self):
        self.many[:6].action_b2b_invite()
        self.many[0].b2b_invitation_ids._accept("chef00", PASSWORD)
        sent_before = {partner: partner.b2b_invitation_ids.send_count for partner in self.many}

        action = self.env.ref("b2b_invite.res_partner_action_b2b_resend").with_user(self.salesperson).with_context(
            active_model="res.partner", active_ids=self.many.ids).run()
        resend = self.env["b2b.invite.campaign"].browse(action["res_id"])
        self.assertEqual(resend.kind, "resend")
        self.run_cron()
        self.assertRecordValues(resend, [{"state": "done", "done_count": 5, "skipped_count": 3}])
        for partner in self.many[1:6]:
            self.assertEqual(partner.b2b_invitation_ids.send_count, sent_before[partner] + 1)
        resent = self.many[1:6].b2b_invitation_ids
        # The unsent email of the old link is dropped (its link no longer works); the chatter keeps both.
        self.assertEqual(self.invitation_mails(resent), resent.sudo().mail_id, "one queued email each: the new link")
        sent_lines = self.env["mail.message"].search_count([
            ("model", "=", "b2b.invitation"), ("res_id", "in", resent.ids), ("body", "ilike", "Invitation sent to")])
        self.assertEqual(sent_lines, 10, "two chatter lines each")

        action = self.env.ref("b2b_invite.res_partner_action_b2b_revoke").with_user(self.salesperson).with_context(
            active_model="res.partner", active_ids=self.many.ids).run()
        revoke = self.env["b2b.invite.campaign"].browse(action["res_id"])
        self.run_cron()
        self.assertRecordValues(revoke, [{"kind": "revoke", "state": "done", "done_count": 6, "skipped_count": 2}])
        self.assertEqual(set(self.many[:6].mapped("b2b_invite_state")), {"revoked"})
        self.assertFalse(self.many[0].b2b_invitation_ids.user_id.active, "the login is archived")

    def test_invitation_list_resend_over_threshold(self):
        self.many.action_b2b_invite()
        invitations = self.many.b2b_invitation_ids
        action = invitations.with_user(self.salesperson).action_send()
        campaign = self.env["b2b.invite.campaign"].browse(action["res_id"])
        self.assertEqual(campaign.line_ids.invitation_id, invitations)
        self.run_cron()
        self.assertRecordValues(campaign, [{"state": "done", "done_count": 8}])
        self.assertEqual(set(invitations.mapped("send_count")), {2})

    def test_export_campaign_generates_links_without_email(self):
        self.many[0].action_b2b_invite()
        existing = self.many[0].b2b_invitation_ids
        wizard = self.env["b2b.invite.wizard"].with_user(self.manager).create(
            {"partner_ids": [(6, 0, self.many.ids)], "mode": "export"})
        wizard.action_confirm()
        campaign = wizard.campaign_id
        self.assertEqual(campaign.kind, "export")
        self.run_cron()
        self.assertRecordValues(campaign, [{"state": "done", "done_count": 8}])
        self.assertIn(existing, campaign.invitation_ids, "a contact already invited keeps its link")
        new = campaign.invitation_ids - existing
        self.assertEqual(set(new.mapped("state")), {"sent"}, "exported links are sent, by link")
        self.assertEqual(set(new.mapped("sent_by")), {"link"})
        self.assertFalse(self.invitation_mails(new))
        self.assertEqual(campaign.action_download_csv()["url"], f"/b2b/invitations/export/campaign/{campaign.id}")

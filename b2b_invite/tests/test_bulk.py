import codecs
import csv
import io

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import hmac
from odoo.tools.safe_eval import safe_eval

from ..tools import tokens
from .common import PASSWORD, B2bCommon, B2bCommonMixin, link_path


class BulkMixin(B2bCommonMixin):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Both customers are the salesperson's: with Own Documents Only it manages their contacts only.
        cls.other = cls.env["res.partner"].create(
            {"name": "Beta Bistro", "is_company": True, "user_id": cls.salesperson.id})
        cls.carl = cls._new_contact("Carl Chef", "carl@beta.example.com", parent=cls.other)
        cls.nora = cls._new_contact("Nora Nomail", False)
        cls.olga = cls._new_contact("Olga Observer", "olga@acme.example.com", ordering=False)

    def run_server_action(self, xmlid, records, user=None):
        action = self.env.ref(xmlid).with_user(user or self.salesperson)
        return action.with_context(active_model="res.partner", active_ids=records.ids, active_id=records[:1].id).run()

    def open_wizard(self, action, user=None):
        return self.env["b2b.invite.wizard"].with_user(user or self.salesperson).browse(action["res_id"])

    def new_wizard(self, partners, user=None):
        """The bulk wizard on `partners`, opened by `user` (a wizard is its creator's own)."""
        user = user or self.salesperson
        return self.open_wizard(self.env["b2b.invite.wizard"].with_user(user)._open(partners), user=user)


@tagged("post_install", "-at_install")
class TestBulkInvite(BulkMixin, B2bCommon):

    def test_server_actions_are_in_the_action_menu(self):
        for xmlid in ("res_partner_action_b2b_invite", "res_partner_action_b2b_resend", "res_partner_action_b2b_revoke",
                      "res_partner_action_b2b_invite_primary", "res_partner_action_b2b_invite_ordering"):
            action = self.env.ref(f"b2b_invite.{xmlid}")
            self.assertEqual(action.binding_model_id.model, "res.partner")
            self.assertEqual(action.binding_view_types, "list,form")

    def test_wizard_sends_and_summarizes(self):
        contacts = self.contact | self.contact2 | self.carl | self.nora | self.olga
        wizard = self.open_wizard(self.run_server_action("b2b_invite.res_partner_action_b2b_invite", contacts))
        self.assertEqual(wizard.partner_count, 5)
        self.assertEqual(wizard.mode, "send")
        wizard.action_confirm()
        self.assertRecordValues(wizard, [{"state": "done", "done_count": 3, "skipped_count": 2, "failed_count": 0}])
        self.assertIn("Acme Cafés, Nora Nomail has no valid email address.", wizard.skipped_note)
        self.assertIn("Acme Cafés, Olga Observer is not allowed to order", wizard.skipped_note)
        invited = self.contact | self.contact2 | self.carl
        self.assertEqual(set(invited.mapped("b2b_invite_state")), {"invited"})
        self.assertEqual(len(self.invitation_mails(invited.b2b_invitation_ids)), 3)
        # A second click on the finished wizard keeps its summary and sends nothing more
        wizard.action_confirm()
        self.assertRecordValues(wizard, [{"state": "done", "done_count": 3, "skipped_count": 2}])
        self.assertEqual(len(self.invitation_mails(invited.b2b_invitation_ids)), 3)

    def test_wizard_without_contacts_says_so(self):
        wizard = self.env["b2b.invite.wizard"].create({})
        with self.assertRaisesRegex(UserError, "There is no contact to invite."):
            wizard.action_confirm()

    def test_one_contact_failing_leaves_it_untouched_and_others_invited(self):
        # A customised template that breaks for contacts without a company
        template = self.env.ref("b2b_invite.mail_template_b2b_invitation")
        template.body_html = '<p>For <t t-out="object.partner_id.parent_id.name.upper()"/></p>'
        orphan = self.env["res.partner"].create({
            "name": "Otto Orphan", "email": "otto@solo.example.com", "b2b_ordering": True,
            "user_id": self.salesperson.id,
        })
        wizard = self.new_wizard(self.contact | orphan | self.contact2)
        wizard.action_confirm()
        self.assertRecordValues(wizard, [{"done_count": 2, "failed_count": 1}])
        self.assertRegex(wizard.failed_note or "", r"^Otto Orphan: Failed to render")
        self.assertFalse(orphan.b2b_invitation_ids, "a failed contact is untouched: no invitation...")
        self.assertFalse(self.env["mail.mail"].search([("email_to", "=", "otto@solo.example.com")]), "...no mail")
        self.assertEqual((self.contact | self.contact2).b2b_invitation_ids.mapped("state"), ["sent", "sent"])
        self.assertIn("ACME CAFÉS", self.invitation_mails(self.contact.b2b_invitation_ids).body_html)

    def test_export_mode_creates_links_without_email(self):
        self.contact2.action_b2b_invite()  # already invited: its current link is exported as it is
        link_before = self.contact2.b2b_invitation_ids.sudo().invitation_url
        wizard = self.new_wizard(self.contact | self.contact2 | self.nora, user=self.manager)
        wizard.mode = "export"
        wizard.action_confirm()
        self.assertRecordValues(wizard, [{"done_count": 2, "skipped_count": 1}])
        new = self.contact.b2b_invitation_ids
        self.assertFalse(self.invitation_mails(new), "no email in export mode")
        self.assertEqual(wizard.invitation_ids, new | self.contact2.b2b_invitation_ids)
        self.assertEqual(self.contact2.b2b_invitation_ids.sudo().invitation_url, link_before)

    def test_exported_link_is_a_sent_invitation(self):
        self.manager.tz = "Europe/Brussels"
        wizard = self.new_wizard(self.contact, user=self.manager)
        wizard.mode = "export"
        wizard.action_confirm()
        invitation = self.contact.b2b_invitation_ids
        self.assertRecordValues(invitation, [{
            "state": "sent", "sent_by": "link", "send_count": 1, "inviter_id": self.manager.id}])
        self.assertTrue(invitation.last_sent_date)
        self.assertEqual(self.contact.b2b_invite_state, "invited", "the badge and the state agree")
        line = invitation.message_ids.filtered(lambda message: "exported" in message.body)
        self.assertEqual(line.author_id, self.manager.partner_id, "who exported it")
        self.assertIn("Invitation link exported by Manny Manager on ", line.body)
        self.assertIn("(Europe/Brussels)", line.body, "when, with the time zone")
        # Exported again: one more sending by link, same link
        link = invitation.sudo().invitation_url
        wizard = self.new_wizard(self.contact, user=self.manager)
        wizard.mode = "export"
        wizard.action_confirm()
        self.assertEqual((invitation.send_count, invitation.sudo().invitation_url), (2, link))

    def test_export_summary_says_links_generated(self):
        view = self.env.ref("b2b_invite.b2b_invite_wizard_view_form")
        self.assertIn('string="Links generated"', view.arch_db)

    def test_salesperson_cannot_export_links(self):
        wizard = self.new_wizard(self.contact)
        wizard.mode = "export"
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertFalse(self.contact.b2b_invitation_ids)

    def test_invite_primary_and_ordering_contacts_of_companies(self):
        lonely = self.env["res.partner"].create({"name": "Lonely Ltd", "is_company": True})
        wizard = self.open_wizard(self.run_server_action(
            "b2b_invite.res_partner_action_b2b_invite_primary", self.customer | self.other | lonely))
        self.assertEqual(wizard.partner_ids, self.contact | self.carl, "the oldest ordering contact of each")
        self.assertIn("Lonely Ltd has no contact to invite", wizard.skipped_note)
        wizard = self.open_wizard(self.run_server_action(
            "b2b_invite.res_partner_action_b2b_invite_ordering", self.customer | lonely))
        self.assertEqual(wizard.partner_ids, self.contact | self.contact2 | self.nora)
        self.assertIn("Lonely Ltd has no contact allowed to order", wizard.skipped_note)

    def test_bulk_resend_and_revoke(self):
        (self.contact | self.contact2).action_b2b_invite()
        contacts = self.contact | self.contact2 | self.carl
        result = self.run_server_action("b2b_invite.res_partner_action_b2b_resend", contacts)
        self.assertEqual((self.contact | self.contact2).b2b_invitation_ids.mapped("send_count"), [2, 2])
        self.assertIn("Beta Bistro, Carl Chef has no open or expired invitation", result["params"]["message"])
        self.contact.b2b_invitation_ids._accept("alice", PASSWORD)
        user = self.contact.b2b_invitation_ids.user_id
        result = self.run_server_action("b2b_invite.res_partner_action_b2b_revoke", contacts)
        self.assertEqual((self.contact | self.contact2).mapped("b2b_invite_state"), ["revoked", "revoked"])
        self.assertFalse(user.active)
        self.assertIn("2 contact(s)", result["params"]["message"])

    def test_invitation_list_filters(self):
        (self.contact | self.contact2).action_b2b_invite()
        self.contact.b2b_invitation_ids._accept("alice", PASSWORD)
        self.carl.action_b2b_invite()
        self.carl.action_b2b_revoke()
        expired = self._new_contact("Erin Expired", "erin@acme.example.com")
        expired.action_b2b_invite()
        expired.b2b_invitation_ids.state = "expired"
        action = self.env.ref("b2b_invite.res_partner_action_b2b_access")
        arch = etree.fromstring(self.env.ref("b2b_invite.res_partner_view_search_b2b_access").arch)
        filters = {node.get("name"): safe_eval(node.get("domain"))
                   for node in arch.iter("filter") if node.get("domain")}
        base = [*safe_eval(action.domain), ("commercial_partner_id", "in", (self.customer | self.other).ids)]
        Partner = self.env["res.partner"].with_user(self.salesperson)
        for name, expected in [
            ("not_invited", self.nora), ("invited", self.contact2), ("accepted", self.contact),
            ("expired", expired), ("revoked", self.carl),
        ]:
            self.assertEqual(Partner.search(base + filters[name]), expected, name)
        self.assertNotIn(self.olga, Partner.search(base), "contacts not allowed to order and never invited stay out")
        groups = dict(Partner._read_group(base, ["b2b_invite_state"], ["__count"]))
        self.assertEqual(groups, {"not_invited": 1, "invited": 1, "accepted": 1, "expired": 1, "revoked": 1})
        self.assertEqual(self.contact2.b2b_inviter_id, self.env.user)

    def test_link_secrets_are_odoos_hmac(self):
        """The bulk path reads the database secret once per cursor; its secrets stay Odoo's hmac."""
        self.assertEqual(tokens.derive(self.env, "b2b_invite.test", "salt", 7),
                         hmac(self.env(su=True), "b2b_invite.test", "salt:7"))
        self.assertEqual(tokens.digest(self.env, "b2b_invite.test", "secret"),
                         hmac(self.env(su=True), "b2b_invite.test.digest", "secret"))

    def test_query_count_does_not_grow_per_contact(self):
        """The bulk path makes the same number of queries for 10 and for 100 contacts."""
        warm_up, warm_up_again, ten, hundred = (
            self.env["res.partner"].create([
                {"name": f"Bulk {size}-{i}", "email": f"bulk{size}.{i}@bulk.example.com",
                 "parent_id": self.customer.id, "b2b_ordering": True}
                for i in range(size)
            ]).with_user(self.salesperson)
            for size in (5, 6, 10, 100)
        )
        Invitation = self.env["b2b.invitation"].with_user(self.salesperson)
        for partners in (warm_up, warm_up_again):  # fill the caches (template, access rules, registry)
            self.env.invalidate_all()
            Invitation._invite_many(partners)
        counts = []
        for partners in (ten, hundred):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            invitations, skipped, failed = Invitation._invite_many(partners)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual((len(invitations), skipped, failed), (len(partners), {}, {}))
            self.assertEqual(len(self.invitation_mails(invitations)), len(partners))
        self.assertEqual(counts[0], counts[1], f"queries for 10 and for 100 contacts: {counts}")


@tagged("post_install", "-at_install")
class TestBulkExportCsv(BulkMixin, HttpCase):

    def test_csv_has_one_working_link_per_contact(self):
        wizard = self.new_wizard(self.contact | self.contact2 | self.carl, user=self.manager)
        wizard.mode = "export"
        wizard.action_confirm()
        self.assertEqual(wizard.action_download_csv()["url"], f"/b2b/invitations/export/{wizard.id}")
        self.authenticate("b2b_sales", "b2b_sales")
        self.assertEqual(self.url_open(f"/b2b/invitations/export/{wizard.id}").status_code, 403,
                         "a wizard is its creator's own")
        self.authenticate("b2b_manager", "b2b_manager")
        response = self.url_open(f"/b2b/invitations/export/{wizard.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("b2b_invitation_links.csv", response.headers["Content-Disposition"])
        self.assertTrue(response.content.startswith(codecs.BOM_UTF8), "UTF-8 with a BOM: Excel reads it as UTF-8")
        self.assertIn("charset=utf-8", response.headers["Content-Type"])
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:4], ["Company", "Contact", "Email", "Invitation link"])
        self.assertEqual([row[1] for row in rows[1:]], ["Alice Buyer", "Bob Buyer", "Carl Chef"])
        self.assertEqual(len({row[3] for row in rows[1:]}), 3, "one unique link per contact")
        self.logout()
        for row in rows[1:]:
            self.assertRegex(row[4], r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
            page = self.url_open(link_path(row[3]))
            self.assertIn(f"Welcome, {row[1]}", page.text, "every link in the CSV works")

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PASSWORD, B2bCommon, new_token_of


@tagged("post_install", "-at_install")
class TestSalesRepScope(B2bCommon):
    """Which customers a rep serves: Odoo's Sales rights for internal users, the access type for
    outside reps, the customer's Salesperson and Sales reps for the allocation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.all_docs = new_test_user(
            cls.env, login="b2b_all_docs", name="Alba All", email="alba@seller.example.com",
            groups="base.group_user,base.group_partner_manager,sales_team.group_sale_salesman_all_leads",
        )
        cls.rep = new_test_user(
            cls.env, login="rita", name="Rita Rep", email="rita@agents.example.com",
            groups="base.group_portal,b2b_invite.group_b2b_sales_rep", b2b_rep_access="allocated",
        )
        cls.rep_all = new_test_user(
            cls.env, login="adam", name="Adam All", email="adam@agents.example.com",
            groups="base.group_portal,b2b_invite.group_b2b_sales_rep", b2b_rep_access="all",
        )
        cls.globex = cls.env["res.partner"].create({"name": "Globex Bistro", "is_company": True})
        cls.carla = cls._new_contact("Carla Other", "carla@globex.example.com", parent=cls.globex)
        cls.customer.b2b_rep_ids = cls.rep

    def served(self, user):
        return self.env["res.partner"]._b2b_served_customers(user)

    def test_serving_scope_follows_sales_rights_and_access_type(self):
        portal = new_test_user(self.env, login="b2b_portal", groups="base.group_portal")
        self.assertEqual(self.salesperson._b2b_serving_scope(), "allocated", "Own Documents Only")
        self.assertEqual(self.all_docs._b2b_serving_scope(), "all", "All Documents")
        self.assertEqual(self.env.ref("base.user_admin")._b2b_serving_scope(), "all", "Sales Administrator")
        self.assertEqual(self.rep._b2b_serving_scope(), "allocated")
        self.assertEqual(self.rep_all._b2b_serving_scope(), "all")
        self.assertFalse(portal._b2b_serving_scope(), "a customer's login serves nobody")
        self.assertFalse(self.env.ref("base.public_user")._b2b_serving_scope())
        self.rep.active = False
        self.assertFalse(self.rep._b2b_serving_scope(), "a revoked rep serves nobody")

    def test_allocated_rep_serves_its_allocated_customers_only(self):
        self.assertIn(self.customer, self.served(self.rep), "listed in the customer's Sales reps")
        self.assertNotIn(self.globex, self.served(self.rep))
        self.assertIn(self.customer, self.served(self.salesperson), "the customer's Salesperson")
        self.assertNotIn(self.globex, self.served(self.salesperson))
        self.globex.user_id = self.salesperson
        self.assertIn(self.globex, self.served(self.salesperson))
        self.customer.b2b_rep_ids = False
        self.assertNotIn(self.customer, self.served(self.rep), "allocation removed")

    def test_rep_with_access_to_all_serves_active_activated_customers(self):
        self.assertLessEqual(self.customer | self.globex, self.served(self.rep_all))
        self.assertNotIn(self.rep_all.partner_id, self.served(self.rep_all), "a rep is no customer")
        self.assertNotIn(self.contact, self.served(self.rep_all), "customers are companies, not their contacts")
        self.globex.b2b_awaiting_activation = True
        self.assertNotIn(self.globex, self.served(self.rep_all), "awaiting activation")
        self.globex.b2b_awaiting_activation = False
        self.globex.active = False
        self.assertNotIn(self.globex, self.served(self.rep_all), "archived")
        self.customer.child_ids.b2b_ordering = False
        self.assertNotIn(self.customer, self.served(self.rep_all), "no contact allowed to order")

    def test_order_for_refusals_say_why(self):
        self.assertFalse(self.rep._b2b_order_for_refusal(self.contact))
        self.assertEqual(self.rep._b2b_order_for_refusal(self.carla),
                         "You cannot order for this customer: it is not one of your customers.")
        self.assertFalse(self.rep_all._b2b_order_for_refusal(self.carla))
        self.globex.b2b_awaiting_activation = True
        self.assertEqual(self.rep_all._b2b_order_for_refusal(self.carla),
                         "The account of Globex Bistro is not activated yet.")
        self.customer.active = False
        self.assertIn("The account of Acme Cafés is closed", self.rep._b2b_order_for_refusal(self.contact))
        self.customer.active = True
        self.contact2.b2b_ordering = False
        self.assertEqual(self.rep._b2b_order_for_refusal(self.contact2),
                         "Bob Buyer is not allowed to place orders for Acme Cafés.")
        self.assertIn("not one of your customers", self.manager._b2b_order_for_refusal(self.contact),
                      "a B2B Manager without All Documents serves its allocated customers only")
        self.rep.active = False
        self.assertEqual(self.rep._b2b_order_for_refusal(self.contact),
                         "Your account cannot order on behalf of customers.")

    def test_rep_access_and_allocation_are_protected_on_the_server(self):
        with self.assertRaises(AccessError):
            self.rep.with_user(self.rep).sudo(False).write({"b2b_rep_access": "all"})
        with self.assertRaises(AccessError):
            self.rep.with_user(self.salesperson).write({"b2b_rep_access": "all"})
        self.assertEqual(self.rep.b2b_rep_access, "allocated")
        with self.assertRaisesRegex(AccessError, "allocate customers to sales reps"):
            self.globex.with_user(self.salesperson).write({"b2b_rep_ids": [(4, self.rep.id)]})
        self.globex.with_user(self.all_docs).write({"b2b_rep_ids": [(4, self.rep.id)]})
        self.assertIn(self.globex, self.served(self.rep))
        with self.assertRaisesRegex(AccessError, "set by the shop"):
            self.env["sale.order"].with_user(self.salesperson).create(
                {"partner_id": self.contact.id, "b2b_ordered_by_id": self.salesperson.id})


@tagged("post_install", "-at_install")
class TestSalesRepInvitation(B2bCommon):
    """Contacts > Invitations > Invite a sales rep: the invitation machinery, with the rep's wording."""

    def invite_rep(self, email="rita@agents.example.com", name="Rita Rep", access="allocated", user=None):
        wizard = self.env["b2b.rep.invite.wizard"].with_user(user or self.manager).create(
            {"email": email, "name": name, "rep_access": access})
        action = wizard.action_invite()
        return self.env["b2b.invitation"].browse(action["res_id"])

    def test_manager_invites_a_rep_who_accepts_and_serves_its_customers(self):
        invitation = self.invite_rep(email=" Rita@Agents.example.com ")
        self.assertRecordValues(invitation, [{
            "kind": "sales_rep", "rep_access": "allocated", "state": "sent", "email": "rita@agents.example.com",
            "inviter_id": self.manager.id,
        }])
        partner = invitation.partner_id
        self.assertEqual(partner.name, "Rita Rep")
        self.assertFalse(partner.parent_id or partner.b2b_ordering, "a rep is no customer's contact")
        mail = self.invitation_mails(invitation)
        self.assertEqual(len(mail), 1)
        self.assertIn("invites you to order for your customers online", mail.subject)
        self.assertIn("on behalf of", mail.body_html)
        self.assertIn("the customers allocated to you", mail.body_html)
        self.assertEqual(self.emailed_link(invitation), f"/b2b/invite/{new_token_of(invitation)}")
        self.assertIn(partner, self.env["b2b.invitation"].search([("kind", "=", "sales_rep")]).partner_id,
                      "the Sales reps filter of the invitations")
        self.assertIn(partner, self.env["res.partner"].search([("b2b_invitation_id.kind", "=", "sales_rep")]),
                      "the Sales reps filter of the Invitations list")

        login = invitation.sudo()._accept("rita.rep", PASSWORD, PASSWORD)
        user = invitation.user_id
        self.assertEqual((login, invitation.state), ("rita.rep", "accepted"))
        self.assertTrue(user.share, "a portal login, no backend")
        self.assertTrue(user.has_group("b2b_invite.group_b2b_sales_rep"))
        self.assertEqual(user.b2b_rep_access, "allocated")
        self.customer.b2b_rep_ids = user
        self.assertEqual(self.env["res.partner"]._b2b_served_customers(user), self.customer)

    def test_manager_edits_the_access_type_others_cannot(self):
        invitation = self.invite_rep()
        invitation.sudo()._accept("rita.rep", PASSWORD, PASSWORD)
        with self.assertRaises(AccessError):
            invitation.with_user(self.salesperson).write({"rep_access": "all"})
        invitation.with_user(self.manager).write({"rep_access": "all"})
        self.assertEqual(invitation.user_id.b2b_rep_access, "all", "passed on to the rep's login")
        self.assertEqual(invitation.user_id._b2b_serving_scope(), "all")
        with self.assertRaises(AccessError):
            self.contact.b2b_invitation_ids.with_user(self.salesperson).write({"kind": "sales_rep"})

    def test_only_b2b_managers_invite_resend_and_revoke_reps(self):
        all_docs = new_test_user(
            self.env, login="b2b_all_docs", groups="base.group_user,sales_team.group_sale_salesman_all_leads")
        for user in (self.salesperson, all_docs):
            with self.assertRaises(AccessError):
                self.invite_rep(user=user)
            with self.assertRaises(AccessError):
                self.env["b2b.invitation"].with_user(user).action_invite_sales_rep()
        invitation = self.invite_rep()
        with self.assertRaisesRegex(AccessError, "only B2B Managers"):
            invitation.with_user(all_docs).action_send()
        with self.assertRaisesRegex(AccessError, "only B2B Managers"):
            invitation.with_user(all_docs).action_revoke()
        with self.assertRaisesRegex(UserError, "only B2B Managers"):
            invitation.partner_id.with_user(all_docs).action_b2b_revoke()
        self.assertEqual(invitation.state, "sent")

    def test_bad_input_is_refused_with_a_message(self):
        with self.assertRaisesRegex(UserError, "not a valid email"):
            self.invite_rep(email="rita at agents")
        with self.assertRaisesRegex(UserError, "name"):
            self.invite_rep(name="   ")
        with self.assertRaisesRegex(UserError, "already used by the login of Manny Manager|internal user"):
            self.invite_rep(email="manny@seller.example.com")
        self.contact.action_b2b_invite()
        with self.assertRaisesRegex(UserError, "already invited as"):
            self.invite_rep(email="alice@acme.example.com")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Rita Rep")]), "nothing stored")

    def test_revoking_a_rep_archives_its_login_and_inviting_again_reuses_it(self):
        invitation = self.invite_rep()
        invitation.sudo()._accept("rita.rep", PASSWORD, PASSWORD)
        user = invitation.user_id
        invitation.partner_id.with_user(self.manager).action_b2b_revoke()
        self.assertEqual(invitation.state, "revoked")
        self.assertFalse(user.active)
        self.assertFalse(user._b2b_serving_scope())

        again = self.invite_rep(access="all")
        self.assertNotEqual(again, invitation)
        self.assertEqual(again.partner_id, invitation.partner_id, "the rep's contact is not duplicated")
        again.sudo()._accept("rita.rep", PASSWORD, PASSWORD)
        self.assertEqual(again.user_id, user, "its archived login comes back")
        self.assertTrue(user.active)
        self.assertEqual(user.b2b_rep_access, "all")


@tagged("post_install", "-at_install")
class TestBackendScope(B2bCommon):
    """A salesperson with Own Documents Only manages the contacts of its allocated customers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.globex = cls.env["res.partner"].create({"name": "Globex Bistro", "is_company": True})
        cls.carla = cls._new_contact("Carla Other", "carla@globex.example.com", parent=cls.globex)
        cls.all_docs = new_test_user(
            cls.env, login="b2b_all_docs", name="Alba All", email="alba@seller.example.com",
            groups="base.group_user,base.group_partner_manager,sales_team.group_sale_salesman_all_leads",
        )

    def test_own_documents_salesperson_is_refused_a_contact_of_another_customer(self):
        with self.assertRaisesRegex(UserError, "Carla Other: Globex Bistro is not one of your customers."):
            self.carla.with_user(self.salesperson).action_b2b_invite()
        self.assertFalse(self.carla.b2b_invitation_ids)
        self.contact.with_user(self.salesperson).action_b2b_invite()
        self.assertEqual(self.contact.b2b_invite_state, "invited")

    def test_allocation_by_sales_reps_counts_too(self):
        self.globex.b2b_rep_ids = self.salesperson
        self.carla.with_user(self.salesperson).action_b2b_invite()
        self.assertEqual(self.carla.b2b_invite_state, "invited")

    def test_all_documents_salesperson_invites_any_customer(self):
        self.carla.with_user(self.all_docs).action_b2b_invite()
        self.assertEqual(self.carla.b2b_invite_state, "invited")

    def test_bulk_invite_skips_the_contacts_of_other_customers(self):
        wizard = self.contact.with_user(self.salesperson).browse(
            (self.contact | self.contact2 | self.carla).ids).action_b2b_open_invite_wizard()
        wizard = self.env["b2b.invite.wizard"].with_user(self.salesperson).browse(wizard["res_id"])
        wizard.action_confirm()
        self.assertEqual((wizard.done_count, wizard.skipped_count), (2, 1))
        self.assertIn("Carla Other: Globex Bistro is not one of your customers.", wizard.skipped_note)
        self.assertFalse(self.carla.b2b_invitation_ids)

    def test_resend_revoke_and_list_only_for_allocated_customers(self):
        (self.contact | self.carla).action_b2b_invite()  # as the administrator
        carla_invitation = self.carla.b2b_invitation_ids
        Invitation = self.env["b2b.invitation"].with_user(self.salesperson)
        self.assertEqual(Invitation.search([("partner_id", "in", (self.contact | self.carla).ids)]).partner_id,
                         self.contact, "the invitations list shows the allocated customers' contacts only")
        access_list = self.env["res.partner"].with_user(self.salesperson).search(
            [("b2b_in_scope", "=", True), ("id", "in", (self.contact | self.carla).ids)])
        self.assertEqual(access_list, self.contact, "so does the Invitations list of contacts")

        with self.assertRaisesRegex(UserError, "not one of your customers"):
            self.carla.with_user(self.salesperson).action_b2b_resend()
        with self.assertRaisesRegex(UserError, "not one of your customers"):
            self.carla.with_user(self.salesperson).action_b2b_revoke()
        with self.assertRaises(AccessError):  # over JSON-RPC, on the invitation itself
            carla_invitation.with_user(self.salesperson).action_revoke()
        with self.assertRaises(AccessError):
            carla_invitation.with_user(self.salesperson).action_send()
        self.assertEqual(carla_invitation.state, "sent")

        result = (self.contact | self.carla).with_user(self.salesperson).action_b2b_revoke()
        self.assertIn("not one of your customers", result["params"]["message"])
        self.assertEqual(self.contact.b2b_invite_state, "revoked")
        self.assertEqual(carla_invitation.state, "sent", "the other customer's contact is untouched")

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import B2bCommon


class TestAllowOrderingAndInvite(B2bCommon):
    """A plain salesperson (Sales / User: Own Documents Only, no Contact Creation) allows a contact of his
    customers to order and invites it in one step, checked in the model; the form says why Invite is not
    offered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env, login="plain_seller", name="Sam Seller", email="sam@seller.example.com",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.customer.user_id = cls.seller
        cls.newcomer = cls._new_contact("Nina New", "nina@acme.example.com", ordering=False)
        cls.other_customer = cls.env["res.partner"].create({"name": "Globex Bistro", "is_company": True})
        cls.stranger = cls._new_contact("Carla Other", "carla@globex.example.com", parent=cls.other_customer,
                                        ordering=False)

    def test_salesperson_cannot_tick_ordering_himself(self):
        with self.assertRaises(AccessError):
            self.newcomer.with_user(self.seller).b2b_ordering = True

    def test_allow_ordering_and_invite_in_one_step(self):
        contact = self.newcomer.with_user(self.seller)
        self.assertFalse(contact.b2b_invite_blocker, "the form offers Allow ordering and invite")
        contact.action_b2b_allow_ordering_and_invite()
        self.assertTrue(self.newcomer.b2b_ordering)
        self.assertEqual(self.newcomer.b2b_invite_state, "invited")
        invitation = self.newcomer.b2b_invitation_id
        self.assertEqual((invitation.state, invitation.inviter_id, invitation.send_count), ("sent", self.seller, 1))
        self.assertTrue(self.invitation_mails(invitation))

    def test_refused_outside_his_customers(self):
        contact = self.stranger.with_user(self.seller)
        self.assertEqual(contact.b2b_invite_blocker,
                         "Globex Bistro, Carla Other: Globex Bistro is not one of your customers.")
        with self.assertRaisesRegex(AccessError, "Globex Bistro is not one of your customers"):
            contact.action_b2b_allow_ordering_and_invite()
        self.assertFalse(self.stranger.b2b_ordering)
        self.assertEqual(self.stranger.b2b_invite_state, "not_invited")

    def test_a_contact_that_cannot_be_invited_is_left_untouched(self):
        self.newcomer.email = "not an address"
        contact = self.newcomer.with_user(self.seller)
        self.assertEqual(contact.b2b_invite_blocker, "Acme Cafés, Nina New has no valid email address.")
        with self.assertRaisesRegex(UserError, "no valid email address"):
            contact.action_b2b_allow_ordering_and_invite()
        self.assertFalse(self.newcomer.b2b_ordering)

    def test_portal_user_cannot_call_it(self):
        portal = new_test_user(self.env, login="portal_p", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.newcomer.with_user(portal).action_b2b_allow_ordering_and_invite()

from odoo.tests import HttpCase, tagged

from .common import B2bCommonMixin


@tagged("post_install", "-at_install")
class TestTours(B2bCommonMixin, HttpCase):

    def test_accept_invitation_from_email_link(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.start_tour(self.emailed_link(invitation), "b2b_invite_accept")
        self.assertEqual(invitation.state, "accepted")
        self.assertEqual(invitation.user_id.login, "alice.tour")

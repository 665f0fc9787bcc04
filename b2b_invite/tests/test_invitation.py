from odoo.tests import tagged

from .common import B2bCommon


@tagged("post_install", "-at_install")
class TestInvitation(B2bCommon):

    def test_invite_sends_email_with_link(self):
        self.contact.with_user(self.salesperson).action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.assertEqual(invitation.state, "sent")
        self.assertEqual(self.contact.b2b_invite_state, "invited")
        mail = self.invitation_mails(invitation)
        self.assertEqual(len(mail), 1)
        self.assertIn("/b2b/invite/", mail.body_html)
        self.assertIn(invitation.with_user(self.manager).invitation_url, mail.body_html)

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import B2bCommonMixin, B2bShopCommon


@tagged("post_install", "-at_install")
class TestInvitationTour(B2bCommonMixin, HttpCase):

    def test_accept_invitation_from_email_link(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.start_tour(self.emailed_link(invitation), "b2b_invite_accept")
        self.assertEqual(invitation.state, "accepted")
        self.assertEqual(invitation.user_id.login, "alice.tour")


@tagged("post_install", "-at_install")
class TestGuestTour(B2bShopCommon, HttpCase):
    def test_guest_browses_with_guest_prices_and_is_asked_to_log_in(self):
        self.env["product.pricelist"].create({"name": "Default prices", "sequence": 1})
        guest_pricelist = self.env["product.pricelist"].create({
            "name": "Guest prices", "selectable": False, "sequence": 20,
            "item_ids": [Command.create({
                "applied_on": "3_global", "compute_price": "percentage", "percent_price": 10,
            })],
        })
        self.website.write({"b2b_guest_access": True, "b2b_guest_pricelist_id": guest_pricelist.id})
        # The quick "Add to cart" button of the grid, which a guest must not get.
        self.env.ref("website_sale.products_add_to_cart").active = True
        self.start_tour("/shop?search=Zeta", "b2b_invite_guest_shop")

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import B2bShopCommon


@tagged("post_install", "-at_install")
class TestTours(B2bShopCommon, HttpCase):

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
        self.start_tour("/shop", "b2b_invite_guest_shop")

import json

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import B2bShopCommon, portal_password

SHOP = "/shop?search=Zeta"  # the test product alone, whatever else the shop sells


@tagged("post_install", "-at_install")
class TestGuestPrices(B2bShopCommon, HttpCase):
    """Guests of a B2B shop browse with the guest pricelist, or without prices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo gives customers without a pricelist the first one: the guests' one comes after.
        default = cls.env["product.pricelist"].create({"name": "Default prices", "sequence": 1})
        # Customers' own prices: list prices (whatever pricelist a country would give them)
        cls.customer.property_product_pricelist = default
        cls.guest_pricelist = cls.env["product.pricelist"].create({
            "name": "Guest prices", "selectable": False, "sequence": 20,
            "item_ids": [Command.create({
                "applied_on": "3_global", "compute_price": "percentage", "percent_price": 10,
            })],
        })
        cls.website.write({"b2b_guest_access": True, "b2b_guest_pricelist_id": cls.guest_pricelist.id})
        cls.public = cls.website.user_id

    def combination_info(self):
        """The JSON answer the product page asks for when a variant is chosen."""
        response = self.url_open(
            "/website_sale/get_combination_info",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "product_template_id": self.product.product_tmpl_id.id, "product_id": self.product.id,
                "combination": [], "add_qty": 1,
            }}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()["result"]

    def test_guests_get_the_guest_pricelist(self):
        website = self.website.with_user(self.public)
        self.assertEqual(website._get_current_pricelist(), self.guest_pricelist)
        self.assertEqual(website.get_pricelist_available(), self.guest_pricelist)
        self.authenticate(None, None)
        self.assertIn("18.00", self.url_open(SHOP).text)
        self.assertIn("18.00", self.url_open(self.product.website_url).text)
        self.assertEqual(self.combination_info()["price"], 18.0)

    def test_customers_keep_their_own_prices(self):
        self.assertNotEqual(self.website.with_user(self.alice)._get_current_pricelist(), self.guest_pricelist)
        self.authenticate("alice", portal_password("alice"))
        shop = self.url_open(SHOP).text
        self.assertIn("20.00", shop)
        self.assertNotIn("18.00", shop)

    def test_no_guest_pricelist_without_b2b_mode(self):
        self.website.b2b_mode = False
        self.assertNotEqual(self.website.with_user(self.public)._get_current_pricelist(), self.guest_pricelist)
        self.authenticate(None, None)
        self.assertIn("20.00", self.url_open(SHOP).text)

    def test_prices_hidden_from_guests(self):
        self.website.b2b_guest_hide_prices = True
        self.authenticate(None, None)
        shop = self.url_open(SHOP).text
        self.assertIn(self.product.name, shop)
        self.assertIn("Log in for your prices", shop)
        page = self.url_open(self.product.website_url).text
        self.assertIn("Log in to see our prices.", page)
        for text in (shop, page):
            self.assertNotIn("18.00", text)
            self.assertNotIn("20.00", text)
        self.assertNotIn("o_wsale_price_range_option", shop, "the price filter would show the price range")
        self.assertIn(self.product.name, self.url_open(f"{SHOP}&min_price=100").text, "no filtering by price")
        info = self.combination_info()
        self.assertEqual((info["price"], info["list_price"], info["b2b_prices_hidden"]), (0.0, 0.0, True))
        search = self.url_open("/website/snippet/autocomplete", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "search_type": "products", "term": "Zeta", "order": "name asc", "limit": 5,
                "options": {"displayDetail": True, "displayImage": False, "displayDescription": False,
                            "displayExtraLink": False, "allowFuzzy": False, "min_price": 100},
            },
        }), headers={"Content-Type": "application/json"}).json()["result"]
        self.assertEqual(len(search["results"]), 1, "found, although its price is below min_price")
        self.assertIn("Zeta", search["results"][0]["name"])
        self.assertFalse(search["results"][0].get("detail"), "no price in the search box")

        self.authenticate("alice", portal_password("alice"))
        self.assertIn("20.00", self.url_open(self.product.website_url).text)
        self.assertEqual(self.combination_info()["price"], 20.0)
        self.assertIn("o_wsale_price_range_option", self.url_open(SHOP).text)
        self.assertNotIn(self.product.name, self.url_open(f"{SHOP}&min_price=100").text)

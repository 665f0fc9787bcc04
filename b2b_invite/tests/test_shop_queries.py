from odoo.tests import HttpCase, tagged

from .common import B2bShopCommon, portal_password


@tagged("post_install", "-at_install")
class TestShopQueries(B2bShopCommon, HttpCase):
    """B2B mode costs the shop no SQL query: /shop and a product page make no more queries on than off
    (fewer where B2B mode leaves out the pricelist choice)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website.b2b_guest_access = True  # guests browse the B2B shop

    def queries_of(self, url):
        """The SQL queries of one request of `url`, its caches warm."""
        for _warm_up in range(2):
            self.assertEqual(self.url_open(url, timeout=60).status_code, 200)
        before = self.cr.sql_log_count
        self.assertEqual(self.url_open(url, timeout=60).status_code, 200)
        return self.cr.sql_log_count - before

    def queries_on_and_off(self, url):
        self.website.b2b_mode = False
        off = self.queries_of(url)
        self.website.b2b_mode = True
        on = self.queries_of(url)
        with self.assertQueryCount(off):  # at most as many as without B2B mode
            self.url_open(url, timeout=60)
        return on, off

    def test_shop_queries_as_ordering_contact(self):
        self.authenticate("alice", portal_password("alice"))
        for url in ("/shop", self.product.website_url):
            on, off = self.queries_on_and_off(url)
            # A customer with a pricelist of its own gets no pricelist choice: fewer queries, never more.
            self.assertLessEqual(on, off, f"{url}: no more queries with B2B mode on")

    def test_shop_queries_as_guest(self):
        self.authenticate(None, None)
        for url in ("/shop", self.product.website_url):
            on, off = self.queries_on_and_off(url)
            # A guest of a B2B shop gets no pricelist choice: fewer queries, never more.
            self.assertLessEqual(on, off, f"{url}: no more queries with B2B mode on")

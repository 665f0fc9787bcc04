from urllib.parse import urlparse

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import B2bHttpMixin, B2bShopCommon


@tagged("post_install", "-at_install")
class TestIsolation(B2bHttpMixin, B2bShopCommon, HttpCase):
    """A customer's contact reads its own company's documents only, through every door.

    Alice and Bob are contacts of Acme Cafés; Carla of Globex Bistro.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_alice = cls._confirmed_order(cls.contact)
        cls.order_bob = cls._confirmed_order(cls.contact2, qty=2)
        cls.order_carla = cls._confirmed_order(cls.other_contact, qty=3)
        cls.invoice_alice = cls._posted_invoice(cls.order_alice)
        cls.invoice_bob = cls._posted_invoice(cls.order_bob)
        cls.invoice_carla = cls._posted_invoice(cls.order_carla)
        cls.quote_alice, cls.quote_carla = cls.env["sale.order"].create([
            {"partner_id": partner.id, "state": "sent"} for partner in (cls.contact, cls.other_contact)
        ])
        for quote in cls.quote_alice | cls.quote_carla:
            quote.message_subscribe(quote.partner_id.ids)

    def search_ids(self, model, domain=()):
        result, error = self.call_kw(model, "search_read", [list(domain)], {"fields": ["id"]})
        self.assertFalse(error)
        return {row["id"] for row in result}

    def assertRefusedPage(self, url, document):
        """The page sends the contact back to /my, without the document."""
        response = self.url_open(url)
        self.assertEqual(urlparse(response.url).path, "/my", url)
        self.assertNotIn(document.name, response.text, url)
        self.assertNotEqual(response.headers.get("Content-Type"), "application/pdf", url)

    # ------------------------------------------------------------------
    # Company isolation (Odoo's portal rules, proven door by door)
    # ------------------------------------------------------------------

    def test_my_pages_list_only_the_company_documents(self):
        self.login(self.alice)
        orders = self.url_open("/my/orders").text
        self.assertIn(self.order_alice.name, orders)
        self.assertIn(self.order_bob.name, orders, "colleagues share their company's orders")
        self.assertNotIn(self.order_carla.name, orders)
        quotes = self.url_open("/my/quotes").text
        self.assertIn(self.quote_alice.name, quotes)
        self.assertNotIn(self.quote_carla.name, quotes)
        invoices = self.url_open("/my/invoices").text
        self.assertIn(self.invoice_alice.name, invoices)
        self.assertIn(self.invoice_bob.name, invoices)
        self.assertNotIn(self.invoice_carla.name, invoices)

    def test_direct_urls_without_or_with_a_forged_token_are_refused(self):
        self.login(self.alice)
        own = self.url_open(f"/my/orders/{self.order_alice.id}")
        self.assertEqual(urlparse(own.url).path, f"/my/orders/{self.order_alice.id}")
        self.assertIn(self.order_alice.name, own.text)
        forged = "0" * len(self.order_carla._portal_ensure_token())
        for suffix in ("", f"?access_token={forged}", "?access_token="):
            self.assertRefusedPage(f"/my/orders/{self.order_carla.id}{suffix}", self.order_carla)
            self.assertRefusedPage(f"/my/orders/{self.quote_carla.id}{suffix}", self.quote_carla)
            self.assertRefusedPage(f"/my/invoices/{self.invoice_carla.id}{suffix}", self.invoice_carla)

    def test_report_downloads_are_refused(self):
        self.login(self.alice)
        own = self.url_open(f"/my/orders/{self.order_alice.id}?report_type=html")
        self.assertEqual(own.status_code, 200)
        self.assertIn(self.order_alice.name, own.text)
        for suffix in ("?report_type=pdf", "?report_type=html", "?report_type=pdf&download=true"):
            self.assertRefusedPage(f"/my/orders/{self.order_carla.id}{suffix}", self.order_carla)
            self.assertRefusedPage(f"/my/invoices/{self.invoice_carla.id}{suffix}", self.invoice_carla)
        # Odoo's /report routes refuse portal users even their own documents (the templates read
        # taxes): still, each door is tried.
        for url in (f"/report/pdf/sale.report_saleorder/{self.order_carla.id}",
                    f"/report/html/sale.report_saleorder/{self.order_carla.id}",
                    f"/report/pdf/account.report_invoice/{self.invoice_carla.id}",
                    f"/report/pdf/account.report_invoice_with_payments/{self.invoice_carla.id}",
                    f"/report/pdf/sale.report_saleorder/{self.order_alice.id},{self.order_carla.id}"):
            with mute_logger("odoo.http"):
                response = self.url_open(url)
            self.assertEqual(response.status_code, 403, url)
            self.assertNotIn(self.order_carla.name, response.text, url)
            self.assertNotIn(self.invoice_carla.name, response.text, url)

    def test_json_rpc_reads_only_the_company_records(self):
        self.login(self.alice)
        acme_orders = (self.order_alice | self.order_bob | self.quote_alice).ids
        self.assertEqual(self.search_ids("sale.order"), set(acme_orders))
        self.assertEqual(self.search_ids("sale.order.line"), set((self.order_alice | self.order_bob).order_line.ids))
        self.assertEqual(self.search_ids("account.move"), {self.invoice_alice.id, self.invoice_bob.id})
        self.assertEqual(self.search_ids("account.move.line", [("move_id", "=", self.invoice_carla.id)]), set())
        partners = self.search_ids("res.partner")
        self.assertIn(self.contact2.id, partners)
        self.assertFalse(partners & {self.other_customer.id, self.other_contact.id})
        for model, record in (("sale.order", self.order_carla), ("account.move", self.invoice_carla),
                              ("res.partner", self.other_contact)):
            result, error = self.call_kw(model, "read", [record.ids], {"fields": ["display_name"]})
            self.assertEqual(error, "odoo.exceptions.AccessError", model)
            self.assertIsNone(result)
        _result, error = self.call_kw("sale.order", "web_search_read", [[("id", "=", self.order_carla.id)]],
                                      {"specification": {"name": {}}})
        self.assertFalse(error)
        self.assertEqual(_result["length"], 0)

    def test_order_chatter_is_refused(self):
        for order in (self.order_alice, self.order_carla):
            order.message_post(body=f"Delivery note for {order.partner_id.name}", message_type="comment",
                               subtype_xmlid="mail.mt_comment")
        self.login(self.alice)

        def chatter(route, order, **params):
            result, error = self.rpc(route, thread_model="sale.order", thread_id=order.id, **params)
            return str(result), error.get("name")

        own, error = chatter("/mail/chatter_fetch", self.order_alice)
        self.assertFalse(error)
        self.assertIn("Delivery note for Alice Buyer", own)
        for route in ("/mail/chatter_fetch", "/mail/thread/messages"):
            result, error = chatter(route, self.order_carla)
            self.assertNotIn("Delivery note for Carla Other", result, route)
        forged = "0" * len(self.order_carla._portal_ensure_token())
        result, error = chatter("/mail/chatter_fetch", self.order_carla, token=forged)
        self.assertEqual(error, "werkzeug.exceptions.Forbidden")
        self.assertNotIn("Delivery note for Carla Other", result)

    # ------------------------------------------------------------------
    # "Contacts see only their own documents"
    # ------------------------------------------------------------------

    def test_contacts_see_only_their_own_documents_when_the_company_says_so(self):
        self.env.company.b2b_own_documents = True
        self.login(self.alice)
        orders = self.url_open("/my/orders").text
        self.assertIn(self.order_alice.name, orders)
        self.assertNotIn(self.order_bob.name, orders)
        invoices = self.url_open("/my/invoices").text
        self.assertIn(self.invoice_alice.name, invoices)
        self.assertNotIn(self.invoice_bob.name, invoices)
        self.assertRefusedPage(f"/my/orders/{self.order_bob.id}", self.order_bob)
        self.assertRefusedPage(f"/my/orders/{self.order_bob.id}?report_type=pdf", self.order_bob)
        self.assertEqual(self.search_ids("sale.order"), {self.order_alice.id, self.quote_alice.id})
        self.assertEqual(self.search_ids("sale.order.line"), set(self.order_alice.order_line.ids))
        self.assertEqual(self.search_ids("account.move"), {self.invoice_alice.id})
        self.assertEqual(self.search_ids("account.move.line", [("move_id", "=", self.invoice_bob.id)]), set())

        self.login(self.bob)
        self.assertEqual(self.search_ids("sale.order"), {self.order_bob.id})
        self.assertEqual(self.search_ids("account.move"), {self.invoice_bob.id})

    def test_own_documents_option_leaves_internal_users_alone(self):
        self.env.company.b2b_own_documents = True
        orders = self.order_alice | self.order_bob | self.order_carla
        sales_manager = new_test_user(self.env, login="b2b_sales_manager", groups="sales_team.group_sale_manager")
        self.assertEqual(self.env["sale.order"].with_user(sales_manager).search([("id", "in", orders.ids)]), orders)
        invoices = self.invoice_alice | self.invoice_bob | self.invoice_carla
        self.assertEqual(self.env["account.move"].with_user(sales_manager).search([("id", "in", invoices.ids)]),
                         invoices)
        self.env.company.b2b_own_documents = False
        self.assertEqual(self.env["sale.order"].with_user(self.alice).search([("id", "in", orders.ids)]),
                         self.order_alice | self.order_bob)

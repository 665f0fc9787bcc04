import codecs
import json
import re
from urllib.parse import parse_qs, urlparse

from odoo import http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import B2bHttpMixin, B2bQuickOrderCommon


@tagged("post_install", "-at_install")
class TestQuickOrderUsualProducts(B2bQuickOrderCommon):
    """The usual products: the company's last 6 confirmed orders, priced for the customer."""

    def usual(self, user, contact=None):
        partner = (contact or user.partner_id).with_user(user)
        return partner._b2b_usual_products(self.website.company_id)

    def test_products_of_the_company_last_six_confirmed_orders_only(self):
        p = self.products
        self._past_order(self.contact, {p[0]: 1}, days_ago=30)  # the 7th newest: too old
        for number in range(1, 7):  # six orders, by the two colleagues, newest last
            self._past_order(self.contact if number % 2 else self.contact2, {p[number]: number}, days_ago=20 - number)
        self._past_order(self.contact, {p[7]: 1}, days_ago=0, state="draft")  # a quotation
        self._past_order(self.contact, {p[8]: 1}, days_ago=0, state="cancel")
        self._past_order(self.other_contact, {p[9]: 1}, days_ago=0)  # another company's

        expected = [p[6], p[5], p[4], p[3], p[2], p[1]]
        self.assertEqual([entry["product"] for entry in self.usual(self.alice)], expected)
        self.assertEqual([entry["product"] for entry in self.usual(self.bob)], expected, "colleagues share them")
        self.assertEqual([entry["product"] for entry in self.usual(self.carla)], [p[9]])

    def test_last_quantity_and_date(self):
        beans, milk = self.products[:2]
        self._past_order(self.contact, {beans: 7, milk: 1}, days_ago=10)
        latest = self._past_order(self.contact2, {beans: 4}, days_ago=2)
        latest.order_line = [(0, 0, {"product_id": beans.id, "product_uom_qty": 1})]  # a second line
        usual = {entry["product"]: entry for entry in self.usual(self.alice)}
        self.assertEqual((usual[beans]["quantity"], usual[beans]["date"]), (5, latest.date_order))
        self.assertEqual(usual[milk]["quantity"], 1)

    def test_contacts_see_only_their_own_orders_when_the_seller_says_so(self):
        self._past_order(self.contact, {self.products[0]: 1})
        self._past_order(self.contact2, {self.products[1]: 1})
        self.website.company_id.b2b_own_documents = True
        self.assertEqual([entry["product"] for entry in self.usual(self.alice)], list(self.products[:1]))
        self.assertEqual([entry["product"] for entry in self.usual(self.bob)], list(self.products[1:2]))

    def test_prices_are_the_customer_pricelist_prices(self):
        cart = self.env["sale.order"].browse()
        website = self.website.with_user(self.alice)
        prices = self.products[:3].with_user(self.alice)._b2b_shop_prices(website, cart)
        self.assertEqual(website.pricelist_id, self.pricelist)
        self.assertEqual(list(prices.values()), [9.0, 9.9, 10.8])

        self.other_customer.property_product_pricelist = self.env["product.pricelist"].create({"name": "List"})
        self.env.invalidate_all()  # the website's current pricelist is the user's
        website = self.website.with_user(self.carla)
        prices = self.products[:1].with_user(self.carla)._b2b_shop_prices(website, cart)
        self.assertEqual(list(prices.values()), [10.0], "another customer: its own prices")

        cart = self.env["sale.order"].create({
            "partner_id": self.contact.id, "website_id": self.website.id, "pricelist_id": self.pricelist.id})
        prices = self.products[:1].with_user(self.carla)._b2b_shop_prices(website, cart)
        self.assertEqual(list(prices.values()), [9.0], "with a cart, the cart's customer's prices")

    def test_products_no_longer_sold_are_listed_and_say_why(self):
        archived, not_for_sale, unpublished = self.products[:3]
        self._past_order(self.contact, dict.fromkeys(self.products[:4], 1))
        archived.active = False
        not_for_sale.sale_ok = False
        unpublished.is_published = False
        usual = self.usual(self.alice)
        self.assertEqual([entry["hidden"] for entry in usual], [False, True, True, False],
                         "what the shop no longer shows its customers: only the order line's name")
        self.assertEqual([entry["name"] for entry in usual], [
            "Quick QO 000", "[QO-001] Quick QO 001", "[QO-002] Quick QO 002", "Quick QO 003"])
        reasons = [entry["product"].with_context(website_id=self.website.id)._b2b_quick_order_refusal()
                   for entry in usual if not entry["hidden"]]
        self.assertEqual(reasons, ["No longer sold.", False])


@tagged("post_install", "-at_install")
class TestQuickOrderLines(B2bQuickOrderCommon):
    """Lines typed or pasted and CSV files, good and bad: what is added and what is refused, with why."""

    def parse(self, quantities=None, text="", csv_data=None, filename="order.csv"):
        products = self.env["product.product"].with_user(self.alice).with_context(website_id=self.website.id)
        to_add, refused = products._b2b_quick_order_lines(quantities, text, csv_data, filename)
        return ({product.default_code: qty for product, qty in to_add.items()},
                [(line["text"], line["reason"]) for line in refused])

    def test_typed_lines(self):
        added, refused = self.parse(text="QO-001, 3\n  qo-002 ,4\n\n\"QO-003\",1\nQO-001,2\n")
        self.assertEqual(added, {"QO-001": 5, "QO-002": 4, "QO-003": 1}, "any case; the same product summed")
        self.assertEqual(refused, [])

    def test_typed_lines_each_with_its_own_separator(self):
        """Lines typed by hand mix separators: each line is read with its own."""
        added, refused = self.parse(text="QO-001, 1\nQO-002;2\nQO-003\t3\nQO-004 4\nqo-005   5\n")
        self.assertEqual(added, {"QO-001": 1, "QO-002": 2, "QO-003": 3, "QO-004": 4, "QO-005": 5})
        self.assertEqual(refused, [])

    def test_bad_lines_are_listed_with_the_reason_and_the_rest_is_added(self):
        self.products[5].active = False
        self.products[6].is_published = False
        text = "\n".join([
            "QO-001, 2", "NOPE-1, 2", "QO-002, -3", "QO-003, 0", "QO-004, 10001", "QO-007, 99999999999999999999",
            "QO-008, 2.5", "QO-009, abc", "QO-000", "QO-005, 1", "QO-006, 1", ", 4", "QO-000, 1e3",
        ])
        added, refused = self.parse(text=text)
        self.assertEqual(added, {"QO-001": 2})
        self.assertEqual(refused, [
            ("NOPE-1, 2", "Unknown internal reference."),
            ("QO-002, -3", "A quantity cannot be negative."),
            ("QO-003, 0", "Quantity 0: nothing to add."),
            ("QO-004, 10001", "More than 10000 units: contact us for larger orders."),
            ("QO-007, 99999999999999999999", "More than 10000 units: contact us for larger orders."),
            ("QO-008, 2.5", "2.5 is not a whole number of units."),
            ("QO-009, abc", "“abc” is not a quantity: write a whole number of units."),
            ("QO-000", "No quantity."),
            ("QO-005, 1", "No longer sold."),
            ("QO-006, 1", "Unknown internal reference."),  # unpublished: hidden from customers
            (", 4", "No internal reference."),
            ("QO-000, 1e3", "“1e3” is not a quantity: write a whole number of units."),
        ])

    def test_usual_product_quantities(self):
        p = self.products
        p[4].sale_ok = False
        added, refused = self.parse(quantities={
            str(p[0].id): "3", str(p[1].id): "", str(p[2].id): "0", str(p[3].id): "-1", str(p[4].id): "2",
            "999999999": "1", "x1": "1",
        })
        self.assertEqual(added, {"QO-000": 3}, "blank and 0: not this time")
        self.assertEqual(refused, [
            ("-1", "A quantity cannot be negative."),
            ("2", "Unknown product."),  # not for sale: hidden from customers
            ("1", "Unknown product."),
            ("1", "Unknown product."),
        ])

    def test_csv_file_from_excel(self):
        # BOM, semicolons, a heading row, CRLF, rows padded with empty cells, decimals of zero
        data = "Internal reference;Quantity;;\r\nQO-001;5;;\r\nQO-002;7,00;;\r\n\r\nNOPE;1;;\r\n"
        added, refused = self.parse(csv_data=codecs.BOM_UTF8 + data.encode())
        self.assertEqual(added, {"QO-001": 5, "QO-002": 7})
        self.assertEqual(refused, [("NOPE, 1", "Unknown internal reference.")])

    def test_csv_file_with_commas_or_tabs(self):
        added, _refused = self.parse(csv_data=b"QO-001,2\nQO-002,3\n")
        self.assertEqual(added, {"QO-001": 2, "QO-002": 3})
        added, _refused = self.parse(csv_data=b"QO-001\t2\nQO-002\t3\n")
        self.assertEqual(added, {"QO-001": 2, "QO-002": 3})

    def test_file_of_500_lines(self):
        data = "\n".join(f"QO-{number % 10:03d},{1 + number % 3}" for number in range(500)).encode()
        added, refused = self.parse(csv_data=data)
        self.assertEqual(refused, [])
        self.assertEqual(sum(added.values()), sum(1 + number % 3 for number in range(500)))
        too_many = b"\n".join([b"QO-001,1"] * 1001)
        with self.assertRaisesRegex(UserError, "More than 1000 lines"):
            self.parse(csv_data=too_many)
        with self.assertRaisesRegex(UserError, "More than 1000 lines"):
            self.parse(text="QO-001,1\n" * 600, csv_data=b"QO-002,1\n" * 401)
        with self.assertRaisesRegex(UserError, "More than 1000 lines"):
            self.parse(quantities={str(number): "1" for number in range(1001)})
        with self.assertRaisesRegex(UserError, "The lines are too long"):
            self.parse(text="QO-001," + "1" * 1_000_000)

    def test_files_that_are_not_csv(self):
        for data in (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),  # an Excel workbook (zip)
                     b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", b"\x89PNG\r\n\x1a\n\x00\x00", b"QO-001,1\x00\x00"):
            with self.assertRaisesRegex(UserError, r"order\.csv is not a CSV file"):
                self.parse(csv_data=data)

    def test_files_that_are_not_utf8(self):
        for data in ("QO-001;2\nCafé;1\n".encode("cp1252"), "QO-001,2\n".encode("utf-16"),
                     "QO-001,2\n".encode("utf-16-le")):
            with self.assertRaisesRegex(UserError, r"order\.csv is not UTF-8 text"):
                self.parse(csv_data=data)

    def test_file_too_large(self):
        with self.assertRaisesRegex(UserError, "larger than 1 MB"):
            self.parse(csv_data=b"QO-001,1\n" * 120_000)


@tagged("post_install", "-at_install")
class TestQuickOrderPage(B2bHttpMixin, B2bQuickOrderCommon, HttpCase):
    """/shop/quick-order and /shop/quick-order/add: the page, the one request, the gate."""

    def add(self, files=None, csrf=True, **data):
        if csrf:
            data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open("/shop/quick-order/add", data=data, files=files)

    def carts(self):
        return self.env["sale.order"].search([
            ("website_id", "=", self.website.id), ("id", "not in", self.orders_before.ids)])

    def cart_quantities(self):
        return {line.product_id.default_code: line.product_uom_qty for line in self.carts().order_line}

    def test_page_shows_the_usual_products_with_the_customer_prices(self):
        p = self.products
        self._past_order(self.contact2, {p[0]: 4, p[1]: 2, p[2]: 1, p[3]: 1})
        p[2].active = False
        p[3].sale_ok = False
        self.login(self.alice)
        page = self.url_open("/shop/quick-order")
        self.assertEqual(page.status_code, 200)
        self.assertIn("For <strong>Acme Cafés</strong>", page.text)
        rows = dict(re.findall(r'data-product-id="(\d+)"(.*?)</tr>', page.text, re.S))
        self.assertEqual(list(rows), [str(product.id) for product in p[:4]])
        self.assertIn("9.00", rows[str(p[0].id)], "10.00 less the customer's 10%")
        self.assertRegex(rows[str(p[0].id)], rf'name="qty_{p[0].id}"[^>]*value="4"')
        self.assertIn("9.90", rows[str(p[1].id)])
        self.assertNotIn("qty_", rows[str(p[2].id)])
        self.assertIn("No longer sold.", rows[str(p[2].id)])
        self.assertNotIn("qty_", rows[str(p[3].id)])
        self.assertIn("Not sold in our online shop.", rows[str(p[3].id)])
        self.assertIn("Quick QO 003", rows[str(p[3].id)])

    def test_add_to_cart_in_one_request(self):
        p = self.products
        self._past_order(self.contact, {p[0]: 4, p[1]: 2})
        self.login(self.alice)
        response = self.add(**{f"qty_{p[0].id}": "5", f"qty_{p[1].id}": "0", "lines": "QO-002, 3\nQO-000, 1"},
                            files={"csv_file": ("order.csv", b"QO-003;2\n", "text/csv")})
        self.assertEqual(urlparse(response.url).path, "/shop/cart")
        self.assertEqual(self.cart_quantities(), {"QO-000": 6, "QO-002": 3, "QO-003": 2})
        cart = self.carts()
        self.assertEqual(cart.partner_id, self.contact)
        self.assertEqual(cart.order_line.mapped("price_unit"), [9.0, 10.8, 11.7], "the customer's pricelist")
        self.assertIn('<sup class="my_cart_quantity badge', response.text)

        self.add(lines="QO-002, 1")  # into the same cart, on the line already there
        self.assertEqual(self.cart_quantities(), {"QO-000": 6, "QO-002": 4, "QO-003": 2})

    def test_refused_lines_are_listed_and_the_rest_is_added(self):
        self.login(self.alice)
        response = self.add(lines="QO-001, 2\nNOPE, 1\nQO-002, -1")
        self.assertEqual(urlparse(response.url).path, "/shop/quick-order/add")
        self.assertEqual(self.cart_quantities(), {"QO-001": 2})
        self.assertIn("1 product added to your cart.", response.text)
        self.assertIn("Unknown internal reference.", response.text)
        self.assertIn("A quantity cannot be negative.", response.text)
        textarea = re.search(r'<textarea[^>]*name="lines"[^>]*>(.*?)</textarea>', response.text, re.S).group(1)
        self.assertEqual(textarea.strip(), "NOPE, 1\nQO-002, -1", "only the refused lines, to correct")

    def test_bad_input_adds_nothing_and_keeps_what_was_typed(self):
        self._past_order(self.contact, {self.products[0]: 4})
        self.login(self.alice)
        qty_field = f"qty_{self.products[0].id}"
        cases = [
            ({"lines": "QO-001, 1", qty_field: "3"}, {"csv_file": ("order.xlsx", b"PK\x03\x04" + bytes(64))},
             "order.xlsx is not a CSV file"),
            ({"lines": "QO-001, 1", qty_field: "3"}, {"csv_file": ("order.csv", "Café;1".encode("cp1252"))},
             "order.csv is not UTF-8 text"),
            ({qty_field: "3"}, {"lines": ("lines.csv", b"QO-001, 1")}, "This form could not be read"),
            ({"lines": "QO-001, 1"}, {qty_field: ("qty.txt", b"3")}, "This form could not be read"),
            ({qty_field: "3", "csv_file": "QO-001, 1"}, None, "“CSV file” takes a file"),
            ({}, None, "Nothing to add"),
        ]
        for data, files, message in cases:
            response = self.add(files=files, **data)
            self.assertEqual(response.status_code, 400 if "could not be read" in message else 200)
            self.assertIn(message, response.text)
            if qty_field in data:
                self.assertRegex(response.text, rf'name="{qty_field}"[^>]*value="3"')
        self.assertFalse(self.carts(), "nothing was added")

    def test_a_stale_form_adds_nothing(self):
        self.login(self.alice)
        response = self.add(csrf=False, lines="QO-001, 1")
        self.assertIn("This page had expired", response.text)
        self.assertIn("QO-001, 1</textarea>", response.text)
        self.assertFalse(self.carts())

    def test_contact_who_may_not_order_is_refused_by_the_page_and_the_add_route(self):
        self.contact2.b2b_ordering = False
        self.login(self.bob)
        message = "Your account is not allowed to place orders for Acme Cafés"
        page = self.url_open("/shop/quick-order")
        self.assertEqual(page.status_code, 403)
        self.assertIn(message, page.text)
        self.assertNotIn("o_b2b_quick_order_form", page.text)
        response = self.add(lines="QO-001, 1", **{f"qty_{self.products[0].id}": "1"})
        self.assertEqual(response.status_code, 403)
        self.assertIn(message, response.text)
        self.assertFalse(self.carts(), "no cart was created")

    def test_guest_is_refused_by_the_page_and_the_add_route(self):
        self.website.b2b_guest_access = True
        self.authenticate(None, None)
        for response in (self.url_open("/shop/quick-order"), self.add(lines="QO-001, 1")):
            location = urlparse(response.url)
            self.assertEqual(location.path, "/web/login")
            self.assertEqual(parse_qs(location.query)["redirect"], ["/shop/quick-order"])
        self.assertFalse(self.carts())

    def test_a_cart_of_a_contact_who_may_not_order_refuses_the_lines(self):
        """The cart's own gate, whoever the session's user is (a rep, an admin acting as customer)."""
        cart = self.env["sale.order"].create({"partner_id": self.contact2.id, "website_id": self.website.id})
        self.contact2.b2b_ordering = False
        with self.assertRaisesRegex(UserError, "not allowed to place orders"):
            cart.with_user(self.salesperson).sudo()._b2b_cart_add({self.products[0]: 1})
        self.assertFalse(cart.order_line)

    def test_no_page_on_a_website_without_b2b_mode(self):
        self.website.b2b_mode = False
        self.login(self.alice)
        self.assertEqual(self.url_open("/shop/quick-order").status_code, 404)

    def test_links_in_the_header_and_my_account_for_who_may_order(self):
        for user, shown in self.as_each_visitor():
            shop = self.url_open("/shop").text
            self.assertEqual('href="/shop/quick-order"' in shop, shown, user)
            if user:
                self.assertEqual('href="/shop/quick-order"' in self.url_open("/my").text, shown, user)

    def test_order_again_is_on_in_a_b2b_shop_and_goes_through_the_gate(self):
        self.website.enabled_portal_reorder_button = False
        order = self._past_order(self.contact, {self.products[0]: 2})
        url = order.get_portal_url()
        self.login(self.alice)
        self.assertIn("o_wsale_reorder_button", self.url_open(url).text)
        content = self.url_open("/my/orders/reorder_modal_content", headers={"Content-Type": "application/json"},
                                data=json.dumps({"params": {"order_id": order.id, "access_token": order.access_token}}))
        self.assertEqual([product["add_to_cart_allowed"] for product in content.json()["result"]["products"]], [True])
        self.contact2.b2b_ordering = False
        self.login(self.bob)
        self.assertNotIn("o_wsale_reorder_button", self.url_open(url).text)
        self.website.b2b_mode = False
        self.assertNotIn("o_wsale_reorder_button", self.url_open(url).text, "Odoo's own setting then")

    def test_queries_do_not_grow_with_the_lines(self):
        """The page and the add request: as many queries for 100 lines as for 10."""
        products = self._new_products(100, prefix="QC")
        self.login(self.alice)
        self.add(lines="QC-099, 1")  # a cart exists: both runs add to it
        for days_ago, count in ((2, 10), (1, 100)):
            self._past_order(self.contact, dict.fromkeys(products[:count], 2), days_ago=days_ago)
            lines = "\n".join(f"{product.default_code}, 3" for product in products[:count])
            self.url_open("/shop/quick-order")  # the same caches for both runs
            with self.assertQueryCount(47):  # 47 for 10 and for 100 lines (44 before act as customer and sales reps)
                page = self.url_open("/shop/quick-order")
            self.assertEqual(page.text.count('class="o_b2b_usual_product'), count)
            data = {"lines": lines, "csrf_token": http.Request.csrf_token(self)}
            with self.assertQueryCount(50):  # 41 for 10 new lines, 46 for 89 new and 11 updated ones
                self.url_open("/shop/quick-order/add", data=data, allow_redirects=False)
            self.assertEqual(self.carts().order_line.product_id, products[:count] | products[99:])

import json
import re

from odoo import fields, http
from odoo.fields import Command
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

PASSWORD = "Str0ng-Passw0rd"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def new_token_of(invitation):
    """The secret of an invitation's current link, as its email carries it."""
    return invitation.sudo().invitation_url.rsplit("/", 1)[1]


def link_path(url):
    """/b2b/invite/<token> out of an absolute link."""
    return re.sub(r"^https?://[^/]+", "", url)


def portal_password(login):
    """The password of the portal logins these tests create (_new_portal_user, _new_rep)."""
    return f"{login}-secret-1"


def password_of(user):
    """The password of a test user: `portal_password` for a portal login, the login itself (the
    default of Odoo's `new_test_user`) for an employee."""
    return portal_password(user.login) if user.share else user.login


def form_token(page):
    """The CSRF token of the first form of a page (a `requests` response)."""
    return CSRF_RE.search(page.text)[1]


class B2bHttpMixin:
    """The doors of an HttpCase as a browser and the web client open them: log in, POST a form with
    the session's CSRF token, JSON-RPC."""

    def login(self, user):
        self.authenticate(user.login, password_of(user))

    def post(self, url, **data):
        """POST a form with the session's CSRF token (unless `data` brings its own)."""
        return self.url_open(url, data={"csrf_token": http.Request.csrf_token(self), **data})

    @mute_logger("odoo.http")  # refusals are logged as warnings
    def json(self, url, **params):
        """The whole JSON-RPC answer: {"result": ...} or {"error": ...}."""
        return self.url_open(
            url, data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        ).json()

    def rpc(self, url, **params):
        """(result, error data: {"name", "message", ...} or {}) of a JSON-RPC call."""
        answer = self.json(url, **params)
        return answer.get("result"), answer.get("error", {}).get("data", {})

    def call_kw(self, model, method, args, kwargs=None):
        """(result, name of the error or None) of an ORM call over /web/dataset/call_kw."""
        result, error = self.rpc(f"/web/dataset/call_kw/{model}/{method}",
                                 model=model, method=method, args=args, kwargs=kwargs or {})
        return result, error.get("name")

    def assertJsonRefused(self, answer, message):
        self.assertNotIn("result", answer)
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn(message, answer["error"]["data"]["message"])


class B2bCommonMixin:
    """A customer company with two ordering contacts, a salesperson and a B2B Manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env, login="b2b_sales", name="Sally Sales", email="sally@seller.example.com",
            groups="base.group_user,base.group_partner_manager,sales_team.group_sale_salesman",
        )
        cls.manager = new_test_user(
            cls.env, login="b2b_manager", name="Manny Manager", email="manny@seller.example.com",
            groups="base.group_user,b2b_invite.group_b2b_manager",
        )
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Cafés", "is_company": True, "user_id": cls.salesperson.id,
        })
        cls.contact = cls._new_contact("Alice Buyer", "alice@acme.example.com")
        cls.contact2 = cls._new_contact("Bob Buyer", "bob@acme.example.com")

    @classmethod
    def _new_contact(cls, name, email, parent=None, ordering=True):
        return cls.env["res.partner"].create({
            "name": name, "email": email, "parent_id": (parent or cls.customer).id, "b2b_ordering": ordering,
        })

    def invitation_mails(self, invitations):
        return self.env["mail.mail"].sudo().search([
            ("model", "=", "b2b.invitation"), ("res_id", "in", invitations.ids),
        ])

    def emailed_link(self, invitation):
        """The invitation link as it stands in the invitation's latest queued email."""
        mail = self.invitation_mails(invitation).filtered(lambda m: "/b2b/invite/" in m.body_html)[:1]
        return link_path(re.search(r'href="([^"]*/b2b/invite/[0-9a-f]{64})"', mail.body_html).group(1))


class B2bCommon(B2bCommonMixin, TransactionCase):
    pass


class B2bRegistrationCommon(B2bCommon):
    """B2bCommon plus a website whose registration link is on, and a way to make requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")
        cls.website.b2b_join_enabled = True
        cls.sweden = cls.env.ref("base.se")
        cls.form = {
            "company_name": "Lakeside Roasters AB",
            "vat": "SE556677889901",
            "phone": "08 410 226 00",
            "street": "Sveavägen 12",
            "zip": "111 57",
            "city": "Stockholm",
            "country_id": str(cls.sweden.id),
            "contact_name": "Mikko Virtanen",
            "function": "Owner",
            "message": "We run three cafés\nand a roastery.",
        }

    @classmethod
    def _new_registration(cls, email="mikko@lakeside.example.com", state="pending", **values):
        """A request as the website makes it: email verified, then (state pending) details sent."""
        registration = cls.env["b2b.registration.request"].sudo().create({
            "website_id": cls.website.id, "email": email,
            **cls.env["b2b.registration.request"]._new_flow_values(),
        })
        if state != "verified":
            details, errors = registration._parse_details({**cls.form, **values})
            assert not errors, errors
            registration.write({**details, "state": state})
        return registration.sudo(False)

    def mails_of(self, record):
        return self.env["mail.mail"].sudo().search(
            [("model", "=", record._name), ("res_id", "in", record.ids)], order="id")


class B2bShopCommon(B2bCommon):
    """B2bCommon on a B2B website with a product, a second customer and portal logins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")
        cls.website.write({"b2b_mode": True, "b2b_guest_access": False})
        cls.product = cls.env["product.product"].create({
            "name": "Zeta Test Roast 1 kg", "list_price": 20.0, "type": "consu",
            "is_published": True, "website_id": cls.website.id,
        })
        cls.customer.write({
            "street": "1 Bean Street", "city": "Brussels", "zip": "1000",
            "country_id": cls.env.ref("base.be").id, "phone": "+32 2 555 01 01",
        })
        (cls.contact | cls.contact2).phone = "+32 470 55 01 02"  # a complete address for the checkout
        cls.other_customer = cls.env["res.partner"].create({"name": "Globex Bistro", "is_company": True})
        cls.other_contact = cls._new_contact("Carla Other", "carla@globex.example.com", parent=cls.other_customer)
        cls.alice = cls._new_portal_user(cls.contact, "alice")
        cls.bob = cls._new_portal_user(cls.contact2, "bob")
        cls.carla = cls._new_portal_user(cls.other_contact, "carla")
        cls.orders_before = cls.env["sale.order"].search([])  # the demo's, for instance

    def as_each_visitor(self):
        """For an HttpCase with B2bHttpMixin: log in, in turn, as Alice (who may order), Bob (his
        contact's Ordering flag cleared) and a guest (guests may browse); yield (user or None, may order)."""
        self.website.b2b_guest_access = True
        self.contact2.b2b_ordering = False
        for user, may_order in ((self.alice, True), (self.bob, False), (None, False)):
            if user:
                self.login(user)
            else:
                self.authenticate(None, None)
            yield user, may_order

    @classmethod
    def _new_portal_user(cls, partner, login):
        return new_test_user(
            cls.env, login=login, password=portal_password(login), groups="base.group_portal", partner_id=partner.id,
            email=partner.email, name=partner.name,
        )

    @classmethod
    def _confirmed_order(cls, partner, qty=1):
        order = cls.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": qty})],
        })
        order.action_confirm()
        return order

    @classmethod
    def _posted_invoice(cls, order):
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice


class B2bQuickOrderCommon(B2bShopCommon):
    """B2bShopCommon plus a pricelist of the customer (10% off) and products with internal references."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pricelist = cls.env["product.pricelist"].create({
            "name": "Acme prices", "item_ids": [Command.create({
                "applied_on": "3_global", "compute_price": "percentage", "percent_price": 10})],
        })
        cls.customer.property_product_pricelist = cls.pricelist  # its contacts' too
        cls.products = cls._new_products(10)

    @classmethod
    def _new_products(cls, count, prefix="QO", **values):
        """`count` published products QO-000, QO-001... priced 10, 11... without taxes."""
        return cls.env["product.product"].create([{
            "name": f"Quick {prefix} {number:03d}", "default_code": f"{prefix}-{number:03d}",
            "list_price": 10.0 + number, "type": "consu", "is_published": True,
            "website_id": cls.website.id, "taxes_id": [Command.clear()], **values,
        } for number in range(count)])

    @classmethod
    def _past_order(cls, partner, quantities, days_ago=1, state="sale"):
        """An order of `partner` with {product: quantity}, confirmed (or left as `state`) `days_ago`."""
        order = cls.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})
                           for product, qty in quantities.items()],
        })
        if state == "sale":
            order.action_confirm()
        elif state == "cancel":
            order.action_cancel()
        order.date_order = fields.Datetime.subtract(fields.Datetime.now(), days=days_ago)
        return order


class B2bRepCommon(B2bShopCommon):
    """B2bShopCommon plus outside sales reps (portal): Rita serves the customers allocated to her
    (Acme Cafés), Adam serves all customers; Acme has a pricelist of its own and addresses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = cls._new_rep("rita", "Rita Rep", "allocated")
        cls.rep_all = cls._new_rep("adam", "Adam All", "all")
        cls.customer.b2b_rep_ids = cls.rep
        cls.acme_pricelist = cls.env["product.pricelist"].create({
            "name": "Acme contract", "sequence": 50, "selectable": False, "website_id": cls.website.id,
            "item_ids": [Command.create({
                "applied_on": "3_global", "compute_price": "percentage", "percent_price": 25,
            })],
        })
        cls.customer.property_product_pricelist = cls.acme_pricelist
        cls.acme_invoicing, cls.acme_delivery = cls.env["res.partner"].create([
            {"name": "Acme Accounts", "type": "invoice", "parent_id": cls.customer.id, "street": "9 Ledger Lane",
             "city": "Brussels", "zip": "1000", "country_id": cls.env.ref("base.be").id,
             "email": "accounts@acme.example.com", "phone": "+32 2 555 01 09"},
            {"name": "Acme Kitchen", "type": "delivery", "parent_id": cls.customer.id, "street": "3 Oven Road",
             "city": "Ghent", "zip": "9000", "country_id": cls.env.ref("base.be").id,
             "email": "kitchen@acme.example.com", "phone": "+32 9 555 01 03"},
        ])

    @classmethod
    def _new_rep(cls, login, name, access):
        return new_test_user(
            cls.env, login=login, password=portal_password(login), name=name, email=f"{login}@agents.example.com",
            groups="base.group_portal,b2b_invite.group_b2b_sales_rep", b2b_rep_access=access,
        )

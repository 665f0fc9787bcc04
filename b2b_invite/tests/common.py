from odoo.fields import Command
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase


class B2bCommon(TransactionCase):
    """A customer company with contacts, a salesperson and a B2B Manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.salesperson = new_test_user(
            cls.env, login="b2b_sales", name="Sally Sales", email="sally@seller.example.com",
            groups="base.group_user,sales_team.group_sale_salesman",
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


class B2bShopCommon(B2bCommon):
    """B2bCommon on a B2B website with a product, a second customer and portal logins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")
        cls.website.write({"b2b_mode": True, "b2b_guest_access": False})
        cls.product = cls.env["product.product"].create({
            "name": "Espresso Blend 1 kg", "list_price": 20.0, "type": "consu",
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

    @classmethod
    def _new_portal_user(cls, partner, login):
        return new_test_user(
            cls.env, login=login, password=f"{login}-secret-1", groups="base.group_portal", partner_id=partner.id,
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

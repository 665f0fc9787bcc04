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
            details, errors = registration._check_details({**cls.form, **values})
            assert not errors, errors
            registration.write({**details, "state": state})
        return registration.sudo(False)

    def mails_of(self, record):
        return self.env["mail.mail"].sudo().search(
            [("model", "=", record._name), ("res_id", "in", record.ids)], order="id")

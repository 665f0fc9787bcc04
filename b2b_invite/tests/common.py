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

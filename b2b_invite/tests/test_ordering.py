from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..hooks import post_init_hook
from .common import B2bShopCommon


@tagged("post_install", "-at_install")
class TestOrderingRights(B2bShopCommon):
    """Who may order in a B2B shop: the rule on the models, whatever the route."""

    def setUp(self):
        super().setUp()
        self.public = self.website.user_id

    def refusal(self, user):
        return self.website._b2b_order_refusal(user)

    def test_who_may_order_in_a_b2b_shop(self):
        self.assertEqual(self.refusal(self.public), "Log in to order.")
        self.assertFalse(self.refusal(self.alice), "a contact allowed to order orders")
        self.assertFalse(self.refusal(self.salesperson), "internal users are not blocked")
        self.contact.b2b_ordering = False
        self.assertIn("not allowed to place orders for Acme Cafés", self.refusal(self.alice))
        self.assertFalse(self.refusal(self.bob), "a colleague allowed to order still orders")

    def test_self_registered_customer_orders_once_activated(self):
        self.customer.b2b_awaiting_activation = True
        self.assertIn("not activated yet", self.refusal(self.alice))
        self.assertIn("not activated yet", self.refusal(self.bob))
        self.customer.b2b_awaiting_activation = False
        self.assertFalse(self.refusal(self.alice))

    def test_archived_customer_cannot_order(self):
        self.customer.active = False
        self.assertIn("account of Acme Cafés is closed", self.refusal(self.alice))

    def test_a_shop_without_b2b_mode_refuses_nobody(self):
        self.website.b2b_mode = False
        self.contact.b2b_ordering = False
        self.customer.b2b_awaiting_activation = True
        for user in (self.public, self.alice, self.bob, self.salesperson):
            self.assertFalse(self.refusal(user))

    def test_the_sale_order_refuses_a_cart_of_who_may_not_order(self):
        cart = self.env["sale.order"].create({"partner_id": self.contact.id, "website_id": self.website.id})
        self.contact.b2b_ordering = False
        cart_as_alice = cart.with_user(self.alice).sudo()
        with self.assertRaisesRegex(UserError, "not allowed to place orders"):
            cart_as_alice._cart_update(product_id=self.product.id, add_qty=1)
        with self.assertRaisesRegex(UserError, "not allowed to place orders"):
            cart_as_alice._check_cart_is_ready_to_be_paid()
        self.assertFalse(cart_as_alice._is_cart_ready())
        self.assertFalse(cart.order_line)

        self.contact.b2b_ordering = True
        self.assertTrue(cart_as_alice._is_cart_ready())
        self.website.b2b_mode = False
        self.contact.b2b_ordering = False
        self.assertTrue(cart_as_alice._is_cart_ready(), "without B2B mode the cart is Odoo's")

    def test_sign_up_is_by_invitation_on_a_b2b_website(self):
        self.website.auth_signup_uninvited = "b2c"
        Users = self.env["res.users"].with_context(website_id=self.website.id)
        self.assertEqual(Users._get_signup_invitation_scope(), "b2b")
        self.website.b2b_mode = False
        self.assertEqual(Users._get_signup_invitation_scope(), "b2c")

    def test_install_lets_existing_portal_users_order(self):
        partners = self.env["res.partner"].create([
            {"name": "Has a login", "email": "login@shop.example.com"},
            {"name": "Archived login", "email": "gone@shop.example.com"},
            {"name": "No login", "email": "nologin@shop.example.com"},
            {"name": "Employee", "email": "employee@seller.example.com"},
        ])
        new_test_user(self.env, login="hook_portal", groups="base.group_portal", partner_id=partners[0].id)
        archived = new_test_user(self.env, login="hook_gone", groups="base.group_portal", partner_id=partners[1].id)
        archived.active = False
        new_test_user(self.env, login="hook_employee", groups="base.group_user", partner_id=partners[3].id)

        post_init_hook(self.env)

        self.assertEqual(partners.mapped("b2b_ordering"), [True, False, False, False])
        self.assertEqual(partners.mapped("b2b_invite_state"), ["accepted", "not_invited", "not_invited", "not_invited"])
        self.assertEqual(partners[0].b2b_invitation_id.user_id.login, "hook_portal")
        post_init_hook(self.env)
        self.assertEqual(len(partners[0].b2b_invitation_ids), 1, "once")

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import B2bCommonMixin, B2bQuickOrderCommon, B2bRepCommon, B2bShopCommon


@tagged("post_install", "-at_install")
class TestInvitationTour(B2bCommonMixin, HttpCase):

    def test_accept_invitation_from_email_link(self):
        self.contact.action_b2b_invite()
        invitation = self.contact.b2b_invitation_ids
        self.start_tour(self.emailed_link(invitation), "b2b_invite_accept")
        self.assertEqual(invitation.state, "accepted")
        self.assertEqual(invitation.user_id.login, "alice.tour")


@tagged("post_install", "-at_install")
class TestPayOnAccountTour(B2bShopCommon, HttpCase):
    def test_from_the_invitation_to_an_order_paid_on_account(self):
        """A contact of a customer allowed to pay on account accepts its invitation, orders and pays on
        account: the order is confirmed, with no online payment."""
        on_account = self.env.ref("b2b_invite.payment_provider_on_account")
        on_account.write({"state": "enabled", "is_published": True})
        self.customer.b2b_pay_on_account = True
        self.env["delivery.carrier"].create({
            "name": "Our truck", "delivery_type": "fixed", "fixed_price": 5.0, "is_published": True,
            "product_id": self.env["product.product"].create({"name": "Truck delivery", "type": "service"}).id,
        })
        newcomer = self._new_contact("Nina New", "nina@acme.example.com")
        newcomer.write({"street": "1 Bean Street", "city": "Brussels", "zip": "1000", "phone": "+32 470 55 01 09",
                        "country_id": self.env.ref("base.be").id})
        newcomer.action_b2b_invite()
        invitation = newcomer.b2b_invitation_ids
        self.start_tour(self.emailed_link(invitation), "b2b_invite_pay_on_account")
        self.assertEqual(invitation.state, "accepted")
        order = self.env["sale.order"].search([("partner_id", "=", newcomer.id), ("website_id", "=", self.website.id)])
        self.assertEqual(order.state, "sale", "confirmed")
        self.assertEqual(order.transaction_ids.provider_id, on_account)
        self.assertEqual(order.transaction_ids.state, "pending", "nothing paid online: invoiced later")


@tagged("post_install", "-at_install")
class TestGuestTour(B2bShopCommon, HttpCase):
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
        self.start_tour("/shop?search=Zeta", "b2b_invite_guest_shop")


@tagged("post_install", "-at_install")
class TestQuickOrderTour(B2bQuickOrderCommon, HttpCase):
    def test_quick_order_from_the_header_to_the_cart(self):
        beans, milk, syrup, cups = self.env["product.product"].create([{
            "name": f"Tour {name}", "default_code": f"TOUR-{name.upper()}", "list_price": 10.0,
            "is_published": True, "website_id": self.website.id,
        } for name in ("Beans", "Milk", "Syrup", "Cups")])
        self._past_order(self.contact2, {beans: 4, milk: 2, syrup: 1})
        syrup.active = False
        tina = self._new_tour_contact()
        self.start_tour("/shop", "b2b_invite_quick_order", login="tina.tour")
        cart = self.env["sale.order"].search([("website_id", "=", self.website.id), ("partner_id", "=", tina.id)])
        self.assertEqual({line.product_id: line.product_uom_qty for line in cart.order_line}, {beans: 7, cups: 3})

    def test_order_again_from_a_past_order(self):
        """Odoo's own "Order again" tour, on a B2B shop (its setting off), as a contact who may order."""
        self.website.enabled_portal_reorder_button = False
        tina = self._new_tour_contact()
        first, second = self.env["product.product"].create([{
            "name": f"Reorder Product {number}", "list_price": 10.0, "is_published": True,
            "website_id": self.website.id,
        } for number in (1, 2)])
        self._past_order(tina, {first: 1, second: 1})
        self.start_tour("/", "website_sale_reorder_from_portal", login="tina.tour")
        cart = self.env["sale.order"].search([("website_id", "=", self.website.id), ("partner_id", "=", tina.id)])
        self.assertEqual(cart.order_line.product_id, first | second)

    def _new_tour_contact(self):
        """A contact of the customer allowed to order, with a portal login whose password is its login."""
        tina = self._new_contact("Tina Tour", "tina@acme.example.com")
        new_test_user(self.env, login="tina.tour", password="tina.tour", groups="base.group_portal",
                      partner_id=tina.id)
        return tina


@tagged("post_install", "-at_install")
class TestSalesRepTour(B2bRepCommon, HttpCase):
    def test_rep_logs_in_picks_a_customer_and_orders(self):
        transfer = self.env.ref("payment.payment_provider_transfer")
        transfer.write({"state": "enabled", "is_published": True})
        transfer._transfer_ensure_pending_msg_is_set()
        self.start_tour("/web/login?redirect=/my", "b2b_invite_sales_rep_order")
        order = self.env["sale.order"].search([("b2b_ordered_by_id", "=", self.rep.id)])
        self.assertRecordValues(order, [{
            "partner_id": self.contact.id, "partner_shipping_id": self.acme_delivery.id,
            "partner_invoice_id": self.acme_invoicing.id, "pricelist_id": self.acme_pricelist.id, "state": "sent",
        }])
        self.assertEqual(order.order_line.filtered(lambda line: not line.is_delivery).price_unit, 15.0)

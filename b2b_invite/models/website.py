from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    b2b_mode = fields.Boolean(
        "B2B shop",
        help="Sign-up is by invitation only and only contacts allowed to order can buy.",
    )
    b2b_guest_access = fields.Boolean(
        "Guests browse the shop",
        help="On a B2B shop, visitors who are not logged in may browse the catalogue, without "
             "ordering. Otherwise the shop asks them to log in.",
    )
    b2b_guest_pricelist_id = fields.Many2one(
        "product.pricelist", string="Guest pricelist",
        domain="[('company_id', 'in', (False, company_id))]",
        help="The prices guests see on a B2B shop. Empty: Odoo's usual website pricelist.",
    )
    b2b_guest_hide_prices = fields.Boolean(
        "Hide prices from guests",
        help="On a B2B shop, guests see the catalogue without prices.",
    )

    # ------------------------------------------------------------------
    # Who may order
    # ------------------------------------------------------------------

    def _b2b_order_refusal(self, user=None):
        """Why `user` (default: the current user) may not order on this website, or False.

        The one ordering gate: the cart routes, the checkout routes, the sale order itself and the
        shop pages all ask it. Only a B2B website refuses anyone; there, internal users always
        order, guests never do, and a portal user orders when its contact may
        (`res.partner._b2b_order_refusal`).
        """
        self.ensure_one()
        if not self.b2b_mode:
            return False
        user = (user or self.env.user).sudo()
        if user._is_public():
            return self.env._("Log in to order.")
        if not user.share:
            return False
        return user.partner_id._b2b_order_refusal()

    def _b2b_is_guest(self):
        """The current user is a visitor (not logged in) of this B2B website."""
        return bool(self.b2b_mode and self.env.user._is_public())

    def _b2b_hide_prices(self):
        return bool(self.b2b_guest_hide_prices and self._b2b_is_guest())

    def _b2b_join_url(self):
        """The link of the self-registration page of this website, or False when there is none."""
        self.ensure_one()
        return False

    # ------------------------------------------------------------------
    # website_sale hooks: guest access and guest prices
    # ------------------------------------------------------------------

    def has_ecommerce_access(self):
        """A B2B shop without guest access is for logged-in users only (Odoo's own switch)."""
        if self._b2b_is_guest() and not self.b2b_guest_access:
            return False
        return super().has_ecommerce_access()

    def _b2b_guest_pricelist(self):
        """The pricelist forced on the guests of this B2B website, or an empty recordset."""
        if self._b2b_is_guest() and self.b2b_guest_pricelist_id.active:
            return self.b2b_guest_pricelist_id.sudo()
        return self.env["product.pricelist"]

    def _get_current_pricelist(self):
        return self._b2b_guest_pricelist() or super()._get_current_pricelist()

    def get_pricelist_available(self, show_visible=False):
        """Guests of a B2B shop with a guest pricelist cannot pick another one."""
        return self._b2b_guest_pricelist() or super().get_pricelist_available(show_visible=show_visible)

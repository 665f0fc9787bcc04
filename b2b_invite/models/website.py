import base64
import io
import re

import qrcode
import qrcode.image.svg

from odoo import api, fields, models

from ..tools import tokens

JOIN_CODE_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


class Website(models.Model):
    _inherit = "website"

    b2b_mode = fields.Boolean(
        "B2B shop",
        help="Sign-up is by invitation only and only contacts allowed to order can buy.",
    )
    b2b_join_enabled = fields.Boolean(
        "Self-registration",
        help="Prospects register from a permanent link or QR code; a B2B Manager approves and activates them.",
    )
    b2b_join_code = fields.Char(copy=False, groups="b2b_invite.group_b2b_manager", index="btree_not_null")
    b2b_join_url = fields.Char(
        "Registration link", compute="_compute_b2b_join", groups="b2b_invite.group_b2b_manager")
    b2b_join_qr = fields.Binary(
        "Registration QR code", compute="_compute_b2b_join", groups="b2b_invite.group_b2b_manager")
    b2b_join_qr_svg = fields.Binary(
        "Registration QR code (SVG)", compute="_compute_b2b_join", groups="b2b_invite.group_b2b_manager")

    _sql_constraints = [
        ("b2b_join_code_uniq", "UNIQUE(b2b_join_code)", "Two websites cannot share a registration link."),
    ]

    @api.depends("b2b_join_enabled", "b2b_join_code", "domain")
    def _compute_b2b_join(self):
        for website in self:
            url = website._b2b_join_url()
            website.b2b_join_url = url
            website.b2b_join_qr = url and base64.b64encode(self._b2b_qr_image(url, "png"))
            website.b2b_join_qr_svg = url and base64.b64encode(self._b2b_qr_image(url, "svg"))

    @api.model
    def _b2b_qr_image(self, url, image_format):
        """The QR code of `url` as PNG or SVG bytes, large enough to print."""
        buffer = io.BytesIO()
        if image_format == "svg":
            qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=4).save(buffer)
        else:
            qrcode.make(url, box_size=16, border=4).save(buffer, format="PNG")
        return buffer.getvalue()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("b2b_join_enabled") and not vals.get("b2b_join_code"):
                vals["b2b_join_code"] = tokens.new_salt()
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if vals.get("b2b_join_enabled"):
            # sudo: the code field is for B2B managers; whoever may enable the link gets one
            self.sudo().filtered(lambda website: not website.b2b_join_code)._b2b_join_regenerate()
        return res

    def _b2b_join_regenerate(self):
        """Give these websites a new registration link: the previous link (and QR code) stops working."""
        for website in self:
            website.b2b_join_code = tokens.new_salt()

    def _b2b_join_url(self):
        """The absolute registration link of this website when self-registration is on, else False."""
        self.ensure_one()
        website = self.sudo()  # sudo: the code is hidden from most users; an enabled link is public
        if not (website.b2b_join_enabled and website.b2b_join_code):
            return False
        return f"{website.get_base_url()}/b2b/join/{website.b2b_join_code}"

    @api.model
    def _b2b_join_website(self, code):
        """The website whose registration link has `code` and is enabled, or an empty recordset.

        Called by the public controller: the result is a superuser record.
        """
        if not code or not JOIN_CODE_RE.fullmatch(code):
            return self.browse()
        return self.sudo().search([("b2b_join_code", "=", code), ("b2b_join_enabled", "=", True)], limit=1)

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
    b2b_act_consent_required = fields.Boolean(
        "Consent to act as a customer", default=True,
        help="Staff may act as a customer's contact only when the customer allowed shopping assistance.",
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

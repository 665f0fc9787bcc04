import base64
import io
import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..tools import tokens

JOIN_CODE_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
ORDER_FOR_KEY = "b2b_order_for"  # session: [user id, id of the contact it orders for]


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

    def _b2b_refusal_contact(self):
        """Whom the logged-in contact who may not order asks: (its salesperson's name, a mailto link), or
        (False, the website's contact page) when its customer has no salesperson with an email."""
        # sudo: the name and email of the salesperson of the contact's own customer, nothing else
        seller = self.env.user.partner_id.commercial_partner_id.sudo().user_id
        if seller.email:
            return seller.name, f"mailto:{seller.email}"
        return False, "/contactus"

    def _b2b_order_refusal(self, user=None, customer=None):
        """Why `user` (default: the current user) may not order on this website, or False.

        The one ordering gate: the cart routes, the checkout routes, the sale order itself and the
        shop pages all ask it. Only a B2B website refuses anyone; there, internal users always
        order, guests never do, and a portal user orders when its contact may
        (`res.partner._b2b_order_refusal`). A sales rep ordering on behalf of `customer` (default,
        for the current user: its choice in the shop) orders when it serves that customer
        (`res.users._b2b_order_for_refusal`); an outside rep orders only on behalf of a customer.
        """
        self.ensure_one()
        if not self.b2b_mode:
            return False
        if user is None and not customer and (customer := self._b2b_order_for()):
            # A shop page asks once per product card: one answer per request (the request sees one
            # state of the database; choosing another customer forgets it).
            answers = getattr(request, "b2b_order_for_answers", None)
            if answers is None:
                answers = request.b2b_order_for_answers = {}
            key = (self.id, self.env.uid, customer.id)
            if key not in answers:
                answers[key] = self.env.user._b2b_order_for_refusal(customer)
            return answers[key]
        user = (user or self.env.user).sudo()
        if customer:
            return user._b2b_order_for_refusal(customer)
        if user._is_public():
            return self.env._("Log in to order.")
        if not user.share:
            return False
        if user._b2b_serving_scope():
            return self.env._("Choose the customer you order for.")
        return user.partner_id._b2b_order_refusal()

    # ------------------------------------------------------------------
    # Ordering on behalf of a customer (sales reps)
    # ------------------------------------------------------------------

    def _b2b_order_for(self):
        """The contact the current user orders for in this B2B shop, as a superuser record, or an
        empty recordset. The choice lives in the session; whether it still holds is the gate's to say."""
        Partner = self.env["res.partner"].sudo()
        if not (request and self.b2b_mode):
            return Partner
        choice = request.session.get(ORDER_FOR_KEY)
        if not (isinstance(choice, list) and len(choice) == 2 and choice[0] == self.env.uid):
            return Partner
        contact = Partner.browse(choice[1])
        try:
            contact.commercial_partner_id  # noqa: B018 - read once per request (cached), unlike exists()
        except MissingError:
            return Partner
        return contact

    def _b2b_order_for_start(self, contact):
        """The current user orders on behalf of `contact` from now on, with that contact's cart kept
        from an earlier visit, if any. Raises UserError (and changes nothing) when it may not."""
        self.ensure_one()
        if not self.b2b_mode:
            raise UserError(self.env._("Ordering on behalf of a customer is for the B2B shop."))
        if refusal := self.env.user._b2b_order_for_refusal(contact):
            raise UserError(refusal)
        self.sale_reset()
        request.session[ORDER_FOR_KEY] = [self.env.uid, contact.id]
        request.b2b_order_for_answers = {}
        self.invalidate_recordset(["pricelist_id", "fiscal_position_id", "currency_id"])
        self.sale_get_order()  # finds the cart kept for this contact, if any

    def _b2b_order_for_stop(self):
        """End ordering on behalf: the customer's cart is kept for later, the user's own comes back."""
        request.session.pop(ORDER_FOR_KEY, None)
        request.b2b_order_for_answers = {}
        self.sale_reset()
        self.invalidate_recordset(["pricelist_id", "fiscal_position_id", "currency_id"])

    def _b2b_cart_domain(self, contact):
        """The carts of `contact` the current user started on its behalf on this website."""
        return [
            ("partner_id", "=", contact.id), ("b2b_ordered_by_id", "=", self.env.uid),
            ("website_id", "=", self.id), ("state", "=", "draft"),
        ]

    def sale_get_order(self, force_create=False):
        """Ordering on behalf of a contact: that contact's cart, started by the current user, kept
        between visits (website_sale's own cart is the user's own)."""
        contact = self._b2b_order_for()
        if not contact:
            if request and (cart_id := request.session.get("sale_order_id")):
                cart = self.env["sale.order"].sudo().browse(cart_id).exists()
                if cart.b2b_ordered_by_id:  # a cart ordered on behalf is used on behalf only
                    request.session.pop("sale_order_id")
                    request.session.pop("website_sale_cart_quantity", None)
            return super().sale_get_order(force_create=force_create)
        website = self.with_company(self.company_id)
        SaleOrder = website.env["sale.order"].sudo()
        domain = website._b2b_cart_domain(contact)
        cart = SaleOrder.browse(request.session.get("sale_order_id")).exists().filtered_domain(domain) \
            or SaleOrder.search(domain, order="write_date desc", limit=1)
        if cart and cart.get_portal_last_transaction().state in ("pending", "authorized", "done"):
            cart = SaleOrder  # being paid: not to be changed
        if cart and cart.pricelist_id != website.pricelist_id:
            cart._cart_update_pricelist(pricelist_id=website.pricelist_id.id)  # the customer's changed since
        if not cart and force_create:
            values = website._prepare_sale_order_values(contact)
            if not self.env.user.share:  # an internal salesperson is the salesperson of what it orders
                values["user_id"] = self.env.uid
            cart = SaleOrder.with_user(SUPERUSER_ID).create({**values, "b2b_ordered_by_id": self.env.uid})
            cart.message_post(body=Markup("<p>%s</p>") % self.env._(
                "Ordered by %(rep)s on behalf of %(contact)s.",
                rep=self.env.user.name, contact=contact.display_name,
            ), author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note")
        if not cart:
            request.session.pop("sale_order_id", None)
            request.session.pop("website_sale_cart_quantity", None)
            return self.env["sale.order"]
        request.session["sale_order_id"] = cart.id
        request.session["website_sale_cart_quantity"] = cart.cart_quantity
        return cart.with_user(self.env.user).sudo()

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

    def _b2b_order_for_pricelist(self):
        """When ordering on behalf of a contact: its pricelist (the one of its company)."""
        contact = self._b2b_order_for()
        return contact.with_company(self.company_id).property_product_pricelist.sudo() if contact \
            else self.env["product.pricelist"]

    def _get_current_pricelist(self):
        """The customer's own pricelist wins over one kept in the session (the guest pricelist of a visit
        made before logging in, for instance)."""
        return self._b2b_order_for_pricelist() or self._b2b_guest_pricelist() or self._b2b_customer_pricelist() \
            or super()._get_current_pricelist()

    def _b2b_customer_pricelist(self):
        """On a B2B website, the pricelist assigned to the logged-in contact's customer, if it has one."""
        user = self.env.user
        if not self.b2b_mode or not user.share or user._is_public():
            return self.env["product.pricelist"]
        # sudo: the contact's own customer's pricelist, that its orders use anyway
        partner = user.partner_id.sudo().with_company(self.company_id)
        pricelist = (partner.commercial_partner_id.specific_property_product_pricelist
                     or partner.specific_property_product_pricelist)
        return pricelist if pricelist.active else self.env["product.pricelist"]

    def get_pricelist_available(self, show_visible=False):
        """Guests of a B2B shop with a guest pricelist cannot pick another one, nor a rep ordering on
        behalf of a customer another pricelist than the customer's, nor a customer with a pricelist of
        its own (no pricelist switcher for it)."""
        return self._b2b_order_for_pricelist() or self._b2b_guest_pricelist() or self._b2b_customer_pricelist() \
            or super().get_pricelist_available(show_visible=show_visible)

    def _get_current_fiscal_position(self):
        """Ordering on behalf of a contact: the taxes of its fiscal position, not the rep's."""
        if contact := self._b2b_order_for():
            return self.env["account.fiscal.position"].sudo().with_company(self.company_id)._get_fiscal_position(
                contact)
        return super()._get_current_fiscal_position()

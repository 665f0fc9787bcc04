import re

from odoo import http
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.sale.controllers.portal import CustomerPortal
from odoo.exceptions import UserError
from odoo.http import request
from odoo.osv import expression

from ..tools.forms import check_form_token

CUSTOMERS_PER_PAGE = 20
SEARCH_MAX = 100


class B2bSalesRepPortal(CustomerPortal):
    """A sales rep's pages: its customers (/my/customers), whom it orders for (/b2b/order-for), and
    its customers' orders in /my. Who a rep serves is `res.partner._b2b_served_domain`'s to say; the
    choice of whom to order for is checked by `website._b2b_order_for_start`."""

    # ------------------------------------------------------------------
    # /my: "My customers", and the orders of its customers
    # ------------------------------------------------------------------

    @staticmethod
    def _b2b_is_rep():
        """The portal is a rep's: an outside rep's, or an internal salesperson's in a B2B shop."""
        user = request.env.user
        return bool(user._b2b_serving_scope() and (user.share or request.website.b2b_mode))

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "b2b_customer_count" in counters:
            values["b2b_customer_count"] = request.env["res.partner"]._b2b_served_customers(
                request.env.user, count=True) if self._b2b_is_rep() else 0
        return values

    def _b2b_rep_orders_domain(self, domain, state):
        """Odoo's orders of the user's company, and for a rep also the orders it placed and those of
        the customers it serves (its record rules decide, as always, what it may read)."""
        user = request.env.user
        if not self._b2b_is_rep():
            return domain
        Partner = request.env["res.partner"]
        # sudo: the served customers are read through fields the rep may not read itself (a subquery)
        served = Partner.sudo()._search(Partner._b2b_served_domain(user))
        return expression.OR([domain, [
            ("state", "=", state),
            "|", ("b2b_ordered_by_id", "=", user.id), ("partner_id.commercial_partner_id", "in", served),
        ]])

    def _prepare_quotations_domain(self, partner):
        return self._b2b_rep_orders_domain(super()._prepare_quotations_domain(partner), "sent")

    def _prepare_orders_domain(self, partner):
        return self._b2b_rep_orders_domain(super()._prepare_orders_domain(partner), "sale")

    @http.route(["/my/customers", "/my/customers/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_customers(self, page=1, search=None, **kw):
        if not self._b2b_is_rep():
            return request.redirect("/my")
        if not isinstance(page, int):  # ?page=... in the query string: a number, or the first page
            page = int(page) if isinstance(page, str) and re.fullmatch(r"[0-9]{1,6}", page) else 1
        return self._b2b_render_customers(page=page, search=search)

    def _b2b_render_customers(self, page=1, search=None, error=None, status=200):
        user = request.env.user
        search = (search or "").strip()[:SEARCH_MAX] if isinstance(search, str) else ""
        Partner = request.env["res.partner"]
        total = Partner._b2b_served_customers(user, search=search, count=True)
        pager = portal_pager(url="/my/customers", total=total, page=page, step=CUSTOMERS_PER_PAGE,
                             url_args={"search": search} if search else None)
        customers = Partner._b2b_served_customers(
            user, search=search, limit=CUSTOMERS_PER_PAGE, offset=pager["offset"])
        contacts = customers._b2b_ordering_contacts()
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "b2b_customers",
            "customers": customers,
            "contacts_of": {customer: contacts.filtered(lambda c, cust=customer: c.commercial_partner_id == cust)
                            for customer in customers},
            "order_for": request.website._b2b_order_for(),
            "search": search,
            "pager": pager,
            "error": error,
        })
        return request.render("b2b_invite.portal_my_customers", values, status=status)

    # ------------------------------------------------------------------
    # Whom the rep orders for in the shop
    # ------------------------------------------------------------------

    # csrf=False: the form's token is checked below, where a stale one gets a page that says so.
    @http.route("/b2b/order-for", type="http", auth="user", website=True, methods=["POST"], csrf=False,
                sitemap=False)
    def order_for(self, partner_id=None, **post):
        """Order on behalf of the contact `partner_id` (one of a served customer's ordering contacts)."""
        try:
            check_form_token(post)
            if not isinstance(partner_id, str) or not re.fullmatch(r"[0-9]{1,9}", partner_id):
                raise UserError(request.env._("Choose one of your customers' contacts to order for."))
            # sudo: any id may be posted; the gate below decides whether this user serves it
            contact = request.env["res.partner"].sudo().browse(int(partner_id)).exists()
            request.website._b2b_order_for_start(contact)
        except UserError as error:
            return self._b2b_refused(error.args[0])
        return request.redirect("/shop")

    @http.route("/b2b/order-for/stop", type="http", auth="user", website=True, methods=["POST"], csrf=False,
                sitemap=False)
    def order_for_stop(self, **post):
        """Stop ordering on behalf of a customer; its cart is kept for the next time."""
        try:
            check_form_token(post)
        except UserError as error:
            return self._b2b_refused(error.args[0])
        request.website._b2b_order_for_stop()
        return request.redirect("/shop")

    def _b2b_refused(self, message):
        """The customers page with why the choice was refused (nothing changed)."""
        if not self._b2b_is_rep():
            return request.render("b2b_invite.order_for_refused", {"error": message}, status=403)
        return self._b2b_render_customers(error=message, status=403)

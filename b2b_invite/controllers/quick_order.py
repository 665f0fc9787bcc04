import math

from werkzeug.datastructures import FileStorage

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools.misc import formatLang

from ..models.product_product import CSV_MAX_BYTES, QTY_MAX
from ..tools.forms import check_form_token

PAGE = "/shop/quick-order"


class B2bQuickOrder(http.Controller):
    """The quick order page of a B2B shop: the customer's usual products, lines by internal
    reference and a CSV file, added to the cart in one request.

    The models decide: who may order (``website._b2b_order_refusal``, then the cart's own gate in
    ``sale.order._b2b_cart_add``), what the customer usually orders
    (``res.partner._b2b_usual_products``), what the form asks for and what is refused
    (``product.product._b2b_quick_order_lines``). The customer is the cart's, as website_sale
    has it (the logged-in contact's own without a cart). The form's CSRF token is checked here
    (``csrf=False``) so that a stale page gets the form back with what was typed.
    """

    @http.route(PAGE, type="http", auth="public", website=True, sitemap=False)
    def quick_order(self, **_kwargs):
        return self._refused() or self._render()

    @http.route(f"{PAGE}/add", type="http", auth="public", website=True, sitemap=False, methods=["POST"],
                csrf=False)
    def quick_order_add(self, csv_file=None, **post):
        if refused_page := self._refused():
            return refused_page
        form = {"lines": post.get("lines") if isinstance(post.get("lines"), str) else "",
                "quantities": self._quantities(post)}
        try:
            check_form_token(post)  # and text in every field but csv_file: a file elsewhere is refused
            csv_data, filename = self._upload(csv_file)
            to_add, refused = request.env["product.product"]._b2b_quick_order_lines(
                self._quantities(post), post.get("lines", ""), csv_data, filename)
            if not (to_add or refused):
                raise UserError(request.env._(
                    "Nothing to add: enter quantities, internal references or a CSV file."))
            if to_add:
                self._add_to_cart(to_add)
        except UserError as error:  # nothing was added
            return self._render(form=form, error=error.args[0], status=getattr(error, "http_status", 200))
        if not refused:
            return request.redirect("/shop/cart", code=303)
        # The rest is in the cart: the form keeps only what was refused, to correct and send again.
        return self._render(added=len(to_add), refused=refused, form={
            "lines": "\n".join(line["text"] for line in refused if not line["product_id"]),
            "quantities": {str(line["product_id"]): line["text"] for line in refused if line["product_id"]},
        })

    @staticmethod
    def _quantities(post):
        """{product id: quantity} of the usual products' fields (qty_<product id>) that are text."""
        return {key[len("qty_"):]: value for key, value in post.items()
                if key.startswith("qty_") and isinstance(value, str)}

    # ------------------------------------------------------------------

    def _refused(self):
        """The answer to a visitor who may not use the page, or None."""
        website = request.website
        if not website.b2b_mode:
            raise request.not_found()
        if website._b2b_is_guest():
            return request.redirect_query("/web/login", {
                "redirect": PAGE, "message": request.env._("Log in to order."),
            })
        if refusal := website._b2b_order_refusal():
            return request.render("b2b_invite.quick_order_page", {"refusal": refusal}, status=403)
        return None

    def _upload(self, csv_file):
        """(content, file name) of the uploaded CSV file, (None, "") without one."""
        if isinstance(csv_file, str):
            if csv_file.strip():
                raise UserError(request.env._("“CSV file” takes a file: choose one with its button."))
            return None, ""
        if not isinstance(csv_file, FileStorage) or not csv_file.filename:
            return None, ""  # browsers send an empty part when no file is chosen
        # Reading one byte more than allowed is enough to refuse a file that is too large.
        return csv_file.read(CSV_MAX_BYTES + 1), csv_file.filename

    def _add_to_cart(self, to_add):
        order = request.website.sale_get_order(force_create=True)
        if order.state != "draft":
            request.website.sale_reset()
            order = request.website.sale_get_order(force_create=True)
        with request.env.cr.savepoint():  # all the lines, or none
            order._b2b_cart_add(to_add)
        request.session["website_sale_cart_quantity"] = order.cart_quantity

    def _render(self, form=None, status=200, **values):
        website = request.website
        order = website.sale_get_order()
        # The cart's customer; without a cart yet, the contact a sales rep orders for, or the user's own.
        customer = (order.partner_id or website._b2b_order_for() or request.env.user.partner_id).with_env(request.env)
        usual = customer._b2b_usual_products(website.company_id)
        visible = request.env["product.product"].concat(*(entry["product"] for entry in usual if not entry["hidden"]))
        prices = visible._b2b_shop_prices(website, order)
        typed = (form or {}).get("quantities")
        for entry in usual:
            product = entry["product"]
            entry["price"] = prices.get(product.id, 0.0)
            entry["refusal"] = (request.env._("Not sold in our online shop.") if entry["hidden"]
                                else product._b2b_quick_order_refusal())
            entry["quantity_text"] = formatLang(
                request.env, entry["quantity"], digits=0 if entry["quantity"].is_integer() else 2)
            entry["value"] = (typed.get(str(product.id), "") if typed is not None
                              else min(max(math.ceil(entry["quantity"]), 1), QTY_MAX))
        return request.render("b2b_invite.quick_order_page", {
            "customer": customer.commercial_partner_id,
            "usual": usual,
            "currency": order.currency_id or website.currency_id,
            "lines": (form or {}).get("lines", ""),
            "qty_max": QTY_MAX,
            **values,
        }, status=status)

import csv
import io
import re

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.sql import escape_psql

QTY_MAX = 10_000  # units of one product in one quick order
LINES_MAX = 1_000  # lines typed and rows of the file, together
CSV_MAX_BYTES = 1_000_000
CODE_MAX = 64
# A whole number, as typed or as a spreadsheet writes it ("12", "12.0", "12,00"); anything else is refused.
QTY_RE = re.compile(r"([+-]?)(\d+)(?:[.,](\d{1,2}))?")
# Files people upload by mistake in place of a CSV file, by their first bytes.
NOT_CSV_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class ProductProduct(models.Model):
    _inherit = "product.product"

    # ------------------------------------------------------------------
    # Quick order: what may be added, at which price
    # ------------------------------------------------------------------

    def _b2b_quick_order_refusal(self):
        """Why this product cannot be added from the quick order page, in a few words, or False.

        The shop's own rule first (``_is_add_to_cart_allowed``: active, for sale, published on the
        current website); then products that need choices made on their page (combos, attributes
        that create no variant, custom values), which a line of "reference, quantity" cannot carry.
        """
        self.ensure_one()
        if not (self.active and self.product_tmpl_id.active):
            return self.env._("No longer sold.")
        if not self._is_add_to_cart_allowed():
            return self.env._("Not sold in our online shop.")
        template = self.product_tmpl_id
        if self.type == "combo" or template._has_no_variant_attributes() or template._has_is_custom_values():
            return self.env._("Has options: order it from its page.")
        return False

    def _b2b_shop_prices(self, website, order):
        """{product id: unit price} for the customer of ``order`` (the current cart, maybe empty).

        The price the shop shows for one unit: the cart's pricelist and fiscal position (the
        website's current ones without a cart), taxes included or not as the website displays
        them (``website_sale``'s ``_get_sales_prices``, for variants). One pricelist computation
        for all the products.
        """
        products = self.with_company(website.company_id)
        pricelist = order.pricelist_id or website.pricelist_id
        fiscal_position = (order.fiscal_position_id if order else website.fiscal_position_id).sudo()
        currency = pricelist.currency_id or website.currency_id
        prices = pricelist._compute_price_rule(products, 1.0)
        company = website.company_id
        taxes_after_fp = {}
        result = {}
        for product in products:
            product_taxes = product.sudo().taxes_id._filter_taxes_by_company(company)
            if product_taxes not in taxes_after_fp:
                taxes_after_fp[product_taxes] = fiscal_position.map_tax(product_taxes)
            result[product.id] = self.env["product.template"]._apply_taxes_to_price(
                prices[product.id][0], currency, product_taxes, taxes_after_fp[product_taxes], product,
                website=website,
            )
        return result

    # ------------------------------------------------------------------
    # Quick order: reading quantities, typed lines and a CSV file
    # ------------------------------------------------------------------

    @api.model
    def _b2b_quick_order_lines(self, quantities=None, text="", csv_data=None, filename=""):
        """What a quick order asks for: the lines to add and the lines refused, with the reason.

        :param dict quantities: {product id: quantity}, as typed in the usual products' fields
            (strings; a blank or 0 quantity means "not this time")
        :param str text: lines typed or pasted, "internal reference, quantity" each
        :param bytes csv_data: an uploaded CSV file with the same two columns, or None
        :param str filename: the uploaded file's name, for the messages
        :return: (to_add, refused): ``to_add`` {product: whole quantity > 0}, the same product
            asked twice summed; ``refused`` a list of {"where", "text", "reason", "product_id" (the
            quantity field's product id; False for a line)}, in input order
        :raise UserError: when the input as a whole cannot be read (a file that is not CSV, not
            UTF-8 or too large; too many lines): nothing is to be added then
        """
        if len(text or "") > CSV_MAX_BYTES:
            raise UserError(self.env._(
                "The lines are too long: at most %s lines. Split them into several orders.", LINES_MAX))
        rows = [(self.env._("Line %s", number), row, index == 0)
                for index, (number, row) in enumerate(self._b2b_typed_rows(text or ""))]
        if csv_data:
            name = filename or self.env._("the file")
            rows += [(self.env._("Row %(row)s of %(file)s", row=number, file=name), row, index == 0)
                     for index, (number, row) in enumerate(self._b2b_csv_rows(self._b2b_csv_text(csv_data, name)))]
        # the quantities typed (blank: not this time), as strings whatever the caller sends
        quantities = {str(key): value for key, value in (quantities or {}).items() if str(value or "").strip()}
        if len(rows) + len(quantities) > LINES_MAX:
            raise UserError(self.env._(
                "More than %s lines: a quick order takes at most that many. Split them into several orders.",
                LINES_MAX))
        to_add, refused = {}, []

        def refuse(where, text, reason, field=False):
            refused.append({"where": where, "text": text, "reason": reason, "product_id": field})

        def add(product, qty, where, text, field=False):
            if to_add.get(product, 0) + qty > QTY_MAX:
                refuse(where, text, self.env._(
                    "More than %s units of this product in all: contact us for larger orders.", QTY_MAX), field)
            else:
                to_add[product] = to_add.get(product, 0) + qty

        ids = [int(key) for key in quantities if key.isascii() and key.isdigit() and int(key) < 2**31]
        products = self.with_context(active_test=False).search([("id", "in", ids)])
        by_id = {str(product.id): product for product in products}
        for field, raw_qty in quantities.items():
            qty, error = self._b2b_parse_quantity(raw_qty)
            if qty is None and not error:
                continue  # left blank or 0: not this time
            # A product the user may not read (not for sale, unpublished) is unknown here, as in the shop.
            product = by_id.get(field)
            where = product.display_name if product else self.env._("Product %s", field[:20])
            reason = error or (product._b2b_quick_order_refusal() if product else self.env._("Unknown product."))
            if reason:
                refuse(where, str(raw_qty), reason, field)
            else:
                add(product, qty, where, str(raw_qty), field)

        products_by_code = self._b2b_find_by_codes({row[0] for _where, row, _first in rows})
        for where, row, first in rows:
            code, raw_qty = [*row, "", ""][:2]
            line_text = ", ".join(row)
            products = products_by_code.get(code.lower(), self.browse())
            qty, error = self._b2b_parse_quantity(raw_qty, required=True)
            if first and raw_qty and error and not products:
                continue  # a heading row ("Reference, Quantity")
            reason = error
            addable = products.filtered(lambda product: not product._b2b_quick_order_refusal())
            if not code:
                reason = self.env._("No internal reference.")
            elif not products:
                reason = self.env._("Unknown internal reference.")
            elif not addable:
                reason = products[0]._b2b_quick_order_refusal()
            elif len(addable) > 1:
                reason = self.env._("Several products have this reference: order from their pages.")
            if reason:
                refuse(where, line_text, reason)
            else:
                add(addable, qty, where, line_text)
        return to_add, refused

    @api.model
    def _b2b_parse_quantity(self, raw, required=False):
        """(whole quantity or None, error or False) for a quantity as typed.

        Blank or 0 gives (None, False) unless ``required``: a line of its own asks for something.
        """
        raw = str(raw or "").strip()
        if not raw:
            return None, required and self.env._("No quantity.")
        match = QTY_RE.fullmatch(raw)
        if not match:
            return None, self.env._("“%s” is not a quantity: write a whole number of units.", raw[:20])
        sign, units, decimals = match.groups()
        if decimals and decimals.strip("0"):
            return None, self.env._("%s is not a whole number of units.", raw)
        qty = int(units)
        if sign == "-" and qty:
            return None, self.env._("A quantity cannot be negative.")
        if not qty:
            return None, required and self.env._("Quantity 0: nothing to add.")
        if qty > QTY_MAX:
            return None, self.env._("More than %s units: contact us for larger orders.", QTY_MAX)
        return qty, False

    @api.model
    def _b2b_csv_text(self, data, name):
        """The text of an uploaded CSV file, or a UserError that says why it cannot be read."""
        if len(data) > CSV_MAX_BYTES:
            raise UserError(self.env._(
                "%(name)s is larger than %(size)s MB: a quick order takes at most %(lines)s lines.",
                name=name, size=CSV_MAX_BYTES // 1_000_000, lines=LINES_MAX))
        if data.startswith(UTF16_BOMS) or (b"\x00" in data[:2] and not data.startswith(b"\xef\xbb\xbf")):
            raise UserError(self._b2b_not_utf8_message(name))
        if data.startswith(NOT_CSV_SIGNATURES) or b"\x00" in data:
            raise UserError(self.env._(
                "%s is not a CSV file. From a spreadsheet, save it as “CSV UTF-8”: two columns, "
                "internal reference and quantity.", name))
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(self._b2b_not_utf8_message(name)) from None

    def _b2b_not_utf8_message(self, name):
        return self.env._(
            "%s is not UTF-8 text. In Excel, save it as “CSV UTF-8”; in LibreOffice, choose the "
            "“Unicode (UTF-8)” character set.", name)

    @api.model
    def _b2b_typed_rows(self, text):
        """[(line number, [cells])] of lines typed or pasted: each line read on its own, its
        separator its own (a semicolon, a tab or a comma, else the last space: "CODE 4")."""
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if any(separator in line for separator in ";\t,"):
                parsed = self._b2b_csv_rows(line)
                cells = parsed[0][1] if parsed else []
            else:
                cells = line.strip().rsplit(None, 1)
            if cells:
                rows.append((number, cells))
            if len(rows) > LINES_MAX:
                break  # the caller refuses the whole input
        return rows

    @api.model
    def _b2b_csv_rows(self, text):
        """[(line number, [cells])] of the non-blank rows of CSV text (comma, semicolon or tab).

        The separator is the first row's: a semicolon when it has one (Excel in many languages),
        else a tab (cells pasted from a spreadsheet), else a comma. Cells are stripped; empty
        cells at the end of a row (Excel pads rows) are dropped.
        """
        first = next((line for line in io.StringIO(text) if line.strip()), "")
        delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                cells = [cell.strip() for cell in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    rows.append((reader.line_num, cells))
                if len(rows) > LINES_MAX:
                    break  # the caller refuses the whole input; no need to read further
        except csv.Error as error:
            raise UserError(self.env._("Line %(line)s cannot be read as CSV: %(error)s",
                                       line=reader.line_num, error=error)) from None
        return rows

    @api.model
    def _b2b_find_by_codes(self, codes):
        """{code in lower case: products} for these internal references, archived ones too.

        One exact search (indexed); the codes it misses are looked up again ignoring case.
        """
        codes = {code for code in codes if code and len(code) <= CODE_MAX}
        products = self.with_context(active_test=False).search([("default_code", "in", list(codes))])
        missed = {code.lower() for code in codes} - {code.lower() for code in products.mapped("default_code")}
        if missed:
            domain = ["|"] * (len(missed) - 1) + [("default_code", "=ilike", escape_psql(code)) for code in missed]
            products |= self.with_context(active_test=False).search(domain)
        found = {}
        for product in products:
            found.setdefault(product.default_code.lower(), []).append(product.id)
        # each set keeps the prefetching of them all: their fields are read once, for all
        return {code: products.browse(ids).with_prefetch(products._prefetch_ids) for code, ids in found.items()}

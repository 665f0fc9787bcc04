from odoo import api, models

PRICE_KEYS = ("price", "list_price", "price_extra", "base_unit_price")


def is_price(key, value):
    return ("price" in key and not key.endswith(("_id", "_ids"))
            and isinstance(value, (int, float)) and not isinstance(value, bool))


def blank_prices(website, answer):
    """A JSON answer of the shop with every price in it set to 0, when the website hides prices from
    the visitor (a guest of a B2B shop); unchanged otherwise.

    Prices are the numbers under a key that names one ("price", "price_extra", "extra_price",
    "strikethrough_price", ...; not "pricelist_id"), at any depth; a bare number is a price.
    """
    if not website._b2b_hide_prices():
        return answer

    def blank(value, key="price"):
        if isinstance(value, dict):
            return {name: blank(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [blank(item, key) for item in value]
        if is_price(key, value):
            return 0.0
        return value

    return blank(answer)


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Prices hidden from the guests of a B2B shop: blanked where website_sale computes them, so that
    # no page, snippet, search result or JSON answer shows them.

    def _get_sales_prices(self, website):
        if website._b2b_hide_prices():
            return {template.id: {"price_reduce": 0.0} for template in self}
        return super()._get_sales_prices(website)

    def _get_additionnal_combination_info(self, product_or_template, quantity, date, website):
        info = super()._get_additionnal_combination_info(product_or_template, quantity, date, website)
        if website._b2b_hide_prices():
            info.update(dict.fromkeys(PRICE_KEYS, 0.0), compare_list_price=None, has_discounted_price=False,
                        b2b_prices_hidden=True)
        return info

    @api.model
    def _get_configurator_display_price(self, product_or_template, quantity, date, currency, pricelist, **kwargs):
        """The product and combo configurators' price (their JSON routes blank the rest: blank_prices)."""
        website = self.env["website"].get_current_website(fallback=False)
        if website and website._b2b_hide_prices():
            return 0.0, False
        return super()._get_configurator_display_price(product_or_template, quantity, date, currency, pricelist,
                                                       **kwargs)

    @api.model
    def _search_get_detail(self, website, order, options):
        if website._b2b_hide_prices():
            # Filtering by price range, in the shop or the search box, would tell the hidden prices.
            options = {key: value for key, value in options.items() if key not in ("min_price", "max_price")}
        return super()._search_get_detail(website, order, options)

    def _search_render_results_prices(self, mapping, combination_info):
        if combination_info.get("b2b_prices_hidden"):
            return "", None
        return super()._search_render_results_prices(mapping, combination_info)

from odoo import models

from ..tools import batch_lookups


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    def _get_applicable_rules(self, products, date, **kwargs):
        """In a batch (tools/batch_lookups.py), the rules of all the batch's products, searched once.

        ``_compute_price_rule`` keeps, for each product, the first of these rules that
        ``_is_applicable_for`` it (product, template, category, minimum quantity), so the rules of
        more products than asked give the same prices; the date and pricelist stay in the search.
        """
        memo = batch_lookups.memo(self.env)
        if (memo is None or not self or kwargs or products._name != "product.product"
                or not memo["product_ids"].issuperset(products.ids)):
            return super()._get_applicable_rules(products, date, **kwargs)
        key = ("pricelist_rules", self.id, date)
        if key not in memo:
            batch_products = products.browse(sorted(memo["product_ids"]))
            memo[key] = super()._get_applicable_rules(batch_products, date).ids
        return self.env["product.pricelist.item"].browse(memo[key])

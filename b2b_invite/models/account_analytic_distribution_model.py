from odoo import api, models

from ..tools import batch_lookups


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    @api.model
    def search(self, domain, offset=0, limit=None, order=None):
        """In a batch (tools/batch_lookups.py), the models are read once and each search filters them.

        Every new sale order line searches the models that apply to its product and customer
        (``_get_applicable_models``); a company has few of them, so the batch reads those of the
        environment's companies (all that its record rules let a search see) once, in their
        order, and filters them with the same domain in memory.
        """
        memo = batch_lookups.memo(self.env)
        if memo is None or offset or limit or order:
            return super().search(domain, offset=offset, limit=limit, order=order)
        key = ("analytic_models", tuple(self.env.companies.ids))
        if key not in memo:
            memo[key] = super().search([("company_id", "in", [False, *self.env.companies.ids])]).ids
        return self.browse(memo[key]).filtered_domain(domain)

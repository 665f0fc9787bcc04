"""Lookups that Odoo's computes make once per record, made once per batch instead.

Creating many sale order lines in one ``create`` runs Odoo's computes on all of them at once, yet
two of those computes search the database for every line: the pricelist rule
(``product.pricelist._get_applicable_rules``) and the analytic distribution models
(``account.analytic.distribution.model.search``). Inside ``batch_lookups(records, products)``
each of those searches runs once, for all the batch's products, and every line then picks its
rows in memory, as Odoo does after its own search (see the overrides in ``models/``).

The memo lives in the cursor's cache under a token that only the batch's context carries, and is
dropped when the batch ends: nothing is kept from one batch to the next.
"""
import contextlib
import uuid

CONTEXT_KEY = "b2b_batch_lookups"


@contextlib.contextmanager
def batch_lookups(records, products):
    """Yield ``records`` in a context where the lookups of a batch about ``products`` are shared."""
    memos = records.env.cr.cache.setdefault(CONTEXT_KEY, {})
    token = uuid.uuid4().hex
    memos[token] = {"product_ids": frozenset(products.ids)}
    try:
        yield records.with_context(**{CONTEXT_KEY: token})
    finally:
        memos.pop(token, None)


def memo(env):
    """The memo (a dict) of the batch that ``env`` works for, or None outside a batch."""
    token = env.context.get(CONTEXT_KEY)
    return env.cr.cache.get(CONTEXT_KEY, {}).get(token) if token else None

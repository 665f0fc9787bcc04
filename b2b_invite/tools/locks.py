"""Row locks for the steps that two requests may run at once on the same record."""
from odoo.tools import SQL


def lock_rows(records):
    """SELECT ... FOR UPDATE: of two requests changing these rows, the second waits for the first,
    then fails with a serialization error under REPEATABLE READ, and Odoo retries it."""
    records.env.cr.execute(
        SQL("SELECT id FROM %s WHERE id IN %s FOR UPDATE", SQL.identifier(records._table), tuple(records.ids)),
        log_exceptions=False,
    )

"""Run an operation on many records so that one record's problem never aborts the others."""
import logging

from psycopg2 import OperationalError

from odoo.tools import split_every

_logger = logging.getLogger(__name__)


def run_in_batches(records, operation, size=500):
    """Call ``operation(batch)`` on ``records`` by batches, each in a savepoint.

    A batch that fails is rolled back and retried one record at a time, so that every record is
    either done entirely or left untouched. Concurrency errors are not caught: Odoo retries the
    whole request on them.

    :return: (records done, {record: message of the error that stopped it})
    """
    env = records.env
    done, failed = records.browse(), {}
    for batch in split_every(size, records.ids, records.browse):
        for attempt in ([batch] if len(batch) == 1 else [batch, *batch]):
            try:
                with env.cr.savepoint():
                    operation(attempt)
            except OperationalError:
                raise
            except Exception as error:
                env.invalidate_all(flush=False)
                if len(attempt) == 1:
                    _logger.warning("%s: %s", attempt, error, exc_info=True)
                    failed[attempt] = str(error.args[0] if error.args else error).strip().splitlines()[0]
                continue
            done |= attempt
            if attempt is batch:
                break
    return done, failed

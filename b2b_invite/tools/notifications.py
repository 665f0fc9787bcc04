"""What a button tells the user: Odoo's `display_notification` client action, and the rule of the
B2B buttons that act on many contacts at once: one record raises its problem, many get a summary."""
from odoo.exceptions import UserError


def notification(title, message, kind="success", sticky=False, next_action=None):
    """Odoo's `display_notification` client action (web's notification service).

    :param kind: "success", "warning", "danger" or "info"
    :param next_action: the action run once the notification shows (a soft reload, a dialog closing)
    """
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "title": title,
            "message": message,
            "type": kind,
            "sticky": sticky,
            "next": next_action or {"type": "ir.actions.client", "tag": "soft_reload"},
        },
    }


def raise_first(*problems):
    """Raise the first reason of `problems` (dicts {record: why}) as a UserError: a button run on one
    record tells its problem."""
    for by_record in problems:
        for reason in by_record.values():
            raise UserError(reason)


def summarize(records, title, done_partners, *problems):
    """The answer of a button run on `records`: for one record, its problem raised as a UserError;
    for many, a notification that says what was done and, per contact, what was not and why.

    :param done_partners: the contacts the button did its work for
    :param problems: dicts {record: why it was not done, in words for the user}
    """
    if len(records) == 1:
        raise_first(*problems)
    reasons = [reason for by_record in problems for reason in by_record.values()]
    env = records.env
    lines = [env._("%(count)s contact(s): %(names)s",
                   count=len(done_partners), names=", ".join(done_partners.mapped("name"))), *reasons]
    return notification(title, "\n".join(lines), kind="warning" if reasons else "success", sticky=bool(reasons))

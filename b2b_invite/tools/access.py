"""Who may call the addon's public methods.

Over JSON-RPC any logged-in user, a portal user too, may call any public method (no leading
underscore) of any model. Access rights and record rules only guard what the method then reads
or writes as that user, not what it does under ``sudo()``: each public method checks its caller's
group first, with these helpers.
"""
from odoo.exceptions import AccessError

SALESPERSON = "sales_team.group_sale_salesman"
B2B_MANAGER = "b2b_invite.group_b2b_manager"


def check_salesperson(env):
    """Raise AccessError unless the current user is a salesperson (B2B Managers are); the superuser is."""
    if not env.su and not env.user.has_group(SALESPERSON):
        raise AccessError(env._("Only salespeople can manage B2B invitations."))


def check_b2b_manager(env):
    """Raise AccessError unless the current user is a B2B Manager; the superuser is."""
    if not env.su and not env.user.has_group(B2B_MANAGER):
        raise AccessError(env._("Only B2B Managers can do this."))

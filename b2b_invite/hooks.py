from odoo.tools import email_normalize


def post_init_hook(env):
    """Contacts that already log in to the portal keep ordering once the addon is installed, and
    their login shows as an accepted invitation (B2B access: Accepted), not as "Not invited"."""
    # Outside sales reps order for their customers, not for themselves.
    portal_users = env["res.users"].search([
        ("share", "=", True), ("groups_id", "not in", env.ref("b2b_invite.group_b2b_sales_rep").ids)])
    portal_users.partner_id.filtered(lambda partner: not partner.b2b_ordering).write({"b2b_ordering": True})
    env["b2b.invitation"].with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create([
        {
            "partner_id": user.partner_id.id,
            "email": email_normalize(user.email or "") or user.login,
            "state": "accepted",
            "user_id": user.id,
            "accepted_date": user.create_date,
            "inviter_id": user.create_uid.id,
            "company_id": user.company_id.id,
        }
        for user in portal_users
        if not user.partner_id.b2b_invitation_ids
    ])

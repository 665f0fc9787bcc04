from odoo.tools import email_normalize

# Emails per run of Odoo's mail queue job. A cron worker runs a job up to 10 times in a row
# (ir.cron's MAX_BATCH_PER_CRON_JOB), within the workers' limits (limit_time_cpu 60 s and
# limit_time_real 120 s by default). At Odoo's default of 1,000 emails a run, a bulk invitation's
# queue passes them: the worker is killed mid-batch, and the email in flight then is sent twice.
# 100 emails a run (about 4 s here) keep 10 runs well within the limits.
MAIL_QUEUE_BATCH = ("mail.mail.queue.batch.size", "100")


def post_init_hook(env):
    """Contacts that already log in to the portal keep ordering once the addon is installed, and
    their login shows as an accepted invitation (B2B access: Accepted), not as "Not invited".

    The mail queue job sends by runs of MAIL_QUEUE_BATCH emails, unless the database says otherwise.
    """
    config = env["ir.config_parameter"].sudo()
    if not config.get_param(MAIL_QUEUE_BATCH[0]):
        config.set_param(*MAIL_QUEUE_BATCH)
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

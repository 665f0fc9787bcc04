from odoo import api, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model
    def _b2b_wake_queue(self):
        """Have Odoo's mail queue job send the queued mails within seconds, not at its next hourly run.

        The job's cron workers listen for triggers: they pick this one up as soon as the
        transaction commits. No page waits on the SMTP server, and an SMTP outage never fails
        the request: the mail waits in the queue, and a failure is kept on it (`failure_reason`).
        """
        # sudo: triggering a job is for administrators; any flow that queued a mail may wake it.
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

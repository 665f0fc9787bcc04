from odoo import models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _b2b_send(self, res_ids, email_values=None):
        """Queue this template's email for each record, then wake the mail queue: sent within seconds.

        :return: the queued mails (mail.mail)
        """
        if not res_ids:
            return self.env["mail.mail"]
        mails = self.send_mail_batch(res_ids, email_values=email_values)
        self.env["mail.mail"]._b2b_wake_queue()
        return mails

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from ..tools import tokens
from ..tools.locks import lock_rows

CODE_SCOPE = "b2b_invite.registration.code"
CODE_VALIDITY = timedelta(minutes=10)
CODE_MAX_TRIES = 5
CODE_MAX_LENGTH = 16
RESEND_DELAY = timedelta(seconds=60)
KEEP_DAYS = 1
EMAIL_MAX = 254


class B2bRegistrationVerification(models.Model):
    """The first step of a self-registration: prove the email address with a 6-digit code.

    Kept apart from the registration request so that addresses that are never verified
    (typing mistakes, bots) stay out of the B2B Managers' list; a day after its code expires,
    the record is deleted. A verified code becomes a request in state "Email verified".
    """

    _name = "b2b.registration.verification"
    _inherit = ["b2b.registration.flow"]
    _description = "B2B registration: email verification code"
    _order = "id desc"
    _rec_name = "email"

    website_id = fields.Many2one("website", required=True, readonly=True, ondelete="cascade")
    email = fields.Char(required=True, readonly=True)
    lang = fields.Char(readonly=True)
    expiration_date = fields.Datetime("Code valid until", readonly=True)
    tries = fields.Integer("Wrong tries", readonly=True)
    sent_date = fields.Datetime("Last code sent on", readonly=True)
    send_count = fields.Integer("Codes sent", readonly=True)
    code_salt = fields.Char(groups="base.group_system", copy=False)
    code_digest = fields.Char(groups="base.group_system", copy=False)
    mail_id = fields.Many2one(
        "mail.mail", "Code email", readonly=True, copy=False, ondelete="set null", index="btree_not_null",
        help="The email of the latest code while it waits in the queue or when its delivery failed.",
    )

    @api.model
    def _request(self, website, email, ip):
        """Email a verification code to `email` for a registration on `website`.

        Answers the same whether or not the address is known. Raises UserError (a message
        for the person) on an invalid address or when a rate limit is reached.
        :return: the verification, a superuser record
        """
        email = self._clean_email(email)
        self.env["b2b.rate.limit"]._check_rate("join.code", ip, f"email:{email}")
        verification = self.sudo().create({
            "website_id": website.id,
            "email": email,
            "lang": self.env.lang,
            **self._new_flow_values(),
        })
        verification._send_code()
        return verification

    @api.model
    def _clean_email(self, email):
        """The normalized address typed by the person, or a UserError saying what is wrong."""
        email = (email or "").strip()
        readable = len(email) <= EMAIL_MAX and email.isprintable() and "<" not in email
        normalized = readable and email_normalize(email)
        if not normalized or "." not in normalized.rpartition("@")[2]:
            raise UserError(self.env._("Enter a valid email address, like name@example.com."))
        return normalized

    def _send_code(self):
        """Email a new code (the previous one stops working), valid for 10 minutes and 5 tries."""
        self.ensure_one()
        code, salt, now = tokens.new_code(), tokens.new_salt(), fields.Datetime.now()
        self.sudo().write({  # sudo: the code fields are for nobody else
            "code_salt": salt,
            "code_digest": tokens.digest(self.env, CODE_SCOPE, f"{salt}:{code}"),
            "expiration_date": now + CODE_VALIDITY,
            "tries": 0,
            "sent_date": now,
            "send_count": self.send_count + 1,
        })
        # The email of the previous code, still queued or not delivered, would only bring a dead code.
        self.sudo().mail_id.filtered(lambda mail: mail.state != "sent").unlink()
        # The code reaches the template only through the context: it is never stored (and its email,
        # queued, is deleted once sent).
        self.sudo().mail_id = self.env.ref("b2b_invite.mail_template_b2b_registration_code").with_context(
            b2b_code=code, b2b_flow_url=self.website_id.get_base_url() + self._flow_path(),
        ).sudo()._b2b_send(self.ids)

    def _code_email_state(self):
        """Where the latest code email stands: "queued", "sent" or "failed".

        The code page reads it (and polls it) instead of waiting on the SMTP server: a person whose
        code could not be sent is told so, and may ask for a new one at once.
        """
        self.ensure_one()
        mail = self.sudo().mail_id  # sudo: mails are for admins only; only the state is read
        if not mail:
            return "sent"  # Odoo deletes a code email once the outgoing mail server took it
        return {"outgoing": "queued", "sent": "sent"}.get(mail.state, "failed")

    def _resend(self, ip):
        """Send a new code, at most once a minute (at once when the previous one could not be sent) and
        within the rate limits (UserError otherwise)."""
        self.ensure_one()
        if self._code_email_state() != "failed" and self.sent_date \
                and fields.Datetime.now() < self.sent_date + RESEND_DELAY:
            raise UserError(self.env._(
                "A code was sent less than a minute ago: check your mailbox (and spam folder), "
                "or wait a minute before asking for a new one."))
        self.env["b2b.rate.limit"]._check_rate("join.code", ip, f"email:{self.email}")
        self._send_code()

    def _verify(self, code, ip):
        """Check the code the person typed; when right, the registration request starts.

        Raises UserError when a rate limit refuses the try before anything is counted. A wrong
        code is counted as a try and *returned* as a refusal, not raised: raising would roll the
        count back in most callers.
        :return: (the new registration request or an empty recordset, message for the person or None)
        """
        self.ensure_one()
        Request = self.env["b2b.registration.request"]
        self.env["b2b.rate.limit"]._check_rate("join.post", ip, f"email:{self.email}")
        lock_rows(self)  # two concurrent tries of one code are counted one after the other
        self.invalidate_recordset()
        verification = self.sudo()  # sudo: the code fields are for nobody else
        if verification.tries >= CODE_MAX_TRIES:
            return Request, self.env._("Too many wrong codes: this code no longer works. Ask for a new code.")
        if not verification.expiration_date or verification.expiration_date < fields.Datetime.now():
            return Request, self.env._("This code has expired. Ask for a new code.")
        code = "".join((code or "").split())
        if not code:
            return Request, self.env._("Type the 6-digit code we sent you.")
        if len(code) > CODE_MAX_LENGTH or not tokens.matches(
                self.env, CODE_SCOPE, f"{verification.code_salt}:{code}", verification.code_digest):
            verification.tries += 1
            tries_left = CODE_MAX_TRIES - verification.tries
            if not tries_left:
                return Request, self.env._("Wrong code. That was the last try: ask for a new code.")
            if tries_left == 1:
                return Request, self.env._("Wrong code. 1 try left.")
            return Request, self.env._("Wrong code. %s tries left.", tries_left)
        registration = Request.sudo().create({
            "website_id": self.website_id.id,
            "company_id": self.website_id.company_id.id,
            "email": self.email,
            "lang": self.lang,
            **self._flow_values(),
        })
        self.unlink()
        return registration, None

    @api.autovacuum
    def _gc_expired(self):
        expired = self.sudo().search([("expiration_date", "<", fields.Datetime.now() - timedelta(days=KEEP_DAYS))])
        expired.mail_id.unlink()  # code emails never delivered: Odoo keeps them, with their dead code
        expired.unlink()

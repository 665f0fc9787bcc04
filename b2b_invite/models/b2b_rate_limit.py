import ipaddress
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import tokens

KEY_SCOPE = "b2b_invite.rate_limit"
HOUR = 3600
# What a visitor may do how often: action -> (attempts per IP address, attempts per subject, window in seconds)
LIMITS = {
    "accept": (30, 10, HOUR),     # invitation accept forms sent; the subject is the invitation
    "join.code": (10, 5, HOUR),   # registration codes emailed (first request and resends); subject: the email
    "join.post": (30, 15, HOUR),  # registration codes typed and business details sent; subject: the email
}
CODE_EMAILS_PARAM = "b2b_invite.join_code_emails_per_hour"
CODE_EMAILS_PER_HOUR = 100  # codes emailed per hour, all visitors together (default of the setting)


class B2bRateLimit(models.Model):
    """A rate limit: a counter of attempts per key (an IP address, an email, ...) over a time window.

    The counters live in the database, so a limit holds whichever worker serves the next
    request. One row per key: its window opens with the first attempt and lasts `window`
    seconds. Two requests counting the same key at once update the same row; under
    REPEATABLE READ the second one fails with a serialization error and Odoo retries it,
    so concurrent requests cannot slip past a limit. Keys are stored as keyed digests:
    the table holds no address.
    """

    _name = "b2b.rate.limit"
    _description = "B2B rate limit counter"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    count = fields.Integer(readonly=True)
    expiration_date = fields.Datetime("Window ends on", required=True, readonly=True, index=True)

    _sql_constraints = [("key_uniq", "UNIQUE(key)", "One counter per key.")]

    @api.model
    def _digest(self, key):
        return tokens.digest(self.env, KEY_SCOPE, key)

    @api.model
    def _ip_key(self, ip):
        """The part of an IP address that a rate limit counts: an IPv4 address, or the /64 network
        of an IPv6 one (a single connection commonly holds a whole /64)."""
        try:
            address = ipaddress.ip_address(ip or "")
        except ValueError:
            return str(ip)
        if address.version == 6:
            if address.ipv4_mapped:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network((address, 64), strict=False))
        return str(address)

    @api.model
    def _is_allowed(self, key, limit):
        """Return whether `key` had fewer than `limit` attempts in its current window."""
        self.flush_model()
        self.env.cr.execute(SQL(
            "SELECT count FROM b2b_rate_limit WHERE key = %s AND expiration_date > %s",
            self._digest(key), fields.Datetime.now(),
        ))
        row = self.env.cr.fetchone()
        return not row or row[0] < limit

    @api.model
    def _hit(self, key, window):
        """Count one attempt of `key`; a new window of `window` seconds opens when the last one ended.

        :return: the number of attempts in the current window, this one included
        """
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            INSERT INTO b2b_rate_limit (key, count, expiration_date) VALUES (%(key)s, 1, %(end)s)
            ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN b2b_rate_limit.expiration_date > %(now)s THEN b2b_rate_limit.count + 1 ELSE 1 END,
                expiration_date = CASE WHEN b2b_rate_limit.expiration_date > %(now)s
                                       THEN b2b_rate_limit.expiration_date ELSE EXCLUDED.expiration_date END
            RETURNING count
            """,
            key=self._digest(key), now=now, end=now + timedelta(seconds=window),
        ), log_exceptions=False)
        count = self.env.cr.fetchone()[0]
        self.invalidate_model(flush=False)
        return count

    @api.model
    def _try(self, limits):
        """Count one attempt against every limit, unless one of them is used up.

        :param limits: iterable of (key, limit, window in seconds)
        :return: True when the attempt is allowed (and counted), False when a limit is reached
        """
        limits = list(limits)
        if not all(self._is_allowed(key, limit) for key, limit, _window in limits):
            return False
        for key, _limit, window in limits:
            self._hit(key, window)
        return True

    @api.model
    def _check_rate(self, action, ip, subject):
        """Count one attempt of `action` (a key of LIMITS) from `ip` about `subject` (such as
        "email:name@example.com"); UserError when a limit is reached.

        IPv6 addresses count by /64; registration codes emailed also count against a cap for all
        visitors (a setting). The message is the same for every limit and every subject: it tells
        nothing about whether an address is known.
        """
        per_ip, per_subject, window = LIMITS[action]
        limits = [
            (f"b2b.{action}.ip:{self._ip_key(ip)}", per_ip, window),
            (f"b2b.{action}.{subject}", per_subject, window),
        ]
        if action == "join.code":  # every code is an email the website sends: a cap for all visitors too
            limits.append(("b2b.join.code.all", self._code_emails_per_hour(), HOUR))
        if not self._try(limits):
            raise UserError(self.env._("Too many attempts. Please try again in an hour."))

    @api.model
    def _code_emails_per_hour(self):
        """The setting "Registration codes per hour" (all visitors together), at least 1."""
        value = self.env["ir.config_parameter"].sudo().get_param(CODE_EMAILS_PARAM, CODE_EMAILS_PER_HOUR)
        try:
            return max(1, int(value))
        except ValueError:
            return CODE_EMAILS_PER_HOUR

    @api.autovacuum
    def _gc_expired(self):
        self.flush_model()
        self.env.cr.execute(SQL("DELETE FROM b2b_rate_limit WHERE expiration_date < %s", fields.Datetime.now()))
        self.invalidate_model(flush=False)

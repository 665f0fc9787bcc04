"""The one helper for b2b_invite's secrets: invitation links and verification codes.

A secret is never stored: records keep a random salt and a keyed digest, an HMAC keyed
with the system parameter `database.secret`. That key lives in the same database, so a
full dump holds it too (and a 6-digit code is then quickly brute-forced); what the key
protects against is a leak of the tables that store digests, without ir_config_parameter.
An invitation link is derived from its record's salt, which lets a B2B Manager copy
a link again without the link ever being stored.
"""
import hashlib
import hmac
import re
import secrets

from odoo.tools import consteq

LINK_SECRET = re.compile(r"[0-9a-f]{64}")


def new_salt():
    """128 random bits, the seed of a link or the row-specific part of a digest."""
    return secrets.token_hex(16)


def new_code(digits=6):
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _hmac(env, scope, message):
    """Odoo's tools.misc.hmac (keyed with the database secret), the secret read once per cursor:
    a bulk batch derives thousands of links."""
    key = "b2b_invite.database_secret"
    if key not in env.cr.cache:
        env.cr.cache[key] = env["ir.config_parameter"].sudo().get_param("database.secret").encode()
    return hmac.new(env.cr.cache[key], repr((scope, message)).encode(), hashlib.sha256).hexdigest()


def derive(env, scope, *parts):
    """Return the secret of `parts` (one of them a salt) in `scope`: 64 hex characters."""
    return _hmac(env, scope, ":".join(str(part) for part in parts))


def digest(env, scope, secret):
    """Keyed digest of `secret`, what the database stores and searches by."""
    return _hmac(env, f"{scope}.digest", secret)


def matches(env, scope, secret, stored_digest):
    """Compare `secret` with a stored digest in constant time."""
    if not secret or not stored_digest:
        return False
    return consteq(digest(env, scope, secret), stored_digest)


def new_link(env, scope):
    """A new link: (salt, digest) to store; the link's secret is derive(env, scope, salt)."""
    salt = new_salt()
    return salt, digest(env, scope, derive(env, scope, salt))


def find_by_link(records, scope, secret, digest_field, domain=()):
    """The record whose link secret is `secret` (looked up by its digest), or an empty recordset.

    For public controllers, where the secret is the credential: the record found is a superuser one.
    """
    if not secret or not LINK_SECRET.fullmatch(secret):
        return records.browse()
    record = records.sudo().search([(digest_field, "=", digest(records.env, scope, secret)), *domain], limit=1)
    if not matches(records.env, scope, secret, record[digest_field] if record else None):
        return records.browse()
    return record


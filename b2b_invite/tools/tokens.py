"""The one helper for b2b_invite's secrets: invitation links and verification codes.

A secret is never stored: records keep a random salt and a keyed digest (HMAC with
the database secret, so a 6-digit code cannot be brute-forced from a database dump).
An invitation link is derived from its record's salt, which lets a B2B Manager copy
a link again without the link ever being stored.
"""
import secrets

from odoo.tools import consteq
from odoo.tools.misc import hmac


def new_salt():
    """128 random bits, the seed of a link or the row-specific part of a digest."""
    return secrets.token_hex(16)


def new_code(digits=6):
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def derive(env, scope, *parts):
    """Return the secret of `parts` (one of them a salt) in `scope`: 64 hex characters."""
    return hmac(env(su=True), scope, ":".join(str(part) for part in parts))


def digest(env, scope, secret):
    """Keyed digest of `secret`, what the database stores and searches by."""
    return hmac(env(su=True), f"{scope}.digest", secret)


def matches(env, scope, secret, stored_digest):
    """Compare `secret` with a stored digest in constant time."""
    if not secret or not stored_digest:
        return False
    return consteq(digest(env, scope, secret), stored_digest)

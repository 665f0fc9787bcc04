"""The public forms of the addon check their CSRF token themselves, to answer a stale one kindly."""
from odoo.http import request


def stale_form_error(post):
    """Why a POSTed form is refused, or None when its CSRF token is valid.

    Odoo answers an invalid CSRF token with a bare "400 Bad Request" page, which loses what the
    person typed; the routes that call this (``csrf=False``) render their form again instead,
    with this message. A back button, a second click or a session that ended cause it, not only
    an attack: either way, nothing is done.
    """
    if request.validate_csrf(post.pop("csrf_token", None)):
        return None
    return request.env._("This page had expired: check what you typed and send it again.")

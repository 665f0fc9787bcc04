"""The public forms of the addon check their CSRF token themselves, to answer a stale one kindly."""
from odoo.exceptions import UserError
from odoo.http import request


def check_form_token(post):
    """Raise a UserError for the person when the POSTed form's CSRF token is not valid.

    Odoo answers an invalid CSRF token with a bare "400 Bad Request" page, which loses what the
    person typed; the routes that call this (``csrf=False``) render their form again instead,
    with the message. A back button, a second click or a session that ended cause it, not only
    an attack: either way, nothing is done.
    """
    if not request.validate_csrf(post.pop("csrf_token", None)):
        raise UserError(request.env._("This page had expired: check what you typed and send it again."))

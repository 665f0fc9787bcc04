"""The public forms of the addon check what they receive themselves, to answer bad input kindly."""
from odoo.exceptions import UserError
from odoo.http import request


class UnreadableForm(UserError):
    """A posted form with a field that is not text (a file sent in its place): answered with 400."""

    http_status = 400


def check_text_fields(post):
    """Raise UnreadableForm when a field of the POSTed form is not text, after removing it from `post`.

    A multipart form may carry a file under any field's name; the pages read text only. The
    routes that call this first get a form they can render again, with a word why.
    """
    not_text = [name for name, value in post.items() if not isinstance(value, str)]
    for name in not_text:
        del post[name]
    if not_text:
        raise UnreadableForm(request.env._("This form could not be read: fill it in and send it again."))


def check_form_token(post):
    """Raise a UserError for the person when the POSTed form's CSRF token is not valid.

    Odoo answers an invalid CSRF token with a bare "400 Bad Request" page, which loses what the
    person typed; the routes that call this (``csrf=False``) render their form again instead,
    with the message. A back button, a second click or a session that ended cause it, not only
    an attack: either way, nothing is done.
    """
    check_text_fields(post)
    if not request.validate_csrf(post.pop("csrf_token", None)):
        raise UserError(request.env._("This page had expired: check what you typed and send it again."))


def no_referrer(response):
    """The response, with browsers told not to send its address (it may name a secret) elsewhere."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

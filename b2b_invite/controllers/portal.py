from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError
from odoo.http import request


class B2bCustomerPortal(CustomerPortal):
    """/my/account: an address the contact's login or invitation cannot follow is refused in the form."""

    def details_form_validate(self, data, partner_creation=False):
        error, error_message = super().details_form_validate(data, partner_creation=partner_creation)
        if not partner_creation and data.get("email") and not error.get("email"):
            try:
                # sudo: a portal user reads neither invitations nor other logins (the message names no one).
                request.env.user.partner_id.sudo()._b2b_email_moves(data["email"])
            except UserError as refusal:
                error["email"] = "error"
                error_message.append(refusal.args[0])
        return error, error_message

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.access import check_b2b_manager
from .b2b_act_session import IDLE_BOUNDS, IDLE_MINUTES, IDLE_PARAM
from .b2b_invitation import VALIDITY_DAYS
from .b2b_invite_campaign import DEFAULT_THRESHOLD
from .b2b_rate_limit import CODE_EMAILS_PARAM, CODE_EMAILS_PER_HOUR


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    b2b_invite_validity_days = fields.Integer(
        "Invitation validity (days)", config_parameter="b2b_invite.validity_days", default=7,
    )
    b2b_invite_campaign_threshold = fields.Integer(
        "Campaign threshold", config_parameter="b2b_invite.campaign_threshold", default=DEFAULT_THRESHOLD,
        help="Inviting, resending or revoking more contacts than this at once runs as a campaign in the background.",
    )
    b2b_mode = fields.Boolean(related="website_id.b2b_mode", readonly=False)
    b2b_guest_access = fields.Boolean(related="website_id.b2b_guest_access", readonly=False)
    b2b_guest_pricelist_id = fields.Many2one(related="website_id.b2b_guest_pricelist_id", readonly=False)
    b2b_guest_hide_prices = fields.Boolean(related="website_id.b2b_guest_hide_prices", readonly=False)
    b2b_own_documents = fields.Boolean(related="company_id.b2b_own_documents", readonly=False)
    b2b_act_consent_required = fields.Boolean(related="website_id.b2b_act_consent_required", readonly=False)
    b2b_act_idle_minutes = fields.Integer(
        "Acting idle time (minutes)", config_parameter=IDLE_PARAM, default=IDLE_MINUTES,
    )

    b2b_join_enabled = fields.Boolean(related="website_id.b2b_join_enabled", readonly=False)
    b2b_join_code_emails_per_hour = fields.Integer(
        "Registration codes per hour", config_parameter=CODE_EMAILS_PARAM, default=CODE_EMAILS_PER_HOUR,
        help="At most this many verification codes are emailed per hour, all visitors together.",
    )
    b2b_join_url = fields.Char(related="website_id.b2b_join_url")
    b2b_join_qr = fields.Binary(related="website_id.b2b_join_qr")

    @api.constrains("b2b_invite_validity_days")
    def _check_b2b_invite_validity_days(self):
        low, high = VALIDITY_DAYS
        if any(not low <= settings.b2b_invite_validity_days <= high for settings in self):
            raise ValidationError(
                self.env._("An invitation is valid for %(low)s to %(high)s days.", low=low, high=high))

    @api.constrains("b2b_join_code_emails_per_hour")
    def _check_b2b_join_code_emails_per_hour(self):
        if any(settings.b2b_join_code_emails_per_hour < 1 for settings in self):
            raise ValidationError(self.env._("Allow at least one registration code per hour."))

    @api.constrains("b2b_invite_campaign_threshold")
    def _check_b2b_invite_campaign_threshold(self):
        if any(settings.b2b_invite_campaign_threshold < 1 for settings in self):
            raise ValidationError(self.env._("The campaign threshold is at least 1 contact."))

    def action_b2b_edit_invitation_email(self):
        """The invitation's email template, in its form (no developer mode needed)."""
        check_b2b_manager(self.env)
        template = self.env.ref("b2b_invite.mail_template_b2b_invitation")
        return {
            "type": "ir.actions.act_window",
            "name": template.name,
            "res_model": "mail.template",
            "res_id": template.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_b2b_edit_emails(self):
        """Every email the addon sends, as templates to edit (no developer mode needed)."""
        check_b2b_manager(self.env)
        templates = self.env["ir.model.data"].search([("module", "=", "b2b_invite"), ("model", "=", "mail.template")])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("B2B emails"),
            "res_model": "mail.template",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": ["|", ("id", "in", templates.mapped("res_id")), ("model", "like", "b2b.")],
            "target": "current",
        }

    @api.constrains("b2b_act_idle_minutes")
    def _check_b2b_act_idle_minutes(self):
        low, high = IDLE_BOUNDS
        if any(not low <= settings.b2b_act_idle_minutes <= high for settings in self):
            raise ValidationError(self.env._(
                "Acting as a customer stops after %(low)s to %(high)s minutes without activity.", low=low, high=high))

    def action_b2b_join_regenerate(self):
        """A new registration link for the website: the printed QR codes and the old link stop working."""
        check_b2b_manager(self.env)
        self.website_id._b2b_join_regenerate()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_b2b_join_download_png(self):
        return self._b2b_join_download("b2b_join_qr", "png")

    def action_b2b_join_download_svg(self):
        return self._b2b_join_download("b2b_join_qr_svg", "svg")

    def _b2b_join_download(self, field_name, extension):
        check_b2b_manager(self.env)
        website = self.website_id
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/website/{website.id}/{field_name}"
                   f"?download=true&filename=registration-qr-{website.id}.{extension}",
            "target": "download",
        }

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.b2b_invitation import OPEN_STATES
from ..tools.access import check_salesperson


class B2bInviteWizard(models.TransientModel):
    """Invite many contacts at once; ends with a summary of what was done and what was not."""

    _name = "b2b.invite.wizard"
    _description = "Invite contacts to the B2B portal"

    partner_ids = fields.Many2many("res.partner", string="Contacts")
    partner_count = fields.Integer(compute="_compute_partner_count")
    runs_as_campaign = fields.Boolean(compute="_compute_partner_count")
    mode = fields.Selection(
        [("send", "Send the invitations by email"), ("export", "Generate links and export CSV (no email)")],
        default="send", required=True,
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", required=True)
    invitation_ids = fields.Many2many("b2b.invitation", string="Invitations")
    done_count = fields.Integer("Invited", readonly=True)
    skipped_count = fields.Integer("Skipped", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    campaign_id = fields.Many2one("b2b.invite.campaign", readonly=True)
    skipped_note = fields.Text("Skipped, and why", readonly=True)
    failed_note = fields.Text("Failed, and why", readonly=True)

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        Campaign = self.env["b2b.invite.campaign"]
        for wizard in self:
            wizard.partner_count = len(wizard._partners())
            wizard.runs_as_campaign = Campaign._is_large(wizard.partner_count)

    def _partners(self):
        """The selected contacts, archived ones included: the rules refuse those with a reason.

        Reading partner_ids with Odoo's active filter fetches the row of every selected contact,
        which takes over a minute and hundreds of MB for 100,000 contacts.
        """
        self.ensure_one()
        return self.env["res.partner"].browse(self.with_context(active_test=False).partner_ids.ids)

    @api.model
    def _open(self, partners, skipped=()):
        """Open the wizard on `partners`; `skipped` are lines about what was left out before it."""
        wizard = self.create({"partner_ids": [(6, 0, partners.ids)], "skipped_note": "\n".join(skipped)})
        return wizard._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invite to the B2B portal"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        check_salesperson(self.env)
        self.ensure_one()
        if self.state == "done":  # confirmed twice (a double click): the summary stays
            return self.campaign_id._open() if self.campaign_id else self._reopen()
        partners = self._partners()
        if not partners:
            raise UserError(self.env._("There is no contact to invite."))
        Invitation = self.env["b2b.invitation"]
        existing = Invitation
        if self.mode == "export":
            Invitation.check_field_access_rights("read", ["invitation_url"])  # B2B Managers only
        Campaign = self.env["b2b.invite.campaign"]
        if Campaign._is_large(len(partners)):
            # Too many for one request: a campaign does it on the cron workers, and says when it ends.
            campaign = Campaign._start(
                "export" if self.mode == "export" else "invite", partners=partners, note=self.skipped_note)
            self.write({"state": "done", "campaign_id": campaign.id})
            return campaign._open()
        if self.mode == "export":
            # Contacts already invited keep their link: it is exported as it is.
            existing = Invitation.search([("partner_id", "in", partners.ids), ("state", "in", OPEN_STATES)])
        invitations, skipped, failed = Invitation._invite_many(
            partners - existing.partner_id, send=self.mode == "send")
        if self.mode == "export":
            (invitations | existing)._mark_exported()
        earlier = [line for line in (self.skipped_note or "").split("\n") if line]
        self.write({
            "state": "done",
            "invitation_ids": [(6, 0, (invitations | existing).ids)],
            "done_count": len(invitations | existing),
            "skipped_count": len(skipped) + len(earlier),
            "failed_count": len(failed),
            "skipped_note": "\n".join(earlier + list(skipped.values())),
            "failed_note": "\n".join(failed.values()),
        })
        return self._reopen()

    def action_download_csv(self):
        check_salesperson(self.env)
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/b2b/invitations/export/{self.id}", "target": "self"}

"""Large invitation runs as resumable background jobs on Odoo's own cron workers.

A campaign holds one line per contact. The campaign scheduled actions ("lanes", two shipped; any
copy of them is one more) each claim a batch of pending lines with ``FOR UPDATE SKIP LOCKED``, so
several cron workers, on one server or several, share a campaign without overlap. A batch runs in
its own transaction: the invitations it creates, their queued emails and the lines' outcomes
commit together, so that a crash loses the batch as a whole and the next run does it again,
never twice.
"""
import logging
import threading
import time

from psycopg2 import OperationalError
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, formatLang

from ..tools.access import check_b2b_manager
from .b2b_invitation import OPEN_STATES

_logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 500
DEFAULT_BATCH_SIZE = 500  # at most, per batch
BATCH_SECONDS = 3.0  # what a batch should take: a cron run (up to 10 batches) stays within the time limits
FIRST_BATCH_SIZE = 100
# Seconds per contact of the latest batch, per database, in this worker process
_seconds_per_contact = {}
KINDS = [
    ("invite", "Invite"),
    ("export", "Generate links"),
    ("resend", "Resend"),
    ("revoke", "Revoke"),
]
LINE_STATES = [
    ("pending", "To do"),
    ("done", "Done"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]


class B2bInviteCampaign(models.Model):
    _name = "b2b.invite.campaign"
    _description = "B2B Invitation Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("paused", "Paused"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="running", required=True, readonly=True, index=True, tracking=True, copy=False,
    )
    user_id = fields.Many2one(
        "res.users", string="Started by", required=True, readonly=True, index=True,
        default=lambda self: self.env.user,
        help="The campaign works with this person's rights and tells them when it ends.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    website_id = fields.Many2one(
        "website", readonly=True, ondelete="set null", help="The invitation links open on this website.",
        default=lambda self: self.env["website"].get_current_website(fallback=False),
    )
    note = fields.Text("Left out at the start", readonly=True)
    line_ids = fields.One2many("b2b.invite.campaign.line", "campaign_id", string="Lines", readonly=True)
    contact_count = fields.Integer("Contacts", compute="_compute_counts")
    done_count = fields.Integer("Done", compute="_compute_counts")
    skipped_count = fields.Integer("Skipped", compute="_compute_counts")
    failed_count = fields.Integer("Failed", compute="_compute_counts")
    remaining_count = fields.Integer("Remaining", compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts", help="Contacts processed, in percent.")
    invitation_ids = fields.Many2many("b2b.invitation", compute="_compute_invitation_ids", string="Invitations")
    end_date = fields.Datetime("Ended on", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("user_id", self.env.uid) != self.env.uid for vals in vals_list):
            raise AccessError(self.env._("A campaign works with the rights of the person who starts it."))
        return super().create(vals_list)

    def write(self, vals):
        # Who, what and where are fixed at the start: the campaign works with its starter's rights.
        if not self.env.su and {"kind", "user_id", "company_id", "website_id"} & set(vals):
            raise UserError(self.env._("A campaign's action, starter, company and website cannot change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_progress(self):
        if running := self.filtered(lambda campaign: campaign.state in ("running", "paused")):
            raise UserError(self.env._("%s is in progress: cancel it before deleting it.", running[0].name))

    def _compute_counts(self):
        counts = {
            (campaign.id, state): count
            for campaign, state, count in self.env["b2b.invite.campaign.line"].sudo()._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id", "state"], ["__count"])
        }  # sudo: the counts of a campaign one may read, whatever its lines' rules
        for campaign in self:
            campaign.remaining_count = counts.get((campaign.id, "pending"), 0)
            campaign.done_count = counts.get((campaign.id, "done"), 0)
            campaign.skipped_count = counts.get((campaign.id, "skipped"), 0)
            campaign.failed_count = counts.get((campaign.id, "failed"), 0)
            campaign.contact_count = total = sum(counts.get((campaign.id, state), 0) for state, _label in LINE_STATES)
            campaign.progress = 100.0 * (total - campaign.remaining_count) / total if total else 100.0

    def _compute_invitation_ids(self):
        invitations = dict(self.env["b2b.invite.campaign.line"].sudo()._read_group(
            [("campaign_id", "in", self.ids), ("invitation_id", "!=", False)],
            ["campaign_id"], ["invitation_id:array_agg"],
        ))
        for campaign in self:
            campaign.invitation_ids = [(6, 0, invitations.get(campaign, []))]

    # ------------------------------------------------------------------
    # Starting
    # ------------------------------------------------------------------

    @api.model
    def _threshold(self):
        """Above this many contacts, a bulk action runs as a campaign in the background."""
        value = self.env["ir.config_parameter"].sudo().get_param("b2b_invite.campaign_threshold")
        try:
            return max(1, int(value)) if value else DEFAULT_THRESHOLD
        except ValueError:
            return DEFAULT_THRESHOLD

    @api.model
    def _is_large(self, count):
        return count > self._threshold()

    @api.model
    def _start(self, kind, partners=None, invitations=None, note=None):
        """Record a campaign of `kind` over `partners` (or over `invitations`, for resend and revoke)
        and wake the workers; nothing else is done in the caller's transaction.

        :return: the campaign
        """
        self.check_access("create")  # the lines come with the campaign: they are read-only to users
        if invitations:
            invitations.check_access("read")  # the caller's group is checked by the action that starts it
            rows = [(invitation.partner_id.id, invitation.id) for invitation in invitations]
        else:
            rows = [(partner_id, None) for partner_id in partners.ids]
        if not rows:
            raise UserError(self.env._("There is no contact to process."))
        label = dict(self._fields["kind"]._description_selection(self.env))[kind]
        count = formatLang(self.env, len(rows), digits=0)
        campaign = self.create({
            "name": self.env._("%(action)s: %(count)s contacts", action=label, count=count),
            "kind": kind,
            "note": note or False,
        })
        campaign._add_lines(rows)
        campaign._trigger_lanes()
        return campaign

    def _add_lines(self, rows):
        """Insert the lines in one statement: tens of thousands of plain rows, no computed field
        depends on them, and the ORM would take seconds of the request that starts the campaign.

        :param rows: (partner id, invitation id or None) per contact
        """
        self.ensure_one()
        self.env.flush_all()
        partner_ids, invitation_ids = zip(*rows, strict=True)
        self.env.cr.execute(SQL(
            """
            INSERT INTO b2b_invite_campaign_line
                   (campaign_id, partner_id, invitation_id, state, create_uid, write_uid, create_date, write_date)
            SELECT %(campaign)s, row.partner_id, row.invitation_id, 'pending', %(uid)s, %(uid)s,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(partners)s::int[], %(invitations)s::int[]) AS row(partner_id, invitation_id)
             ORDER BY row.partner_id
            """,
            campaign=self.id, uid=self.env.uid, partners=list(partner_ids), invitations=list(invitation_ids),
        ))
        self.env["b2b.invite.campaign.line"].invalidate_model()
        self.invalidate_recordset(["line_ids"])

    def _trigger_lanes(self):
        # sudo: starting, pausing or resuming a campaign wakes its scheduled actions for anyone who may
        for lane in self._lanes():
            lane._trigger()

    @api.model
    def _lanes(self):
        """The scheduled actions that process campaigns: each one is a worker's lane."""
        return self.env["ir.cron"].sudo().search([
            ("model_id.model", "=", self._name), ("code", "=like", "model._cron_process(%"),
        ])

    def _open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # The managers' controls
    # ------------------------------------------------------------------

    def action_pause(self):
        check_b2b_manager(self.env)
        if wrong := self.filtered(lambda campaign: campaign.state != "running"):
            raise UserError(self.env._("%s is not running.", wrong[0].name))
        self.write({"state": "paused"})  # the batch in progress, if any, ends; no new one starts
        return True

    def action_resume(self):
        check_b2b_manager(self.env)
        if wrong := self.filtered(lambda campaign: campaign.state != "paused"):
            raise UserError(self.env._("%s is not paused.", wrong[0].name))
        self.write({"state": "running"})
        self._trigger_lanes()
        return True

    def action_cancel(self):
        check_b2b_manager(self.env)
        if wrong := self.filtered(lambda campaign: campaign.state not in ("running", "paused")):
            raise UserError(self.env._("%s has already ended.", wrong[0].name))
        self.write({"state": "cancelled", "end_date": fields.Datetime.now()})
        for campaign in self:
            campaign._notify_end()
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("b2b_invite.b2b_invite_campaign_line_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        state = self.env.context.get("b2b_line_state")
        action["context"] = {"search_default_state_" + state: 1} if state else {}
        return action

    def action_view_invitations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("b2b_invite.b2b_invitation_action")
        action["domain"] = [("b2b_campaign_line_ids.campaign_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_download_csv(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/b2b/invitations/export/campaign/{self.id}", "target": "self"}

    # ------------------------------------------------------------------
    # The cron job
    # ------------------------------------------------------------------

    @api.model
    def _batch_size(self):
        """The largest batch (system parameter b2b_invite.campaign_batch_size)."""
        value = self.env["ir.config_parameter"].sudo().get_param("b2b_invite.campaign_batch_size")
        try:
            return max(1, int(value)) if value else DEFAULT_BATCH_SIZE
        except ValueError:
            return DEFAULT_BATCH_SIZE

    @api.model
    def _next_batch_size(self):
        """As many contacts as this worker processes in about BATCH_SECONDS, up to the largest batch.

        Odoo's cron runs up to 10 batches in a row, and a cron worker is stopped after
        --limit-time-real-cron seconds (120 by default, its sleep included) or --limit-time-cpu
        (60): on a busy server, fixed large batches would be killed run after run.
        """
        largest = self._batch_size()
        per_contact = _seconds_per_contact.get(self.env.cr.dbname)
        if not per_contact:
            return min(largest, FIRST_BATCH_SIZE)
        return min(largest, max(10, int(BATCH_SECONDS / per_contact)))

    @api.model
    def _cron_process(self, batch_size=None):
        """Process one batch of the running campaigns (a cron lane calls this).

        Odoo's cron runs this again and again while it reports work done and work remaining, each
        time in a transaction of its own that it commits; it also triggers the lanes so that every
        idle cron worker joins in.
        """
        lines = self._claim_lines(batch_size or self._next_batch_size())
        running = self.search([("state", "=", "running")])
        if not lines:
            # Nothing claimable: other workers hold what is left, or the campaigns are complete.
            running._finish_if_complete()
            return
        started = time.monotonic()
        for campaign in lines.campaign_id:
            campaign._process(lines.filtered(lambda line, campaign=campaign: line.campaign_id == campaign))
        _seconds_per_contact[self.env.cr.dbname] = (time.monotonic() - started) / len(lines)
        lines.campaign_id._finish_if_complete()
        # Lines that other workers hold count as remaining: the last worker to commit ends the campaign.
        remaining = running._pending_count()
        if remaining:
            self._trigger_lanes()  # wake the idle cron workers (and this one after its run)
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)

    @api.model
    def _claim_lines(self, limit):
        """Lock up to `limit` pending lines of running campaigns that no other worker holds.

        Requests and cron jobs run in REPEATABLE READ: a line that another worker processed and
        committed since this transaction's snapshot cannot be locked (serialization failure). So the
        claim starts a fresh transaction first, as Odoo's mail queue commits in its cron, and tries
        again on the rare failure.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        self.env.flush_all()
        for attempt in range(3):
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit; only the cron's progress is pending here
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(SQL(
                        """
                        SELECT line.id
                          FROM b2b_invite_campaign_line line
                          JOIN b2b_invite_campaign campaign ON campaign.id = line.campaign_id
                         WHERE line.state = 'pending' AND campaign.state = 'running'
                         ORDER BY line.campaign_id, line.id
                         LIMIT %s
                           FOR UPDATE OF line SKIP LOCKED
                        """, limit,
                    ), log_exceptions=False)
                    ids = [row[0] for row in self.env.cr.fetchall()]
            except pg_errors.SerializationFailure:
                if attempt == 2 or not auto_commit:
                    raise
                continue
            return self.env["b2b.invite.campaign.line"].sudo().browse(ids)
        return self.env["b2b.invite.campaign.line"]

    def _pending_count(self):
        """Lines still to do in these campaigns, including those another worker holds."""
        return self.env["b2b.invite.campaign.line"].sudo().search_count(
            [("campaign_id", "in", self.ids), ("state", "=", "pending")])

    def _process(self, lines):
        """Process claimed lines of this campaign as the person who started it.

        Their invitations, the queued emails and the lines' outcomes are written in this
        transaction: all of them, or none of them if it dies.
        """
        self.ensure_one()
        user = self.user_id
        env = self.with_user(user).with_company(self.company_id).with_context(
            lang=user.lang, website_id=self.website_id.id,
        ).env
        lines = lines.with_env(env)
        try:
            with env.cr.savepoint():
                outcomes = getattr(self, f"_process_{self.kind}")(lines)
        except OperationalError:
            raise  # a concurrency error: the cron runs the batch again
        except Exception as error:
            _logger.warning("B2B campaign %s: a batch failed", self.id, exc_info=True)
            env.invalidate_all(flush=False)
            message = str(error.args[0] if error.args else error).strip().splitlines()[0]
            outcomes = dict.fromkeys(lines, ("failed", message, None))
        lines.sudo()._record(outcomes)
        if self.kind in ("invite", "resend") and any(state == "done" for state, *_rest in outcomes.values()):
            self._wake_mail_queue()

    def _process_invite(self, lines, send=True):
        Invitation = self.env["b2b.invitation"].with_env(lines.env)
        by_partner = {line.partner_id: line for line in lines}
        outcomes = {}
        if not send:  # export: contacts already invited keep their link, exported as it is
            for invitation in Invitation.search(
                    [("partner_id", "in", lines.partner_id.ids), ("state", "in", OPEN_STATES)]):
                outcomes[by_partner.pop(invitation.partner_id)] = ("done", False, invitation)
        partners = Invitation.env["res.partner"].union(*by_partner)
        invitations, skipped, failed = Invitation._invite_many(partners, send=send)
        outcomes.update({by_partner[invitation.partner_id]: ("done", False, invitation) for invitation in invitations})
        outcomes.update({by_partner[partner]: ("skipped", reason, None) for partner, reason in skipped.items()})
        outcomes.update({by_partner[partner]: ("failed", reason, None) for partner, reason in failed.items()})
        return outcomes

    def _process_export(self, lines):
        outcomes = self._process_invite(lines, send=False)
        exported = [invitation for state, _reason, invitation in outcomes.values() if state == "done"]
        self.env["b2b.invitation"].with_env(lines.env).union(*exported)._mark_exported()
        return outcomes

    def _process_resend(self, lines):
        Invitation = self.env["b2b.invitation"].with_env(lines.env)
        outcomes = {}
        by_invitation = {line.invitation_id: line for line in lines if line.invitation_id}
        if partner_lines := lines.filtered(lambda line: not line.invitation_id):
            latest, refused = partner_lines.partner_id._b2b_resend_targets()
            by_partner = {line.partner_id: line for line in partner_lines}
            outcomes.update({by_partner[partner]: ("skipped", reason, None) for partner, reason in refused.items()})
            by_invitation.update({invitation: by_partner[invitation.partner_id] for invitation in latest})
        closed = Invitation.union(*by_invitation).filtered(lambda inv: inv.state in ("accepted", "revoked"))
        outcomes.update({
            by_invitation[invitation]: ("skipped", self.env._(
                "%s: the invitation was accepted or revoked; invite the contact again instead.",
                invitation.partner_id.display_name), invitation)
            for invitation in closed
        })
        sent, failed = (Invitation.union(*by_invitation) - closed)._resend()
        outcomes.update({by_invitation[invitation]: ("done", False, invitation) for invitation in sent})
        outcomes.update({
            by_invitation[invitation]: ("failed", reason, invitation) for invitation, reason in failed.items()
        })
        return outcomes

    def _process_revoke(self, lines):
        outcomes = {}
        if invitation_lines := lines.filtered("invitation_id"):
            invitation_lines.invitation_id._revoke()
            outcomes.update({line: ("done", False, line.invitation_id) for line in invitation_lines})
        if partner_lines := lines - invitation_lines:
            revoked, refused = partner_lines.partner_id._b2b_revoke_many()
            for line in partner_lines:
                if line.partner_id in revoked:
                    outcomes[line] = ("done", False, line.partner_id.b2b_invitation_id)
                else:
                    outcomes[line] = ("skipped", refused.get(line.partner_id), None)
        return outcomes

    @api.model
    def _wake_mail_queue(self):
        """The emails of a batch are queued: let Odoo's mail queue job send them now, not within the hour."""
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

    def _finish_if_complete(self):
        """End the campaigns of self that have no line left to do; tell their starters."""
        if not self:
            return
        self.env.flush_all()
        # SKIP LOCKED: of two workers ending the same campaign, one does it.
        self.env.cr.execute(SQL(
            """
            SELECT campaign.id
              FROM b2b_invite_campaign campaign
             WHERE campaign.id IN %s AND campaign.state = 'running'
               AND NOT EXISTS (SELECT 1 FROM b2b_invite_campaign_line line
                                WHERE line.campaign_id = campaign.id AND line.state = 'pending')
               FOR UPDATE SKIP LOCKED
            """, tuple(self.ids),
        ))
        complete = self.browse([row[0] for row in self.env.cr.fetchall()])
        complete.write({"state": "done", "end_date": fields.Datetime.now()})
        for campaign in complete:
            campaign._notify_end()

    def _notify_end(self):
        """Tell the person who started the campaign that it ended: in Odoo and by email."""
        self.ensure_one()
        user = self.user_id
        counts = {"done": self.done_count, "skipped": self.skipped_count, "failed": self.failed_count,
                  "remaining": self.remaining_count}
        if self.state == "done":
            body = self.env._("The campaign is complete: %(done)s done, %(skipped)s skipped, %(failed)s failed.",
                              **counts)
        else:
            body = self.env._("The campaign was cancelled: %(done)s done, %(skipped)s skipped, %(failed)s failed, "
                              "%(remaining)s not processed.", **counts)
        # Odoo notifies the starter as they chose: in their inbox, or by email.
        self.sudo().message_post(
            body=body, partner_ids=user.partner_id.ids, subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )
        if user.notification_type == "inbox":  # an email too, as they were only told in Odoo
            self.env.ref("b2b_invite.mail_template_b2b_campaign_end").sudo().send_mail(self.id)
            self._wake_mail_queue()


class B2bInviteCampaignLine(models.Model):
    _name = "b2b.invite.campaign.line"
    _description = "Contact of a B2B Invitation Campaign"
    _order = "id"
    _rec_name = "partner_id"

    campaign_id = fields.Many2one("b2b.invite.campaign", required=True, index=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", required=True, index=True, ondelete="cascade",
                                 readonly=True)
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", string="Customer")
    invitation_id = fields.Many2one("b2b.invitation", ondelete="set null", index="btree_not_null", readonly=True)
    state = fields.Selection(LINE_STATES, default="pending", required=True, readonly=True)
    reason = fields.Char(readonly=True, help="Why the contact was skipped or failed.")

    def init(self):
        # The claim reads the pending lines of a campaign in order: a small index that shrinks as it runs.
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS b2b_invite_campaign_line_pending_idx
                ON b2b_invite_campaign_line (campaign_id, id) WHERE state = 'pending'
        """)

    def _record(self, outcomes):
        """Write each line's outcome.

        :param outcomes: {line: (state, reason, invitation)}
        """
        for line in self:
            state, reason, invitation = outcomes.get(line) or (
                "failed", self.env._("%s: not processed.", line.partner_id.display_name), None)
            line.write({
                "state": state, "reason": reason or False, "invitation_id": invitation.id if invitation else False,
            })

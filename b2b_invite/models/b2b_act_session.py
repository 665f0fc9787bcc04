"""Act as customer: who may act as whom, and the log of every acting session.

Acting swaps the browser session of the acting person (the actor) for one logged in as a
customer contact's portal login; ir.http (models/ir_http.py) does the swap, the idle timeout and
the pages refused while acting, controllers/act_as.py the start and stop pages. This model holds
the rules and the log, which nobody edits or deletes: only the code below writes it, as superuser.
"""
import secrets
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.http import request

from ..tools import tokens

ACT_GROUP = "b2b_invite.group_b2b_act_as_customer"
ACTING = "b2b_act_as"  # session key while acting: the log, the login acted as, the actor's own session
PENDING = "b2b_act_start"  # session key of the actor: a start link not used yet
START_SCOPE = "b2b_invite.act_start"
START_SECONDS = 120  # how long a start link works
IDLE_PARAM = "b2b_invite.act_idle_minutes"
IDLE_MINUTES = 30  # default idle time after which acting stops by itself
IDLE_BOUNDS = (1, 1440)  # the bounds of the idle time setting, in minutes
END_REASONS = [
    ("stopped", "Stopped"),
    ("timed_out", "Timed out"),
    ("logged_out", "Logged out"),
    ("login_changed", "Customer login archived or changed"),
]
# What the acted-as session may not change on the customer's login and contact
USER_FIELDS_REFUSED = {"login", "password", "new_password", "email", "active", "totp_secret"}


def acting_state():
    """The acting state of the current browser session (a dict), or None when not acting."""
    session = request and getattr(request, "session", None)
    return session.get(ACTING) if session else None


class B2bActSession(models.Model):
    _name = "b2b.act.session"
    _description = "Acting as a customer: session log"
    _order = "start_date desc, id desc"

    actor_id = fields.Many2one(
        "res.users", string="Acting person", required=True, readonly=True, index=True, ondelete="restrict")
    user_id = fields.Many2one(
        "res.users", string="Acted as (login)", required=True, readonly=True, index=True, ondelete="restrict")
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, readonly=True, index=True, ondelete="restrict")
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer", store=True, index=True)
    website_id = fields.Many2one("website", readonly=True, ondelete="set null")
    start_date = fields.Datetime("Started", required=True, readonly=True, default=fields.Datetime.now)
    last_activity_date = fields.Datetime(
        "Last activity", readonly=True, help="Recorded at most once a minute while acting.")
    end_date = fields.Datetime("Ended", readonly=True)
    end_reason = fields.Selection(END_REASONS, string="How it ended", readonly=True)
    ip_address = fields.Char("IP address", readonly=True)
    order_ids = fields.Many2many(
        "sale.order", "b2b_act_session_sale_order_rel", "session_id", "order_id",
        string="Orders placed", readonly=True)

    @api.depends("actor_id", "partner_id")
    def _compute_display_name(self):
        for log in self:
            log.display_name = self.env._(
                "%(actor)s as %(contact)s", actor=log.actor_id.name, contact=log.partner_id.name)

    def _banner_label(self):
        """"Acting as Anna Berg (Nordic Bean)", the banner of every page while acting."""
        self.ensure_one()
        contact, customer = self.partner_id, self.commercial_partner_id
        if contact == customer:
            return self.env._("Acting as %s", contact.name)
        return self.env._("Acting as %(contact)s (%(customer)s)", contact=contact.name, customer=customer.name)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The log of acting sessions is kept: its entries cannot be deleted."))

    # ------------------------------------------------------------------
    # Who may act as whom
    # ------------------------------------------------------------------

    @api.model
    def _check_actor(self):
        """Raise unless the current user may act as a customer (group Act as customer)."""
        if not self.env.user.has_group(ACT_GROUP):
            raise AccessError(self.env._(
                "You are not allowed to act as a customer: ask an administrator for the right "
                "\"Act as customer\" (B2B Portal)."))

    @api.model
    def _refusal(self, partner, website):
        """Why the current user may not act as the contact `partner` on `website`, in words, or False."""
        partner.ensure_one()
        # sudo: whoever may act reads the logins of the contacts it sees, archived ones too
        users = partner.sudo().with_context(active_test=False).user_ids
        if users.filtered(lambda user: not user.share):
            return self.env._(
                "%s is an internal user: you can act only as a customer's portal login.", partner.display_name)
        if not users or any(user._is_public() for user in users):
            return self.env._("%s has no login: invite the contact first.", partner.display_name)
        if not users.filtered("active"):
            return self.env._("The login of %s is archived.", partner.display_name)
        customer = partner.commercial_partner_id
        if website.b2b_act_consent_required and not customer.b2b_act_consent:
            return self.env._(
                "%s has not allowed shopping assistance: its contacts can allow it in My Account > "
                "Edit information.", customer.display_name)
        return False

    @api.model
    def _portal_user(self, partner):
        """The portal login to act as, for a contact that passed `_refusal`."""
        return partner.sudo().user_ids.filtered("share")[:1]

    @api.model
    def _start_action(self, partner):
        """The act_url that starts acting as `partner` in the caller's browser session.

        The URL carries a one-time secret, valid two minutes, that only this browser session can
        use: its keyed digest waits in the session (it never reaches the database), with the actor
        and the contact it was made for.
        """
        self._check_actor()
        if len(partner) != 1:
            raise UserError(self.env._("Act as one contact at a time."))
        website = self.env["website"].get_current_website()
        if refusal := self._refusal(partner, website):
            raise UserError(refusal)
        if not (request and getattr(request, "session", None)):
            raise UserError(self.env._("Acting as a customer opens the website in your browser: "
                                       "use the Act as customer button."))
        if acting_state():
            raise UserError(self.env._("You are already acting as a customer: stop acting first."))
        secret = secrets.token_hex(32)
        request.session[PENDING] = {
            "digest": tokens.digest(self.env, START_SCOPE, secret),
            "partner_id": partner.id,
            "actor_id": self.env.uid,
            "expires": time.time() + START_SECONDS,
        }
        return {"type": "ir.actions.act_url", "url": f"/b2b/act-as/start?token={secret}", "target": "self"}

    @api.model
    def _take_start(self, secret):
        """The contact that the start link `secret` was made for in this session, by this user, or
        an empty recordset. The link is used up either way."""
        pending = request.session.pop(PENDING, None)
        if (
            not pending
            or pending["actor_id"] != self.env.uid
            or pending["expires"] < time.time()
            or not tokens.matches(self.env, START_SCOPE, secret, pending["digest"])
        ):
            return self.env["res.partner"]
        return self.env["res.partner"].browse(pending["partner_id"]).exists()

    # ------------------------------------------------------------------
    # The log
    # ------------------------------------------------------------------

    @api.model
    def _open(self, partner, user, website, ip_address):
        now = fields.Datetime.now()
        # sudo: the log is read-only for everybody; the start and stop code alone writes it.
        return self.sudo().create({
            "actor_id": self.env.uid,
            "user_id": user.id,
            "partner_id": partner.id,
            "website_id": website.id,
            "start_date": now,
            "last_activity_date": now,
            "ip_address": ip_address,
        })

    def _end_values(self, reason):
        """The values that end this session now, or, timed out, when its idle time ran out."""
        self.ensure_one()
        if reason == "timed_out":
            return {"end_reason": reason, "end_date": self.last_activity_date + self._idle_time()}
        return {"end_reason": reason, "end_date": fields.Datetime.now()}

    @api.model
    def _idle_time(self):
        minutes = self.env["ir.config_parameter"].sudo().get_param(IDLE_PARAM, IDLE_MINUTES)
        try:
            minutes = int(minutes)
        except ValueError:
            minutes = IDLE_MINUTES
        low, high = IDLE_BOUNDS
        return timedelta(minutes=min(max(minutes, low), high))

    def _is_idle(self, now):
        self.ensure_one()
        return self.last_activity_date + self._idle_time() < now

    @api.model
    def _cron_end_idle(self):
        """End the sessions nobody came back to (a closed browser): they timed out."""
        limit = fields.Datetime.now() - self._idle_time()
        for log in self.search([("end_date", "=", False), ("last_activity_date", "<", limit)]):
            log.write(log._end_values("timed_out"))

    @api.model
    def _current(self):
        """The open log of the current browser session's acting (superuser record), or an empty one."""
        state = acting_state()
        log = self.sudo().browse(state["log_id"]) if state else self.browse()
        return log if log and not log.end_date else self.browse()

    @api.model
    def _record_orders(self, orders):
        """Orders placed while acting: they carry the actor and say so in their chatter."""
        log = self._current()
        orders = orders.sudo() - log.order_ids if log else None
        if not orders:
            return
        # sudo: the customer's session may write neither the order's author nor the log
        orders.write({"b2b_ordered_by_id": log.actor_id.id})
        log.order_ids = [Command.link(order.id) for order in orders]
        for order in orders:
            order.message_post(
                body=self.env._("Placed by %(actor)s, acting as %(contact)s.",
                                actor=log.actor_id.name, contact=log.partner_id.display_name),
                author_id=log.actor_id.partner_id.id, subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # What the acted-as session may not change
    # ------------------------------------------------------------------

    @api.model
    def _check_user_write(self, vals):
        """While acting, the customer's login, password, email and 2FA stay as they are."""
        if acting_state() and USER_FIELDS_REFUSED & vals.keys():
            raise UserError(self.env._(
                "While acting as a customer you cannot change its login, password, email or security settings."))

    @api.model
    def _check_partner_write(self, partners, vals):
        """While acting, no contact's email changes; the consent to act is the customer's own."""
        if "b2b_act_consent" in vals:
            if acting_state():
                raise UserError(self.env._("While acting as a customer you cannot change its consent."))
            if not self.env.su and not self.env.user.has_group("b2b_invite.group_b2b_manager"):
                raise AccessError(self.env._(
                    "Only the customer, or a B2B Manager on its behalf, can change \"Allow shopping assistance\"."))
        if acting_state() and "email" in vals and any(
                partner.email != vals["email"] for partner in partners.sudo() if partner.user_ids):
            raise UserError(self.env._("While acting as a customer you cannot change its email address."))

    @api.model
    def _set_consent(self, allowed):
        """The current portal user allows or forbids shopping assistance for its company."""
        user = self.env.user
        if not user.share or user._is_public():
            raise AccessError(self.env._("Only a customer's contact can change this."))
        if acting_state():
            raise UserError(self.env._("While acting as a customer you cannot change its consent."))
        # sudo: a contact decides for its company, which its portal login may not write
        user.partner_id.commercial_partner_id.sudo().b2b_act_consent = bool(allowed)

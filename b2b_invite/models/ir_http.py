"""Act as customer, at the HTTP layer: the browser session that swaps logins, and what it may reach.

While acting, the session is the customer contact's for Odoo (its uid, login, context and session
token) and keeps, under one key (`ACTING`), the log's id and the actor's own session as it was:
stopping puts that back. The session id is rotated on every swap.

Each request of an acting session passes `_b2b_act_check` (in `_authenticate`, before Odoo checks
the session token): it notes when acting must end (the idle time ran out, the log was ended
elsewhere, the customer's login was archived or its password changed). The actor gets its own
session back in `_dispatch`, after the CSRF check and before any route code runs, so that no route
ever runs as a customer whose acting is over; `/b2b/act-as/stop` and logout end it themselves.
"""
import secrets
from contextlib import nullcontext
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import SessionExpiredException, get_default_session, request
from odoo.service import security
from odoo.tools import consteq

from .b2b_act_session import ACTING, acting_state

HEARTBEAT = timedelta(minutes=1)  # activity is recorded at most this often
STOP_ROUTE = "/b2b/act-as/stop"
# Routes that end acting themselves (the others are sent to the "acting ended" page)
ENDING_ROUTES = {STOP_ROUTE, "/web/session/logout", "/web/session/destroy"}
# Refused while acting: the backend, another login, and the customer's account details, password,
# 2FA, API keys, devices and account deactivation (all on /my/account and /my/security).
REFUSED_ROUTES = {"/odoo", "/web", "/scoped_app"}
REFUSED_PREFIXES = (
    "/odoo/", "/scoped_app/", "/web/dataset/", "/web/action/", "/web/export/", "/json/",
    "/web/login", "/web/session/authenticate", "/web/become", "/web/signup", "/web/reset_password",
    "/my/account", "/my/security", "/my/deactivate_account", "/b2b/invite/", "/b2b/join/",
)


def _routes(endpoint):
    return (endpoint.routing.get("routes") or []) if endpoint else []


def refused_while_acting(endpoint):
    return any(
        route in REFUSED_ROUTES or route.startswith(REFUSED_PREFIXES) for route in _routes(endpoint))


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, endpoint):
        cls._b2b_act_check()
        return super()._authenticate(endpoint)

    @classmethod
    def _dispatch(cls, endpoint):
        state = acting_state()
        if not state or ENDING_ROUTES.intersection(_routes(endpoint)):
            return super()._dispatch(endpoint)
        if reason := getattr(request, "b2b_act_end", None):
            partner = cls._b2b_act_leave(reason)
            if request.dispatcher.routing_type == "json":
                # The page behind it reloads, and lands on the "acting ended" page.
                raise SessionExpiredException("Acting as a customer ended")
            return cls._b2b_act_ended_redirect(partner, reason)
        if refused_while_acting(endpoint):
            if request.dispatcher.routing_type == "json":
                raise AccessError(request.env._("This is not available while you act as a customer."))
            return request.redirect("/b2b/act-as/refused")
        cls._b2b_act_heartbeat()
        return super()._dispatch(endpoint)

    @classmethod
    def _serve_fallback(cls):
        # Website pages served without a route (no _authenticate, no _dispatch) meet the same rule.
        if acting_state():
            cls._b2b_act_check()
            if reason := getattr(request, "b2b_act_end", None):
                return cls._b2b_act_ended_redirect(cls._b2b_act_leave(reason), reason)
            cls._b2b_act_heartbeat()
        return super()._serve_fallback()

    # ------------------------------------------------------------------
    # Each request of an acting session
    # ------------------------------------------------------------------

    @classmethod
    def _b2b_act_check(cls):
        """Note in `request.b2b_act_end` why acting must end with this request, if it must."""
        state = acting_state()
        if not state:
            return
        session = request.session
        log = request.env["b2b.act.session"].sudo().browse(state["log_id"])
        reason = None
        if session.uid != state["uid"]:
            reason = "logged_out"  # logged in again as someone else: nothing to go back to
        elif log.end_date:
            reason = log.end_reason  # ended elsewhere (the idle job)
        elif log._is_idle(fields.Datetime.now()):
            reason = "timed_out"
        elif not security.check_session(session, request.env):
            # The customer's login was archived or its password changed: Odoo would log the whole
            # session out (the actor's own with it). It is valid for this one request, which gives
            # the actor its own session back before any route code runs.
            session.session_token = security.compute_session_token(session, request.env)
            reason = "login_changed"
        request.b2b_act_end = reason

    @classmethod
    def _b2b_act_heartbeat(cls):
        log = request.env["b2b.act.session"]._current()
        now = fields.Datetime.now()
        if log and log.last_activity_date + HEARTBEAT <= now:
            cls._b2b_act_log_write(log, {"last_activity_date": now})

    @classmethod
    def _b2b_act_log_write(cls, log, values):
        """Write the log from any request, one served on a read-only cursor too (as res.device does)."""
        cr = request.env.cr
        if cr.readonly:
            cr.rollback()
            cursor = request.env.registry.cursor(readonly=False)
        else:
            cursor = nullcontext(cr)
        with cursor as write_cr:
            log_in_cr = log.with_env(log.env(cr=write_cr))  # held: a cursor flushes only its live environments
            log_in_cr.write(values)
            log_in_cr.flush_recordset()
        log.invalidate_recordset()

    # ------------------------------------------------------------------
    # Swapping the session
    # ------------------------------------------------------------------

    @classmethod
    def _b2b_act_enter(cls, user, log):
        """Log this browser session in as `user` (a customer's portal login), keeping the actor's own
        session to come back to. No password: the actor's right and the customer's consent were checked."""
        session = request.session
        actor = request.env.user
        nonce = secrets.token_hex(16)
        state = {
            "log_id": log.id,
            "uid": user.id,
            "actor_uid": actor.id,
            # Tells at the end whether the actor's login is unchanged (not archived, same password)
            "nonce": nonce,
            "actor_check": actor._compute_session_token(nonce),
            "own": dict(session),  # the actor's session: its uid and token, cart, identity check...
        }
        context = dict(request.env["res.users"].with_user(user).context_get())
        session.clear()
        session.update(get_default_session())
        session.update({
            "db": state["own"].get("db"), "debug": state["own"].get("debug", ""),
            "uid": user.id, "login": user.login, "context": context, ACTING: state,
        })
        session.should_rotate = True  # the session token follows, for the new session id
        request.update_env(user=user.id)

    @classmethod
    def _b2b_act_leave(cls, reason):
        """End acting: write the log, give the browser the actor's own session back (or log it out
        when the actor's login was archived or its password changed meanwhile). Returns the contact."""
        session = request.session
        state = session[ACTING]
        log = request.env["b2b.act.session"].sudo().browse(state["log_id"])
        if not log.end_date:
            cls._b2b_act_log_write(log, log._end_values(reason))
        actor = request.env["res.users"].sudo().browse(state["actor_uid"])
        actor_unchanged = consteq(actor._compute_session_token(state["nonce"]) or "", state["actor_check"])
        session.clear()
        session.update(state["own"])
        if reason == "logged_out" or not actor_unchanged:
            session.logout(keep_db=True)
            request.env = api.Environment(request.env.cr, None, session.context)
        else:
            session.should_rotate = True
            request.update_env(user=session.uid)
        return log.partner_id

    @classmethod
    def _b2b_act_ended_redirect(cls, partner, reason):
        return request.redirect_query("/b2b/act-as/ended", {"partner_id": partner.id, "reason": reason})

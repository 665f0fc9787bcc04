import logging
from datetime import timedelta
from functools import lru_cache

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.addons.auth_signup.models.res_partner import SignupError
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize, escape_psql, format_datetime, groupby, split_every

from ..tools import tokens
from ..tools.access import check_salesperson
from ..tools.batches import run_in_batches
from ..tools.locks import lock_rows
from ..tools.notifications import raise_first, summarize
from .res_users import REP_ACCESS, REVOKING

_logger = logging.getLogger(__name__)

OPEN_STATES = ("draft", "sent")
# What _generate_template renders that belongs to the mail.message of a queued mail (not to mail.mail)
MESSAGE_FIELDS = ("subject", "email_from", "reply_to", "mail_server_id")
TEMPLATES = {  # the invitation email of each kind of invitation
    "contact": "b2b_invite.mail_template_b2b_invitation",
    "sales_rep": "b2b_invite.mail_template_b2b_sales_rep_invitation",
}
BATCH_SIZE = 500
LINK_SCOPE = "b2b_invite.invitation"
LOGIN_MAX = 64
VALIDITY_DAYS = (1, 365)  # the bounds of the validity setting
# mail.mail state -> where the invitation email stands (Odoo deletes a sent email: no email is "sent")
EMAIL_STATE_OF = {"outgoing": "queued", "sent": "sent", "exception": "failed", "cancel": "failed"}
# email_normalize parses with Python's email package (the largest cost of the rules in a bulk batch);
# a batch asks for each address several times: when splitting, creating and in the constraint.
normalize_email = lru_cache(maxsize=4096)(email_normalize)
PASSWORD_MAX = 4096  # passlib's limit: a longer password cannot be hashed
# What an invitation is and what happened to it: written only by the invitation's own methods, under
# sudo() once their rules have run (invite, send, accept, revoke, expire), never directly by a user.
MANAGED_FIELDS = frozenset({
    "partner_id", "kind", "state", "user_id", "token_salt", "token_digest", "send_count", "last_sent_date",
    "accepted_date", "revoked_by_id", "revoked_date", "expired_link_date", "renewal_requested_date", "mail_id",
    "sent_by",
})


class B2bInvitation(models.Model):
    _name = "b2b.invitation"
    _description = "B2B Portal Invitation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "partner_id"
    _mail_post_access = "read"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="cascade", tracking=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer", store=True, index=True,
    )
    email = fields.Char(required=True, tracking=True, help="The address the invitation was sent to.")
    kind = fields.Selection(
        [("contact", "Customer contact"), ("sales_rep", "Sales rep")], string="Invited as",
        default="contact", required=True, readonly=True, index=True, copy=False,
        help="A customer's contact orders for its company; a sales rep orders on behalf of customers.",
    )
    rep_access = fields.Selection(
        REP_ACCESS, string="Sales rep access", tracking=True,
        help="The customers this sales rep orders for. Only B2B Managers change it; an accepted "
             "invitation passes the change on to the rep's login.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sent", "Sent"),
            ("accepted", "Accepted"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
        ],
        default="draft", required=True, index=True, tracking=True, copy=False,
    )
    sent_by = fields.Selection(
        [("email", "Email"), ("link", "Link (exported)")], "Sent by", readonly=True, copy=False,
        help="How the current link reached the contact: by the invitation email, or as a link exported to a CSV "
             "file for you to pass on.",
    )
    expiration_date = fields.Datetime("Expires on", copy=False)
    inviter_id = fields.Many2one("res.users", string="Invited by", default=lambda self: self.env.user, index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    website_id = fields.Many2one(
        "website", ondelete="set null", help="The link opens on this website (its domain).",
        default=lambda self: self.env["website"].get_current_website(fallback=False),
    )
    send_count = fields.Integer("Times sent", readonly=True, copy=False)
    last_sent_date = fields.Datetime("Last sent", readonly=True, copy=False)
    user_id = fields.Many2one("res.users", string="Login", readonly=True, copy=False)
    accepted_date = fields.Datetime("Accepted on", readonly=True, copy=False)
    revoked_by_id = fields.Many2one("res.users", string="Revoked by", readonly=True, copy=False)
    revoked_date = fields.Datetime("Revoked on", readonly=True, copy=False)
    expired_link_date = fields.Datetime(
        "Expired link opened on", readonly=True, copy=False,
        help="When the contact opened the link after it expired; the inviter was alerted then.",
    )
    renewal_requested_date = fields.Datetime("New invitation asked on", readonly=True, copy=False)
    token_salt = fields.Char(groups="base.group_system", copy=False)
    token_digest = fields.Char(groups="base.group_system", copy=False, index="btree_not_null")
    b2b_campaign_line_ids = fields.One2many("b2b.invite.campaign.line", "invitation_id", string="Campaigns")
    invitation_url = fields.Char(
        "Invitation link", compute="_compute_invitation_url", groups="b2b_invite.group_b2b_manager",
    )
    mail_id = fields.Many2one(
        "mail.mail", "Invitation email", readonly=True, copy=False, index="btree_not_null", ondelete="set null",
        groups="base.group_system",
        help="The email of the current link, while it waits in the queue or when its delivery failed.",
    )
    email_state = fields.Selection(
        [("queued", "Being sent"), ("sent", "Sent"), ("failed", "Not delivered")],
        "Email delivery", compute="_compute_email_state", search="_search_email_state", compute_sudo=True,
        help="Where the email of the current link stands: in the mail queue, handed to the outgoing mail "
             "server, or not delivered (Resend once the problem is solved).",
    )
    email_failure = fields.Char("Not delivered because", compute="_compute_email_state", compute_sudo=True)

    def init(self):
        # At most one open invitation per contact and per address, even under concurrent invites.
        for column in ("partner_id", "email"):
            self.env.cr.execute(SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON b2b_invitation (%s) WHERE state IN %s",
                SQL.identifier(f"b2b_invitation_open_{column}_uniq"), SQL.identifier(column), OPEN_STATES,
            ))

    @api.depends("state", "token_salt")
    def _compute_invitation_url(self):
        urls = self._get_invitation_urls()
        for invitation in self:
            invitation.invitation_url = urls.get(invitation.id, False)

    @api.depends("state", "last_sent_date", "mail_id.state", "mail_id.failure_reason")
    def _compute_email_state(self):
        failure_types = dict(self.env["mail.mail"]._fields["failure_type"]._description_selection(self.env))
        for invitation in self:
            mail = invitation.mail_id
            email_state = False
            if invitation.state in (*OPEN_STATES, "expired") and invitation.last_sent_date:
                email_state = EMAIL_STATE_OF.get(mail.state, "sent")
            invitation.email_state = email_state
            invitation.email_failure = email_state == "failed" and (
                mail.failure_reason or failure_types.get(mail.failure_type) or self.env._("Unknown error"))

    def _search_email_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Search the email state with =, !=, in or not in."))
        values = [value] if operator in ("=", "!=") else list(value)
        mails = self.env["mail.mail"].sudo()  # sudo: mails are for admins only; only their state is used
        emailed = [("state", "in", (*OPEN_STATES, "expired")), ("last_sent_date", "!=", False)]
        domains = {
            "queued": [("mail_id", "in", mails._search([("state", "=", "outgoing")]))],
            "failed": [("mail_id", "in", mails._search([("state", "in", ("exception", "cancel"))]))],
            "sent": ["|", ("mail_id", "=", False), ("mail_id", "in", mails._search([("state", "=", "sent")]))],
        }
        domain = expression.OR([
            expression.AND([emailed, domains[state]]) if state else ["!", *expression.normalize_domain(emailed)]
            for state in values if state in domains or not state
        ] or [expression.FALSE_DOMAIN])
        if operator in ("!=", "not in"):
            domain = ["!", *expression.normalize_domain(domain)]
        return [("id", "in", self.sudo()._search(domain))]  # sudo: mail_id is for admins only

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """What the invited person causes through the link (an expired link opened, a new invitation
        asked for, the acceptance) is signed with the contact's name, not "Public user"."""
        if author_id is None and email_from is None and len(self) == 1 and self.env.user._is_public():
            partner = self.sudo().partner_id  # sudo: the contact's name and address, for its own link
            return partner.id, partner.email_formatted
        return super()._message_compute_author(author_id, email_from, raise_on_email=raise_on_email)

    def get_base_url(self):
        # While a bulk batch renders, Odoo asks for every email: one lookup per website and company.
        if len(self) != 1 or not self.env.context.get("b2b_compile_once"):
            return super().get_base_url()
        key = ("b2b_invite.base_url", self.website_id.id, self.company_id.id)
        if key not in self.env.cr.cache:
            self.env.cr.cache[key] = super().get_base_url()
        return self.env.cr.cache[key]

    def mail_allowed_qweb_expressions(self):
        # The plain field paths of the invitation email's subject, recipient and language: Odoo renders
        # them without evaluating code (about four times faster in a bulk batch), and a salesperson
        # may use them in a template without the template editor group.
        return (*super().mail_allowed_qweb_expressions(), "object.email", "object.company_id.name",
                "object.partner_id.lang")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent_or_accepted(self):
        """A sent link or a login given must be revoked, which archives the login, not forgotten."""
        if kept := self.filtered(lambda invitation: invitation.state in ("sent", "accepted")):
            raise UserError(self.env._(
                "The invitation of %s was sent or accepted: revoke it instead of deleting it.",
                kept[0].partner_id.display_name))

    def _compute_display_name(self):
        for invitation in self:
            invitation.display_name = self.env._("Invitation of %s", invitation.partner_id.display_name or "")

    @api.constrains("email", "partner_id", "state", "user_id", "company_id")
    def _check_recipient(self):
        """An open invitation goes to exactly one address, its contact's; a login given is the contact's own."""
        for invitation in self:
            partner = invitation.partner_id
            if invitation.state in OPEN_STATES:
                email = normalize_email(invitation.email or "")
                if not email or email != invitation.email or email != normalize_email(partner.email or ""):
                    raise ValidationError(self.env._(
                        "An invitation goes to one email address, the contact's own (%(contact)s: %(email)s).",
                        contact=partner.display_name, email=partner.email or "-"))
                if partner.company_id and invitation.company_id != partner.company_id:
                    raise ValidationError(self.env._(
                        "The invitation of %(contact)s must belong to its company, %(company)s.",
                        contact=partner.display_name, company=partner.company_id.name))
            user = invitation.user_id
            if user and (user.partner_id != partner or not user.share):
                raise ValidationError(self.env._(
                    "The login of an invitation is its contact's own portal login (%s).", partner.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        """Invitations are made by `_invite_many` (the Invite buttons), which runs the rules first."""
        if not self.env.su:
            raise AccessError(self.env._("Invitations are created with the Invite button of a contact."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")  # B2B Managers only
            if managed := MANAGED_FIELDS.intersection(vals):
                raise UserError(self.env._(
                    "The contact, state and login of an invitation change through its buttons only "
                    "(Send, Revoke), not directly (%s).", ", ".join(sorted(managed))))
            if "email" in vals:
                self._check_new_email(vals["email"])
        res = super().write(vals)
        if vals.get("rep_access"):
            for invitation in self.filtered(lambda inv: inv.kind == "sales_rep" and inv.state == "accepted"):
                user = invitation.user_id.sudo()  # sudo: B2B Managers edit a rep's access without user rights
                if user.b2b_rep_access != invitation.rep_access:
                    user.b2b_rep_access = invitation.rep_access
        return res

    def _check_new_email(self, email):
        """An address written by hand must be free: no other contact's login or open invitation."""
        for invitation in self:
            normalized = email_normalize(email or "")
            if normalized and invitation.state in OPEN_STATES:
                for _email, _partner, reason in self._find_email_conflicts(
                        {normalized: invitation.partner_id}, ignore=invitation):
                    raise ValidationError(reason)

    # ------------------------------------------------------------------
    # Links
    # ------------------------------------------------------------------

    def _get_invitation_urls(self):
        """Return {id: absolute link} of the open invitations in self."""
        urls, base_urls = {}, {}
        for invitation in self.sudo():  # sudo: the salt is readable by nobody else
            if invitation.state in OPEN_STATES and invitation.token_salt:
                token = tokens.derive(self.env, LINK_SCOPE, invitation.token_salt)
                # the base URL depends on the website and the company only: once per pair, not per link
                key = (invitation.website_id, invitation.company_id)
                if key not in base_urls:
                    base_urls[key] = invitation.get_base_url()
                urls[invitation.id] = f"{base_urls[key]}/b2b/invite/{token}"
        return urls

    @api.model
    def _new_token_values(self, expiration_date=None):
        """Values giving an invitation a new link (the previous one stops working) and expiry."""
        salt, digest = tokens.new_link(self.env, LINK_SCOPE)
        return {
            "token_salt": salt,
            "token_digest": digest,
            "expiration_date": expiration_date or self._new_expiration_date(),
        }

    @api.model
    def _new_expiration_date(self):
        return fields.Datetime.now() + timedelta(days=self._validity_days())

    def _issue_token(self):
        """A new link and expiry for each invitation: the previous link stops working, and its email, if
        still queued or not delivered, is dropped (the chatter keeps the line about it)."""
        check_salesperson(self.env)
        self.check_access("read")
        expiration_date = self._new_expiration_date()
        # sudo: token fields are for nobody else (caller's group and record rules checked above)
        invitations = self.sudo().with_context(mail_notrack=True)
        invitations.mail_id.filtered(lambda mail: mail.state != "sent").unlink()
        for invitation in invitations:
            invitation.write(self._new_token_values(expiration_date))
        self._close_renewal_todos()

    def _close_renewal_todos(self):
        """A new link was issued: the to-dos "Send a new invitation" of these invitations are done."""
        if not self:
            return
        # sudo: the to-do may be another user's (the inviter's), done by whoever issued the link
        activities = self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", self.env.ref("b2b_invite.mail_activity_type_b2b_renewal").id),
        ])
        if activities:
            activities.action_feedback(feedback=self.env._("A new link was issued."))

    @api.model
    def _validity_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param("b2b_invite.validity_days", "7")
        try:
            return min(max(VALIDITY_DAYS[0], int(value)), VALIDITY_DAYS[1])
        except ValueError:
            return 7

    @api.model
    def _find_by_token(self, token):
        """Return the invitation a link token belongs to, or an empty recordset.

        Called as superuser by the public controller: the token is the credential.
        """
        return tokens.find_by_link(self, LINK_SCOPE, token, "token_digest")

    def _link_status(self):
        """What the link of this invitation gives: valid, accepted, expired or invalid."""
        self.ensure_one()
        if self.state == "accepted":
            return "accepted"
        if self.state == "expired" or (
            self.state in OPEN_STATES and self.expiration_date and self.expiration_date < fields.Datetime.now()
        ):
            return "expired"
        return "valid" if self.state in OPEN_STATES else "invalid"

    # ------------------------------------------------------------------
    # Whose invitations the current user manages
    # ------------------------------------------------------------------

    def _check_rep_manager(self):
        if not self.env.su and not self.env.user.has_group("b2b_invite.group_b2b_manager"):
            raise AccessError(self.env._("Only B2B Managers invite sales reps and change their access."))

    @api.model
    def _rep_partners(self, partners):
        """Those of `partners` that are sales reps: their latest invitation is a sales rep's."""
        # sudo: whether a partner is a rep is decided by invitations the user may not read
        return partners.browse(partners.sudo().filtered(lambda p: p.b2b_invitation_id.kind == "sales_rep").ids)

    @api.model
    def _out_of_scope(self, partners):
        """{partner: why} for those of `partners` whose invitations the current user may not manage.

        Only B2B Managers manage sales reps. With *Own Documents Only*, a salesperson manages the
        contacts of the customers allocated to it only (`res.partner._b2b_scope_domain`).
        """
        if self.env.su or not partners:
            return {}
        user = self.env.user
        refused = {}
        reps = self._rep_partners(partners)
        if reps and not user.has_group("b2b_invite.group_b2b_manager"):
            refused.update({
                partner: self.env._("%s is a sales rep: only B2B Managers invite and revoke sales reps.",
                                    partner.display_name)
                for partner in reps
            })
        contacts = partners - reps
        if contacts and not user._b2b_manages_all_contacts():
            Partner = self.env["res.partner"].with_context(active_test=False)
            in_scope = Partner.search([("id", "in", contacts.ids), *Partner._b2b_scope_domain(user)])
            refused.update({
                partner: self.env._("%(contact)s: %(customer)s is not one of your customers.",
                                    contact=partner.display_name, customer=partner.commercial_partner_id.name)
                for partner in contacts - in_scope
            })
        return refused

    def _check_in_scope(self):
        if refused := self._out_of_scope(self.partner_id):
            raise AccessError(next(iter(refused.values())))

    # ------------------------------------------------------------------
    # Who may be invited
    # ------------------------------------------------------------------

    @api.model
    def _split_invitable(self, partners, ignore=None, as_reps=False, allow_ordering=False):
        """Split partners into those that can get a new invitation and those that cannot.

        A sales rep (`as_reps`, or a partner whose latest invitation was a rep's) needs no Ordering.
        :param ignore: invitations left out of the rules (the one being accepted, which re-checks)
        :param allow_ordering: the rules as if the partners were allowed to order (Allow ordering and invite)
        :return: (invitable partners, {partner: reason}) with one query per rule,
                 whatever the number of partners
        """
        refused = self._out_of_scope(partners)
        reps = partners if as_reps else self._rep_partners(partners)
        candidates = {}  # normalized email -> partner; the first contact of a batch wins
        ignore = ignore or self.browse()
        open_invitations = self.sudo().search([
            ("state", "in", OPEN_STATES), ("partner_id", "in", partners.ids), ("id", "not in", ignore.ids)])
        already_invited = set(open_invitations.partner_id.ids)
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        users = Users.search([("partner_id", "in", partners.ids)])
        # Archived ones too: an employee's or the website visitors' contact never gets a portal login.
        internal = {user.partner_id.id for user in users if not user.share}
        public = set(Users.search([
            ("partner_id", "in", partners.ids), ("groups_id", "=", self.env.ref("base.group_public").id),
        ]).partner_id.ids)
        logged_in = {user.partner_id.id for user in users if user.active and user.share}
        for partner in partners:
            email = normalize_email(partner.email or "")
            if partner in refused:
                continue
            if not partner.active:
                refused[partner] = self.env._("%s is archived.", partner.display_name)
            elif not partner.commercial_partner_id.active:
                refused[partner] = self.env._(
                    "%(contact)s: its company %(company)s is archived.",
                    contact=partner.display_name, company=partner.commercial_partner_id.name)
            elif not partner.b2b_ordering and partner not in reps and not allow_ordering:
                refused[partner] = self.env._("%s is not allowed to order: tick Ordering first.", partner.display_name)
            elif not email:
                refused[partner] = self.env._("%s has no valid email address.", partner.display_name)
            elif partner.id in internal:
                refused[partner] = self.env._("%s is an internal user.", partner.display_name)
            elif partner.id in public:
                refused[partner] = self.env._("%s is the website's visitor account.", partner.display_name)
            elif partner.id in logged_in:
                refused[partner] = self.env._("%s already has a portal login.", partner.display_name)
            elif partner.id in already_invited:
                refused[partner] = self.env._(
                    "%s already has an open invitation: resend it instead.", partner.display_name)
            elif email in candidates:
                refused[partner] = self.env._(
                    "%(contact)s has the same email as %(other)s, invited in the same batch.",
                    contact=partner.display_name, other=candidates[email].display_name,
                )
            else:
                candidates[email] = partner
        for email, partner, reason in self._find_email_conflicts(candidates, ignore=ignore):
            refused[partner] = reason
            candidates.pop(email)
        return self.env["res.partner"].union(*candidates.values()), refused

    @api.model
    def _find_email_conflicts(self, candidates, ignore=None):
        """Yield (email, partner, reason) for addresses another contact already uses.

        :param dict candidates: normalized email -> partner
        :param ignore: invitations that do not count as using their address
        """
        if not candidates:
            return
        emails = list(candidates)
        users = self.env["res.users"].sudo().with_context(active_test=False).search_read(
            ["|", ("login", "in", emails), ("email_normalized", "in", emails)],
            ["login", "partner_id", "share", "email_normalized"],
        )
        invitations = self.sudo().search_read(
            [("state", "in", OPEN_STATES), ("email", "in", emails), ("id", "not in", (ignore or self.browse()).ids)],
            ["email", "partner_id"],
        )
        reported = set()
        for user in users:
            for email in {user["login"], user["email_normalized"]} & set(emails):
                partner = candidates[email]
                if user["partner_id"][0] == partner.id or email in reported:
                    continue
                reported.add(email)
                yield email, partner, (
                    self.env._("%(contact)s: %(email)s is the email of an internal user.",
                      contact=partner.display_name, email=email)
                    if not user["share"] else
                    self.env._("%(contact)s: %(email)s is already used by the login of %(other)s.",
                      contact=partner.display_name, email=email, other=user["partner_id"][1])
                )
        for invitation in invitations:
            email = invitation["email"]
            partner = candidates.get(email)
            if partner and email not in reported and invitation["partner_id"][0] != partner.id:
                reported.add(email)
                yield email, partner, self.env._(
                    "%(contact)s: %(email)s is already invited as %(other)s.",
                    contact=partner.display_name, email=email, other=invitation["partner_id"][1],
                )

    # ------------------------------------------------------------------
    # Invite, send, resend, revoke
    # ------------------------------------------------------------------

    @api.model
    def _invite_many(self, partners, send=True, rep_access=None):
        """Invite partners by batches: one batch call per few hundred contacts, whatever their number.

        The rules run batch by batch too, and each batch is forgotten once written: memory stays
        flat however many contacts (reading 100,000 contacts at once holds every column of each). Two
        contacts of one address in different batches: the second is refused as already invited.
        With `rep_access`, the partners are invited as sales reps with that access; a sales rep invited
        again keeps its access.
        :return: (invitations created, {partner: why it was skipped}, {partner: why it failed})
        """
        check_salesperson(self.env)  # before the rules read other contacts' logins as superuser
        if rep_access:
            self._check_rep_manager()
        created_ids, refused, failed, reps = [], {}, {}, {}
        # Defaults computed once, not once per invitation (the website's costs a lookup each time)
        defaults = self.default_get(["inviter_id", "website_id"])

        def invite(batch):
            expiration_date = self._new_expiration_date()
            # sudo: invitations are created here only, once the rules ran (caller's group checked
            # above); sudo keeps the user as creator. No creation note, follower nor tracking per
            # invitation: the sent email is the log.
            invitations = self.browse(self.sudo().with_context(tracking_disable=True).create([
                {
                    **defaults,
                    "partner_id": partner.id,
                    "email": normalize_email(partner.email),
                    "company_id": (partner.company_id or self.env.company).id,
                    **({"kind": "sales_rep", "rep_access": reps[partner] or "allocated"} if partner in reps else {}),
                    **self._new_token_values(expiration_date),
                }
                for partner in batch
            ]).ids)
            # a new invitation answers the renewal to-dos of the contact's earlier ones
            self.sudo().search([("partner_id", "in", batch.ids), ("state", "=", "expired")])._close_renewal_todos()
            if send:
                invitations._send()
            created_ids.extend(invitations.ids)

        for chunk in split_every(BATCH_SIZE, partners.ids, partners.browse):
            invitable, chunk_refused = self._split_invitable(chunk, as_reps=bool(rep_access))
            reps.update({partner: rep_access or partner.sudo().b2b_invitation_id.rep_access
                         for partner in (invitable if rep_access else self._rep_partners(invitable))})
            _done, chunk_failed = run_in_batches(invitable, invite, BATCH_SIZE)
            refused.update(chunk_refused)
            failed.update({
                partner: self.env._("%(contact)s: %(error)s", contact=partner.display_name, error=error)
                for partner, error in chunk_failed.items()
            })
            self.env.flush_all()
            self.env.invalidate_all()  # this chunk is written: forget it
        if send and created_ids:
            self.env["mail.mail"]._b2b_wake_queue()  # once per run: the queue job sends by batches
        return self.browse(created_ids), refused, failed

    def _send(self):
        """Queue the invitation email of every invitation in self, logged in its chatter.

        The caller wakes the mail queue (once for a whole run): see mail.mail._b2b_wake_queue.
        """
        now = fields.Datetime.now()
        for batch in split_every(BATCH_SIZE, self.ids, self.browse):
            urls = batch._get_invitation_urls()
            rendered = {}
            for kind, invitations in groupby(batch, key=lambda inv: inv.kind):
                template = self.env.ref(TEMPLATES[kind]).with_context(b2b_invitation_urls=urls, b2b_compile_once=True)
                rendered.update(template._generate_template(
                    [inv.id for inv in invitations],
                    ("subject", "body_html", "email_from", "email_to", "reply_to", "mail_server_id", "scheduled_date"),
                ))
            message_values, mail_values, dates = [], [], {}
            for invitation in batch:
                values = rendered[invitation.id]
                expiration_date = invitation.expiration_date
                if expiration_date not in dates:  # one expiry for a whole batch, mostly
                    dates[expiration_date] = "%s (%s)" % (
                        format_datetime(self.env, expiration_date, dt_format="short"), self.env.user.tz or "UTC")
                message_values.append({
                    **{name: values[name] for name in MESSAGE_FIELDS if name in values},
                    "body": Markup("<p>%s</p>") % self.env._(
                        "Invitation sent to %(email)s, valid until %(date)s.",
                        email=invitation.email, date=dates[expiration_date],
                    ),
                    "model": self._name,
                    "res_id": invitation.id,
                    "message_type": "email_outgoing",
                    "author_id": self.env.user.partner_id.id,
                    "record_name": invitation.display_name,
                })
                mail_values.append({
                    **{name: value for name, value in values.items() if name not in MESSAGE_FIELDS},
                    # The email carries the link; once sent, only the chatter summary stays.
                    "is_notification": True,
                    "auto_delete": True,
                })
            # The chatter messages first, then their mails: the message fields are converted once,
            # not twice (through mail.mail's inherited fields too). sudo: mails are for admins only.
            messages = self.env["mail.message"].sudo().create(message_values)
            mails = self.env["mail.mail"].sudo().create([
                {**values, "mail_message_id": message.id}
                for values, message in zip(mail_values, messages, strict=True)
            ])
            for send_count, invitations in groupby(batch, key=lambda inv: inv.send_count):
                # The queued email is the chatter's record of the sending: no tracking message too.
                # sudo: the state is the methods' to write (callers checked in _invite_many / _resend)
                self.browse([inv.id for inv in invitations]).sudo().with_context(mail_notrack=True).write(
                    {"state": "sent", "sent_by": "email", "send_count": send_count + 1, "last_sent_date": now})
            # One UPDATE for the batch, not one write per invitation: mail_id is neither tracked nor
            # stored-computed from, and its cache is invalidated below.
            self.env.flush_all()
            self.env.cr.execute(SQL(
                "UPDATE b2b_invitation SET mail_id = v.mail_id FROM (VALUES %s) AS v(id, mail_id) "
                "WHERE b2b_invitation.id = v.id",
                SQL(", ").join(SQL("(%s, %s)", invitation.id, mail.id)
                               for invitation, mail in zip(batch, mails, strict=True)),
            ))
            # Bounded memory for large batches: this batch is written, forget it.
            self.env.invalidate_all()

    def _mark_exported(self):
        """These links were exported to a CSV file by the current user: each is sent, by link, now.

        As an email would, the export counts as a sending and leaves a line in the chatter saying who
        exported the link and when (with the time zone).
        """
        check_salesperson(self.env)
        self.check_access("read")
        now = fields.Datetime.now()
        tz = self.env.user.tz or "UTC"
        date = "%s (%s)" % (format_datetime(self.env, now, tz=tz, dt_format="short"), tz)
        for batch in split_every(BATCH_SIZE, self.ids, self.browse):
            for send_count, invitations in groupby(batch, key=lambda inv: inv.send_count):
                # sudo: the state is the methods' to write (the caller exports these links, checked above)
                self.browse([inv.id for inv in invitations]).sudo().with_context(mail_notrack=True).write({
                    "state": "sent", "sent_by": "link", "send_count": send_count + 1, "last_sent_date": now,
                })
            self.env["mail.message"].sudo().create([{
                "body": Markup("<p>%s</p>") % self.env._(
                    "Invitation link exported by %(user)s on %(date)s, valid until %(expiry)s.",
                    user=self.env.user.name, date=date,
                    expiry="%s (%s)" % (format_datetime(self.env, invitation.expiration_date, tz=tz,
                                                        dt_format="short"), tz)),
                "model": self._name,
                "res_id": invitation.id,
                "message_type": "notification",
                "subtype_id": self.env.ref("mail.mt_note").id,
                "author_id": self.env.user.partner_id.id,
                "record_name": invitation.display_name,
            } for invitation in batch])
            self.env.flush_all()

    def _resend(self):
        """Send the invitations again, to their contact's current address, with a new link and expiry
        (the previous link stops working).

        :return: (invitations sent, {invitation: why it was not sent})
        """
        check_salesperson(self.env)
        self._check_in_scope()
        closed = self.filtered(lambda inv: inv.state in ("accepted", "revoked"))
        if closed:
            raise UserError(self.env._(
                "%s: an accepted or revoked invitation cannot be sent; invite the contact again instead.",
                closed[0].partner_id.display_name,
            ))
        refused = self._update_emails()
        sent, failed = run_in_batches(
            self.filtered(lambda inv: inv not in refused), lambda batch: (batch._issue_token(), batch._send()),
            BATCH_SIZE)
        if sent:
            self.env["mail.mail"]._b2b_wake_queue()
        return sent, {
            **refused,
            **{invitation: self.env._("%(contact)s: %(error)s", contact=invitation.partner_id.display_name,
                                      error=error)
               for invitation, error in failed.items()},
        }

    def _update_emails(self):
        """Give the invitations their contact's current email address, when it is valid and free.

        :return: {invitation: why its contact's address cannot be used}
        """
        refused, candidates = {}, {}
        for invitation in self:
            email = normalize_email(invitation.partner_id.email or "")
            if email == invitation.email:
                continue
            if not email:
                refused[invitation] = self.env._("%s has no valid email address.", invitation.partner_id.display_name)
            elif email in candidates:
                refused[invitation] = self.env._(
                    "%(contact)s has the same email as %(other)s, invited in the same batch.",
                    contact=invitation.partner_id.display_name, other=candidates[email].partner_id.display_name)
            else:
                candidates[email] = invitation
        conflicts = self._find_email_conflicts(
            {email: invitation.partner_id for email, invitation in candidates.items()}, ignore=self)
        for email, _partner, reason in conflicts:
            refused[candidates.pop(email)] = reason
        for email, invitation in candidates.items():
            # sudo: salespeople do not write invitations; this is the contact's own address (checked above)
            invitation.sudo().email = email
        return refused

    def action_send(self):
        check_salesperson(self.env)
        Campaign = self.env["b2b.invite.campaign"]
        if Campaign._is_large(len(self)):  # in the background, on the cron workers
            return Campaign._start("resend", invitations=self)._open()
        sent, failed = self._resend()
        return summarize(self, self.env._("Invitations sent"), sent.partner_id, failed)

    def action_invite_sales_rep(self):
        """Open Invite a sales rep: email, name and access type (B2B Managers); a list button."""
        self._check_rep_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invite a sales rep"),
            "res_model": "b2b.rep.invite.wizard",
            "view_mode": "form",
            "target": "new",
        }

    def action_revoke(self):
        check_salesperson(self.env)
        Campaign = self.env["b2b.invite.campaign"]
        if Campaign._is_large(len(self)):  # in the background, on the cron workers
            return Campaign._start("revoke", invitations=self)._open()
        return self._revoke()

    def _revoke(self):
        """Revoke these invitations: their contacts' B2B access ends (see _revoke_access)."""
        check_salesperson(self.env)
        self.check_access("read")
        self._check_in_scope()
        self._revoke_access()
        return True

    def _revoke_access(self, partners=None):
        """End B2B access: the one method that does it, whatever the door (Revoke on an invitation or
        a contact, a campaign's revoke lines, archiving a contact, a company or a portal login).

        Closes these invitations and the open or accepted ones of `partners` (their links stop
        working), archives the portal logins of their contacts (their sessions end at their next
        request) and logs who did it in each closed invitation's chatter, or in the contact's when it
        had a login but no invitation. The callers check who may revoke whom; this runs as superuser.
        :return: the contacts whose access ended (an invitation closed or a login archived)
        """
        partners = self.partner_id | (partners or self.env["res.partner"])
        if not partners:
            return partners
        # sudo: the state, the token fields and other contacts' logins are this method's to write
        invitations = (self | self.sudo().search([
            ("partner_id", "in", partners.ids), ("state", "in", (*OPEN_STATES, "accepted")),
        ])).sudo().filtered(lambda invitation: invitation.state != "revoked")
        users = self.env["res.users"].sudo().search([("partner_id", "in", partners.ids), ("share", "=", True)])
        # The chatter line below is the log: no tracking message too.
        invitations.with_context(mail_notrack=True).write({
            "state": "revoked", "revoked_by_id": self.env.user.id, "revoked_date": fields.Datetime.now(),
            "token_salt": False, "token_digest": False,
        })
        # res.users.write would revoke the invitations of the logins it archives: done above already.
        users.with_context(**{REVOKING: True}).write({"active": False})
        logins = {user.partner_id: user.login for user in users}
        invitations._message_log_batch({
            # an accepted invitation's login: archived here, or just before by the res.users.write door
            invitation.id: self._revoke_note(logins.get(invitation.partner_id) or invitation.user_id.login)
            for invitation in invitations
        })
        if login_only := users.partner_id - invitations.partner_id:
            login_only._message_log_batch({
                partner.id: self._revoke_note(logins[partner]) for partner in login_only
            })
        return invitations.partner_id | users.partner_id

    @api.model
    def _revoke_note(self, login=None):
        user = self.env.user.name
        if login:
            return Markup("<p>%s</p>") % self.env._(
                "B2B access revoked by %(user)s: the invitation link no longer works and the login %(login)s "
                "is archived.", user=user, login=login)
        return Markup("<p>%s</p>") % self.env._(
            "B2B access revoked by %(user)s: the invitation link no longer works.", user=user)

    @api.model
    def _cron_expire(self, batch_size=1000):
        """Mark past-due open invitations expired (resumable batches)."""
        domain = [("state", "in", OPEN_STATES), ("expiration_date", "<", fields.Datetime.now())]
        invitations = self.sudo().search(domain, limit=batch_size)  # sudo: a job of the system
        invitations.write({"state": "expired"})
        self.env["ir.cron"]._notify_progress(
            done=len(invitations),
            remaining=self.search_count(domain) if len(invitations) == batch_size else 0,
        )

    # ------------------------------------------------------------------
    # The invited person
    # ------------------------------------------------------------------

    def _notify_expired_link(self):
        """The contact opened the link after its expiry: mark it expired, alert the inviter once."""
        self.ensure_one()
        if self.expired_link_date:
            return
        # sudo: called for the public visitor of the link (the link is the credential)
        self.sudo().write({"state": "expired", "expired_link_date": fields.Datetime.now()})
        responsible = self._responsible_user()
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            "b2b_invite.mail_activity_type_b2b_renewal",
            user_id=responsible.id,
            summary=self.env._("Send a new invitation"),
            # The note is HTML: the names (that a prospect may have typed) go in escaped.
            note=Markup("<p>%s</p>") % self.env._(
                "%s opened an expired invitation link.", self.partner_id.display_name),
        )
        template = self.env.ref("b2b_invite.mail_template_b2b_invitation_expired")
        # The recipient's language and time zone: this runs as the public user.
        template.with_context(b2b_recipient_lang=responsible.lang, b2b_recipient_tz=responsible.tz)._b2b_send(
            self.ids, email_values={"recipient_ids": [(6, 0, responsible.partner_id.ids)]},
        )

    def _request_renewal(self):
        """The contact asked for a new invitation from the expired-link page (told once)."""
        self.ensure_one()
        if self.renewal_requested_date:
            return
        self.sudo().renewal_requested_date = fields.Datetime.now()  # sudo: for the link's public visitor
        # Queued, not sent inline: the person's page never waits on the SMTP server.
        self.with_context(mail_notify_force_send=False).message_post(
            body=self.env._("%s asked for a new invitation.", self.partner_id.display_name),
            partner_ids=self._responsible_user().partner_id.ids, author_id=self.partner_id.id,
            message_type="comment", subtype_xmlid="mail.mt_note",
        )
        self.env["mail.mail"]._b2b_wake_queue()

    def _responsible_user(self):
        """The inviter, or the customer's salesperson when the inviter left."""
        self.ensure_one()
        inviter = self.inviter_id
        if inviter.active and not inviter.share and inviter.id != self.env.ref("base.user_root").id:
            return inviter
        return (self.partner_id.user_id or self.commercial_partner_id.user_id
                or self.company_id.partner_id.user_id or self.env.ref("base.user_admin"))

    @api.model
    def _normalize_login(self, login):
        return (login or "").strip().lower()

    def _check_login(self, login):
        """Raise a UserError a person understands when `login` cannot be theirs."""
        self.ensure_one()
        if not login:
            raise UserError(self.env._("Choose a login."))
        if not 3 <= len(login) <= LOGIN_MAX or not all(char.isprintable() and not char.isspace() for char in login):
            # isprintable() also refuses control and invisible characters (NUL, zero-width space...)
            raise UserError(self.env._("A login has 3 to %s characters: letters, digits and signs, no spaces.",
                                       LOGIN_MAX))
        if "@" in login and login != self.email:
            raise UserError(self.env._(
                'A login that is an email address must be the contact\'s own, %s: use it, or a username without "@".',
                self.email))
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        if Users.search_count([("login", "=ilike", escape_psql(login)),
                               ("partner_id", "!=", self.partner_id.id)], limit=1):
            raise UserError(self.env._("The login %s is already taken: choose another one.", login))

    def _accept(self, login, password, confirm_password=None, ip=None):
        """Give the contact a portal login and close the invitation.

        Creates the user from Odoo's portal template user, or reactivates the contact's
        archived one. Raises UserError with a message for the person on bad input.
        :param ip: the address of the person's connection, when it comes from the public form
                   (the tries are then counted: the form tells which logins are taken)
        :return: the login
        """
        self.ensure_one()
        if ip is not None:
            self.env["b2b.rate.limit"]._check_rate("accept", ip, f"invitation:{self.id}")
        # Of two requests accepting one link, the second finds the invitation accepted.
        lock_rows(self)
        self.invalidate_recordset()
        status = self._link_status()
        if status != "valid":
            raise UserError({
                "accepted": self.env._("This invitation was already accepted: log in instead."),
                "expired": self.env._("This invitation has expired."),
            }.get(status, self.env._("This invitation is not valid.")))
        # What made the contact invitable may have changed since the link was sent.
        if refused := self._split_invitable(self.partner_id, ignore=self)[1]:
            _logger.info("B2B invitation %s not accepted: %s", self.id, refused[self.partner_id])
            raise UserError(refused[self.partner_id] if self.env.user._is_internal() else self.env._(
                "This invitation can no longer be accepted. Please contact us."))
        login = self._normalize_login(login)
        self._check_login(login)
        if not any(char.isprintable() and not char.isspace() for char in password or ""):
            raise UserError(self.env._("Choose a password."))  # spaces or invisible characters only
        if len(password) > PASSWORD_MAX:
            raise UserError(self.env._("A password has at most %s characters.", PASSWORD_MAX))
        if confirm_password is not None and password != confirm_password:
            raise UserError(self.env._("The passwords do not match: type the same password twice."))
        try:
            user = self._create_portal_user(login, password)
        except SignupError as error:
            _logger.warning("B2B invitation %s: portal user not created: %s", self.id, error)
            raise UserError(self.env._("Your account could not be created. Please contact us.")) from error
        if self.kind == "sales_rep":
            self._grant_rep_access(user)
        # sudo: the state and login are the methods' to write; the rules ran above. The link can
        # no longer be copied; its digest stays so that it says "already accepted".
        self.sudo().write({
            "state": "accepted", "user_id": user.id, "accepted_date": fields.Datetime.now(), "token_salt": False,
        })
        self.message_post(
            body=self.env._("%(contact)s accepted the invitation with the login %(login)s.",
                   contact=self.partner_id.display_name, login=login),
            author_id=self.partner_id.id, subtype_xmlid="mail.mt_note",
        )
        return login

    def _grant_rep_access(self, user):
        """The login of an accepted sales rep invitation: the B2B Sales rep group and its access."""
        user.sudo().write({  # sudo: the invited person accepts as the public user
            "groups_id": [Command.link(self.env.ref("b2b_invite.group_b2b_sales_rep").id)],
            "b2b_rep_access": self.rep_access or "allocated",
        })

    @api.model
    def _invite_sales_rep(self, name, email, rep_access):
        """Invite an outside sales rep (B2B Managers): a contact of its own, then the usual
        invitation, link and acceptance; accepting gives a portal login in the Sales rep group.

        The rep's earlier contact (same email, revoked) is invited again rather than duplicated.
        :return: the invitation
        """
        self._check_rep_manager()
        name, normalized = (name or "").strip(), email_normalize(email or "")
        if not name:
            raise UserError(self.env._("Give the sales rep's name."))
        if not normalized:
            raise UserError(self.env._("%s is not a valid email address.", (email or "").strip() or '""'))
        if rep_access not in dict(REP_ACCESS):
            raise UserError(self.env._("Choose the customers the sales rep orders for: all, or allocated only."))
        Partner = self.env["res.partner"].sudo()  # sudo: a rep's contact is made by the B2B Manager checked above
        earlier = self.sudo().search([("kind", "=", "sales_rep"), ("email", "=", normalized)], limit=1).partner_id
        with self.env.cr.savepoint():
            partner = earlier or Partner.create({"name": name, "email": normalized, "type": "contact"})
            invitations, refused, failed = self._invite_many(partner.sudo(False), rep_access=rep_access)
            raise_first(refused, failed)
        return invitations

    def _create_portal_user(self, login, password):
        """Create the contact's portal user, or reactivate its archived one; Odoo's password rules apply.

        Never takes over a login that is in use, an employee's or the website visitors' (public) one.
        """
        Users = self.env["res.users"].sudo().with_context(no_reset_password=True, active_test=False)
        Users._check_password_policy([password])  # auth_password_policy: a message the person reads
        users = Users.search([("partner_id", "=", self.partner_id.id)])
        if users.filtered(lambda user: user.active or not user.share or user._is_public()):
            raise UserError(self.env._("%s already has a login: it cannot get another one.",
                                       self.partner_id.display_name))
        group_portal = self.env.ref("base.group_portal")
        if user := users[:1]:  # the contact's archived portal login: revoked, invited again
            user.write({"active": True, "login": login, "password": password, "groups_id": [(4, group_portal.id)]})
            return user
        company = self.company_id
        return Users._create_user_from_template({
            "login": login,
            "password": password,
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "company_ids": [(6, 0, company.ids)],
        })

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.auth_signup.models.res_partner import SignupError
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize, escape_psql, format_datetime, groupby, split_every

from ..tools import tokens
from ..tools.batches import run_in_batches

_logger = logging.getLogger(__name__)

OPEN_STATES = ("draft", "sent")
BATCH_SIZE = 500
LINK_SCOPE = "b2b_invite.invitation"
LOGIN_MAX = 64
VALIDITY_DAYS = (1, 365)  # the bounds of the validity setting
PASSWORD_MAX = 4096  # passlib's limit: a longer password cannot be hashed


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
    invitation_url = fields.Char(
        "Invitation link", compute="_compute_invitation_url", groups="b2b_invite.group_b2b_manager",
    )

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

    # ------------------------------------------------------------------
    # Links
    # ------------------------------------------------------------------

    def _get_invitation_urls(self):
        """Return {id: absolute link} of the open invitations in self."""
        urls = {}
        for invitation in self.sudo():  # sudo: the salt is readable by nobody else
            if invitation.state in OPEN_STATES and invitation.token_salt:
                token = tokens.derive(self.env, LINK_SCOPE, invitation.token_salt)
                urls[invitation.id] = f"{invitation.get_base_url()}/b2b/invite/{token}"
        return urls

    @api.model
    def _new_token_values(self):
        """Values giving an invitation a new link (the previous one stops working) and expiry."""
        salt, digest = tokens.new_link(self.env, LINK_SCOPE)
        return {
            "token_salt": salt,
            "token_digest": digest,
            "expiration_date": fields.Datetime.now() + timedelta(days=self._validity_days()),
        }

    def _issue_token(self):
        self.check_access("write")
        for invitation in self.sudo().with_context(mail_notrack=True):
            # sudo: token fields are for nobody else (access checked above)
            invitation.write(self._new_token_values())

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
    # Who may be invited
    # ------------------------------------------------------------------

    @api.model
    def _check_invitable(self, partners):
        """Split partners into those that can get a new invitation and those that cannot.

        :return: (invitable partners, {partner: reason}) with one query per rule,
                 whatever the number of partners
        """
        refused = {}
        candidates = {}  # normalized email -> partner; the first contact of a batch wins
        open_invitations = self.sudo().search([("state", "in", OPEN_STATES), ("partner_id", "in", partners.ids)])
        already_invited = set(open_invitations.partner_id.ids)
        users = self.env["res.users"].sudo().with_context(active_test=False).search(
            [("partner_id", "in", partners.ids)])
        internal = {user.partner_id.id for user in users if user.active and not user.share}
        logged_in = {user.partner_id.id for user in users if user.active and user.share}
        for partner in partners:
            email = email_normalize(partner.email or "")
            if not partner.active:
                refused[partner] = self.env._("%s is archived.", partner.display_name)
            elif not partner.commercial_partner_id.active:
                refused[partner] = self.env._(
                    "%(contact)s: its company %(company)s is archived.",
                    contact=partner.display_name, company=partner.commercial_partner_id.name)
            elif not partner.b2b_ordering:
                refused[partner] = self.env._("%s is not allowed to order: tick Ordering first.", partner.display_name)
            elif not email:
                refused[partner] = self.env._("%s has no valid email address.", partner.display_name)
            elif partner.id in internal:
                refused[partner] = self.env._("%s is an internal user.", partner.display_name)
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
        for email, partner, reason in self._find_email_conflicts(candidates):
            refused[partner] = reason
            candidates.pop(email)
        return self.env["res.partner"].union(*candidates.values()), refused

    @api.model
    def _find_email_conflicts(self, candidates):
        """Yield (email, partner, reason) for addresses another contact already uses.

        :param dict candidates: normalized email -> partner
        """
        if not candidates:
            return
        emails = list(candidates)
        users = self.env["res.users"].sudo().with_context(active_test=False).search_read(
            ["|", ("login", "in", emails), ("email_normalized", "in", emails)],
            ["login", "partner_id", "share", "email_normalized"],
        )
        invitations = self.sudo().search_read(
            [("state", "in", OPEN_STATES), ("email", "in", emails)], ["email", "partner_id"],
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
    def _invite(self, partners, send=True):
        """Invite every invitable partner.

        :return: (invitations created, {partner: why it was not invited})
        """
        invitations, refused, failed = self._invite_many(partners, send=send)
        return invitations, {**refused, **failed}

    @api.model
    def _invite_many(self, partners, send=True):
        """Invite partners by batches: one batch call per few hundred contacts, whatever their number.

        :return: (invitations created, {partner: why it was skipped}, {partner: why it failed})
        """
        invitable, refused = self._check_invitable(partners)
        self.check_access("create")
        created = self.browse()

        def invite(batch):
            nonlocal created
            # sudo: the token fields are for nobody else (access checked above); sudo keeps the user
            # as creator. No creation note nor follower per invitation: the sent email is the log.
            invitations = self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create([
                {
                    "partner_id": partner.id,
                    "email": email_normalize(partner.email),
                    "company_id": (partner.company_id or self.env.company).id,
                    **self._new_token_values(),
                }
                for partner in batch
            ]).sudo(False)
            if send:
                invitations._send()
            created |= invitations

        _done, failed = run_in_batches(invitable, invite, BATCH_SIZE)
        return created, refused, {
            partner: self.env._("%(contact)s: %(error)s", contact=partner.display_name, error=error)
            for partner, error in failed.items()
        }

    def _send(self):
        """Queue the invitation email of every invitation in self, logged in its chatter."""
        template = self.env.ref("b2b_invite.mail_template_b2b_invitation")
        now = fields.Datetime.now()
        for batch in split_every(BATCH_SIZE, self.ids, self.browse):
            urls = batch._get_invitation_urls()
            rendered = template.with_context(b2b_invitation_urls=urls, b2b_compile_once=True)._generate_template(
                batch.ids,
                ("subject", "body_html", "email_from", "email_to", "reply_to", "mail_server_id", "scheduled_date"),
            )
            mail_values = []
            for invitation in batch:
                values = rendered[invitation.id]
                mail_values.append({
                    **values,
                    "body": Markup("<p>%s</p>") % self.env._(
                        "Invitation sent to %(email)s, valid until %(date)s.",
                        email=invitation.email, date=format_datetime(self.env, invitation.expiration_date,
                                                                     dt_format="short"),
                    ),
                    "model": self._name,
                    "res_id": invitation.id,
                    "message_type": "email_outgoing",
                    "author_id": self.env.user.partner_id.id,
                    # The email carries the link; once sent, only the chatter summary stays.
                    "is_notification": True,
                    "auto_delete": True,
                    "record_name": invitation.display_name,
                })
            self.env["mail.mail"].sudo().create(mail_values)  # sudo: mails are for admins only
            for send_count, invitations in groupby(batch, key=lambda inv: inv.send_count):
                # The queued email is the chatter's record of the sending: no tracking message too.
                self.browse([inv.id for inv in invitations]).with_context(mail_notrack=True).write(
                    {"state": "sent", "send_count": send_count + 1, "last_sent_date": now})
            # Bounded memory for large batches: write this batch, forget it.
            self.env.flush_all()
            self.env.invalidate_all()

    def _resend(self):
        """Send the invitations again with a new link and expiry (the previous link stops working).

        :return: (invitations sent, {invitation: why it failed})
        """
        closed = self.filtered(lambda inv: inv.state in ("accepted", "revoked"))
        if closed:
            raise UserError(self.env._(
                "%s: an accepted or revoked invitation cannot be sent; invite the contact again instead.",
                closed[0].partner_id.display_name,
            ))
        sent, failed = run_in_batches(self, lambda batch: (batch._issue_token(), batch._send()), BATCH_SIZE)
        return sent, {
            invitation: self.env._("%(contact)s: %(error)s", contact=invitation.partner_id.display_name, error=error)
            for invitation, error in failed.items()
        }

    def action_send(self):
        sent, failed = self._resend()
        if len(self) == 1 and failed:
            raise UserError(next(iter(failed.values())))
        return self._summary_action(
            self.env._("Invitations sent"), sent.partner_id,
            {invitation.partner_id: message for invitation, message in failed.items()},
        )

    @api.model
    def _summary_action(self, title, done_partners, problems):
        """A notification that says what was done and, per contact, what was not and why."""
        lines = [self.env._("%(count)s contact(s): %(names)s",
                            count=len(done_partners), names=", ".join(done_partners.mapped("name")))]
        lines += list(problems.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": "\n".join(lines),
                "type": "warning" if problems else "success",
                "sticky": bool(problems),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_revoke(self):
        """Close the invitations, archive the portal logins they gave."""
        open_or_accepted = self.filtered(lambda inv: inv.state != "revoked")
        open_or_accepted.write({
            "state": "revoked", "revoked_by_id": self.env.user.id, "revoked_date": fields.Datetime.now(),
        })
        open_or_accepted.sudo().write({"token_salt": False, "token_digest": False})
        open_or_accepted.partner_id._b2b_archive_portal_users()
        return True

    @api.model
    def _cron_expire(self, batch_size=1000):
        """Mark past-due open invitations expired (resumable batches)."""
        domain = [("state", "in", OPEN_STATES), ("expiration_date", "<", fields.Datetime.now())]
        invitations = self.search(domain, limit=batch_size)
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
        self.write({"state": "expired", "expired_link_date": fields.Datetime.now()})
        responsible = self._responsible_user()
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=responsible.id,
            summary=self.env._("Send a new invitation"),
            note=self.env._("%s opened an expired invitation link.", self.partner_id.display_name),
        )
        template = self.env.ref("b2b_invite.mail_template_b2b_invitation_expired")
        # The link's expiry in the recipient's time zone: this runs as the public user, who has none.
        template.with_context(b2b_recipient_tz=responsible.tz).send_mail(
            self.id, email_values={"recipient_ids": [(6, 0, responsible.partner_id.ids)]},
        )

    def _request_renewal(self):
        """The contact asked for a new invitation from the expired-link page (told once)."""
        self.ensure_one()
        if self.renewal_requested_date:
            return
        self.renewal_requested_date = fields.Datetime.now()
        self.message_post(
            body=self.env._("%s asked for a new invitation.", self.partner_id.display_name),
            partner_ids=self._responsible_user().partner_id.ids, author_id=self.partner_id.id,
            message_type="comment", subtype_xmlid="mail.mt_note",
        )

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

    def _accept(self, login, password, confirm_password=None):
        """Give the contact a portal login and close the invitation.

        Creates the user from Odoo's portal template user, or reactivates the contact's
        archived one. Raises UserError with a message for the person on bad input.
        :return: the login
        """
        self.ensure_one()
        # Of two requests accepting one link, the second finds the invitation accepted.
        tokens.lock_rows(self)
        self.invalidate_recordset()
        status = self._link_status()
        if status != "valid":
            raise UserError({
                "accepted": self.env._("This invitation was already accepted: log in instead."),
                "expired": self.env._("This invitation has expired."),
            }.get(status, self.env._("This invitation is not valid.")))
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
        self.write({"state": "accepted", "user_id": user.id, "accepted_date": fields.Datetime.now()})
        # The link can no longer be copied; its digest stays so that it says "already accepted".
        self.sudo().token_salt = False
        self.message_post(
            body=self.env._("%(contact)s accepted the invitation with the login %(login)s.",
                   contact=self.partner_id.display_name, login=login),
            author_id=self.partner_id.id, subtype_xmlid="mail.mt_note",
        )
        return login

    def _create_portal_user(self, login, password):
        """Create (or reactivate) the portal user of the contact; Odoo's password rules apply."""
        Users = self.env["res.users"].sudo().with_context(no_reset_password=True, active_test=False)
        Users._check_password_policy([password])  # auth_password_policy: a message the person reads
        user = Users.search([("partner_id", "=", self.partner_id.id)], limit=1)
        if user and not user.share:
            raise UserError(self.env._("%s is an internal user.", self.partner_id.display_name))
        group_portal, group_public = self.env.ref("base.group_portal"), self.env.ref("base.group_public")
        if user:
            user.write({
                "active": True, "login": login, "password": password,
                "groups_id": [(4, group_portal.id), (3, group_public.id)],
            })
            return user
        company = self.company_id
        return Users._create_user_from_template({
            "login": login,
            "password": password,
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "company_ids": [(6, 0, company.ids)],
        })

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import email_normalize

from ..tools.access import SALESPERSON, check_b2b_manager, check_salesperson
from ..tools.notifications import summarize
from .b2b_invitation import OPEN_STATES

# The delivery method field of each weekday, in date.weekday() order (Monday first)
CARRIER_FIELDS = (
    "b2b_carrier_monday_id", "b2b_carrier_tuesday_id", "b2b_carrier_wednesday_id", "b2b_carrier_thursday_id",
    "b2b_carrier_friday_id", "b2b_carrier_saturday_id", "b2b_carrier_sunday_id",
)
INVITE_STATE_OF = {
    "draft": "invited",
    "sent": "invited",
    "accepted": "accepted",
    "expired": "expired",
    "revoked": "revoked",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    b2b_ordering = fields.Boolean(
        "Ordering", tracking=True,
        help="This contact may be invited to the portal and may place orders in the shop.",
    )
    b2b_awaiting_activation = fields.Boolean(
        "Awaiting activation", copy=False, tracking=True, groups=SALESPERSON,
        help="A self-registered customer that is approved but not activated yet: its contacts cannot order.",
    )
    # Days of service: the delivery method of orders placed on each weekday (see sale.order)
    b2b_carrier_monday_id = fields.Many2one(
        "delivery.carrier", "Monday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_tuesday_id = fields.Many2one(
        "delivery.carrier", "Tuesday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_wednesday_id = fields.Many2one(
        "delivery.carrier", "Wednesday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_thursday_id = fields.Many2one(
        "delivery.carrier", "Thursday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_friday_id = fields.Many2one(
        "delivery.carrier", "Friday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_saturday_id = fields.Many2one(
        "delivery.carrier", "Saturday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_sunday_id = fields.Many2one(
        "delivery.carrier", "Sunday", company_dependent=True, groups=SALESPERSON)
    b2b_company_may_order = fields.Boolean(
        compute="_compute_b2b_company_may_order", store=True, groups=SALESPERSON,
        help="Technical: the customer company is active and activated. Kept on each contact so that the "
             "ordering gate of a shop page reads no other record.",
    )
    b2b_invitation_ids = fields.One2many("b2b.invitation", "partner_id", string="B2B Invitations", groups=SALESPERSON)
    b2b_invitation_count = fields.Integer(
        compute="_compute_b2b_invitation_count", string="Invitations", groups=SALESPERSON)
    b2b_invitation_id = fields.Many2one(
        "b2b.invitation", string="Latest invitation", compute="_compute_b2b_invite_state", store=True,
        groups=SALESPERSON,
    )
    b2b_inviter_id = fields.Many2one(
        related="b2b_invitation_id.inviter_id", store=True, string="Invited by", groups=SALESPERSON)
    b2b_invite_sent_date = fields.Datetime(
        related="b2b_invitation_id.last_sent_date", string="Invitation sent", groups=SALESPERSON)
    b2b_invite_expiration_date = fields.Datetime(
        related="b2b_invitation_id.expiration_date", string="Invitation expires", groups=SALESPERSON)
    b2b_invite_email_state = fields.Selection(
        related="b2b_invitation_id.email_state", string="Invitation email", groups=SALESPERSON)
    b2b_invite_email_failure = fields.Char(
        related="b2b_invitation_id.email_failure", string="Invitation email not delivered because", groups=SALESPERSON)
    b2b_rep_ids = fields.Many2many(
        "res.users", "b2b_partner_rep_rel", "partner_id", "user_id", string="Sales reps",
        domain="['|', ('share', '=', False), ('b2b_rep_access', '!=', False)]", groups=SALESPERSON,
        help="Besides its Salesperson, the reps this customer is allocated to: they order on its behalf "
             "and, with Own Documents Only, invite its contacts. Only B2B Managers and salespeople with "
             "All Documents change it.",
    )
    b2b_in_scope = fields.Boolean(
        "In my scope", compute="_compute_b2b_in_scope", search="_search_b2b_in_scope", groups=SALESPERSON,
        help="A contact whose invitations you manage: every contact with All Documents, the contacts of "
             "the customers allocated to you with Own Documents Only.",
    )
    b2b_pay_on_account = fields.Boolean(
        "Pay on account", tracking=True, copy=False, groups=SALESPERSON,
        help="This customer's contacts may check out with Pay on account: their orders are confirmed without "
             "online payment and invoiced on the customer's payment terms. Set on the customer company; only "
             "B2B Managers and accounting administrators change it.",
    )
    b2b_invite_blocker = fields.Char(
        "Why not invited", compute="_compute_b2b_invite_blocker", groups=SALESPERSON,
        help="Why the contact form offers no Invite button to you.",
    )
    b2b_invite_state = fields.Selection(
        [
            ("not_invited", "Not invited"),
            ("invited", "Invited"),
            ("accepted", "Accepted"),
            ("expired", "Expired"),
            ("revoked", "Revoked"),
        ],
        string="B2B Access", compute="_compute_b2b_invite_state", store=True, index=True, groups=SALESPERSON,
        help="From the contact's latest invitation.",
    )

    @api.depends("b2b_invitation_ids.state")
    def _compute_b2b_invite_state(self):
        for partner in self:
            latest = max(partner.b2b_invitation_ids, key=lambda inv: inv.id, default=self.env["b2b.invitation"])
            partner.b2b_invitation_id = latest
            partner.b2b_invite_state = INVITE_STATE_OF[latest.state] if latest else "not_invited"

    @api.depends_context("uid")
    @api.depends("b2b_invite_state", "b2b_ordering", "email", "active", "commercial_partner_id.active")
    def _compute_b2b_invite_blocker(self):
        """Why this contact cannot be invited by the current user now (shown on the contact form).

        Ordering not ticked is no reason: the form then offers Allow ordering and invite.
        """
        self.b2b_invite_blocker = False
        # Not for employees (nor the website's visitor account): their form has nothing to say about it.
        # sudo: whether a contact has an internal or public login, nothing else of it
        candidates = self.filtered(lambda partner: partner.id and partner.b2b_invite_state in ("not_invited", "revoked")
                                   and (partner.b2b_ordering or not partner.is_company)
                                   and all(user.share and not user._is_public()
                                           for user in partner.sudo().with_context(active_test=False).user_ids))
        if candidates:
            _invitable, refused = self.env["b2b.invitation"]._split_invitable(candidates, allow_ordering=True)
            for partner, reason in refused.items():
                partner.b2b_invite_blocker = reason

    @api.depends("commercial_partner_id.active", "commercial_partner_id.b2b_awaiting_activation")
    def _compute_b2b_company_may_order(self):
        for partner in self:
            company = partner.commercial_partner_id
            partner.b2b_company_may_order = company.active and not company.b2b_awaiting_activation

    def _compute_b2b_in_scope(self):
        in_scope = self.with_context(active_test=False).search(
            [("id", "in", self.ids), *self._b2b_scope_domain(self.env.user)])
        for partner in self:
            partner.b2b_in_scope = partner in in_scope

    def _search_b2b_in_scope(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on In my scope."))
        domain = self._b2b_scope_domain(self.env.user)
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    def _compute_last_website_so_id(self):
        """A cart a rep started on behalf of a contact is the rep's to finish, not the contact's own."""
        res = super()._compute_last_website_so_id()
        for partner in self.filtered(lambda partner: partner.last_website_so_id.sudo().b2b_ordered_by_id):
            cart = partner.last_website_so_id
            partner.last_website_so_id = cart.search([
                ("partner_id", "=", partner.id), ("pricelist_id", "=", cart.pricelist_id.id),
                ("website_id", "=", cart.website_id.id), ("state", "=", "draft"), ("b2b_ordered_by_id", "=", False),
            ], order="write_date desc", limit=1)
        return res

    def _compute_b2b_invitation_count(self):
        counts = dict(self.env["b2b.invitation"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"],
        ))
        for partner in self:
            partner.b2b_invitation_count = counts.get(partner, 0)

    def _b2b_carrier_on(self, day):
        """The delivery method of this customer's orders placed on `day` (a date), if it has one."""
        self.ensure_one()
        return self.commercial_partner_id[CARRIER_FIELDS[day.weekday()]]

    def _b2b_order_refusal(self):
        """Why this contact may not order in a B2B shop, in words for the contact, or False.

        A contact orders when it is allowed to (`b2b_ordering`) and its company is active and
        activated (a self-registered customer waits for its activation).
        """
        self.ensure_one()
        company = self.commercial_partner_id
        if not self.b2b_ordering:
            return self.env._(
                "Your account is not allowed to place orders for %s. Ask us to allow it.", company.name)
        if self.b2b_company_may_order:  # the contact's own column: a shop page reads no other record
            return False
        if not company.active:
            return self.env._("The account of %s is closed: orders are no longer possible.", company.name)
        if company.b2b_awaiting_activation:
            return self.env._(
                "The account of %s is not activated yet: you can order as soon as we activate it.", company.name)
        return False

    # ------------------------------------------------------------------
    # Sales reps: which customers a user serves, which contacts it manages
    # ------------------------------------------------------------------

    @api.model
    def _b2b_allocated_domain(self, user):
        """Customers allocated to `user`: it is their Salesperson or one of their Sales reps."""
        return ["|", ("user_id", "=", user.id), ("b2b_rep_ids", "in", user.ids)]

    @api.model
    def _b2b_reach_domain(self, user):
        """The customers `user` may serve whatever their state: all of them, or its allocated ones."""
        scope = user._b2b_serving_scope()
        if scope == "all":
            return []
        return self._b2b_allocated_domain(user) if scope == "allocated" else expression.FALSE_DOMAIN

    @api.model
    def _b2b_served_domain(self, user):
        """The customers `user` may serve: the one rule, for the shop's picker, the choice of whom to
        order for, the sale order's gate, the rep's portal pages and its record rules.

        Customers (commercial partners with a contact allowed to order) that are active and activated,
        from all customers or from those allocated to `user` (`res.users._b2b_serving_scope`). Plain
        domain on res.partner, whose terms depend on `user` only (record rules are cached per user).
        """
        reach = self._b2b_reach_domain(user)
        if reach == expression.FALSE_DOMAIN:
            return reach
        return expression.AND([[
            ("active", "=", True),
            ("b2b_awaiting_activation", "=", False),
            "|", ("is_company", "=", True), ("parent_id", "=", False),
            "|", ("b2b_ordering", "=", True), ("child_ids", "any", [("b2b_ordering", "=", True)]),
        ], reach])

    @api.model
    def _b2b_served_customers(self, user, search=None, limit=None, offset=0, count=False):
        """The customers `user` may serve (superuser records) by name, or their number (`count`),
        optionally those whose name, city or a contact's name matches `search`."""
        domain = self._b2b_served_domain(user)
        if search:
            domain = expression.AND([domain, [
                "|", "|", ("name", "ilike", search), ("city", "ilike", search), ("child_ids.name", "ilike", search),
            ]])
        if count:
            return self.sudo().search_count(domain)
        return self.sudo().search(domain, order="name, id", limit=limit, offset=offset)

    def _b2b_ordering_contacts(self):
        """The contacts of these customers allowed to order (superuser records)."""
        return self.sudo().search([
            ("commercial_partner_id", "in", self.ids), ("b2b_ordering", "=", True),
        ], order="name, id")

    @api.model
    def _b2b_scope_domain(self, user):
        """The contacts whose invitations `user` manages in the backend: all of them, or with *Own
        Documents Only* those of the customers allocated to it."""
        if user._b2b_manages_all_contacts():
            return []
        return [("commercial_partner_id", "any", self._b2b_allocated_domain(user))]

    def _b2b_may_pay_on_account(self):
        """Whether this contact's customer may pay on account (a portal user reads it too)."""
        # sudo: a flag of the customer company, read for its own contact at checkout
        return bool(self.sudo().commercial_partner_id.b2b_pay_on_account)

    def _check_b2b_pay_on_account_editor(self):
        """Credit is granted by B2B Managers and accounting administrators, not by salespeople."""
        user = self.env.user
        if not self.env.su and not (user.has_group("b2b_invite.group_b2b_manager")
                                    or user.has_group("account.group_account_manager")):
            raise AccessError(self.env._(
                "Only B2B Managers and accounting administrators allow a customer to pay on account."))

    def _check_b2b_rep_ids_editor(self):
        user = self.env.user
        if not self.env.su and not (user.has_group("sales_team.group_sale_salesman_all_leads")
                                    or user.has_group("b2b_invite.group_b2b_manager")):
            raise AccessError(self.env._(
                "Only B2B Managers and salespeople with All Documents allocate customers to sales reps."))

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("b2b_rep_ids") for vals in vals_list):
            self._check_b2b_rep_ids_editor()
        if any(vals.get("b2b_pay_on_account") for vals in vals_list):
            self._check_b2b_pay_on_account_editor()
        for vals in vals_list:
            self.env["b2b.act.session"]._check_partner_write(self.browse(), vals)
        return super().create(vals_list)

    def write(self, vals):
        if "b2b_rep_ids" in vals:
            self._check_b2b_rep_ids_editor()
        if "b2b_pay_on_account" in vals and any(
                partner.b2b_pay_on_account != bool(vals["b2b_pay_on_account"]) for partner in self):
            self._check_b2b_pay_on_account_editor()
        self.env["b2b.act.session"]._check_partner_write(self, vals)
        if vals.get("active") is False:
            # Odoo refuses to archive a contact with an active user: revoke the B2B access of
            # the contact (of all its contacts, for a company) first.
            contacts = self.with_context(active_test=False).search(
                [("commercial_partner_id", "in", self.filtered("is_company").ids)]) | self
            # sudo (inside): whoever may archive a contact ends its B2B access, as Odoo's rule demands.
            self.env["b2b.invitation"]._revoke_access(contacts)
        moves = self._b2b_email_moves(vals["email"]) if "email" in vals else {}
        res = super().write(vals)
        if moves:
            self._b2b_follow_email(moves)
        return res

    # ------------------------------------------------------------------
    # A new email address: the open invitation and the login follow it
    # ------------------------------------------------------------------

    def _b2b_email_moves(self, email):
        """What follows these contacts to the address `email`: {contact: (its current address, the portal
        user whose login is that address, or None)}.

        A contact's open invitation follows its address, and so does a portal login that is its
        address. Raises a UserError, before anything is written, when they cannot follow: no valid
        address for an open invitation, or an address another contact's login or invitation uses.
        """
        new = email_normalize(email or "") or False
        changing = self.filtered(lambda partner: partner.id and partner.email_normalized != new)
        if not changing:
            return {}
        changing.check_access("write")  # who may not change the address learns nothing below
        # sudo: whoever may change a contact's address moves its invitation and login with it.
        invited = self.env["b2b.invitation"].sudo().search(
            [("partner_id", "in", changing.ids), ("state", "in", OPEN_STATES)]).partner_id
        users = self.env["res.users"].sudo().search([("partner_id", "in", changing.ids), ("share", "=", True)])
        logins = {user.partner_id: user for user in users if user.login.lower() == user.partner_id.email_normalized}
        concerned = changing.filtered(lambda partner: partner in invited or (new and partner in logins))
        if not concerned:
            return {}
        if not new:
            raise UserError(self.env._(
                "%s has an open invitation: give a valid email address (the invitation follows it), "
                "or revoke the invitation first.", concerned[0].display_name))
        if len(concerned) > 1:
            raise UserError(self.env._(
                "%(contact)s and %(other)s cannot both get the address %(email)s: each invitation or login "
                "needs its own.", contact=concerned[0].display_name, other=concerned[1].display_name, email=new))
        for _email, _partner, reason in self.env["b2b.invitation"]._find_email_conflicts({new: concerned}):
            if self.env.user.share:  # a contact changing its own address learns nothing about whose it is
                reason = self.env._("This email address cannot be used for your account: contact us to change it.")
            raise UserError(reason)
        return {concerned: (concerned.email_normalized, logins.get(concerned))}

    def _b2b_follow_email(self, moves):
        """The address of these contacts changed: the open invitation gets a new link at the new address
        (the previous link stops working), a login that was the previous address becomes the new one,
        and the contact is told at its previous address."""
        for partner, (old, user) in moves.items():
            new = partner.email_normalized
            invitations = self.env["b2b.invitation"].sudo().search(
                [("partner_id", "=", partner.id), ("state", "in", OPEN_STATES)])
            invitations.write({"email": new})
            _sent, failed = invitations.filtered(lambda inv: inv.state == "sent")._resend()
            if failed:
                raise UserError(next(iter(failed.values())))
            if not user:
                continue
            user.login = new
            if request and request.session.uid == user.id:
                # The person changed their own address (/my/account, checkout): their session, whose
                # token covers the login, stays open.
                self.env.flush_all()
                request.session.session_token = user._compute_session_token(request.session.sid)
            partner.message_post(
                body=Markup("<p>%s</p>") % self.env._(
                    "The login %(old)s became %(new)s, following the email address; %(old)s was told.",
                    old=old, new=new),
                subtype_xmlid="mail.mt_note",
            )
            self.env.ref("b2b_invite.mail_template_b2b_login_changed").with_context(b2b_old_email=old)._b2b_send(
                user.ids)

    # ------------------------------------------------------------------
    # Actions (contact form buttons and list actions)
    # ------------------------------------------------------------------

    def action_b2b_invite(self):
        """Invite these contacts; refuse with the reason for one contact, summarize for many."""
        check_salesperson(self.env)
        invitations, refused, failed = self.env["b2b.invitation"]._invite_many(self)
        return summarize(self, self.env._("Invitations sent"), invitations.partner_id, refused, failed)

    def action_b2b_allow_ordering_and_invite(self):
        """Allow these contacts to order and invite them, in one step.

        What a salesperson does for the customers he serves, without the right to edit contacts: the
        rules are the invitation's (his scope, a valid and free email address, an active company), run
        before anything is written; a contact that cannot be invited is left untouched.
        """
        check_salesperson(self.env)
        Invitation = self.env["b2b.invitation"]
        if refused := Invitation._out_of_scope(self):
            raise AccessError(next(iter(refused.values())))
        _invitable, refused = Invitation._split_invitable(self, allow_ordering=True)
        if refused:
            raise UserError(next(iter(refused.values())))
        # sudo: Ordering is allowed here for contacts the user may invite (checked above), also without
        # the right to edit contacts; the change is tracked in his name.
        self.filtered(lambda partner: not partner.b2b_ordering).sudo().b2b_ordering = True
        return self.action_b2b_invite()

    def action_b2b_resend(self):
        """Send the open or expired invitation of these contacts again, with a new link."""
        check_salesperson(self.env)
        Campaign = self.env["b2b.invite.campaign"]
        if Campaign._is_large(len(self)):  # in the background, on the cron workers
            return Campaign._start("resend", partners=self)._open()
        latest, refused = self._b2b_resend_targets()
        sent, failed = latest._resend()
        return summarize(self, self.env._("Invitations sent again"), sent.partner_id, refused, failed)

    def _b2b_resend_targets(self):
        """The invitation to send again of each contact: its latest open or expired one.

        :return: (invitations, {partner: why it has none})
        """
        refused = self.env["b2b.invitation"]._out_of_scope(self)
        invitations = self.env["b2b.invitation"].search([
            ("partner_id", "in", self.ids), ("partner_id", "not in", [p.id for p in refused]),
            ("state", "in", (*OPEN_STATES, "expired")),
        ])
        latest = {}
        for invitation in invitations:  # newest first (_order): keep each contact's latest
            latest.setdefault(invitation.partner_id, invitation)
        refused.update({
            partner: self.env._("%s has no open or expired invitation to resend.", partner.display_name)
            for partner in self if partner not in latest and partner not in refused
        })
        return self.env["b2b.invitation"].union(*latest.values()), refused

    def action_b2b_revoke(self):
        """Revoke the invitations and portal logins of these contacts."""
        check_salesperson(self.env)
        Campaign = self.env["b2b.invite.campaign"]
        if Campaign._is_large(len(self)):  # in the background, on the cron workers
            return Campaign._start("revoke", partners=self)._open()
        revoked, refused = self._b2b_revoke_many()
        return summarize(self, self.env._("B2B access revoked"), revoked, refused)

    def _b2b_revoke_many(self):
        """Revoke the invitations and portal logins of these contacts.

        :return: (contacts revoked, {partner: why there was nothing to revoke})
        """
        check_salesperson(self.env)
        Invitation = self.env["b2b.invitation"]
        refused = Invitation._out_of_scope(self)
        revoked = Invitation._revoke_access(self.filtered(lambda partner: partner not in refused))
        refused.update({
            partner: self.env._("%s has no invitation or login to revoke.", partner.display_name)
            for partner in self - revoked if partner not in refused
        })
        return revoked, refused

    def action_b2b_invite_sales_rep(self):
        """Open Invite a sales rep (B2B Managers); a list button, whatever the selection."""
        return self.env["b2b.invitation"].action_invite_sales_rep()

    def action_b2b_open_invite_wizard(self):
        """Invite these contacts through the bulk wizard (send now, or export the links as CSV)."""
        check_salesperson(self.env)
        return self.env["b2b.invite.wizard"]._open(self)

    def action_b2b_invite_primary_contact(self):
        """Invite the primary contact of each of these customer companies."""
        check_salesperson(self.env)
        contacts, skipped = self.browse(), []
        for company in self:
            contact = company._b2b_primary_contact()
            if contact:
                contacts |= contact
            else:
                skipped.append(self.env._("%s has no contact to invite.", company.display_name))
        return self.env["b2b.invite.wizard"]._open(contacts, skipped)

    def action_b2b_invite_ordering_contacts(self):
        """Invite every contact allowed to order of these customer companies."""
        check_salesperson(self.env)
        contacts = self.search([
            ("commercial_partner_id", "in", self.commercial_partner_id.ids), ("b2b_ordering", "=", True),
            ("is_company", "=", False), ("type", "=", "contact"),
        ])
        skipped = [
            self.env._("%s has no contact allowed to order.", company.display_name)
            for company in self.commercial_partner_id - contacts.commercial_partner_id
        ]
        return self.env["b2b.invite.wizard"]._open(contacts, skipped)

    def _b2b_primary_contact(self):
        """The contact to invite for a company: its oldest contact allowed to order, else its oldest
        contact with an email (refused then with the reason), else the company itself if it may order."""
        self.ensure_one()
        if not self.is_company:
            return self
        contacts = self.child_ids.filtered(lambda child: child.type == "contact").sorted("id")
        return (contacts.filtered("b2b_ordering") or contacts.filtered("email"))[:1] or self.filtered("b2b_ordering")

    def action_b2b_view_invitations(self):
        check_salesperson(self.env)
        self.ensure_one()
        # The action's own domain reads active_id: the web client keeps it in the URL, so a reload
        # shows this contact's invitations still.
        action = self.env["ir.actions.act_window"]._for_xml_id("b2b_invite.b2b_invitation_action_contact")
        action["context"] = {"active_id": self.id, "default_partner_id": self.id}
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_b2b_create_login(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        # Refused now, with the reason, rather than after the password is typed.
        if self.b2b_invite_state != "invited" and (refused := self.env["b2b.invitation"]._split_invitable(self)[1]):
            raise UserError(refused[self])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Create login with a password"),
            "res_model": "b2b.create.login.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def action_b2b_activate(self):
        """Open the activation of this approved customer: terms, days of service, invitations."""
        check_b2b_manager(self.env)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Activate %s", self.commercial_partner_id.display_name),
            "res_model": "b2b.activation.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    # ------------------------------------------------------------------
    # Quick order: what the customer usually orders
    # ------------------------------------------------------------------

    def _b2b_usual_products(self, company, orders_count=6):
        """The products of the last confirmed orders of this contact's company, with the seller ``company``.

        The company's orders (commercial partner), so that colleagues share them, as far as the
        current user may read them: the portal's record rules apply (with the seller's "Contacts see
        only their own documents", a contact's own orders only). Sections, notes, delivery, down
        payment and combo item lines are left out.

        :return: newest order first, then in each order's line order: [{"product", "quantity" (in
            the product's unit of measure ("unit"), all its lines of its latest order), "date", "order",
            "name", "hidden"}]; a ``hidden`` product is one the user may no longer see in the shop
            (not for sale, unpublished: website_sale's record rule): its "name" is then the order
            line's, and nothing else of it may be read
        """
        self.ensure_one()
        orders = self.env["sale.order"].search([
            ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", company.id),
            ("state", "=", "sale"),
        ], order="date_order desc, id desc", limit=orders_count)
        usual = {}
        for order in orders:
            for line in order.order_line:
                product = line.product_id
                if (line.display_type or not product or line.is_delivery or line.is_downpayment
                        or line.combo_item_id or usual.get(product, {}).get("order", order) != order):
                    continue
                quantity = line.product_uom_qty
                # sudo: units of measure are reference data that portal users may not read, and
                # the product may be one the user no longer sees (hidden, below)
                if line.product_uom != (unit := product.sudo().uom_id):
                    quantity = line.product_uom.sudo()._compute_quantity(quantity, unit, raise_if_failure=False)
                entry = usual.setdefault(product, {
                    "product": product, "quantity": 0.0, "date": order.date_order, "order": order,
                    "name": (line.name or "").split("\n")[0], "unit": unit.name,
                })
                entry["quantity"] += quantity
        products = self.env["product.product"].concat(*usual)
        visible = products.product_tmpl_id._filtered_access("read")
        for entry in usual.values():
            entry["hidden"] = entry["product"].product_tmpl_id not in visible
            if not entry["hidden"]:
                entry["name"] = entry["product"].name
        return list(usual.values())

    # ------------------------------------------------------------------
    # Act as customer (the rules and the log: b2b.act.session)
    # ------------------------------------------------------------------

    b2b_act_consent = fields.Boolean(
        "Allow shopping assistance", tracking=True, copy=False,
        help="Our staff may act as this customer's contacts (log in as them) to help them order. The customer "
             "switches it on its account page; where the website does not require consent, it is not needed.",
    )
    b2b_has_portal_login = fields.Boolean(compute="_compute_b2b_has_portal_login")
    b2b_act_session_count = fields.Integer(
        compute="_compute_b2b_act_session_count", string="Acting sessions",
        groups="b2b_invite.group_b2b_act_as_customer")

    @api.depends("user_ids.share")
    def _compute_b2b_has_portal_login(self):
        for partner in self:
            partner.b2b_has_portal_login = any(user.share for user in partner.sudo().user_ids)

    def _compute_b2b_act_session_count(self):
        ActSession = self.env["b2b.act.session"]
        for partner in self:
            partner.b2b_act_session_count = ActSession.search_count(partner._b2b_act_session_domain())

    def _b2b_act_session_domain(self):
        self.ensure_one()
        if self.is_company:
            return [("commercial_partner_id", "=", self.id)]
        return [("partner_id", "=", self.id)]

    def action_b2b_act_as_customer(self):
        """Open the website logged in as this contact's portal login (an ir.actions.act_url)."""
        return self.env["b2b.act.session"]._start_action(self)

    def action_b2b_view_act_sessions(self):
        self.env["b2b.act.session"]._check_actor()
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("b2b_invite.b2b_act_session_action")
        action["domain"] = self._b2b_act_session_domain()
        return action

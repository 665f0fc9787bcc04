from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.access import SALESPERSON, check_b2b_manager, check_salesperson

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # in date.weekday() order
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
    b2b_carrier_mon_id = fields.Many2one("delivery.carrier", "Monday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_tue_id = fields.Many2one("delivery.carrier", "Tuesday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_wed_id = fields.Many2one("delivery.carrier", "Wednesday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_thu_id = fields.Many2one("delivery.carrier", "Thursday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_fri_id = fields.Many2one("delivery.carrier", "Friday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_sat_id = fields.Many2one("delivery.carrier", "Saturday", company_dependent=True, groups=SALESPERSON)
    b2b_carrier_sun_id = fields.Many2one("delivery.carrier", "Sunday", company_dependent=True, groups=SALESPERSON)
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

    def _compute_b2b_invitation_count(self):
        counts = dict(self.env["b2b.invitation"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"],
        ))
        for partner in self:
            partner.b2b_invitation_count = counts.get(partner, 0)

    def _b2b_carrier_on(self, day):
        """The delivery method of this customer's orders placed on `day` (a date), if it has one."""
        self.ensure_one()
        return self.commercial_partner_id[f"b2b_carrier_{WEEKDAYS[day.weekday()]}_id"]

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
        if not company.active:
            return self.env._("The account of %s is closed: orders are no longer possible.", company.name)
        if company.b2b_awaiting_activation:
            return self.env._(
                "The account of %s is not activated yet: you can order as soon as we activate it.", company.name)
        return False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["b2b.act.session"]._check_partner_write(self.browse(), vals)
        return super().create(vals_list)

    def write(self, vals):
        self.env["b2b.act.session"]._check_partner_write(self, vals)
        if vals.get("active") is False:
            # Odoo refuses to archive a contact with an active user: revoke the B2B access of
            # the contact (of all its contacts, for a company) first.
            contacts = self.with_context(active_test=False).search(
                [("commercial_partner_id", "in", self.filtered("is_company").ids)]) | self
            contacts._b2b_revoke_access()
        return super().write(vals)

    def _b2b_revoke_access(self):
        # sudo: whoever may archive a contact ends its B2B access, as Odoo's rule demands.
        invitations = self.env["b2b.invitation"].sudo().search([
            ("partner_id", "in", self.ids), ("state", "in", ("draft", "sent", "accepted")),
        ])
        invitations.action_revoke()
        self._b2b_archive_portal_users()

    def _b2b_archive_portal_users(self):
        """Archive the portal logins of these contacts: their sessions end at their next request."""
        users = self.env["res.users"].sudo().search([("partner_id", "in", self.ids), ("share", "=", True)])
        # sudo: salespeople revoke access without the right to manage users; only portal
        # (share) users of these contacts are touched.
        users.write({"active": False})

    # ------------------------------------------------------------------
    # Actions (contact form buttons and list actions)
    # ------------------------------------------------------------------

    def action_b2b_invite(self):
        """Invite these contacts; refuse with the reason for one contact, summarize for many."""
        check_salesperson(self.env)
        invitations, refused = self.env["b2b.invitation"]._invite(self)
        if len(self) == 1 and refused:
            raise UserError(next(iter(refused.values())))
        return self.env["b2b.invitation"]._summary_action(
            self.env._("Invitations sent"), invitations.partner_id, refused)

    def action_b2b_resend(self):
        """Send the open or expired invitation of these contacts again, with a new link."""
        check_salesperson(self.env)
        invitations = self.env["b2b.invitation"].search([
            ("partner_id", "in", self.ids), ("state", "in", ("draft", "sent", "expired")),
        ])
        latest = {}
        for invitation in invitations:  # newest first (_order): keep each contact's latest
            latest.setdefault(invitation.partner_id, invitation)
        refused = {
            partner: self.env._("%s has no open or expired invitation to resend.", partner.display_name)
            for partner in self if partner not in latest
        }
        sent, failed = self.env["b2b.invitation"].union(*latest.values())._resend()
        refused.update({invitation.partner_id: message for invitation, message in failed.items()})
        if len(self) == 1 and refused:
            raise UserError(next(iter(refused.values())))
        return self.env["b2b.invitation"]._summary_action(
            self.env._("Invitations sent again"), sent.partner_id, refused)

    def action_b2b_revoke(self):
        """Revoke the invitations and portal logins of these contacts."""
        check_salesperson(self.env)
        invitations = self.env["b2b.invitation"].search([
            ("partner_id", "in", self.ids), ("state", "in", ("draft", "sent", "accepted")),
        ])
        users = self.env["res.users"].sudo().search([("partner_id", "in", self.ids), ("share", "=", True)])
        revoked = invitations.partner_id | users.partner_id
        refused = {
            partner: self.env._("%s has no invitation or login to revoke.", partner.display_name)
            for partner in self - revoked
        }
        if len(self) == 1 and refused:
            raise UserError(next(iter(refused.values())))
        invitations.action_revoke()
        revoked._b2b_archive_portal_users()
        return self.env["b2b.invitation"]._summary_action(self.env._("B2B access revoked"), revoked, refused)

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
        action = self.env["ir.actions.act_window"]._for_xml_id("b2b_invite.action_b2b_invitation")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_b2b_create_login(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        # Refused now, with the reason, rather than after the password is typed.
        if self.b2b_invite_state != "invited" and (refused := self.env["b2b.invitation"]._check_invitable(self)[1]):
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
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("b2b_invite.action_b2b_act_session")
        action["domain"] = self._b2b_act_session_domain()
        return action

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.base.models.res_partner import _lang_get
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import escape_psql, formataddr, groupby

from ..tools.access import check_b2b_manager

# field -> (maximum length, required): the business details a person types
DETAILS = {
    "company_name": (128, True),
    "vat": (32, False),
    "phone": (32, True),
    "street": (128, True),
    "zip": (16, False),
    "city": (64, True),
    "contact_name": (128, True),
    "function": (128, False),
    "message": (2000, False),
}
DUPLICATES_MAX = 10


class B2bRegistrationRequest(models.Model):
    """A prospect's request to become a B2B customer, from a website's registration link.

    verified (email proven) -> pending (details sent; B2B Managers alerted) -> approved
    (customer company and contact created, awaiting activation, no login) -> activated
    (terms set, contact invited: see b2b.activation.wizard); or rejected, with a reason.
    """

    _name = "b2b.registration.request"
    _inherit = ["b2b.registration.flow", "mail.thread", "mail.activity.mixin"]
    _description = "B2B registration request"
    _order = "id desc"
    _rec_name = "company_name"

    state = fields.Selection(
        [
            ("verified", "Email verified"),
            ("pending", "To review"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("activated", "Activated"),
        ],
        default="verified", required=True, index=True, tracking=True, copy=False,
    )
    website_id = fields.Many2one("website", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, readonly=True)
    email = fields.Char(required=True, readonly=True)
    lang = fields.Selection(_lang_get, string="Language")
    company_name = fields.Char("Company name")
    vat = fields.Char("Tax ID")
    phone = fields.Char()
    street = fields.Char()
    zip = fields.Char()
    city = fields.Char()
    country_id = fields.Many2one("res.country")
    contact_name = fields.Char("Contact name")
    function = fields.Char("Job position")
    message = fields.Text()
    submitted_date = fields.Datetime("Received on", readonly=True, copy=False)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", tracking=True, index="btree_not_null", copy=False,
        domain=[("parent_id", "=", False)],
        help="Before approval: an existing customer to add the contact to, instead of creating a new company.",
    )
    contact_id = fields.Many2one("res.partner", readonly=True, copy=False)
    duplicate_partner_ids = fields.Many2many(
        "res.partner", string="Possible duplicates", compute="_compute_duplicate_partner_ids",
        help="Existing contacts and companies with the same email, tax ID or company name.",
    )
    duplicate_count = fields.Integer("Possible duplicates count", compute="_compute_duplicate_partner_ids")
    reviewer_id = fields.Many2one("res.users", string="Reviewed by", readonly=True, copy=False)
    review_date = fields.Datetime("Reviewed on", readonly=True, copy=False)
    reject_reason = fields.Text("Reason for refusal", readonly=True, copy=False, tracking=True)
    activated_date = fields.Datetime("Activated on", readonly=True, copy=False)

    @api.depends("email", "vat", "company_name", "partner_id", "contact_id")
    def _compute_duplicate_partner_ids(self):
        Partner = self.env["res.partner"]
        for registration in self:
            matches = []
            if registration.email:
                matches.append([("email_normalized", "=", registration.email)])
            if registration.vat:
                matches.append([("vat", "=ilike", escape_psql(registration.vat))])
            if registration.company_name:
                matches.append([("is_company", "=", True), ("name", "=ilike", escape_psql(registration.company_name))])
            own = registration.partner_id | registration.contact_id
            duplicates = Partner.search(
                expression.AND([[("id", "not in", own.ids)], expression.OR(matches)]), limit=DUPLICATES_MAX,
            ) if matches else Partner
            registration.duplicate_partner_ids = duplicates
            registration.duplicate_count = len(duplicates)

    # ------------------------------------------------------------------
    # The person registering (called by the public controller)
    # ------------------------------------------------------------------

    @api.model
    def _parse_details(self, form):
        """Clean the business details posted by the person.

        :param dict form: the posted fields (strings)
        :return: (values to write, {field: message for the person}); values are complete only
                 when there is no message
        """
        values, errors = {}, {}
        for fname, (max_length, required) in DETAILS.items():
            value = (form.get(fname) or "").replace("\x00", "")
            # One line for everything but the message; NUL characters would not be stored.
            value = value.strip().replace("\r\n", "\n") if fname == "message" else " ".join(value.split())
            if required and not value:
                errors[fname] = self.env._("Required.")
            elif len(value) > max_length:
                errors[fname] = self.env._("At most %s characters.", max_length)
            values[fname] = value or False
        country = self.env["res.country"]
        country_id = form.get("country_id") or ""
        if country_id.isascii() and country_id.isdigit():
            country = country.browse(int(country_id)).exists()
        if not country:
            errors["country_id"] = self.env._("Choose a country.")
        values["country_id"] = country.id
        if country and values["phone"] and "phone" not in errors:
            try:
                values["phone"] = self._phone_format(
                    number=values["phone"], country=country, force_format="INTERNATIONAL", raise_exception=True)
            except UserError:
                errors["phone"] = self.env._(
                    "This phone number does not look right for %s: check the number and its area code.",
                    country.name)
        Partner = self.env["res.partner"]
        if values["vat"] and "vat" not in errors and hasattr(Partner, "check_vat"):  # base_vat is installed
            try:
                Partner.new({"vat": values["vat"], "country_id": country.id, "is_company": True}).check_vat()
            except ValidationError as error:
                errors["vat"] = error.args[0].strip()
        return values, errors

    def _submit(self, form, ip):
        """The person sends the business details: the request goes to the B2B Managers.

        Raises UserError when the request was already sent or a rate limit is reached.
        :return: {field: message} for the person; empty when the request was sent
        """
        self.ensure_one()
        if self.state != "verified":
            raise UserError(self.env._("This request was already sent."))
        self.env["b2b.rate.limit"]._check_rate("join.post", ip, f"email:{self.email}")
        values, errors = self._parse_details(form)
        if errors:
            return errors
        self.write({**values, "state": "pending", "submitted_date": fields.Datetime.now()})
        self._notify_received()
        return {}

    def _notify_received(self):
        """Confirm receipt to the person; email the B2B Managers and give each an activity."""
        self.ensure_one()
        self.env.ref("b2b_invite.mail_template_b2b_registration_received")._b2b_send(self.ids)
        managers = self._managers()
        template = self.env.ref("b2b_invite.mail_template_b2b_registration_new")
        for lang, users in groupby(managers, key=lambda manager: manager.lang):  # one email per language
            template.with_context(b2b_recipient_lang=lang)._b2b_send(
                self.ids, email_values={"recipient_ids": [(6, 0, [user.partner_id.id for user in users])]})
        for manager in managers:
            self.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=self.env._("Review this registration request"),
                # The note is HTML: the name the person typed goes in escaped.
                note=Markup("<p>%s</p>") % self.env._("%(company)s asks to become a customer.",
                                                      company=self.company_name),
            )

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """What the prospect does on the website (its request, its steps) is signed with its name and
        address in the chatter, not with the website's visitor account ("Public user")."""
        if author_id is None and email_from is None and len(self) == 1 and self.env.user._is_public():
            return False, formataddr((self.contact_name or self.email, self.email))
        return super()._message_compute_author(author_id, email_from, raise_on_email=raise_on_email)

    def _managers(self):
        """The active B2B Managers of the request's company."""
        group = self.env.ref("b2b_invite.group_b2b_manager").sudo()
        return group.users.filtered(lambda user: not user.share and self.company_id in user.company_ids)

    # ------------------------------------------------------------------
    # B2B Managers
    # ------------------------------------------------------------------

    def action_approve(self):
        """Create the customer company (or use the linked one) and its contact, awaiting activation."""
        check_b2b_manager(self.env)
        for registration in self:
            if registration.state != "pending":
                raise UserError(self.env._(
                    "%s: only a request to review can be approved.", registration.display_name))
            registration._create_customer()
        self._close_review()
        self.write({"state": "approved"})
        self.env.ref("b2b_invite.mail_template_b2b_registration_approved")._b2b_send(self.ids)
        return True

    def _create_customer(self):
        """The customer company and contact of this request, with no login and no right to order yet.

        A linked existing customer keeps its own state: only the new contact waits for the activation.
        """
        self.ensure_one()
        Partner = self.env["res.partner"]
        company = self.partner_id
        if not company:
            company = Partner.create({
                "name": self.company_name,
                "is_company": True,
                "vat": self.vat,
                "phone": self.phone,
                "email": self.email,
                "street": self.street,
                "zip": self.zip,
                "city": self.city,
                "country_id": self.country_id.id,
                "lang": self.lang,
                "customer_rank": 1,
                "b2b_awaiting_activation": True,
            })
        contact_values = {"b2b_ordering": True, "b2b_awaiting_activation": True}
        contact = company.child_ids.filtered(lambda child: child.email_normalized == self.email)[:1]
        if contact:
            contact.write(contact_values)
        else:
            contact = Partner.create({
                **contact_values,
                "parent_id": company.id,
                "type": "contact",
                "name": self.contact_name,
                "email": self.email,
                "phone": self.phone,
                "function": self.function,
                "lang": self.lang,
            })
        self.write({"partner_id": company.id, "contact_id": contact.id})
        self.message_post(
            body=Markup("<p>%s</p>") % self.env._(
                "Approved: customer %(company)s, contact %(contact)s, awaiting activation.",
                company=company.display_name, contact=contact.name),
            subtype_xmlid="mail.mt_note",
        )

    def action_reject(self):
        check_b2b_manager(self.env)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject the request"),
            "res_model": "b2b.registration.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_registration_ids": self.ids},
        }

    def _reject(self, reason):
        """Refuse the requests and email the reason to the people who sent them."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the refusal: it is emailed to the person."))
        refused = self.filtered(lambda registration: registration.state not in ("verified", "pending"))
        if refused:
            raise UserError(self.env._(
                "%s: an approved, activated or rejected request cannot be rejected.", refused[0].display_name))
        self._close_review()
        self.write({"state": "rejected", "reject_reason": reason})
        self.env.ref("b2b_invite.mail_template_b2b_registration_rejected")._b2b_send(self.ids)

    def _close_review(self):
        self.write({"reviewer_id": self.env.user.id, "review_date": fields.Datetime.now()})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    def action_activate(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        if self.state != "approved":
            raise UserError(self.env._("Approve the request before activating the customer."))
        return self.partner_id.action_b2b_activate()

    def action_view_duplicates(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Possible duplicates"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self.duplicate_partner_ids.ids)],
        }

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.b2b_invitation import OPEN_STATES
from ..tools.access import check_b2b_manager
from ..tools.notifications import notification

MARKUP_MAX = 1000  # percent

# The wizard's delivery method field of each weekday -> the customer's field it sets
CARRIER_FIELDS = (
    ("carrier_monday_id", "b2b_carrier_monday_id"),
    ("carrier_tuesday_id", "b2b_carrier_tuesday_id"),
    ("carrier_wednesday_id", "b2b_carrier_wednesday_id"),
    ("carrier_thursday_id", "b2b_carrier_thursday_id"),
    ("carrier_friday_id", "b2b_carrier_friday_id"),
    ("carrier_saturday_id", "b2b_carrier_saturday_id"),
    ("carrier_sunday_id", "b2b_carrier_sunday_id"),
)

class B2bActivationWizard(models.TransientModel):
    """Activate an approved customer: its terms, then its contacts' invitations.

    The pricelist is written as on the customer's form: through `property_product_pricelist`
    (computed in Odoo 18), whose inverse stores `specific_property_product_pricelist` and which,
    as a commercial field, reaches the contacts too (their orders and shop prices read their
    own). With a markup, the customer gets its own pricelist, a formula on the chosen one.
    """

    _name = "b2b.activation.wizard"
    _description = "Activate a B2B customer"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, domain=[("parent_id", "=", False)])
    website_id = fields.Many2one(
        "website",
        help="The website the customer registered on: its own pricelist (with a markup) is offered there.")
    pricelist_id = fields.Many2one(
        "product.pricelist", required=True,
        domain="[('company_id', 'in', (False, company_id))]")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    markup = fields.Float(
        "Markup (%)", digits=(16, 2),
        help="Prices of the chosen pricelist plus this percentage, in a pricelist of the customer's own.")
    user_id = fields.Many2one("res.users", string="Salesperson", domain=[("share", "=", False)])
    carrier_monday_id = fields.Many2one("delivery.carrier", "Monday")
    carrier_tuesday_id = fields.Many2one("delivery.carrier", "Tuesday")
    carrier_wednesday_id = fields.Many2one("delivery.carrier", "Wednesday")
    carrier_thursday_id = fields.Many2one("delivery.carrier", "Thursday")
    carrier_friday_id = fields.Many2one("delivery.carrier", "Friday")
    carrier_saturday_id = fields.Many2one("delivery.carrier", "Saturday")
    carrier_sunday_id = fields.Many2one("delivery.carrier", "Sunday")
    contact_ids = fields.Many2many(
        "res.partner", string="Contacts to invite", compute="_compute_contact_ids",
        help="The contacts awaiting activation: each gets an invitation to choose a login.")

    @api.model
    def default_get(self, fields_list):
        """Start from the customer's current terms."""
        values = super().default_get(fields_list)
        customer = self.env["res.partner"].browse(values.get("partner_id"))
        if not customer:
            return values
        registration = self.env["b2b.registration.request"].search(
            [("partner_id", "=", customer.id), ("website_id", "!=", False)], limit=1)
        terms = {
            "pricelist_id": customer.property_product_pricelist.id,
            "user_id": (customer.user_id or self.env.user).id,
            "website_id": (registration.website_id or self.env["website"].get_current_website()).id,
            **{fname: customer[partner_fname].id for fname, partner_fname in CARRIER_FIELDS},
        }
        return {**{fname: value for fname, value in terms.items() if fname in fields_list}, **values}

    @api.depends("partner_id")
    def _compute_contact_ids(self):
        for wizard in self:
            wizard.contact_ids = wizard.partner_id.child_ids.filtered("b2b_awaiting_activation")

    def action_activate(self):
        check_b2b_manager(self.env)
        self.ensure_one()
        customer, contacts = self.partner_id, self.contact_ids
        if not customer.b2b_awaiting_activation and not contacts:
            raise UserError(self.env._("%s is not awaiting activation.", customer.display_name))
        if not 0 <= self.markup <= MARKUP_MAX:
            raise UserError(self.env._("A markup is a percentage from 0 to %s.", MARKUP_MAX))
        customer.write({
            "property_product_pricelist": self._customer_pricelist().id,
            "user_id": self.user_id.id,
            "b2b_awaiting_activation": False,
            **{partner_fname: self[fname].id for fname, partner_fname in CARRIER_FIELDS},
        })
        contacts.write({"b2b_awaiting_activation": False})
        invited = self._invite(contacts)
        # One email per contact: the invitation says the account is active; who is not invited now (a
        # login, or an invitation on its way already) is told by "You're ready to order".
        self.env.ref("b2b_invite.mail_template_b2b_ready_to_order")._b2b_send((contacts - invited).ids)
        registrations = self.env["b2b.registration.request"].search(
            [("partner_id", "=", customer.id), ("state", "=", "approved")])
        registrations.write({"state": "activated", "activated_date": fields.Datetime.now()})
        for registration in registrations:
            registration.message_post(
                body=Markup("<p>%s</p>") % self.env._(
                    "Activated: %(customer)s can order; invitation sent to %(contacts)s.",
                    customer=customer.display_name, contacts=", ".join(contacts.mapped("name")) or "-"),
                subtype_xmlid="mail.mt_note",
            )
        return notification(
            self.env._("Customer activated"),
            self.env._("%(customer)s can now order; %(count)s contact(s) invited.",
                       customer=customer.display_name, count=len(contacts)),
            next_action={"type": "ir.actions.act_window_close"},
        )

    def _customer_pricelist(self):
        """The chosen pricelist, or with a markup the customer's own pricelist based on it.

        The customer's pricelist is offered on the same websites as the chosen one, never in the
        shop's pricelist selector.
        """
        base = self.pricelist_id
        if not self.markup:
            return base
        website = base.website_id
        if not website and self.website_id and base._is_available_on_website(self.website_id):
            website = self.website_id
        markup = f"{self.markup:g}"  # 5, not 5.0 (and no f-string in the term: Babel reads the call)
        # sudo: B2B Managers may not create pricelists (a Sales Administrator's right); they get
        # this one, a markup on a pricelist they chose (caller checked in action_activate).
        return self.env["product.pricelist"].sudo().create({
            "name": self.env._("%(pricelist)s + %(markup)s%% (%(customer)s)",
                               pricelist=base.name, markup=markup, customer=self.partner_id.name),
            "currency_id": base.currency_id.id,
            "company_id": base.company_id.id,
            "sequence": base.sequence,
            "website_id": website.id,
            "selectable": False,
            "item_ids": [Command.create({
                "applied_on": "3_global",
                "compute_price": "formula",
                "base": "pricelist",
                "base_pricelist_id": base.id,
                "price_discount": -self.markup,  # Odoo's formula: a markup is a negative discount
            })],
        })

    def _invite(self, contacts):
        """Invite the contacts that have no login and no open invitation yet, with an invitation email that
        says their account is active.

        :return: the contacts invited
        """
        Invitation = self.env["b2b.invitation"].with_context(b2b_activation=True)
        users = self.env["res.users"].search([("partner_id", "in", contacts.ids)])
        invited = Invitation.search([("partner_id", "in", contacts.ids), ("state", "in", OPEN_STATES)])
        invitations, refused, failed = Invitation._invite_many(contacts - users.partner_id - invited.partner_id)
        if refused or failed:
            raise UserError("\n".join([*refused.values(), *failed.values()]))
        return invitations.partner_id

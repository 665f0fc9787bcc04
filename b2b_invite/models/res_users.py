from odoo import api, fields, models
from odoo.exceptions import AccessError

REP_ACCESS = [("all", "All customers"), ("allocated", "Allocated customers only")]
# Context key: these logins are archived by b2b.invitation._revoke_access, which closed their invitations
REVOKING = "b2b_revoking"


class ResUsers(models.Model):
    _inherit = "res.users"

    b2b_rep_access = fields.Selection(
        REP_ACCESS, string="Sales rep access",
        help="For an outside sales rep (a portal login in the B2B Sales rep group): the customers it orders "
             "for, all active customers or only those allocated to it (as their Salesperson or one of "
             "their Sales reps). Only B2B Managers change it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("b2b_rep_access") for vals in vals_list):
            self._b2b_check_rep_access_editor()
        return super().create(vals_list)

    def write(self, vals):
        self.env["b2b.act.session"]._check_user_write(vals)
        if "b2b_rep_access" in vals:
            self._b2b_check_rep_access_editor()
        res = super().write(vals)
        if "b2b_rep_access" in vals:
            # The record rules of outside reps depend on it, and Odoo caches rules per user.
            self.env.registry.clear_cache()
        if vals.get("active") is False and not self.env.context.get(REVOKING):
            # An archived portal login ends the invitation it came from (the login's sessions end at
            # their next request: `active` is part of Odoo's session token).
            self.env["b2b.invitation"].sudo().search(
                [("user_id", "in", self.ids), ("state", "=", "accepted")])._revoke_access()
        return res

    def _b2b_check_rep_access_editor(self):
        """Which customers a rep serves is for B2B Managers to decide, whatever the door."""
        if not self.env.su and not self.env.user.has_group("b2b_invite.group_b2b_manager"):
            raise AccessError(self.env._("Only B2B Managers can change the access of a sales rep."))

    @api.model
    def _get_signup_invitation_scope(self):
        """A B2B website is on invitation only, whatever its own sign-up setting says."""
        website = self.env["website"].sudo().get_current_website(fallback=False)
        if website and website.b2b_mode:
            return "b2b"
        return super()._get_signup_invitation_scope()

    # ------------------------------------------------------------------
    # Sales reps: whom a user serves
    # ------------------------------------------------------------------

    def _b2b_serving_scope(self):
        """Which customers this user may order for: "all", "allocated" or False.

        Odoo's Sales rights for an internal user: *All Documents* (or more) serves all customers,
        *Own Documents Only* the allocated ones. An outside rep (a portal login in the B2B Sales rep
        group) serves what its `b2b_rep_access` says. Nobody else orders on behalf of a customer.
        """
        self.ensure_one()
        user = self.sudo()
        if not user.active or user._is_public():
            return False
        if not user.share:
            if user.has_group("sales_team.group_sale_salesman_all_leads"):
                return "all"
            return "allocated" if user.has_group("sales_team.group_sale_salesman") else False
        if user.has_group("b2b_invite.group_b2b_sales_rep"):
            return user.b2b_rep_access or "allocated"
        return False

    def _b2b_manages_all_contacts(self):
        """Whether this user invites and revokes the contacts of every customer in the backend, not
        only those of its allocated customers (*Own Documents Only*)."""
        self.ensure_one()
        return self.has_group("sales_team.group_sale_salesman_all_leads") \
            or self.has_group("b2b_invite.group_b2b_manager")

    def _b2b_order_for_refusal(self, contact):
        """Why this user may not order on behalf of `contact` (a customer's contact), or False.

        The customer must be one this user serves (`res.partner._b2b_served_domain`), and the contact
        one of its contacts allowed to order.
        """
        self.ensure_one()
        if not self._b2b_serving_scope():
            return self.env._("Your account cannot order on behalf of customers.")
        contact = contact.sudo()
        customer = contact.commercial_partner_id
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        if not Partner.search_count([("id", "=", customer.id), *Partner._b2b_served_domain(self)], limit=1):
            if not Partner.search_count(
                    [("id", "=", customer.id), *Partner._b2b_reach_domain(self)], limit=1):
                # Not one of its customers: nothing about it is told.
                return self.env._("You cannot order for this customer: it is not one of your customers.")
            if not customer.active:
                return self.env._("The account of %s is closed: orders are no longer possible.", customer.name)
            if customer.b2b_awaiting_activation:
                return self.env._("The account of %s is not activated yet.", customer.name)
            return self.env._("%s has no contact allowed to order.", customer.name)
        if not contact.active or not contact.b2b_ordering:
            return self.env._("%(contact)s is not allowed to place orders for %(customer)s.",
                              contact=contact.name, customer=customer.name)
        return False

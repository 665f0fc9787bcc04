from odoo import api, fields, models

from ..tools import tokens

FLOW_SCOPE = "b2b_invite.registration.flow"


class B2bRegistrationFlow(models.AbstractModel):
    """The steps of one self-registration, carried by an opaque flow token (see the controller).

    The email verification (b2b.registration.verification) and then the request it becomes
    (b2b.registration.request) carry the same flow: the person's link keeps working from one
    step to the next, on any worker. Like invitation links, the token is derived from a
    stored salt and looked up by its keyed digest.
    """

    _name = "b2b.registration.flow"
    _description = "B2B self-registration steps"

    flow_salt = fields.Char(groups="base.group_system", copy=False)
    flow_digest = fields.Char(groups="base.group_system", copy=False, index="btree_not_null")

    @api.model
    def _new_flow_values(self):
        salt, digest = tokens.new_link(self.env, FLOW_SCOPE)
        return {"flow_salt": salt, "flow_digest": digest}

    @api.model
    def _flow_token(self, salt):
        return tokens.derive(self.env, FLOW_SCOPE, salt)

    def _flow_values(self):
        """The flow of this record, to hand over to the record of the next step."""
        self.ensure_one()
        record = self.sudo()  # sudo: the flow fields are for nobody else
        return {"flow_salt": record.flow_salt, "flow_digest": record.flow_digest}

    def _flow_secret(self):
        """The flow token of this record: the person's credential, kept in their session."""
        self.ensure_one()
        return self._flow_token(self.sudo().flow_salt)  # sudo: the flow salt is for nobody else

    def _flow_path(self):
        """The link of the person's next step (in the code email), relative to the website."""
        self.ensure_one()
        # sudo: the join code is for B2B Managers; the person's own link shows it anyway
        return f"/b2b/join/{self.sudo().website_id.b2b_join_code}/{self._flow_secret()}"

    @api.model
    def _find_by_flow(self, website, token):
        """The record of `website` whose flow is `token`, or an empty recordset.

        Called as superuser by the public controller: the token is the credential.
        """
        if not website:
            return self.browse()
        return tokens.find_by_link(self, FLOW_SCOPE, token, "flow_digest", [("website_id", "=", website.id)])

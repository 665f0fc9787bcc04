import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged

from .common import B2bRegistrationCommon


@tagged("post_install", "-at_install")
class TestRateLimit(B2bRegistrationCommon):
    """The database-backed counter behind every rate limit."""

    def test_limit_per_key_and_window(self):
        RateLimit = self.env["b2b.rate.limit"]
        limits = [("ip:10.0.0.1", 3, 3600), ("email:a@example.com", 2, 3600)]
        self.assertTrue(RateLimit._try(limits))
        self.assertTrue(RateLimit._try(limits))
        self.assertFalse(RateLimit._try(limits), "the email allows 2 attempts")
        self.assertTrue(RateLimit._is_allowed("ip:10.0.0.1", 3), "a refused attempt is not counted")
        self.assertTrue(RateLimit._try([("ip:10.0.0.1", 3, 3600)]))
        self.assertFalse(RateLimit._is_allowed("ip:10.0.0.1", 3))
        self.assertTrue(RateLimit._is_allowed("ip:10.0.0.2", 3), "each key has its own counter")

        # The window ends: the key starts again from zero.
        RateLimit.search([]).write({"expiration_date": fields.Datetime.now() - timedelta(seconds=1)})
        self.assertTrue(RateLimit._is_allowed("ip:10.0.0.1", 3))
        self.assertEqual(RateLimit._hit("ip:10.0.0.1", 3600), 1)

    def test_keys_are_stored_as_digests(self):
        self.env["b2b.rate.limit"]._hit("email:secret@example.com", 60)
        keys = self.env["b2b.rate.limit"].search([]).mapped("key")
        self.assertEqual(len(keys), 1)
        self.assertNotIn("secret@example.com", keys[0])
        self.assertEqual(len(keys[0]), 64)

    def test_expired_counters_are_vacuumed(self):
        RateLimit = self.env["b2b.rate.limit"]
        RateLimit._hit("old", 60)
        RateLimit.search([]).write({"expiration_date": fields.Datetime.now() - timedelta(minutes=5)})
        RateLimit._hit("current", 60)
        RateLimit._gc_expired()
        self.assertEqual(RateLimit.search_count([]), 1, "the ended window is deleted")
        self.assertFalse(RateLimit._is_allowed("current", 1), "the current one still counts")


@tagged("post_install", "-at_install")
class TestJoinLink(B2bRegistrationCommon):
    """Settings: the permanent link, its QR code, Regenerate and the switch."""

    def test_link_and_qr_code(self):
        url = self.website._b2b_join_url()
        code = self.website.b2b_join_code
        self.assertEqual(len(code), 32)
        self.assertEqual(url, f"{self.website.get_base_url()}/b2b/join/{code}")
        settings = self.env["res.config.settings"].create({"website_id": self.website.id})
        self.assertEqual(settings.b2b_join_url, url)
        png = base64.b64decode(settings.b2b_join_qr)
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        svg = base64.b64decode(self.website.b2b_join_qr_svg)
        self.assertIn(b"<svg", svg)
        download = settings.action_b2b_join_download_svg()
        self.assertEqual(download["url"], f"/web/content/website/{self.website.id}/b2b_join_qr_svg"
                                          f"?download=true&filename=registration-qr-{self.website.id}.svg")
        self.assertEqual(self.env["website"]._b2b_join_website(code), self.website)

    def test_regenerate_replaces_the_link(self):
        old_code, old_qr = self.website.b2b_join_code, self.website.b2b_join_qr
        settings = self.env["res.config.settings"].create({"website_id": self.website.id})
        settings.action_b2b_join_regenerate()
        self.assertNotEqual(self.website.b2b_join_code, old_code)
        self.assertNotEqual(self.website.b2b_join_qr, old_qr)
        self.assertFalse(self.env["website"]._b2b_join_website(old_code))
        self.assertEqual(self.env["website"]._b2b_join_website(self.website.b2b_join_code), self.website)

    def test_disabled_link(self):
        code = self.website.b2b_join_code
        self.website.b2b_join_enabled = False
        self.assertFalse(self.website._b2b_join_url())
        self.assertFalse(self.env["website"]._b2b_join_website(code))
        self.website.b2b_join_enabled = True
        self.assertEqual(self.website.b2b_join_code, code, "switching back on keeps the printed link")

    def test_new_website_gets_a_code_when_enabled(self):
        website = self.env["website"].create({"name": "Second shop"})
        self.assertFalse(website._b2b_join_url())
        website.b2b_join_enabled = True
        self.assertTrue(website._b2b_join_url())
        self.assertNotEqual(website.b2b_join_code, self.website.b2b_join_code)

    def test_code_hidden_from_salespeople(self):
        with self.assertRaises(AccessError):
            self.website.with_user(self.salesperson).b2b_join_code  # noqa: B018
        # The link of an enabled website is public: the ordering rules show it to guests.
        self.assertTrue(self.website.with_user(self.env.ref("base.public_user"))._b2b_join_url())


@tagged("post_install", "-at_install")
class TestRegistrationRequest(B2bRegistrationCommon):
    """The request: details, duplicates, approve, reject (model level)."""

    def test_details_are_cleaned_and_checked(self):
        Request = self.env["b2b.registration.request"]
        values, errors = Request._parse_details({**self.form, "company_name": "  Lakeside \n Roasters\x00 AB "})
        self.assertFalse(errors)
        self.assertEqual(values["company_name"], "Lakeside Roasters AB")
        self.assertEqual(values["phone"], "+46 8 410 226 00", "formatted for the chosen country")
        self.assertEqual(values["message"], "We run three cafés\nand a roastery.")
        self.assertEqual(values["country_id"], self.sweden.id)

        _values, errors = Request._parse_details({
            **self.form, "company_name": "", "city": "x" * 65, "phone": "12", "country_id": "abc",
        })
        self.assertEqual(errors["company_name"], "Required.")
        self.assertEqual(errors["city"], "At most 64 characters.")
        self.assertEqual(errors["country_id"], "Choose a country.")
        self.assertNotIn("phone", errors, "no country to check the phone against")
        _values, errors = Request._parse_details({**self.form, "phone": "12"})
        self.assertIn("Sweden", errors["phone"])
        _values, errors = Request._parse_details({**self.form, "message": "x" * 2001})
        self.assertEqual(errors["message"], "At most 2000 characters.")

    def test_vat_checked_where_base_vat_is_installed(self):
        Request = self.env["b2b.registration.request"]
        _values, errors = Request._parse_details({**self.form, "vat": "SE123"})
        if "check_vat" in dir(self.env["res.partner"]):
            self.assertIn("SE123", errors["vat"])
        else:
            self.assertNotIn("vat", errors, "without base_vat, any tax ID is kept as typed")

    def test_email_is_checked(self):
        Verification = self.env["b2b.registration.verification"]
        self.assertEqual(Verification._clean_email("  Mikko@Lakeside.Example.com "), "mikko@lakeside.example.com")
        for bad in ("", "mikko", "Mikko <mikko@lakeside.example.com>", "a@b", "x" * 250 + "@example.com"):
            with self.assertRaises(UserError, msg=bad):
                Verification._clean_email(bad)

    def test_possible_duplicates(self):
        same_email = self._new_contact("Mikko V.", "mikko@lakeside.example.com", parent=self.customer)
        same_vat = self.env["res.partner"].create({"name": "LR Holding", "is_company": True, "vat": "se556677889901"})
        same_name = self.env["res.partner"].create({"name": "LAKESIDE ROASTERS AB", "is_company": True})
        self.env["res.partner"].create({"name": "Lakeside Roasters AB", "is_company": False})  # a person
        registration = self._new_registration()
        self.assertEqual(registration.duplicate_partner_ids, same_email | same_vat | same_name)
        self.assertEqual(registration.duplicate_count, 3)

    def test_what_the_prospect_causes_is_signed_with_its_name(self):
        registration = self._new_registration()
        public = self.env.ref("base.public_user")
        message = registration.with_user(public).sudo().message_post(body="Details sent.")
        self.assertFalse(message.author_id, "not the website's visitor account")
        self.assertIn("Mikko Virtanen", message.email_from)
        self.assertIn("mikko@lakeside.example.com", message.email_from)

    def test_submit_alerts_managers(self):
        registration = self._new_registration(state="verified")
        errors = registration.sudo()._submit(self.form, "10.0.0.1")
        self.assertEqual(errors, {})
        self.assertEqual(registration.state, "pending")
        self.assertTrue(registration.submitted_date)
        received, new = self.mails_of(registration)
        self.assertEqual(received.email_to, "mikko@lakeside.example.com")
        self.assertIn("Lakeside Roasters AB", received.body_html)
        admin = self.env.ref("base.user_admin")
        self.assertEqual(new.recipient_ids, (self.manager | admin).partner_id)
        self.assertIn(f"/odoo/b2b-registrations/{registration.id}", new.body_html)
        activities = registration.activity_ids
        self.assertEqual(activities.user_id, self.manager | admin)
        with self.assertRaises(UserError):
            registration.sudo()._submit(self.form, "10.0.0.1")

    def test_submit_with_errors_keeps_the_request_open(self):
        registration = self._new_registration(state="verified")
        errors = registration.sudo()._submit({**self.form, "street": ""}, "10.0.0.1")
        self.assertEqual(errors, {"street": "Required."})
        self.assertEqual(registration.state, "verified")
        self.assertFalse(self.mails_of(registration))

    def test_user_input_is_escaped_in_emails(self):
        registration = self._new_registration(state="verified")
        registration.sudo()._submit(
            {**self.form, "company_name": "<script>alert(1)</script> Cafe", "message": "<b>hi</b>"}, "10.0.0.1")
        for mail in self.mails_of(registration):
            self.assertNotIn("<script>", mail.body_html)
            self.assertNotIn("<b>hi</b>", mail.body_html)
        new = self.mails_of(registration)[1]
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Cafe", new.body_html)
        self.assertIn("&lt;b&gt;hi&lt;/b&gt;", new.body_html)
        for note in registration.activity_ids.mapped("note"):
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Cafe", note)

    def test_approve_creates_customer_awaiting_activation(self):
        registration = self._new_registration()
        registration.with_user(self.manager).action_approve()
        self.assertEqual(registration.state, "approved")
        self.assertEqual(registration.reviewer_id, self.manager)
        company, contact = registration.partner_id, registration.contact_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, "Lakeside Roasters AB")
        self.assertEqual(company.country_id, self.sweden)
        self.assertEqual(company.phone, "+46 8 410 226 00")
        self.assertTrue(company.active and company.b2b_awaiting_activation)
        self.assertEqual(company.customer_rank, 1)
        self.assertEqual(contact.parent_id, company)
        self.assertEqual((contact.name, contact.email, contact.function), (
            "Mikko Virtanen", "mikko@lakeside.example.com", "Owner"))
        self.assertTrue(contact.active and contact.b2b_ordering and contact.b2b_awaiting_activation)
        self.assertFalse(contact.user_ids, "no login before the activation")
        self.assertFalse(contact.b2b_invitation_ids)
        self.assertFalse(registration.activity_ids)

    def test_approve_links_existing_customer(self):
        existing = self._new_contact("Mikko V.", "mikko@lakeside.example.com", ordering=False)
        registration = self._new_registration()
        self.assertIn(existing, registration.duplicate_partner_ids)
        registration.partner_id = self.customer
        registration.with_user(self.manager).action_approve()
        self.assertNotIn(existing, registration.duplicate_partner_ids)
        self.assertEqual(registration.partner_id, self.customer)
        self.assertEqual(registration.contact_id, existing, "the contact with that email is reused")
        self.assertTrue(existing.b2b_ordering and existing.b2b_awaiting_activation)
        self.assertFalse(self.customer.b2b_awaiting_activation, "the customer's other contacts keep ordering")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Lakeside Roasters AB")]))

    def test_only_pending_requests_are_approved(self):
        registration = self._new_registration(state="verified")
        with self.assertRaises(UserError):
            registration.with_user(self.manager).action_approve()

    def test_salesperson_cannot_approve(self):
        registration = self._new_registration()
        with self.assertRaises(AccessError):
            registration.with_user(self.salesperson).action_approve()

    def test_reject_emails_the_reason(self):
        registration = self._new_registration()
        wizard = Form(self.env["b2b.registration.reject.wizard"].with_user(self.manager).with_context(
            default_registration_ids=registration.ids))
        wizard.reason = "We only deliver in Norway.\n<i>Sorry</i>"
        wizard.save().action_reject()
        self.assertEqual(registration.state, "rejected")
        self.assertEqual(registration.reject_reason, "We only deliver in Norway.\n<i>Sorry</i>")
        mail = self.mails_of(registration)
        self.assertEqual(mail.email_to, "mikko@lakeside.example.com")
        self.assertIn("We only deliver in Norway.", mail.body_html)
        self.assertIn("&lt;i&gt;Sorry&lt;/i&gt;", mail.body_html)
        self.assertFalse(registration.partner_id)
        with self.assertRaises(UserError):
            registration.with_user(self.manager)._reject("again")

    def test_reject_needs_a_reason(self):
        registration = self._new_registration()
        with self.assertRaises(UserError):
            registration.with_user(self.manager)._reject("   ")
        self.assertEqual(registration.state, "pending")


@tagged("post_install", "-at_install")
class TestActivation(B2bRegistrationCommon):
    """The activation wizard: pricelist, markup, salesperson, days of service, invitation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registration = cls._new_registration()
        cls.registration.action_approve()
        cls.company, cls.contact_new = cls.registration.partner_id, cls.registration.contact_id
        cls.pricelist = cls.env["product.pricelist"].create({"name": "Wholesale", "item_ids": [(0, 0, {
            "applied_on": "3_global", "compute_price": "percentage", "percent_price": 20})]})
        product_delivery = cls.env["product.product"].create({"name": "Delivery", "type": "service"})
        cls.truck, cls.courier = cls.env["delivery.carrier"].create([
            {"name": "Truck", "product_id": product_delivery.id},
            {"name": "Courier", "product_id": product_delivery.id},
        ])
        cls.product = cls.env["product.product"].create({"name": "Coffee", "list_price": 100.0})

    def _wizard(self, **values):
        wizard = Form(self.env["b2b.activation.wizard"].with_user(self.manager).with_context(
            **self.registration.with_user(self.manager).action_activate()["context"]))
        for name, value in values.items():
            setattr(wizard, name, value)
        return wizard.save()

    def test_activate(self):
        self._wizard(pricelist_id=self.pricelist, markup=10, user_id=self.salesperson,
                     carrier_monday_id=self.truck, carrier_thursday_id=self.courier).action_activate()
        company, contact = self.company, self.contact_new
        self.assertFalse(company.b2b_awaiting_activation or contact.b2b_awaiting_activation)
        self.assertEqual(company.user_id, self.salesperson)
        self.assertEqual((company.b2b_carrier_monday_id, company.b2b_carrier_thursday_id), (self.truck, self.courier))
        self.assertFalse(company.b2b_carrier_tuesday_id)
        # The customer's own pricelist: the chosen one plus 10 %, stored where Odoo reads it, for the
        # company and its contacts (the contacts' orders and shop prices use their own).
        own = company.specific_property_product_pricelist
        self.assertNotEqual(own, self.pricelist)
        self.assertEqual(contact.specific_property_product_pricelist, own)
        self.assertEqual(contact.property_product_pricelist, own)
        self.assertEqual(own.item_ids.base_pricelist_id, self.pricelist)
        self.assertEqual(self.pricelist._get_product_price(self.product, 1), 80.0)
        self.assertAlmostEqual(own._get_product_price(self.product, 1), 88.0)
        self.assertFalse(own.selectable)
        # The contact gets one email: the invitation, with its link, saying the account is active.
        invitation = contact.b2b_invitation_ids
        self.assertEqual(invitation.state, "sent")
        mail = self.invitation_mails(invitation)
        self.assertEqual(len(mail), 1)
        self.assertIn("/b2b/invite/", mail.body_html)
        self.assertIn("is active. You're ready to order!", mail.body_html)
        self.assertIn("Lakeside Roasters AB", mail.body_html)
        self.assertFalse(self.mails_of(contact), "no second email (\"You're ready to order\")")
        self.assertEqual(self.registration.state, "activated")
        self.assertTrue(self.registration.activated_date)

    def test_activate_without_markup_uses_the_chosen_pricelist(self):
        self._wizard(pricelist_id=self.pricelist).action_activate()
        self.assertEqual(self.company.specific_property_product_pricelist, self.pricelist)
        self.assertEqual(self.contact_new.specific_property_product_pricelist, self.pricelist)
        self.assertEqual(self.company.user_id, self.manager, "the manager by default")

    def test_activate_twice_is_refused(self):
        wizard = self._wizard(pricelist_id=self.pricelist)
        wizard.action_activate()
        with self.assertRaises(UserError):
            wizard.action_activate()

    def test_markup_out_of_bounds_is_refused(self):
        for markup in (-5, 1001, 1e20):
            with self.subTest(markup=markup), self.assertRaisesRegex(UserError, "percentage from 0 to 1000"):
                self._wizard(pricelist_id=self.pricelist, markup=markup).action_activate()
        self.assertTrue(self.company.b2b_awaiting_activation)

    def test_activate_from_the_customer(self):
        self.company.b2b_carrier_saturday_id = self.courier
        action = self.company.with_user(self.manager).action_b2b_activate()
        self.assertEqual(action["context"]["default_partner_id"], self.company.id)
        wizard = self.env["b2b.activation.wizard"].with_user(self.manager).with_context(**action["context"]).create(
            {"pricelist_id": self.pricelist.id})
        self.assertEqual(wizard.contact_ids, self.contact_new)
        # What is not given starts from the customer's current terms.
        self.assertEqual((wizard.website_id, wizard.user_id), (self.website, self.manager))
        self.assertEqual((wizard.carrier_saturday_id, wizard.carrier_monday_id),
                         (self.courier, self.env["delivery.carrier"]))
        wizard.action_activate()
        self.assertEqual(self.registration.state, "activated")

    def test_weekday_carrier_is_the_default(self):
        wizard = self._wizard(
            pricelist_id=self.pricelist, carrier_monday_id=self.truck, carrier_tuesday_id=self.courier)
        wizard.action_activate()
        self.contact_new.property_delivery_carrier_id = self.courier
        order = self.env["sale.order"].create({
            "partner_id": self.contact_new.id, "order_line": [(0, 0, {"product_id": self.product.id})]})
        carriers = self.truck | self.courier
        with freeze_time("2026-12-07 10:00:00"):  # a Monday
            self.assertEqual(order._get_preferred_delivery_method(carriers), self.truck)
            self.assertEqual(order.action_open_delivery_wizard()["context"]["default_carrier_id"], self.truck.id)
            self.assertEqual(order._get_preferred_delivery_method(self.courier), self.courier,
                             "a carrier that cannot deliver the order is not proposed")
        with freeze_time("2026-12-09 10:00:00"):  # a Wednesday: no day's carrier, the usual one
            self.assertEqual(order._get_preferred_delivery_method(carriers), self.courier)
            self.assertEqual(order.action_open_delivery_wizard()["context"]["default_carrier_id"], self.courier.id)
        order.carrier_id = self.courier
        with freeze_time("2026-12-07 10:00:00"):
            self.assertEqual(order._get_preferred_delivery_method(carriers), self.courier,
                             "the carrier the customer chose stays")

from odoo.addons.website_sale.controllers.combo_configurator import WebsiteSaleComboConfiguratorController
from odoo.addons.website_sale.controllers.main import WebsiteSale
from odoo.addons.website_sale.controllers.product_configurator import WebsiteSaleProductConfiguratorController
from odoo.exceptions import UserError
from odoo.http import request, route

from ..models.product_template import blank_prices
from .invitation import WELCOME_KEY


class B2bShop(WebsiteSale):
    """The ordering gate and the guest rules of a B2B shop, on website_sale's own routes.

    The rules live on the models (`website._b2b_order_refusal`, `website.has_ecommerce_access`,
    `sale.order._cart_update`); here, a refused visitor gets a page that says why instead of an error.
    On a website without B2B mode every method below does what website_sale does.
    """

    # ------------------------------------------------------------------
    # Guests of a B2B shop closed to them: the login page, with a word why
    # ------------------------------------------------------------------

    def _b2b_login_redirect(self, back_to=None):
        return request.redirect_query("/web/login", {
            "redirect": back_to or request.httprequest.full_path.rstrip("?"),
            "message": request.env._("Our shop is open to our business customers: log in to see it."),
        })

    def _b2b_guest_locked_out(self):
        return request.website.b2b_mode and not request.website.has_ecommerce_access()

    def _b2b_refused_redirect(self):
        """Where a visitor who may not order goes: the cart, which says why, or the login page."""
        if self._b2b_guest_locked_out():
            return self._b2b_login_redirect("/shop")
        return request.redirect("/shop/cart")

    @route()
    def shop(self, *args, **kwargs):
        if self._b2b_guest_locked_out():
            return self._b2b_login_redirect()
        response = super().shop(*args, **kwargs)
        # Once, right after the person accepted an invitation (controllers/invitation.py)
        if request.session.pop(WELCOME_KEY, False) and hasattr(response, "qcontext"):
            response.qcontext["b2b_welcome"] = True
        return response

    @route()
    def product(self, *args, **kwargs):
        if self._b2b_guest_locked_out():
            return self._b2b_login_redirect()
        return super().product(*args, **kwargs)

    @route()
    def cart(self, access_token=None, revive="", **post):
        if self._b2b_guest_locked_out():
            return self._b2b_login_redirect("/shop/cart")
        if access_token and request.website._b2b_order_refusal():
            # Reviving an abandoned cart (?access_token=...&revive=merge or squash) moves its lines
            # into the visitor's cart, outside sale.order._cart_update: not for who may not order.
            access_token, revive = None, ""
        return super().cart(access_token=access_token, revive=revive, **post)

    # ------------------------------------------------------------------
    # Ordering gate: the cart and every checkout step
    # ------------------------------------------------------------------

    @route()
    def cart_update(self, *args, **kwargs):
        # Refused before website_sale creates a cart; sale.order._cart_update refuses too.
        if request.website._b2b_order_refusal():
            return self._b2b_refused_redirect()
        return super().cart_update(*args, **kwargs)

    def _check_cart(self, order_sudo):
        # Met by /shop/checkout, /shop/address, /shop/address/submit, /shop/confirm_order,
        # /shop/extra_info and /shop/payment.
        if request.website._b2b_order_refusal():
            return self._b2b_refused_redirect()
        return super()._check_cart(order_sudo)

    @route()
    def shop_payment_validate(self, *args, **kwargs):
        # A cart without amount is confirmed here, without a payment transaction.
        if request.website._b2b_order_refusal():
            return self._b2b_refused_redirect()
        return super().shop_payment_validate(*args, **kwargs)

    @route()
    def process_express_checkout(self, *args, **kwargs):
        if refusal := request.website._b2b_order_refusal():
            raise UserError(refusal)
        return super().process_express_checkout(*args, **kwargs)


class B2bProductConfigurator(WebsiteSaleProductConfiguratorController):
    """Prices hidden from the guests of a B2B shop: blanked in every configurator answer too."""

    @route()
    def website_sale_product_configurator_get_values(self, *args, **kwargs):
        return blank_prices(request.website, super().website_sale_product_configurator_get_values(*args, **kwargs))

    @route()
    def website_sale_product_configurator_update_combination(self, *args, **kwargs):
        return blank_prices(
            request.website, super().website_sale_product_configurator_update_combination(*args, **kwargs))

    @route()
    def website_sale_product_configurator_get_optional_products(self, *args, **kwargs):
        return blank_prices(
            request.website, super().website_sale_product_configurator_get_optional_products(*args, **kwargs))


class B2bComboConfigurator(WebsiteSaleComboConfiguratorController):

    @route()
    def website_sale_combo_configurator_get_data(self, *args, **kwargs):
        return blank_prices(request.website, super().website_sale_combo_configurator_get_data(*args, **kwargs))

    @route()
    def website_sale_combo_configurator_get_price(self, *args, **kwargs):
        return blank_prices(request.website, super().website_sale_combo_configurator_get_price(*args, **kwargs))

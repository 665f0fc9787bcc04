from . import (
    b2b_invitation,
    product_template,
    res_company,
    res_config_settings,
    res_partner,
    res_users,
    sale_order,
    website,
)

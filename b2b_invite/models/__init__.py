from . import (
    b2b_attempt,
    b2b_invitation,
    b2b_registration_flow,
    b2b_registration_request,
    b2b_registration_verification,
    ir_qweb,
    res_config_settings,
    res_partner,
    res_users,
    sale_order,
    website,
)

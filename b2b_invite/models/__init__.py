from . import b2b_invitation, ir_qweb, res_config_settings, res_partner, res_users, website

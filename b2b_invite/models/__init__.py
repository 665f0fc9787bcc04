from . import b2b_invitation, res_config_settings, res_partner, res_users, website

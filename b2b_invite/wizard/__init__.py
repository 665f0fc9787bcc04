from . import b2b_create_login_wizard

from . import b2b_create_login_wizard, b2b_invite_wizard

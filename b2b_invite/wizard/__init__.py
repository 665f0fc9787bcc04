from . import (
    b2b_activation_wizard,
    b2b_create_login_wizard,
    b2b_invite_wizard,
    b2b_registration_reject_wizard,
    b2b_rep_invite_wizard,
)

from . import test_invitation, test_registration, test_registration_flow

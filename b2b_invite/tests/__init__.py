from . import (
    test_bulk,
    test_i18n,
    test_invitation,
    test_invitation_pages,
    test_registration,
    test_registration_flow,
    test_tours,
)

from . import (
    test_bulk,
    test_guest_prices,
    test_i18n,
    test_invitation,
    test_invitation_pages,
    test_isolation,
    test_ordering,
    test_registration,
    test_registration_flow,
    test_security,
    test_shop_gate,
    test_tours,
)

from . import test_guest_prices, test_invitation, test_isolation, test_ordering, test_shop_gate, test_tours

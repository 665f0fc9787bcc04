from . import invitation, portal, quick_order, registration, shop

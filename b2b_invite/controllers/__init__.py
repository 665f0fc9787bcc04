from . import invitation, quick_order, registration, shop

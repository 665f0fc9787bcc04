from . import invitation, registration, shop

from . import invitation, portal, registration, shop

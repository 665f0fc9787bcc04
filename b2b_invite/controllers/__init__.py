from . import invitation, shop

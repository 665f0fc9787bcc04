from . import invitation, portal, quick_order, registration, sales_rep, shop

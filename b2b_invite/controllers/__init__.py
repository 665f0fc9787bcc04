from . import invitation, registration, sales_rep, shop

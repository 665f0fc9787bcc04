from . import act_as, invitation, portal, quick_order, registration, sales_rep, shop

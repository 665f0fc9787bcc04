from . import act_as, invitation, registration, shop

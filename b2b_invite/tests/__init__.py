from . import test_bulk, test_invitation, test_invitation_pages, test_tours

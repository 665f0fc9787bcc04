from . import test_invitation, test_invitation_pages, test_tours

from . import invitation, registration

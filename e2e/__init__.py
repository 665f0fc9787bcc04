"""End-to-end tests: a real Odoo server (HTTP and cron workers) and a real SMTP server on loopback.

Run them with ``python3 -m e2e`` (``bin/b2b-test`` runs them after Odoo's suite); see e2e/server.py.
"""
import os
import sys

# bin/_mailbox.py and bin/_odoo.py: the mailbox and the server runner
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin"))

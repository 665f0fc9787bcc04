"""The one Odoo server the end-to-end tests share, started once per run.

The database: ``B2B_E2E_DB`` when it has b2b_invite and its demo data, reused as it is with its
filestore ``B2B_E2E_DATA_DIR``; else a new one of that name (or ``b2b_e2e_<pid>``), created here and
dropped at the end, unless ``B2B_E2E_KEEP`` is set (its filestore is then .logs/e2e-filestore).
It is served by a real Odoo as in production: two HTTP workers and two cron workers, the mail queue
job left at its hourly interval, and the Mailbox (an SMTP server on loopback) as its outgoing mail
server. Nothing is sent outside the machine.
"""
import atexit
import os
import shutil
import subprocess
import tempfile

from _mailbox import Mailbox, body_text
from _odoo import ROOT, OdooServer, ensure_postgres, odoo_addons_path, odoo_command

__all__ = ["LOGS", "ROOT", "body_text", "shared"]

LOGS = os.path.join(ROOT, ".logs")
_shared = None


class Shared:
    """The database, the mailbox and the server of this run."""

    def __init__(self):
        ensure_postgres()
        os.makedirs(LOGS, exist_ok=True)
        self.db = os.environ.get("B2B_E2E_DB") or f"b2b_e2e_{os.getpid()}"
        keep, reuse = bool(os.environ.get("B2B_E2E_KEEP")), _has_demo(self.db)
        self.own_db = not (reuse or keep)  # created here, dropped at the end
        self.data_dir = os.environ.get("B2B_E2E_DATA_DIR") or (
            os.path.join(LOGS, "e2e-filestore") if keep else tempfile.mkdtemp(prefix="b2b_e2e_filestore_"))
        self.log = os.path.join(LOGS, "e2e-odoo.log")
        open(self.log, "w").close()  # this run's log only
        if not reuse:
            self._create_db()
        self.mail_folder = os.path.join(LOGS, "e2e-mail")
        shutil.rmtree(self.mail_folder, ignore_errors=True)
        self.mailbox = Mailbox(self.mail_folder).start()
        self.server = OdooServer(self.db, workers=2, cron_workers=2, log=self.log, extra=(
            "--data-dir", self.data_dir, "--log-level", "info",
            "--smtp", "127.0.0.1", "--smtp-port", str(self.mailbox.port),
        ))
        try:
            self.server.start(timeout=180)
        except Exception:
            self.close()
            raise

    def _create_db(self):
        subprocess.run(["dropdb", "--if-exists", self.db], check=True)
        with open(self.log, "a", encoding="utf-8") as log:
            result = subprocess.run(odoo_command(
                "-d", self.db, "--addons-path", odoo_addons_path(), "-i", "b2b_invite", "--stop-after-init",
                "--data-dir", self.data_dir, "--log-level", "warn", "--max-cron-threads", "0",
            ), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
        if result.returncode:
            self.close()
            raise RuntimeError(f"Creating the database {self.db} failed: see {self.log}")

    def close(self):
        if getattr(self, "server", None):
            self.server.stop()
        if getattr(self, "mailbox", None):
            self.mailbox.stop()
        if self.own_db:
            subprocess.run(["dropdb", "--if-exists", self.db], check=False, capture_output=True)
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _has_demo(db):
    """Whether `db` exists with b2b_invite installed with its demo data."""
    result = subprocess.run(
        ["psql", "-X", "-qAt", "-d", db, "-c", "SELECT state, demo FROM ir_module_module WHERE name = 'b2b_invite'"],
        capture_output=True, text=True, check=False)
    return result.stdout.strip() == "installed|t"


def shared():
    """The shared database, mailbox and server, started at the first call and stopped at exit."""
    global _shared
    if _shared is None:
        _shared = Shared()
        atexit.register(_shared.close)
    return _shared

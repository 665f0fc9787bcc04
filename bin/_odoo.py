"""Shared helpers of bin/b2b-demo and bin/b2b-test: find Odoo 18.0 and PostgreSQL.

Nothing here installs Odoo: where it is missing, the scripts stop with one clear
message that says how to install it from Odoo's official sources.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALL_HELP = """\
Odoo 18.0 is not importable by {python} ({reason}): install it from Odoo's official sources (README.md).
For instance:
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git ~/odoo
    {python} -m pip install -r ~/odoo/requirements.txt
    {python} -m pip install -e ~/odoo
(or install the official 18.0 package from https://nightly.odoo.com). See README.md."""


def die(message, code=2):
    print(message, file=sys.stderr)
    sys.exit(code)


def odoo_addons_path():
    """Return the addons path for this repository and the installed Odoo 18.0.

    Stops with an install hint when Odoo is missing or is not 18.0.
    """
    probe = (
        "import os, odoo.release as r, odoo; "
        "print(r.version); print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    if result.returncode:
        lines = result.stderr.strip().splitlines()
        die(INSTALL_HELP.format(python=sys.executable, reason=lines[-1] if lines else "import failed"))
    version, source = result.stdout.split()
    if not version.startswith("18.0"):
        die(INSTALL_HELP.format(python=sys.executable, reason=f"found Odoo {version}, not 18.0"))
    paths = [ROOT]
    # Run from a source tree, Odoo only adds odoo/addons by itself: list the tree's addons/ too.
    if os.path.isdir(os.path.join(source, "addons", "website_sale")):
        paths.append(os.path.join(source, "addons"))
    return ",".join(paths)


def ensure_postgres():
    """Make PostgreSQL reachable by the current user, starting a stopped local cluster."""
    if not shutil.which("pg_isready"):
        die("PostgreSQL client tools are missing: install PostgreSQL 13 or newer (apt-get install postgresql).")
    if subprocess.run(["pg_isready", "-q"], check=False).returncode:
        clusters = subprocess.run(
            ["pg_lsclusters", "-h"], capture_output=True, text=True, check=False
        ).stdout.split() if shutil.which("pg_lsclusters") else []
        if len(clusters) < 2 or os.geteuid():
            die("PostgreSQL is not running: start it (e.g. `sudo pg_ctlcluster 15 main start`).")
        subprocess.run(["pg_ctlcluster", clusters[0], clusters[1], "start"], check=True)
        for _attempt in range(30):
            if not subprocess.run(["pg_isready", "-q"], check=False).returncode:
                break
            subprocess.run(["sleep", "1"], check=False)
        else:
            die("PostgreSQL did not start: see `pg_lsclusters`.")
    user = os.environ.get("USER") or subprocess.run(
        ["id", "-un"], capture_output=True, text=True, check=False).stdout.strip()
    query = "select rolcreatedb or rolsuper from pg_roles where rolname = current_user"
    can_create = subprocess.run(
        ["psql", "-X", "-qAt", "-d", "postgres", "-c", query],
        capture_output=True, text=True, check=False,
    ).stdout.strip() == "t"
    if not can_create:
        if os.geteuid():
            die(f"PostgreSQL role {user!r} cannot create databases: "
                f"run `sudo -u postgres createuser --createdb {user}`.")
        subprocess.run(["runuser", "-u", "postgres", "--", "createuser", "--superuser", user],
                       check=False, capture_output=True)
        subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qc",
                        f'ALTER ROLE "{user}" CREATEDB'], check=True, capture_output=True)


def free_port(preferred=None):
    """Return `preferred` when it is free (any free local TCP port without one)."""
    for port in (preferred, 0):
        if port is None:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free TCP port")


def server_ports(port):
    """Odoo arguments for an HTTP port `port` and a longpolling port `port + 1` (none without `port`)."""
    return ("--http-port", str(port), "--gevent-port", str(port + 1)) if port else ()


def create_scratch_db(db, template=None, port=None):
    """Create `db` with b2b_invite installed and no demo data for a benchmark, or stop with a message.

    With `template`, a database made that way (``python3 -m odoo -d TEMPLATE -i b2b_invite
    --without-demo all --stop-after-init``), copy it with its filestore by Odoo's own ``db
    duplicate``: seconds instead of the minutes of an install.
    """
    addons_path = odoo_addons_path()
    if template:
        print(f"Copying {template} to the scratch database {db}...", flush=True)
        command = odoo_command("db", "--addons-path", addons_path, "duplicate", template, db)
    else:
        print(f"Creating the scratch database {db} with b2b_invite...", flush=True)
        command = odoo_command("-d", db, "--addons-path", addons_path, "-i", "b2b_invite", "--without-demo", "all",
                               "--stop-after-init", "--log-level", "warn", *server_ports(port))
    if subprocess.run(command, check=False, cwd=ROOT).returncode:
        drop_scratch_db(db)
        die(f"Creating {db} with b2b_invite failed (see the log above).", code=1)


def drop_scratch_db(db):
    """Drop `db` and its filestore (Odoo's own ``db drop``)."""
    subprocess.run(odoo_command("db", "drop", db), check=False, cwd=ROOT, capture_output=True)
    subprocess.run(["dropdb", "--if-exists", db], check=False, capture_output=True)  # if Odoo refused


def odoo_command(*args):
    return [sys.executable, "-m", "odoo", *args]


def odoo_server_command(*args):
    """odoo_command for a server with workers. Such a server starts its longpolling (gevent) process
    by running its own ``sys.argv[0]`` again: with ``-m odoo`` that is ``odoo/__main__.py``, which
    cannot run by itself, and the server respawns it in a loop that eats a core. bin/_odoo_server.py
    runs as Odoo's own script does, and starts the longpolling process (see there)."""
    return [sys.executable, os.path.join(ROOT, "bin", "_odoo_server.py"), *args]


class OdooServer:
    """A real Odoo server on `db`, as production runs it (HTTP workers, cron workers), for the
    end-to-end tests and the benchmarks. ``with OdooServer(...) as server:`` starts it and waits
    for its login page; ``server.url`` is where it answers; ``kill()`` stops it abruptly.

    :param port: HTTP port (default: a free one)
    :param gevent_port: longpolling (gevent) port (default: a free one)
    :param extra: more Odoo command-line arguments (``--smtp-port``, ``--log-level``...)
    """

    def __init__(self, db, workers=2, cron_workers=2, port=None, log=None, extra=(), gevent_port=None):
        self.db = db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.command = odoo_server_command(
            "-d", db, "--db-filter", f"^{db}$", "--addons-path", odoo_addons_path(),
            "--http-port", str(self.port), "--http-interface", "127.0.0.1",
            "--workers", str(workers), "--max-cron-threads", str(cron_workers),
            # the longpolling (gevent) port must be free too when several servers run side by side
            "--gevent-port", str(gevent_port or free_port()), *extra,
        )
        self.process = None

    def start(self, timeout=120):
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode} (log: {self.log})")
            try:
                with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Odoo did not answer on {self.url} within {timeout} s (log: {self.log})")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the server and its workers (SIGKILL: as a crash would)."""
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self):
        self.stop(signal.SIGKILL)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    # `python3 bin/_odoo.py [odoo|postgres]`: stop with a clear message unless Odoo 18.0 (and
    # PostgreSQL, starting a stopped local cluster) are ready; both without an argument.
    what = sys.argv[1:] or ["odoo", "postgres"]
    if "odoo" in what:
        print(f"Odoo 18.0 found; addons path: {odoo_addons_path()}")
    if "postgres" in what:
        ensure_postgres()
        print("PostgreSQL is running and this user can create databases.")

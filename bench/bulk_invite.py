#!/usr/bin/env python3
"""Benchmark: b2b_invite's bulk invitation against Odoo's own "Grant portal access" wizard.

In a scratch database (created with b2b_invite and no demo data, dropped at the end), for each N
it creates 2 x N ordering contacts, then times in the same run, as the same salesperson:
  (a) b2b_invite's bulk wizard inviting all N (invitations stored, emails queued), and
  (b) Odoo's portal.wizard granting portal access to another N contacts, one "Grant Access"
      click per contact as its UI does (portal users created, emails sent with force_send).
(b) is sampled on at most --portal-sample contacts. It prints both times, contacts per second,
the per-contact ratio and the peak memory (RSS) growth during (a).

    python3 bench/bulk_invite.py                  # N = 1000 and 10000
    python3 bench/bulk_invite.py --sizes 200 --portal-sample 100
"""
import argparse
import os
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bin"))
from _odoo import ensure_postgres, odoo_addons_path, odoo_command  # noqa: E402


class PeakRss:
    """Sample the process's resident memory while a block runs; keep the peak growth."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = self.start = 0
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self):
        self.start = self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self):
        return (self.peak - self.start) / 2**20


def make_contacts(env, count, tag):
    company = env["res.partner"].create({"name": f"Bench {tag} Ltd", "is_company": True})
    return env["res.partner"].create([
        {"name": f"Bench {tag} {i}", "email": f"bench.{tag}.{i}@bench.example.com",
         "parent_id": company.id, "b2b_ordering": True}
        for i in range(count)
    ])


def time_bulk_invite(env, salesperson, partners):
    env.invalidate_all()
    with PeakRss() as memory:
        started = time.perf_counter()
        wizard = env["b2b.invite.wizard"].with_user(salesperson).create({"partner_ids": [(6, 0, partners.ids)]})
        wizard.action_confirm()
        env.flush_all()
        elapsed = time.perf_counter() - started
    queued = env["mail.mail"].search_count([("model", "=", "b2b.invitation"), ("state", "=", "outgoing")])
    assert wizard.done_count == len(partners), (wizard.done_count, wizard.skipped_note, wizard.failed_note)
    return elapsed, memory.growth_mb, queued


def time_portal_wizard(env, salesperson, partners):
    env.invalidate_all()
    started = time.perf_counter()
    wizard = env["portal.wizard"].with_user(salesperson).create({"partner_ids": [(6, 0, partners.ids)]})
    for wizard_user in wizard.user_ids:
        wizard_user.action_grant_access()
    env.flush_all()
    elapsed = time.perf_counter() - started
    users = env["res.users"].search_count([("partner_id", "in", partners.ids)])
    assert users == len(partners), users
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="values of N (default: %(default)s)")
    parser.add_argument("--portal-sample", type=int, default=1000, help="portal.wizard on at most this many")
    parser.add_argument("--db", default=f"b2b_bench_{os.getpid()}")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    addons_path = odoo_addons_path()
    ensure_postgres()
    print(f"Creating the scratch database {args.db} with b2b_invite...", flush=True)
    setup = subprocess.run(odoo_command("-d", args.db, "--addons-path", addons_path, "-i", "b2b_invite",
                                        "--without-demo", "all", "--stop-after-init", "--log-level", "warn"),
                           check=False, cwd=ROOT)
    if setup.returncode:
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
        sys.exit(f"Installing b2b_invite on {args.db} failed (see the log above).")
    try:
        run(args, sizes, addons_path)
    finally:
        import odoo.sql_db

        odoo.sql_db.close_all()
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)


def run(args, sizes, addons_path):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["--addons-path", addons_path, "--log-level", "warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        salesperson = env["res.users"].with_context(no_reset_password=True).create({
            "name": "Bench Sales", "login": "bench_sales", "email": "bench.sales@bench.example.com",
            "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in (
                "base.group_user", "base.group_partner_manager", "sales_team.group_sale_salesman")])],
        })
        print(f"\n{'N':>6} | {'b2b_invite bulk':>26} | {'portal.wizard (sample)':>30} | {'ratio':>7} | peak RSS growth")
        for size in sizes:
            ours = make_contacts(env, size, f"b2b{size}")
            portal = make_contacts(env, min(size, args.portal_sample), f"portal{size}")
            env.cr.commit()
            bulk_s, memory_mb, queued = time_bulk_invite(env, salesperson, ours)
            portal_s = time_portal_wizard(env, salesperson, portal)
            bulk_rate, portal_rate = size / bulk_s, len(portal) / portal_s
            print(f"{size:>6} | {bulk_s:8.1f} s {bulk_rate:8.0f} contacts/s | "
                  f"{portal_s:7.1f} s on {len(portal):>5} {portal_rate:6.1f} contacts/s | "
                  f"{bulk_rate / portal_rate:6.1f}x | {memory_mb:6.0f} MB  ({queued} emails queued)", flush=True)
            env.cr.rollback()
    print("\nratio = b2b_invite contacts per second / portal.wizard contacts per second (same run, same user).")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark: b2b_invite's bulk invitation against Odoo's own "Grant portal access" wizard, and
a 100,000-contact campaign on a real server that is killed halfway.

In a scratch database (created with b2b_invite and no demo data, dropped at the end), for each N
it creates 2 x N ordering contacts, then times in the same run, as the same salesperson:
  (a) b2b_invite's bulk wizard inviting all N (invitations stored, emails queued), and
  (b) Odoo's portal.wizard granting portal access to another N contacts, one "Grant Access"
      click per contact as its UI does (portal users created, emails sent with force_send).
Then, for N more contacts whose invitations are stored beforehand (not timed), Odoo's own ways of
queuing the same invitation email:
  (c) mail.template.send_mail_batch, Odoo's batch email API (it renders each email's body anew);
  (d) the floor: the N emails, already rendered, stored as Odoo's mail.mail records (each with its
      mail.message), with nothing else: no rule, invitation, token nor rendering.
(b) and (c) are sampled on at most --portal-sample contacts. It prints the times, contacts per
second, the per-contact ratios and the peak memory (RSS) growth during (a).

    python3 bench/bulk_invite.py                  # N = 1000 and 10000
    python3 bench/bulk_invite.py --sizes 200 1000 --portal-sample 100
    python3 bench/bulk_invite.py --sizes 10000 --profile      # and cProfile's top lines of (a)

With --campaign N, it runs a campaign instead: N ordering contacts, the wizard started as the
salesperson (above the campaign threshold), processed by a real Odoo server (2 HTTP workers, 2 cron
workers) that is killed with SIGKILL halfway and restarted; then it checks exactly-once (every
contact one invitation, one queued email each, every line done) and prints the total time,
contacts per second and the peak memory growth of the server's processes. Odoo's mail queue job is
switched off during the run so that the queued emails stay countable (bench/mail_queue.py times
their sending).

    python3 bench/bulk_invite.py --campaign 100000
"""
import argparse
import cProfile
import io
import os
import pstats
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bin"))
from _odoo import OdooServer, create_scratch_db, drop_scratch_db, ensure_postgres, odoo_addons_path  # noqa: E402


class PeakRss:
    """Sample the resident memory of processes while a block runs; keep each one's peak growth.

    :param processes: a callable returning the psutil processes to watch (default: this one)
    """

    def __init__(self, processes=None):
        import psutil

        self.psutil = psutil
        self.processes = processes or (lambda: [psutil.Process()])
        self.start, self.peak = {}, {}
        self._stop = threading.Event()

    def sample(self):
        for process in self.processes():
            try:
                rss = process.memory_info().rss
            except self.psutil.Error:
                continue
            self.start.setdefault(process.pid, rss)
            self.peak[process.pid] = max(self.peak.get(process.pid, 0), rss)

    def _run(self):
        while not self._stop.wait(0.05):
            self.sample()

    def __enter__(self):
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self):
        """The largest growth of one process, in MB."""
        return max((self.peak[pid] - self.start[pid] for pid in self.peak), default=0) / 2**20


def make_contacts(env, count, tag, per_company=50, commit=False, salesperson=None):
    """`count` ordering contacts with an email, `per_company` per customer company, the companies
    allocated to `salesperson` (with *Own Documents Only*, a salesperson invites the contacts of its
    own customers only)."""
    Partner = env["res.partner"].with_context(tracking_disable=True)
    contacts = Partner.browse()
    for start in range(0, count, per_company * 100):
        chunk = range(start, min(count, start + per_company * 100))
        companies = Partner.create([
            {"name": f"Bench {tag} Ltd {i // per_company}", "is_company": True,
             "user_id": salesperson and salesperson.id} for i in chunk[::per_company]
        ])
        contacts |= Partner.create([
            {"name": f"Bench {tag} {i}", "email": f"bench.{tag}.{i}@bench.example.com",
             "parent_id": companies[(i - start) // per_company].id, "b2b_ordering": True}
            for i in chunk
        ])
        if commit:
            env.cr.commit()
            env.invalidate_all()
            print(f"  {len(contacts)} contacts created", end="\r", flush=True)
    return contacts


def clone_contacts(env, contacts, count):
    """`count` more contacts like `contacts` (same companies), copied row by row in SQL with their own
    names and emails: creating 100,000 contacts through the ORM takes longer than the campaign."""
    from odoo.tools import SQL

    env.flush_all()
    env.cr.execute("""
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'res_partner' AND column_name <> 'id' AND is_generated = 'NEVER'
    """)
    columns = [row[0] for row in env.cr.fetchall()]
    renamed = {
        "name": SQL("name || ' c' || copy_no"),
        "complete_name": SQL("complete_name || ' c' || copy_no"),
        "email": SQL("'c' || copy_no || '.' || email"),
        "email_normalized": SQL("'c' || copy_no || '.' || email_normalized"),
    }
    insert = SQL(", ").join(SQL.identifier(column) for column in columns)
    select = SQL(", ").join(renamed.get(column) or SQL.identifier(column) for column in columns)
    ids = []
    for copy in range(1, count // len(contacts) + 2):
        take = min(len(contacts), count - len(ids))
        if take <= 0:
            break
        env.cr.execute(SQL(
            "INSERT INTO res_partner (%s) SELECT %s FROM (SELECT *, %s AS copy_no FROM res_partner "
            "WHERE id = ANY(%s) ORDER BY id LIMIT %s) p RETURNING id",
            insert, select, copy, contacts.ids, take,
        ))
        ids += [row[0] for row in env.cr.fetchall()]
        env.cr.commit()
        print(f"  {len(contacts) + len(ids)} contacts created", end="\r", flush=True)
    return contacts | contacts.browse(ids)


def new_salesperson(env):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": "Bench Sales", "login": "bench_sales", "email": "bench.sales@bench.example.com",
        "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in (
            "base.group_user", "base.group_partner_manager", "sales_team.group_sale_salesman")])],
    })


def time_bulk_invite(env, salesperson, partners, profile=None):
    env.invalidate_all()
    with PeakRss() as memory:
        started = time.perf_counter()
        if profile:
            profile.enable()
        wizard = env["b2b.invite.wizard"].with_user(salesperson).create({"partner_ids": [(6, 0, partners.ids)]})
        wizard.action_confirm()
        env.flush_all()
        if profile:
            profile.disable()
        elapsed = time.perf_counter() - started
    queued = env["mail.mail"].search_count([("model", "=", "b2b.invitation"), ("state", "=", "outgoing")])
    if wizard.done_count != len(partners):
        notes = (wizard.skipped_note or "").splitlines()[:3] + (wizard.failed_note or "").splitlines()[:3]
        raise AssertionError(f"{wizard.done_count} of {len(partners)} invited; first reasons: {notes}")
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


def time_odoo_mail(env, partners, sample):
    """Odoo's own ways of queuing the invitation email of `partners`, invited beforehand (not timed):
    send_mail_batch on `sample` of them, and storing all their emails rendered once (the floor).

    :return: (send_mail_batch time, floor time)
    """
    invitations = env["b2b.invitation"]._invite_many(partners, send=False)[0]
    template = env.ref("b2b_invite.mail_template_b2b_invitation").with_context(
        b2b_invitation_urls=invitations._get_invitation_urls())
    values = template._generate_template(
        invitations[:1].ids, ("subject", "body_html", "email_from", "reply_to"))[invitations[0].id]
    env.flush_all()
    env.invalidate_all()

    started = time.perf_counter()
    template.send_mail_batch(invitations[:sample].ids)
    env.flush_all()
    batch_s = time.perf_counter() - started

    started = time.perf_counter()
    env["mail.mail"].create([
        {**values, "email_to": invitation.email, "model": invitation._name, "res_id": invitation.id,
         "message_type": "email_outgoing", "auto_delete": True}
        for invitation in invitations
    ])
    env.flush_all()
    floor_s = time.perf_counter() - started
    return batch_s, floor_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1000", "10000"],
                        help="values of N, by spaces or commas (default: 1000 10000)")
    parser.add_argument("--portal-sample", type=int, default=1000, help="portal.wizard on at most this many")
    parser.add_argument("--profile", action="store_true", help="cProfile the bulk invite of the last size")
    parser.add_argument("--campaign", type=int, metavar="N", help="run a campaign of N contacts on a real server")
    parser.add_argument("--batch-size", type=int, help="contacts per campaign batch (default: the addon's)")
    parser.add_argument("--db", default=f"b2b_bench_{os.getpid()}")
    parser.add_argument("--template", metavar="DB",
                        help="copy this database (b2b_invite installed, no demo data) instead of installing")
    parser.add_argument("--port", type=int,
                        help="HTTP port of the server (default: a free one); its longpolling port is the next one")
    args = parser.parse_args()
    sizes = [int(size) for sizes in args.sizes for size in sizes.split(",") if size]

    addons_path = odoo_addons_path()
    ensure_postgres()
    create_scratch_db(args.db, args.template, args.port)
    try:
        if args.campaign:
            run_campaign(args, addons_path)
        else:
            run(args, sizes, addons_path)
    finally:
        import odoo.sql_db

        odoo.sql_db.close_all()
        drop_scratch_db(args.db)


def open_registry(db, addons_path):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["--addons-path", addons_path, "--log-level", "warn"])
    return Registry(db)


def run(args, sizes, addons_path):
    import odoo

    registry = open_registry(args.db, addons_path)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        salesperson = new_salesperson(env)
        # The immediate path: no campaign below these sizes.
        env["ir.config_parameter"].set_param("b2b_invite.campaign_threshold", max(sizes))
        print(f"\n{'N':>6} | {'b2b_invite bulk':>26} | {'portal.wizard (sample)':>30} | {'ratio':>7} | "
              f"{'send_mail_batch (sample)':>31} | {'ratio':>7} | {'N emails stored (floor)':>26} | peak RSS growth")
        profile = None
        for size in sizes:
            ours = make_contacts(env, size, f"b2b{size}", salesperson=salesperson)
            portal = make_contacts(env, min(size, args.portal_sample), f"portal{size}", salesperson=salesperson)
            env.cr.commit()
            profile = cProfile.Profile() if args.profile and size == sizes[-1] else None
            bulk_s, memory_mb, queued = time_bulk_invite(env, salesperson, ours, profile)
            portal_s = time_portal_wizard(env, salesperson, portal)
            batch_s, floor_s = time_odoo_mail(env, make_contacts(env, size, f"odoo{size}"), len(portal))
            bulk_rate, portal_rate, batch_rate = size / bulk_s, len(portal) / portal_s, len(portal) / batch_s
            print(f"{size:>6} | {bulk_s:8.1f} s {bulk_rate:8.0f} contacts/s | "
                  f"{portal_s:7.1f} s on {len(portal):>5} {portal_rate:6.1f} contacts/s | "
                  f"{bulk_rate / portal_rate:6.1f}x | "
                  f"{batch_s:7.1f} s on {len(portal):>5} {batch_rate:6.1f} emails/s | {bulk_rate / batch_rate:6.1f}x | "
                  f"{floor_s:7.1f} s {size / floor_s:7.0f} emails/s | "
                  f"{memory_mb:6.0f} MB  ({queued} emails queued)", flush=True)
            env.cr.rollback()
    print("\nratio = b2b_invite contacts per second / the same of Odoo's way before it (same run).\n"
          "floor = Odoo storing N emails rendered beforehand: no bulk path that queues its emails through "
          "Odoo's mail.mail records goes faster.")
    if profile:
        print_profile(profile, sizes[-1])


def print_profile(profile, size):
    path = os.path.join(ROOT, ".logs", f"bulk_invite_{size}.pstats")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    profile.dump_stats(path)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(25)
        text = out.getvalue()
        print(f"\ncProfile of the bulk invite of {size} contacts, by {order} (under cProfile, times are "
              f"inflated; full stats: {os.path.relpath(path, ROOT)}):")
        print(text[text.index("   ncalls"):].rstrip())


def run_campaign(args, addons_path):
    import odoo

    size = args.campaign
    registry = open_registry(args.db, addons_path)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        salesperson = new_salesperson(env)
        salesperson_id = salesperson.id
        if args.batch_size:
            env["ir.config_parameter"].set_param("b2b_invite.campaign_batch_size", args.batch_size)
        # The queued emails stay in the queue, to be counted: bench/mail_queue.py times their sending.
        env.ref("mail.ir_cron_mail_scheduler_action").active = False
        print(f"Creating {size} ordering contacts (up to 5,000 with the ORM, the others copied in SQL)...",
              flush=True)
        contacts = make_contacts(env, min(size, 5000), "campaign", commit=True, salesperson=salesperson)
        partner_ids = clone_contacts(env, contacts, size - len(contacts)).ids if size > len(contacts) else contacts.ids
        threshold = env["b2b.invite.campaign"]._threshold()
        batch_size = env["b2b.invite.campaign"]._batch_size()
    log = os.path.join(ROOT, ".logs", "bench_campaign_server.log")
    print(f"\nCampaign of {size} contacts (threshold {threshold}, batches of about 3 s, at most {batch_size} "
          f"contacts) on a server with "
          f"2 HTTP and 2 cron workers (log: {os.path.relpath(log, ROOT)})", flush=True)
    server = OdooServer(args.db, workers=2, cron_workers=2, log=log, extra=("--log-level", "info"),
                        port=args.port, gevent_port=args.port and args.port + 1)
    server.start()
    import psutil

    def server_processes():
        try:
            parent = psutil.Process(server.process.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.Error:
            return []

    try:
        with PeakRss() as wizard_memory:
            started = time.perf_counter()
            with registry.cursor() as cr:  # what the "Invite" click does in its request
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                wizard = env["b2b.invite.wizard"].with_user(salesperson_id).create(
                    {"partner_ids": [(6, 0, partner_ids)]})
                wizard.action_confirm()
                campaign_id = wizard.campaign_id.id
                assert campaign_id, "no campaign was started"
            request_s = time.perf_counter() - started
        print(f"The wizard started the campaign in {request_s:.1f} s (the request; peak RSS growth "
              f"{wizard_memory.growth_mb:.0f} MB), then returned.", flush=True)
        timeline = follow_campaign(registry, campaign_id, size, server, server_processes, started)
    finally:
        server.stop()
    check_exactly_once(registry, campaign_id, size)
    total = timeline["done"] - started
    running = total - timeline["down"]
    print(f"\nTotal: {total:.0f} s from the click to the end, of which {timeline['down']:.0f} s between the kill "
          f"and the first batch after the restart (cron workers wake within about a minute).")
    print(f"Contacts/s while the server ran: {size / running:.0f} ({size} contacts in {running:.0f} s).")
    print(f"Peak RSS growth of one server process: {timeline['memory_mb']:.0f} MB.")


def campaign_counts(registry, campaign_id):
    with registry.cursor() as cr:
        cr.execute("SELECT state FROM b2b_invite_campaign WHERE id = %s", [campaign_id])
        state = cr.fetchone()[0]
        cr.execute("SELECT state, count(*) FROM b2b_invite_campaign_line WHERE campaign_id = %s GROUP BY state",
                   [campaign_id])
        return state, dict(cr.fetchall())


def follow_campaign(registry, campaign_id, size, server, server_processes, started):
    """Watch the campaign; SIGKILL the server once half the contacts are processed, restart it, and
    wait for the end. Returns when things happened, and the peak memory growth."""
    killed_at = restarted_at = resumed_at = None
    processed_before_kill = 0
    memory = PeakRss(server_processes)
    while True:
        memory.sample()
        state, counts = campaign_counts(registry, campaign_id)
        processed = size - counts.get("pending", 0)
        if restarted_at and not resumed_at and processed > processed_before_kill:
            resumed_at = time.perf_counter()
            print(f"  {resumed_at - started:6.0f} s  the restarted server resumed the campaign", flush=True)
        if state == "done":
            done = time.perf_counter()
            print(f"  {done - started:6.0f} s  campaign done: {counts}", flush=True)
            return {"done": done, "down": (resumed_at or done) - (killed_at or done), "memory_mb": memory.growth_mb}
        if not killed_at and processed >= size // 2:
            server.kill()
            killed_at = time.perf_counter()
            _state, counts = campaign_counts(registry, campaign_id)
            processed_before_kill = size - counts.get("pending", 0)
            print(f"  {killed_at - started:6.0f} s  SIGKILL to the server with {processed_before_kill} contacts "
                  f"processed: {counts}", flush=True)
            check_consistent(registry, campaign_id)
            server.start()
            restarted_at = time.perf_counter()
            print(f"  {restarted_at - started:6.0f} s  server restarted", flush=True)
        time.sleep(0.5)


def check_consistent(registry, campaign_id):
    """After the kill: each line done has its invitation and its email, and nothing more exists."""
    with registry.cursor() as cr:
        cr.execute("""
            SELECT count(*) FILTER (WHERE line.state = 'done'),
                   (SELECT count(*) FROM b2b_invitation inv
                     WHERE inv.partner_id IN (SELECT partner_id FROM b2b_invite_campaign_line WHERE campaign_id = %s)),
                   (SELECT count(*) FROM mail_mail mail JOIN mail_message msg ON msg.id = mail.mail_message_id
                     WHERE msg.model = 'b2b.invitation')
              FROM b2b_invite_campaign_line line WHERE line.campaign_id = %s
        """, [campaign_id, campaign_id])
        done, invitations, mails = cr.fetchone()
    print(f"           after the kill: {done} lines done, {invitations} invitations, {mails} queued emails "
          f"({'consistent' if done == invitations == mails else 'INCONSISTENT'})", flush=True)
    assert done == invitations == mails, (done, invitations, mails)


def check_exactly_once(registry, campaign_id, size):
    with registry.cursor() as cr:
        cr.execute("""
            SELECT count(*), count(DISTINCT inv.partner_id)
              FROM b2b_invitation inv
             WHERE inv.partner_id IN (SELECT partner_id FROM b2b_invite_campaign_line WHERE campaign_id = %s)
        """, [campaign_id])
        invitations, partners = cr.fetchone()
        cr.execute("""
            SELECT count(*), count(DISTINCT msg.res_id)
              FROM mail_mail mail JOIN mail_message msg ON msg.id = mail.mail_message_id
             WHERE msg.model = 'b2b.invitation'
        """)
        mails, invitations_mailed = cr.fetchone()
        _state, counts = campaign_counts(registry, campaign_id)
    ok = invitations == partners == mails == invitations_mailed == counts.get("done") == size
    print(f"\nExactly once: {partners} contacts invited, {invitations} invitations, {mails} queued emails for "
          f"{invitations_mailed} invitations, lines {counts}: {'OK' if ok else 'FAILED'}", flush=True)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()

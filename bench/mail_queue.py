#!/usr/bin/env python3
"""Benchmark: how fast queued invitation emails leave Odoo's mail queue job, and what a crash does.

In a scratch database (b2b_invite, no demo data, dropped at the end) it invites N contacts with the
bulk path (N invitation emails queued), points Odoo's outgoing mail server at a local SMTP server
(aiosmtpd on loopback, bin/_mailbox.py), starts a real Odoo server (2 HTTP and 2 cron workers) and
wakes Odoo's own queue job ("Mail: Email Queue Manager"). Halfway it kills the server with SIGKILL,
restarts it, and waits until the queue is empty. It prints mails per second while the server ran,
and checks that every email arrived (by Message-ID) and how many arrived twice.

Odoo's queue job commits after each email and reports its progress in batches
(`mail.mail.queue.batch.size`: Odoo's default is 1,000, b2b_invite's install sets 100; up to 10
batches per run), and reuses one SMTP connection for up to `mail.session.batch.size` emails (1,000
by default); both can be set here.

    python3 bench/mail_queue.py                      # N = 10000
    python3 bench/mail_queue.py --mails 2000 --queue-batch 500 --session-batch 200
"""
import argparse
import collections
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bin"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from _mailbox import Mailbox  # noqa: E402
from _odoo import (  # noqa: E402
    OdooServer,
    create_scratch_db,
    drop_scratch_db,
    ensure_postgres,
    odoo_addons_path,
)
from bulk_invite import make_contacts, new_salesperson, open_registry  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=10000, help="emails to queue and send (default: %(default)s)")
    parser.add_argument("--queue-batch", type=int,
                        help="mail.mail.queue.batch.size (default: the 100 set by b2b_invite's install)")
    parser.add_argument("--session-batch", type=int, help="mail.session.batch.size (Odoo's default: 1000)")
    parser.add_argument("--no-kill", action="store_true", help="do not kill the server halfway")
    parser.add_argument("--db", default=f"b2b_bench_mail_{os.getpid()}")
    parser.add_argument("--template", metavar="DB",
                        help="copy this database (b2b_invite installed, no demo data) instead of installing")
    parser.add_argument("--port", type=int,
                        help="HTTP port of the server (default: a free one); its longpolling port is the next one")
    args = parser.parse_args()

    addons_path = odoo_addons_path()
    ensure_postgres()
    create_scratch_db(args.db, args.template, args.port)
    try:
        with Mailbox(keep=True) as mailbox:
            run(args, addons_path, mailbox)
    finally:
        import odoo.sql_db

        odoo.sql_db.close_all()
        drop_scratch_db(args.db)


def queue_counts(registry):
    with registry.cursor() as cr:
        cr.execute("""
            SELECT mail.state, count(*) FROM mail_mail mail JOIN mail_message msg ON msg.id = mail.mail_message_id
             WHERE msg.model = 'b2b.invitation' GROUP BY mail.state
        """)
        return dict(cr.fetchall())


def run(args, addons_path, mailbox):
    import odoo

    size = args.mails
    registry = open_registry(args.db, addons_path)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("b2b_invite.campaign_threshold", size)
        for key, value in (("mail.mail.queue.batch.size", args.queue_batch),
                           ("mail.session.batch.size", args.session_batch)):
            if value:
                env["ir.config_parameter"].set_param(key, value)
        env["ir.mail_server"].create({
            "name": "Local mailbox", "smtp_host": "127.0.0.1", "smtp_port": mailbox.port,
            "smtp_encryption": "none",
        })
        salesperson = new_salesperson(env)
        print(f"Inviting {size} contacts (their emails are queued)...", flush=True)
        partners = make_contacts(env, size, "mail", commit=True, salesperson=salesperson)
        env["b2b.invitation"].with_user(salesperson)._invite_many(partners)
        cr.commit()
        queue = env.ref("mail.ir_cron_mail_scheduler_action")
        settings = {key: env["ir.config_parameter"].get_param(key) or "1000 (default)"
                    for key in ("mail.mail.queue.batch.size", "mail.session.batch.size")}
    print(f"Queued: {queue_counts(registry)}; {settings}", flush=True)

    log = os.path.join(ROOT, ".logs", "bench_mail_server.log")
    server = OdooServer(args.db, workers=2, cron_workers=2, log=log, extra=("--log-level", "info"),
                        port=args.port, gevent_port=args.port and args.port + 1)
    server.start()
    print(f"Server started (log: {os.path.relpath(log, ROOT)}); waking Odoo's mail queue job", flush=True)
    with registry.cursor() as cr:  # what a bulk invitation does when it has queued its emails
        odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["ir.cron"].browse(queue.id)._trigger()
    started = time.perf_counter()
    killed_at = resumed_at = None
    received_at_kill = 0
    try:
        while True:
            counts = queue_counts(registry)
            if not counts.get("outgoing") and mailbox.count >= size - counts.get("exception", 0):
                done = time.perf_counter()
                break
            if killed_at and not resumed_at and mailbox.count > received_at_kill:
                resumed_at = time.perf_counter()
                print(f"  {resumed_at - started:6.1f} s  sending resumed after the restart", flush=True)
            if not killed_at and not args.no_kill and mailbox.count >= size // 2:
                server.kill()
                killed_at = time.perf_counter()
                time.sleep(0.5)
                received_at_kill = mailbox.count
                print(f"  {killed_at - started:6.1f} s  SIGKILL to the server: {received_at_kill} emails received, "
                      f"queue {queue_counts(registry)}", flush=True)
                server.start()
                print(f"  {time.perf_counter() - started:6.1f} s  server restarted", flush=True)
            time.sleep(0.2)
    finally:
        server.stop()

    ids = collections.Counter(message["Message-ID"] for message in mailbox.messages)
    twice = sum(count - 1 for count in ids.values())
    with registry.cursor() as cr:
        cr.execute("SELECT message_id FROM mail_message "
                   "WHERE model = 'b2b.invitation' AND message_type = 'email_outgoing'")
        expected = {row[0] for row in cr.fetchall()}
    lost = expected - set(ids)
    down = (resumed_at or done) - (killed_at or done)
    sending = done - started - down
    print(f"\n{size} emails: {len(ids)} distinct Message-IDs received, {twice} received twice, {len(lost)} lost; "
          f"queue now {queue_counts(registry) or 'empty'}")
    print(f"Sending: {sending:.1f} s while the server ran ({down:.0f} s down and waking up after the kill): "
          f"{size / sending:.0f} mails/s")
    if lost:
        sys.exit(1)


if __name__ == "__main__":
    main()

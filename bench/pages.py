#!/usr/bin/env python3
"""Benchmark: the addon's pages against Odoo's own, on a real server with 2 HTTP workers.

In a scratch database (b2b_invite, no demo data, dropped at the end) with a published product, an
ordering contact with a portal login, an open invitation and the self-registration link, it starts
Odoo with --workers=2 and times, at 1 and at 20 concurrent clients:
  - /web/login next to the invitation page (GET), the emailed invitation link that leads to it, and
    the registration (join) page;
  - /shop and a product page with B2B mode on (guests may browse) and off, as a guest and as the
    ordering contact.
The requests of each page are split into rounds, B2B mode off then on, then on then off, and so
on, so that the machine's drift weighs on both modes alike. It prints p50, p95 and requests per
second (clients / mean time of a request) of each, the addon pages' p50 against /web/login's, and
the B2B shop's p50 against the same page with B2B mode off.

A guest request starts without cookies, as a person following a link does, and follows the
redirects with the cookies it gets (the invitation and join links may lead to a page without the
token in its URL): the time is that of the page the person sees. The emailed invitation link is two
requests (it puts its token in the session and redirects to the page, which has no token in its
address): "invitation link" times both, "invitation page" the page alone, each guest having opened
its link once first (not timed) and keeping its session. The contact's requests use its logged-in
session.

    python3 bench/pages.py
    python3 bench/pages.py --requests 100 --clients 1,20
"""
import argparse
import os
import statistics
import sys
import threading
import time
import xmlrpc.client
from collections import defaultdict
from urllib.parse import urlsplit

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bin"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from _odoo import (  # noqa: E402
    OdooServer,
    create_scratch_db,
    drop_scratch_db,
    ensure_postgres,
    odoo_addons_path,
)
from bulk_invite import open_registry  # noqa: E402

PASSWORD = "Bench-Passw0rd-1"  # noqa: S105 (the scratch database's bench contacts)


def contact_login(client):
    """The login of the ordering contact that concurrent client number `client` uses: one contact per
    client, as in real life (one contact's concurrent requests all update its one website visitor
    row, and Odoo answers 500 once its retries of the serialization failure run out)."""
    return f"contact{client}.bench@nordic.example.com"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60, help="requests per page and level (default: %(default)s)")
    parser.add_argument("--clients", default="1,20", help="concurrent clients (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds the requests are split into, B2B mode off then on, then on then off, ... "
                             "(default: %(default)s)")
    parser.add_argument("--db", default=f"b2b_bench_pages_{os.getpid()}")
    parser.add_argument("--template", metavar="DB",
                        help="copy this database (b2b_invite installed, no demo data) instead of installing")
    parser.add_argument("--port", type=int,
                        help="HTTP port of the server (default: a free one); its longpolling port is the next one")
    args = parser.parse_args()
    levels = [int(level) for level in args.clients.split(",")]

    addons_path = odoo_addons_path()
    ensure_postgres()
    create_scratch_db(args.db, args.template, args.port)
    try:
        urls = prepare(args.db, addons_path, max(levels))
        log = os.path.join(ROOT, ".logs", "bench_pages_server.log")
        with OdooServer(args.db, workers=2, cron_workers=0, log=log,
                        port=args.port, gevent_port=args.port and args.port + 1) as server:
            print(f"Server with 2 HTTP workers on {server.url} (log: {os.path.relpath(log, ROOT)})\n", flush=True)
            measure(server, urls, args.requests, levels, args.rounds)
    finally:
        import odoo.sql_db

        odoo.sql_db.close_all()
        drop_scratch_db(args.db)


def prepare(db, addons_path, clients):
    """The website, product, contact, invitation and join link; returns the paths to time."""
    import odoo

    registry = open_registry(db, addons_path)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        website = env["website"].get_current_website()
        website.write({"b2b_guest_access": True, "b2b_join_enabled": True})
        category = env["product.public.category"].create({"name": "Coffee"})
        products = env["product.template"].create([
            {"name": f"Bench Roast {i}", "list_price": 10.0 + i, "is_published": True, "type": "consu",
             "public_categ_ids": [(6, 0, category.ids)], "website_id": website.id}
            for i in range(20)
        ])
        company = env["res.partner"].create({"name": "Nordic Bench Foods", "is_company": True})
        for client in range(clients):
            contact = env["res.partner"].create({
                "name": f"Contact {client} Bench", "email": contact_login(client), "parent_id": company.id,
                "b2b_ordering": True})
            env["res.users"].with_context(no_reset_password=True).create({
                "login": contact_login(client), "password": PASSWORD, "partner_id": contact.id,
                "groups_id": [(6, 0, env.ref("base.group_portal").ids)],
            })
        invitee = env["res.partner"].create({
            "name": "Ivan Invited", "email": "ivan.bench@nordic.example.com", "parent_id": company.id,
            "b2b_ordering": True})
        invitation, _refused, _failed = env["b2b.invitation"]._invite_many(invitee, send=False)
        return {
            "login": "/web/login",
            "invitation_link": urlsplit(invitation.invitation_url).path,
            "invitation": "/b2b/invite",
            "join": urlsplit(website.b2b_join_url).path,
            "shop": "/shop",
            "product": products[0].website_url,
        }


def set_b2b_mode(server, on):
    """As the admin, over XML-RPC: the server clears its own caches."""
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object")
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(server.db, "admin", "admin", {})
    website_ids = models.execute_kw(server.db, uid, "admin", "website", "search", [[]], {"limit": 1})
    models.execute_kw(server.db, uid, "admin", "website", "write", [website_ids, {"b2b_mode": on}])


def logged_in_session(server, client):
    session = requests.Session()
    page = session.get(f"{server.url}/web/login", timeout=60)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = session.post(f"{server.url}/web/login", timeout=60, data={
        "login": contact_login(client), "password": PASSWORD, "csrf_token": csrf, "redirect": "/my"})
    assert "/web/login" not in response.url, "the contact could not log in"
    return session


def run_level(server, path, clients, total, as_contact, opened=None):
    """`total` GETs of `path` by `clients` concurrent clients; returns the latencies in s.

    :param opened: a path each guest opens once before its requests, not timed (the link that
        leads to the page); the guest then keeps its session
    """
    if opened:
        sessions = [requests.Session() for _client in range(clients)]
        for session in sessions:
            session.get(f"{server.url}{opened}", timeout=120).raise_for_status()
    else:
        sessions = [logged_in_session(server, client) if as_contact else None for client in range(clients)]
    latencies, errors = [], []
    lock = threading.Lock()
    per_client = max(1, total // clients)

    def client(session):
        for _request in range(per_client):
            browser = session or requests.Session()  # a guest arrives without cookies
            started = time.perf_counter()
            response = browser.get(f"{server.url}{path}", timeout=120)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code != 200:
                    errors.append(response.status_code)
            if not session:
                browser.close()

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{path}: HTTP {sorted(set(errors))} on {len(errors)} requests")
    return latencies


def measure(server, urls, total, levels, rounds):
    scenarios = [
        # (label, path key, B2B mode, as the ordering contact)
        ("/web/login", "login", False, False),
        ("invitation link", "invitation_link", False, False),
        ("invitation page", "invitation", False, False),
        ("join page", "join", False, False),
        ("/shop, B2B off, guest", "shop", False, False),
        ("product, B2B off, guest", "product", False, False),
        ("/shop, B2B off, contact", "shop", False, True),
        ("product, B2B off, contact", "product", False, True),
        ("/shop, B2B on, guest", "shop", True, False),
        ("product, B2B on, guest", "product", True, False),
        ("/shop, B2B on, contact", "shop", True, True),
        ("product, B2B on, contact", "product", True, True),
    ]
    # Rounds in the order off-on, on-off, ...: a drift of the machine's speed during the run weighs on
    # both modes alike. The mode is switched once or twice a round (a switch clears the server's caches:
    # each page is warmed up again after it).
    results = defaultdict(list)
    per_round = max(1, total // rounds)
    for round_no in range(rounds):
        for mode in (False, True) if round_no % 2 == 0 else (True, False):
            set_b2b_mode(server, mode)
            for label, key, b2b, as_contact in scenarios:
                if b2b != mode:
                    continue
                opened = urls["invitation_link"] if key == "invitation" else None
                run_level(server, urls[key], 2, 6, as_contact, opened)  # warm up: assets, caches, both workers
                for clients in levels:
                    results[label, clients] += run_level(
                        server, urls[key], clients, max(per_round, clients), as_contact, opened)
    set_b2b_mode(server, False)

    print(f"{'page':<28} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}  compared with")
    for clients in levels:
        for label, _key, b2b, _as_contact in scenarios:
            latencies = results[label, clients]
            p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
            reference = None
            if label in ("invitation link", "invitation page", "join page"):
                reference = "/web/login"
            elif b2b:
                reference = label.replace("B2B on", "B2B off")
            note = ""
            if reference:
                ratio = p50 / percentile(results[reference, clients], 50)
                note = f"{ratio:.2f}x p50 of {reference}"
            rate = clients / statistics.mean(latencies)
            print(f"{label:<28} {clients:>7} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {rate:7.1f}  {note}")
        print()
    print("Goals: each addon page's p50 <= 1.0x /web/login's; the shop with B2B mode on within 1.1x of off.")


def percentile(values, pct):
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    main()

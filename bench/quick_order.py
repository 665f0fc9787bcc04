#!/usr/bin/env python3
"""Benchmark: the quick order's one request against Odoo's one request per line ("Order again").

In a scratch database (b2b_invite without demo data, dropped at the end), served by a real Odoo
server (threaded: the requests come one at a time), a contact allowed to order, whose company
has its own pricelist, fills an empty cart on a B2B website with N products (default 500), one
line each:
  (a) b2b_invite: one POST /shop/quick-order/add with a CSV file of the N lines; timed --runs
      times, each on a new cart, after a warm-up request (best and median);
  (b) Odoo: what its "Order again" dialog does, one /shop/cart/update_json per line; timed on
      --odoo-sample lines (per line, projected to N);
  (c) the floor under both: Odoo creating the N sale order lines of a cart in one
      sale.order.line.create, in this process, without HTTP or any check.
The cart is checked after each run of (a). It prints the times, lines per second, the ratios, the
machine's load average and a CPU reference (summing 10 million integers in Python), which the
figures depend on.

    python3 bench/quick_order.py                      # N = 500
    python3 bench/quick_order.py --lines 200 --odoo-sample 50 --port 8152
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bin"))
from _odoo import OdooServer, ensure_postgres, free_port, odoo_addons_path, odoo_command  # noqa: E402

LOGIN = PASSWORD = "bench.buyer@bench.example.com"  # noqa: S105 - a scratch database's user


def setup(db, addons_path, count):
    """A B2B website, `count` + 10 published products with internal references, a customer with
    its pricelist (10% off) and a contact allowed to order, with a portal login."""
    import odoo
    from odoo.fields import Command
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["--addons-path", addons_path, "--log-level", "warn"])
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        env.ref("website.default_website").write({"b2b_mode": True})
        products = env["product.product"].create([{
            "name": f"Bench product {number:04d}", "default_code": f"BENCH-{number:04d}",
            "list_price": 10.0 + number % 90, "type": "consu", "is_published": True,
        } for number in range(count + 10)])
        pricelist = env["product.pricelist"].create({"name": "Bench customer", "item_ids": [Command.create({
            "applied_on": "3_global", "compute_price": "percentage", "percent_price": 10})]})
        company = env["res.partner"].create({
            "name": "Bench Cafés", "is_company": True, "property_product_pricelist": pricelist.id,
            "street": "1 Bench Street", "city": "Brussels", "country_id": env.ref("base.be").id,
        })
        contact = env["res.partner"].create({
            "name": "Bench Buyer", "email": LOGIN, "parent_id": company.id, "b2b_ordering": True})
        env["res.users"].with_context(no_reset_password=True).create({
            "login": LOGIN, "password": PASSWORD, "partner_id": contact.id,
            "groups_id": [Command.set([env.ref("base.group_portal").id])],
        })
        product_ids = products.ids
    odoo.sql_db.close_all()
    return product_ids


class Shop:
    """The customer's browser session on the server."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()
        page = self.http.get(f"{url}/web/login", timeout=60)
        self.http.post(f"{url}/web/login", timeout=60, data={
            "login": LOGIN, "password": PASSWORD, "csrf_token": self._csrf(page.text)})

    @staticmethod
    def _csrf(html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def json(self, path, **params):
        answer = self.http.post(f"{self.url}{path}", json={"jsonrpc": "2.0", "method": "call", "params": params},
                                timeout=600).json()
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer.get("result")

    def quick_order(self, csv_data):
        """POST the quick order form with a CSV file; return the seconds the request took."""
        token = self._csrf(self.http.get(f"{self.url}/shop/quick-order", timeout=60).text)
        started = time.perf_counter()
        response = self.http.post(f"{self.url}/shop/quick-order/add", data={"csrf_token": token}, timeout=600,
                                  files={"csv_file": ("order.csv", csv_data, "text/csv")}, allow_redirects=False)
        elapsed = time.perf_counter() - started
        if response.status_code != 303:
            raise RuntimeError(f"the quick order was not added ({response.status_code})")
        return elapsed

    def cart_lines(self):
        return self.json("/shop/cart/quantity")


def new_cart(db):
    """Cancel the customer's cart, as a finished one: its next request starts a new, empty one.

    (Odoo's /shop/cart/clear unlinks lines one at a time, which is slower than filling the cart.)
    """
    import odoo
    from odoo.modules.registry import Registry

    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["sale.order"].search([("partner_id.email", "=", LOGIN), ("state", "=", "draft")])._action_cancel()


def floor(db, product_ids):
    """Seconds Odoo takes to create these products' lines in a new cart of the customer, at once."""
    import odoo
    from odoo.modules.registry import Registry

    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.partner"].search([("email", "=", LOGIN)], limit=1)
        cart = env["sale.order"].create({"partner_id": partner.id, "website_id": env.ref("website.default_website").id})
        env.flush_all()
        env.invalidate_all()
        started = time.perf_counter()
        env["sale.order.line"].create([
            {"order_id": cart.id, "product_id": product_id, "product_uom_qty": 1} for product_id in product_ids])
        env.flush_all()
        elapsed = time.perf_counter() - started
        cr.rollback()
    return elapsed


def cpu_reference():
    started = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - started


def csv_of(first, count):
    return "\n".join(f"BENCH-{number:04d};1" for number in range(first, first + count)).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=500, help="N, lines of the CSV file (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of (a) (default: %(default)s)")
    parser.add_argument("--odoo-sample", type=int, default=100, help="lines timed for (b) (default: %(default)s)")
    parser.add_argument("--db", default=f"b2b_bench_qo_{os.getpid()}")
    parser.add_argument("--port", type=int, help="HTTP port of the server (default: a free one)")
    args = parser.parse_args()

    addons_path = odoo_addons_path()
    ensure_postgres()
    print(f"Creating the scratch database {args.db} with b2b_invite...", flush=True)
    install = subprocess.run(odoo_command("-d", args.db, "--addons-path", addons_path, "-i", "b2b_invite",
                                          "--without-demo", "all", "--stop-after-init", "--log-level", "warn",
                                          "--http-port", str(free_port())), check=False, cwd=ROOT)
    try:
        if install.returncode:
            sys.exit(f"Installing b2b_invite on {args.db} failed (see the log above).")
        product_ids = setup(args.db, addons_path, args.lines)
        log = os.path.join(ROOT, ".logs", "bench_quick_order.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        # Threaded: in prefork mode, a server started with `python -m odoo` respawns its gevent
        # process in a loop (Odoo runs sys.argv[0], here odoo/__main__.py), which loads the machine.
        with OdooServer(args.db, workers=0, cron_workers=0, port=args.port, log=log,
                        extra=("--log-level", "warn")) as server:
            run(Shop(server.url), args, product_ids)
        print(f"(server log: {log})")
    finally:
        import odoo.sql_db

        odoo.sql_db.close_all()
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)


def run(shop, args, product_ids):
    count = args.lines
    shop.quick_order(csv_of(count, 10))  # warm-up: the server's caches, a cart
    ours = []
    for _run in range(args.runs):
        new_cart(args.db)
        ours.append(shop.quick_order(csv_of(0, count)))
        if shop.cart_lines() != count:
            raise RuntimeError(f"the cart does not hold the {count} lines")
    new_cart(args.db)

    started = time.perf_counter()
    for product_id in product_ids[:args.odoo_sample]:
        shop.json("/shop/cart/update_json", product_id=product_id, add_qty=1, display=False)
    per_line = (time.perf_counter() - started) / args.odoo_sample

    floor_s = min(floor(args.db, product_ids[:count]) for _run in range(2))  # the first one warms up

    best, median = min(ours), statistics.median(ours)
    odoo_total = per_line * count
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\n{count} lines into an empty cart, on {os.cpu_count()} CPU(s), load average {load}, "
          f"CPU reference {cpu_reference():.2f} s:")
    print(f"  (a) b2b_invite quick order, 1 request : best {best:6.2f} s, median {median:6.2f} s "
          f"({count / best:.0f} lines/s; runs: {', '.join(f'{value:.2f}' for value in ours)})")
    print(f"  (b) Odoo, 1 update_json per line      : {odoo_total:6.2f} s projected "
          f"({per_line * 1000:.0f} ms a line, on {args.odoo_sample} lines)")
    print(f"  (c) Odoo's sale.order.line.create     : {floor_s:6.2f} s (best of 2, in process, no HTTP, no check)")
    print(f"  ratio (b) / (a), best                 : {odoo_total / best:6.1f}x")
    print(f"  ratio (a) / (c), best                 : {best / floor_s:6.2f}")
    print(f"  goal: {count} lines in under 2 s: {'met' if best < 2 else 'NOT met'} on this run")


if __name__ == "__main__":
    main()

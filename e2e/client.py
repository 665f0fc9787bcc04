"""Talk to the e2e server as people and programs do: a browser session over HTTP, JSON-RPC as a user."""
import html
import json
import re
import time
import urllib.request
from urllib.parse import urljoin, urlsplit

import requests

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_RE = re.compile(r"<form(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.DOTALL)
CLASS_RE = re.compile(r'class="([^"]*)"')
ACTION_RE = re.compile(r'action="([^"]*)"')


class Rpc:
    """JSON-RPC (/jsonrpc) as one user, as an integration would call Odoo."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise RuntimeError(f"{login} cannot log in to {db}")

    def _call(self, service, method, *args):
        payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": args}}
        request = urllib.request.Request(f"{self.url}/jsonrpc", json.dumps(payload).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        if answer.get("error"):
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call("object", "execute_kw", self.db, self.uid, self.password, model, method, args, kwargs)


class Browser:
    """A person's browser: one session (cookies), pages fetched and forms posted with their CSRF token."""

    def __init__(self, url):
        self.url = url
        self.session = requests.Session()

    def path(self, link):
        """The path of a link from an email (its host is the database's, not this server's)."""
        parts = urlsplit(link)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def get(self, path, **kwargs):
        return self.session.get(self.url + path, timeout=60, **kwargs)

    def submit(self, page_path, form_class, **fields):
        """Open the page, then post its form of class `form_class` (with the form's CSRF token) where it says."""
        page = self.get(page_path)
        for form in FORM_RE.finditer(page.text):
            if form_class in (CLASS_RE.search(form["attrs"]) or [None, ""])[1].split():
                action = html.unescape(ACTION_RE.search(form["attrs"])[1])
                token = CSRF_RE.search(form["body"])[1]
                return self.session.post(urljoin(page.url, action), data={"csrf_token": token, **fields},
                                         allow_redirects=False, timeout=60)
        raise AssertionError(f"no form {form_class} on {page_path} ({page.status_code})")

    def json(self, path, **params):
        response = self.session.post(self.url + path, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                     timeout=60)
        return response.json()["result"]


def wait_until(check, timeout=60, every=0.5):
    """Call `check` until it returns something true; return it, or raise TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(every)

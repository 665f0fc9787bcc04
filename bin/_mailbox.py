"""A local SMTP mailbox for the demo, the end-to-end tests and the benchmarks: nothing leaves the machine.

An aiosmtpd server on loopback accepts every message and keeps it, in memory and, with a folder,
as one ``.eml`` file per message. As a script, it serves until stopped:

    python3 bin/_mailbox.py --port 2525 --dir .logs/mail

As a module, it runs in a thread for as long as a ``with`` block:

    with Mailbox(folder) as mailbox:      # mailbox.port: where Odoo's outgoing server points
        ...
        message = mailbox.wait_for(lambda m: m["To"] == "anna@example.com", timeout=60)

An outage: ``mailbox.refuse = True`` answers every message with a temporary failure (451), and
``mailbox.stop()`` makes the server unreachable until ``mailbox.start()``.
"""
import argparse
import contextlib
import email
import email.policy
import os
import socket
import threading
import time

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class Mailbox:
    """An SMTP server on loopback that keeps what it receives.

    :param folder: where to write each message as an .eml file (None: memory only)
    :param port: the port to listen on (0: a free one, see ``self.port``)
    """

    def __init__(self, folder=None, port=0, keep=True, on_message=None):
        self.folder = folder
        self.keep = keep  # False: count messages without keeping them (benchmarks)
        self.on_message = on_message  # called as on_message(message, path of its .eml file or None)
        self.messages = []
        self.count = 0
        self.refuse = False  # True: answer every message with a temporary failure (an outage)
        self._received = threading.Condition()
        self.port = port or _free_port()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Mailbox is refusing mail (outage)"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._received:
            self.count += 1
            if self.keep:
                self.messages.append(message)
            path = None
            if self.folder:
                path = os.path.join(self.folder, f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:05d}.eml")
                with open(path, "wb") as file:
                    file.write(envelope.content)
            self._received.notify_all()
        if self.on_message:
            self.on_message(message, path)
        return "250 Message accepted"

    def start(self):
        """Listen on `self.port`; a stopped mailbox starts again on the same port (an outage that ends)."""
        if self.folder:
            os.makedirs(self.folder, exist_ok=True)
        self._controller = Controller(self, hostname=HOST, port=self.port)
        self._controller.start()
        return self

    def stop(self):
        """Stop listening: the server is unreachable (connections refused) until `start()`."""
        if self._controller:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, match, timeout=60):
        """The first message for which ``match(message)`` is true, waiting up to `timeout` seconds.

        :raise TimeoutError: when none arrived in time
        """
        deadline = time.monotonic() + timeout
        with self._received:
            while True:
                for message in self.messages:
                    if match(message):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching mail within {timeout} s ({len(self.messages)} received)")
                self._received.wait(left)

    def wait_count(self, count, timeout=60):
        """Wait until `count` messages arrived in all; return the number received."""
        deadline = time.monotonic() + timeout
        with self._received:
            while self.count < count and (left := deadline - time.monotonic()) > 0:
                self._received.wait(left)
            return self.count


def body_text(message):
    """The text of a message (its HTML part when it has one), for finding links and codes in it."""
    part = message.get_body(preferencelist=("html", "plain"))
    return part.get_content() if part else ""


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", required=True, help="folder for the .eml files")
    args = parser.parse_args()
    with Mailbox(args.dir, args.port) as mailbox:
        print(f"SMTP mailbox on {HOST}:{mailbox.port}, mails in {os.path.abspath(args.dir)}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()

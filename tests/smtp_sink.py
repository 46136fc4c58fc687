"""Mail servers on 127.0.0.1 for the mail-queue tests: one that takes every
message (:class:`SmtpSink`), one that accepts connections and never says a
word (:class:`HangingServer`), and a port where nothing listens
(:func:`free_port`: connections are refused).

:class:`SmtpSink` speaks just enough SMTP (RFC 5321: greeting, EHLO/HELO,
MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) for Django's SMTP
backend, and keeps each message it is given, parsed.
"""

from __future__ import annotations

import email
import socket
import socketserver
import threading
from email.message import Message


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def verify_request(self, request, client_address) -> bool:
        # Called on the accepting thread, so in the order of arrival.
        self.owner.accepted(client_address)
        return True


class _Running:
    """A server on its own thread; a context manager that stops it."""

    def __init__(self, handler, port: int = 0):
        self.server = _Server(("127.0.0.1", port), handler)
        self.server.owner = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted(self, peer) -> None:
        """Called for each connection accepted, in order (``peer`` its address)."""

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink.test ESMTP")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250 8BITMIME")
            elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.owner.keep(self.read_data())
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b".") else line)
        return b"".join(lines)


class SmtpSink(_Running):
    """An SMTP server that accepts every message; ``messages`` holds them
    (``email.message.Message``), in the order received. ``port`` 0 picks a
    free port."""

    def __init__(self, port: int = 0):
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        super().__init__(_SmtpHandler, port)

    def keep(self, data: bytes) -> None:
        with self._lock:
            self.messages.append(email.message_from_bytes(data))

    def message_ids(self) -> list[str]:
        """The ``Message-ID`` of each message received, in order."""
        with self._lock:
            return [m["Message-ID"] for m in self.messages]


class _HangingHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.server.owner.release.wait()  # never a greeting


class HangingServer(_Running):
    """A mail server that accepts each connection and never answers (no
    greeting), until closed. ``peers`` lists the address of each connection
    accepted, in order."""

    def __init__(self):
        self.peers: list[tuple[str, int]] = []
        self.release = threading.Event()
        self._changed = threading.Condition()
        super().__init__(_HangingHandler)

    def accepted(self, peer) -> None:
        with self._changed:
            self.peers.append(peer)
            self._changed.notify_all()

    def connections_so_far(self) -> int:
        """How many connections reached this server before now. A probe
        connection is made and awaited: connections are accepted in the
        order they arrived, so every earlier one has been counted by the
        time the probe is (the probe itself is not counted)."""
        with socket.create_connection(("127.0.0.1", self.port)) as probe:
            me = probe.getsockname()
            with self._changed:
                self._changed.wait_for(lambda: me in self.peers, timeout=30)
                earlier = self.peers.index(me)
                self.peers.remove(me)
        return earlier

    def close(self) -> None:
        self.release.set()
        super().close()

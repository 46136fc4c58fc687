"""Private instances of the services a fault stops: a Redis and a PostgreSQL
cluster of the test's own, on free loopback ports, never the machine's
shared ones.

- :class:`PrivateRedis`: ``redis-server`` (Debian's ``redis-server``
  package) with no persistence, so a restart comes back empty.
- :class:`PrivateCluster`: a cluster made with Debian's ``initdb`` in a
  temporary folder and run with ``pg_ctl``, as the ``postgres`` user
  (``runuser``), since ``initdb`` refuses to run as root; the folder is
  owned by ``postgres``. Connections over TCP on 127.0.0.1, ``trust``. One cluster serves
  the whole run; each test gets a database of its own in it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from tests.faults.site import free_port


class PrivateRedis:
    """``redis-server`` on a free port; :meth:`stop` kills it (SIGKILL, as a
    crash would), :meth:`start` starts it again on the same port."""

    def __init__(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: `make test` installs Debian's redis-server"
        self.binary, self.port, self.process = binary, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def keys(self) -> int:
        """How many keys the cache holds now."""
        return self.client().dbsize()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"{name} is missing: Debian's postgresql package provides it"
    return found[-1]  # the newest major version installed


class PrivateCluster:
    """A PostgreSQL cluster of the test's own (see module docs), with no
    database of the site's yet: :meth:`database_create` makes one (from a
    prepared template database, quicker than migrating) and gives its
    ``DATABASE_URL``."""

    def __init__(self):
        self.user = pwd.getpwnam("postgres")
        self.folder = Path(tempfile.mkdtemp(prefix="faults-pg-", dir="/tmp"))
        os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self.data, self.port = self.folder / "data", free_port()
        self._as_postgres(_postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres",
                          "--auth=trust", "--no-sync", "-E", "UTF8")  # fmt: skip
        self.start()

    def url(self, dbname: str) -> str:
        """The ``DATABASE_URL`` of database ``dbname`` on this cluster."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def database_create(self, dbname: str, template: str = "template1") -> str:
        """Create database ``dbname`` as a copy of ``template`` (which nobody
        may be connected to); its ``DATABASE_URL``."""
        with self.connect("postgres") as connection:
            connection.autocommit = True
            connection.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{template}"')
        return self.url(dbname)

    def database_drop(self, dbname: str) -> None:
        """Drop database ``dbname``, ending its connections first."""
        with self.connect("postgres") as connection:
            connection.autocommit = True
            connection.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def server_version(self) -> int:
        """The server's version as a number (``server_version_num``: 150020
        for 15.20)."""
        with self.connect("postgres") as connection:
            return int(connection.execute("SHOW server_version_num").fetchone()[0])

    def _as_postgres(self, *command: str) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            cwd=self.folder, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(_postgres_bin("pg_ctl"), "-D", str(self.data), "-l",
                          str(self.folder / "log"), "-o", options, "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the server now (``-m fast``: open connections are ended)."""
        self._as_postgres(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast",
                          "-w", "stop")  # fmt: skip

    def running(self) -> bool:
        """Whether the server runs (``pg_ctl status``)."""
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", _postgres_bin("pg_ctl"), "-D", str(self.data),
             "status"], cwd=self.folder, capture_output=True, timeout=30,
        )  # fmt: skip
        return done.returncode == 0

    def connect(self, dbname: str) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, connect_timeout=5
        )

    def terminate_connections(self, dbname: str) -> int:
        """``pg_terminate_backend`` every other connection to ``dbname``;
        how many were ended."""
        with self.connect(dbname) as connection:
            return connection.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            ).fetchone()[0]

    def remove(self) -> None:
        with contextlib.suppress(AssertionError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

"""Backup and restore on PostgreSQL (advice/backup.py: ``pg_dump
--format=custom``, ``pg_restore``), taken from a site under load.

``manage.py backup_site`` runs while readers read and writers post
comments; the backup is restored with ``manage.py restore_site`` into a
database that is empty (not even migrated) on the same private cluster,
and a second site on it answers the same pages, over HTTP, as the first.
The copy is consistent: every comment acknowledged before the backup
began is in it, and nothing that the running site does not hold.

``pg_dump`` refuses a server newer than itself, and ``pg_restore`` a dump
newer than itself: the binaries the backup runs (``/usr/bin``, Debian's
``pg_wrapper``, as advice/backup.py calls them) are checked to be of the
cluster's major version first. (The SQLite backup is tested in
tests/advice/test_backup.py.)
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.faults.load import Load, request
from tests.faults.site import ARTICLE, SEARCH_WORD, Site, manage, process_stop, server_start

pytestmark = [pytest.mark.slow, pytest.mark.faults]

PAGES = ["/", f"/articles/{ARTICLE}/", f"/search/?q={SEARCH_WORD}", "/feed/"]
UPLOAD = "uploads/2026/kept.png"

APPROVED_COMMENT = f"""
from advice.models import Article, Comment
Comment.objects.create(article=Article.objects.get(slug={ARTICLE!r}), author_name="Zoë",
    author_email="z@faults.test", body="backup: kept across the restore", status="approved")
"""


def _major(binary: str) -> int:
    """The major version of ``binary --version`` ("pg_dump (PostgreSQL) 15.20 ...")."""
    out = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    return int(re.search(r"\) (\d+)", out).group(1))


def _pages(url: str) -> dict[str, tuple[int | None, str]]:
    """Each of :data:`PAGES` at ``url``: its status and its page, less the
    per-request values (CSRF token, signed form time) in ``value``
    attributes."""
    pages = {}
    for path in PAGES:
        status, _, page = request(url, path)
        pages[path] = status, re.sub(r'value="[^"]*"', "", page)
    return pages


def test_postgres_backup_of_a_running_site_restores_the_same_pages(postgres_site, tmp_path):
    site, cluster = postgres_site, postgres_site.cluster
    server_major = cluster.server_version() // 10000
    assert _major("pg_dump") == server_major
    assert _major("pg_restore") == server_major

    env = site.env()
    manage(env, "shell", "-c", APPROVED_COMMENT)
    (site.root / "media" / UPLOAD).parent.mkdir(parents=True)
    (site.root / "media" / UPLOAD).write_bytes(b"\x89PNG pixels")
    backups = tmp_path / "backups"
    server = server_start(env, site.root)
    try:
        with Load(server.url, "backup") as load:
            load.wait_for("comment", 303, time.monotonic())
            began = time.monotonic()
            manage(env, "backup_site", "--output", str(backups))
            load.wait_for("comment", 303, time.monotonic())  # writes carried on
        acknowledged_before = {
            o.body for o in load.outcomes if o.kind == "comment" and o.status == 303
            and o.at < began
        }  # fmt: skip
        source_pages = _pages(server.url)
    finally:
        process_stop(server.process)

    (folder,) = backups.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "manifest.json", "media"]

    empty_name = f"{site.dbname}_restored"
    empty = Site(site.database, tmp_path / "restored",
                 cluster.database_create(empty_name, template="template0"),
                 dbname=empty_name, cluster=cluster)  # fmt: skip
    empty.root.mkdir()
    (empty.root / "static").symlink_to((site.root / "static").resolve())
    empty_env = {**empty.env(), "SECRET_KEY": env["SECRET_KEY"]}
    try:
        manage(empty_env, "restore_site", str(folder))
        restored = empty.stored("backup")
        source = site.stored("backup")
        assert acknowledged_before, load.summary()
        assert acknowledged_before <= set(restored)  # consistent: nothing committed is missing
        assert set(restored) <= set(source)
        assert max(restored.values()) == 1
        assert (empty.root / "media" / UPLOAD).read_bytes() == b"\x89PNG pixels"

        server = server_start(empty_env, empty.root)
        try:
            restored_pages = _pages(server.url)
        finally:
            process_stop(server.process)
    finally:
        cluster.database_drop(empty_name)

    assert all(status == 200 for status, _ in source_pages.values()), source_pages
    assert "backup: kept across the restore" in source_pages[f"/articles/{ARTICLE}/"][1]
    assert restored_pages == source_pages

"""Backup and restore of the whole site: its database and uploaded media.

``manage.py backup_site`` (``make backup``) writes a consistent copy while
the site runs into ``backups/<UTC timestamp>/``:

- SQLite: the file is copied with SQLite's online backup API
  (``sqlite3.Connection.backup``), which copies a consistent snapshot page
  by page while readers and writers carry on (a plain file copy of a WAL
  database can catch it half-written). Written as ``db.sqlite3``.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, taken
  without blocking the site), written as ``database.dump``.
- ``MEDIA_ROOT`` (editor uploads) copied into ``media/``.
- ``manifest.json``: the database engine, the time, what was written.

``manage.py restore_site DIR`` (``make restore BACKUP=DIR``) brings a backup
back into the configured database and ``MEDIA_ROOT``. It refuses a
database that already holds content (any article, comment, reader
question or user) unless told ``--force`` (``FORCE=1``), so a mistyped
command cannot overwrite a live site. A backup restores only into the
same engine it was taken from.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

SQLITE_FILE = "db.sqlite3"
PG_DUMP_FILE = "database.dump"
MANIFEST = "manifest.json"
CONTENT_TABLES = ("advice_article", "advice_comment", "advice_readerquestion", "auth_user")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _pg_args() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump / pg_restore, and the environment
    carrying the password (never on the command line)."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"], "--host", db["HOST"] or "localhost"]
    if db["PORT"]:
        args += ["--port", str(db["PORT"])]
    if db["USER"]:
        args += ["--username", db["USER"]]
    env = {"PATH": "/usr/bin:/bin"}
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup_create(root: Path, *, now: datetime) -> Path:
    """Write a backup of the database and ``MEDIA_ROOT`` into
    ``root/<now as YYYYmmddTHHMMSSZ>/``; returns that folder. Raises
    :class:`BackupError` (the folder exists already, pg_dump failed)."""
    engine = _engine()
    folder = Path(root) / now.strftime("%Y%m%dT%H%M%SZ")
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        raise BackupError(f"{folder} exists already.") from None
    if engine == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(folder / SQLITE_FILE)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        database = SQLITE_FILE
    else:
        args, env = _pg_args()
        _run(["pg_dump", "--format=custom", "--file", str(folder / PG_DUMP_FILE), *args], env)
        database = PG_DUMP_FILE
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, folder / "media")
    manifest = {"engine": engine, "taken_at": now.isoformat(), "database": database,
                "media": media.is_dir()}  # fmt: skip
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def database_has_content() -> bool:
    """Whether the configured database holds any article, comment, reader
    question or user (a migrated but empty site holds none)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in CONTENT_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def backup_restore(folder: Path, *, force: bool = False) -> dict:
    """Restore the backup in ``folder`` (:func:`backup_create`) into the
    configured database and ``MEDIA_ROOT``; returns its manifest. Raises
    :class:`BackupError` when the folder is not a backup, was taken from
    another engine, or the database holds content and ``force`` is off."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{folder} is not a backup (no readable {MANIFEST}).") from None
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(f"This backup is of {manifest.get('engine')}; the site runs {engine}.")
    if not force and database_has_content():
        raise BackupError(
            "The database already holds content; restoring would replace it. "
            "Run again with --force (make restore FORCE=1) to do so."
        )
    if engine == "sqlite":
        target_path = connection.settings_dict["NAME"]
        connection.close()
        source = sqlite3.connect(folder / SQLITE_FILE)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)  # replaces every page, under the write lock
        finally:
            target.close()
            source.close()
    else:
        args, env = _pg_args()
        connection.close()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              *args, str(folder / PG_DUMP_FILE)], env)  # fmt: skip
    if manifest.get("media") and (folder / "media").is_dir():
        shutil.copytree(folder / "media", Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    return manifest

"""Concurrency tests on a real SQLite *file*, in a subprocess.

The test runner's SQLite database lives in memory behind one connection
cache, so it cannot show writers queueing on the write lock. A test module
that needs that runs its own ``main()`` in a fresh Python process
(:func:`run_module_main`), which first calls :func:`migrated_sqlite_file`
and ends by printing one ``RESULT <json>`` line (:func:`print_result`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = "RESULT "


def migrated_sqlite_file(path: str, **environment: str) -> str:
    """In a subprocess: point Django at the SQLite file ``path`` (never a
    ``DATABASE_URL``), set ``environment`` (setting overrides read from the
    environment, e.g. ``COMMENTS_TIMING_RULES="0"``), set Django up and
    migrate. Returns the file's journal mode (``"wal"`` expected)."""
    os.environ["SQLITE_PATH"] = path
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    assert connection.vendor == "sqlite"
    assert connection.settings_dict["NAME"] == path
    journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    return journal


def print_result(result: dict) -> None:
    """In a subprocess: hand ``result`` back to :func:`run_module_main`."""
    print(RESULT + json.dumps(result))


def run_module_main(module: str, *args: str) -> dict:
    """Run ``module.main()`` in a fresh Python process with ``sys.argv`` =
    ``[-c, *args, <a new SQLite file>]``; return what it printed with
    :func:`print_result`. Fails when the process fails, prints no result or
    ever saw "database is locked"."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "concurrency.sqlite3")
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
        done = subprocess.run(
            [sys.executable, "-c", f"import {module} as m; m.main()", *args, path],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    assert done.returncode == 0, done.stderr[-3000:]
    assert lines, done.stderr[-3000:]
    assert "database is locked" not in done.stderr
    return json.loads(lines[-1][len(RESULT) :])

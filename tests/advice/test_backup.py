"""Backup and restore (advice/backup.py): a backup taken from a running
site, restored into an empty site, gives the same pages and the same
uploaded media; a site that holds content is not overwritten unless told.

Each site is a production-like process of its own (``DEBUG=0``) on a SQLite
file, as the commands run in real use: ``manage.py backup_site`` and
``manage.py restore_site`` in subprocesses, the pages read with Django's
test client in the restored site's own process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.faults.site import ARTICLE, ROOT, manage, site_env, site_prepare

pytestmark = pytest.mark.slow

PAGES = ["/", f"/articles/{ARTICLE}/", "/search/?q=interview", "/feed/"]

ADD_COMMENT = f"""
from advice.models import Article, Comment
Comment.objects.create(article=Article.objects.get(slug={ARTICLE!r}), author_name="Zoë",
    author_email="z@x.test", body="Kept across the restore", status="approved")
"""

READ_PAGES = f"""
import json
from django.test import Client
client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
pages = {{}}
for path in {PAGES!r}:
    response = client.get(path)
    pages[path] = [response.status_code, response.content.decode()]
print("PAGES " + json.dumps(pages))
"""


def _pages(env) -> dict:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ_PAGES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("PAGES "))
    pages = json.loads(line[len("PAGES ") :])
    # Per-request tokens (CSRF, the signed form time) differ from one request to the next.
    return {
        path: (status, re.sub(r'value="[^"]*"', "", html)) for path, (status, html) in pages.items()
    }


@pytest.fixture(scope="module")
def static(tmp_path_factory) -> str:
    """Static files collected once for every site of this module."""
    folder = tmp_path_factory.mktemp("static")
    manage(site_env(folder, STATIC_ROOT=str(folder)), "collectstatic", "--noinput", "-v", "0")
    return str(folder)


@pytest.fixture
def sites(tmp_path, static):
    """A site with content and an upload, and an empty migrated site."""
    source = site_env(tmp_path / "source", STATIC_ROOT=static)
    empty = {**site_env(tmp_path / "empty", STATIC_ROOT=static), "SECRET_KEY": source["SECRET_KEY"]}
    (tmp_path / "source").mkdir()
    (tmp_path / "empty").mkdir()
    site_prepare(source)
    manage(source, "shell", "-c", ADD_COMMENT)
    upload = tmp_path / "source" / "media" / "uploads" / "2026" / "a.png"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"\x89PNG pixels")
    manage(empty, "migrate", "--noinput", "--verbosity", "0")
    return source, empty, tmp_path


def test_a_backup_restored_into_an_empty_site_gives_the_same_pages(sites):
    source, empty, tmp = sites
    out = manage(source, "backup_site", "--output", str(tmp / "backups"))
    (folder,) = (tmp / "backups").iterdir()
    assert str(folder) in out
    assert sorted(p.name for p in folder.iterdir()) == ["db.sqlite3", "manifest.json", "media"]

    manage(empty, "restore_site", str(folder))

    before, after = _pages(source), _pages(empty)
    assert all(status == 200 for status, _ in before.values()), before
    assert after == before
    assert "Kept across the restore" in after[f"/articles/{ARTICLE}/"][1]
    restored = tmp / "empty" / "media" / "uploads" / "2026" / "a.png"
    assert restored.read_bytes() == b"\x89PNG pixels"


def test_restore_refuses_a_site_with_content_unless_forced(sites):
    source, empty, tmp = sites
    manage(source, "backup_site", "--output", str(tmp / "backups"))
    (folder,) = (tmp / "backups").iterdir()
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore_site", str(folder)],
        cwd=ROOT, env=source, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "already holds content" in refused.stderr
    assert "--force" in refused.stderr
    manage(source, "restore_site", str(folder), "--force")
    assert _pages(source)[f"/articles/{ARTICLE}/"][0] == 200


def test_restore_refuses_a_folder_that_is_not_a_backup(sites, tmp_path):
    _, empty, _ = sites
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore_site", str(tmp_path / "nothing")],
        cwd=ROOT, env=empty, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "is not a backup" in refused.stderr

"""Valid HTML: the W3C Nu HTML checker (the npm package vnu-jar, pinned in
package.json, run on Debian's Java) finds no errors in the pages as the
server sends them, including the pages' other states (a refused comment, a
refused question, a no-JavaScript note post-back).

The checker is slow to start, so it runs once over all the saved pages. The
pages are written to ``ci-output/html/`` where CI keeps them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from advice.models import Article
from tests.browser.conftest import NODE_MODULES, REPO, required_tool

pytestmark = pytest.mark.browser

HTML_OUT = REPO / "ci-output" / "html"


def nu_check(files: list[Path]) -> list[dict]:
    """Run the Nu checker on ``files``; its messages (dicts with ``type``
    "error" / "info" / "non-document-error", ``url``, ``lastLine``,
    ``message``). Fails the test when Java or vnu.jar is missing in CI."""
    jar = required_tool(
        NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar", "`make test` runs npm ci"
    )
    java = shutil.which("java")
    required_tool(Path(java or "/usr/bin/java"), "`make test` installs default-jre-headless")
    completed = subprocess.run(
        [java or "java", "-jar", str(jar), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,  # seconds; it takes a few
        check=False,
    )
    return json.loads(completed.stdout)["messages"]


def test_pages_pass_the_nu_html_checker(client, demo_site, make_comment, timing_rules_off):
    article = Article.objects.get(slug="how-long-to-wait-before-following-up")
    make_comment(article, author_name="נועה", body="תודה!\n\nSee https://example.com/a?b=1&c=2")
    pages: dict[str, tuple[int, object]] = {
        name: ((404 if name == "not-found" else 200), client.get(path))
        for name, path in demo_site.items()
    }
    pages["topic"] = (200, client.get("/topics/interviews/"))
    pages["note-list"] = (200, client.get("/notes/"))
    pages["search-none"] = (200, client.get("/search/?q=zebra"))
    pages["comment-refused"] = (
        400,
        client.post(
            f"{article.get_absolute_url()}comments/",
            {"name": "", "email": "nope", "body": "Kept <b>text</b>"},
        ),
    )
    pages["ask-refused"] = (400, client.post("/ask/", {"email": "nope", "question": ""}))
    pages["ask-thanks"] = (200, client.get("/ask/thanks/"))
    pages["drafter-posted"] = (
        200,
        client.post(
            "/notes/thank-you-after-interview/",
            {"blank_1": "Jordan", "ended_date": "2025-03-07", "ended_time": "16:30", "tz": "UTC"},
        ),
    )

    HTML_OUT.mkdir(parents=True, exist_ok=True)
    files = []
    for name, (status, response) in pages.items():
        assert response.status_code == status, name
        assert response["Content-Type"].startswith("text/html"), name
        path = HTML_OUT / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)

    messages = nu_check(files)
    errors = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] != "info"
    ]
    assert errors == []

"""Production configuration: ``check --deploy`` is clean, responses carry the
security headers and the Content Security Policy, static files are hashed and
compressed, and ``/healthz`` tells a load balancer whether the database answers.

Settings are read once, from the environment, when Django starts; so what
production does is checked in a fresh Python process started with production
environment variables (``DEBUG=0``, a real ``SECRET_KEY``, ``ALLOWED_HOSTS``),
a SQLite file and a ``STATIC_ROOT`` of its own.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

# Seconds each (servers, threads or large inputs): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
HOST = "advice.example"
EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Runs inside the production process: requests through Django's test client
# (the whole middleware stack, WhiteNoise included), answers as JSON.
REQUEST_SCRIPT = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client()
answers = []
for spec in json.loads(sys.argv[1]):
    response = client.get(spec["path"], headers=spec.get("headers", {}))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    answers.append({
        "status": response.status_code,
        "headers": {name.lower(): value for name, value in response.headers.items()},
        "body": body.decode("latin-1"),
        "cookies": {name: morsel.OutputString() for name, morsel in response.cookies.items()},
    })
print(json.dumps(answers))
"""


def production_env(root: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production process whose files live under ``root``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "CACHE_URL", "REDIS_URL", "SECURE_SSL_REDIRECT"}
        and not name.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        SQLITE_PATH=str(root / "db.sqlite3"),
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "media"),
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def production_get(env: dict[str, str], *requests: dict) -> list[dict]:
    """GET each request spec (``path``, optional ``headers``) in a production process."""
    done = run(["-c", REQUEST_SCRIPT, json.dumps(list(requests))], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, str]:
    """A migrated, collectstatic'ed production site; its environment."""
    env = production_env(tmp_path_factory.mktemp("production"))
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = run(["manage.py", *command, "--verbosity", "0"], env)
        assert done.returncode == 0, done.stderr
    return env


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def via_proxy(path: str, **headers: str) -> dict:
    """A request as the TLS-terminating proxy forwards it."""
    return {"path": path, "headers": {"Host": HOST, "X-Forwarded-Proto": "https", **headers}}


# --- check --deploy ------------------------------------------------------------------


def test_check_deploy_warns_about_a_development_site_url(tmp_path):
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path, SITE_URL="http://127.0.0.1:8000"),
    )
    assert done.returncode != 0
    assert "advice.W001" in done.stderr + done.stdout


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "System check identified no issues (0 silenced).\n"
    assert done.stderr == ""


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    done = run(["manage.py", "check"], env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


# --- Headers in production -----------------------------------------------------------


def test_production_pages_carry_the_security_headers(production):
    home, admin_login = production_get(production, via_proxy("/"), via_proxy("/admin/login/"))
    for page in (home, admin_login):
        assert page["status"] == 200
        headers = page["headers"]
        assert headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert parse_csp(headers["content-security-policy"]) == EXPECTED_CSP
    assert "; Secure" in admin_login["cookies"]["csrftoken"]


def test_production_redirects_plain_http_to_https_but_not_healthz(production):
    page, health = production_get(
        production,
        {"path": "/topics/", "headers": {"Host": HOST}},
        {"path": "/healthz", "headers": {"Host": HOST}},
    )
    assert page["status"] == 301
    assert page["headers"]["location"] == f"https://{HOST}/topics/"
    assert health["status"] == 200
    assert health["body"].startswith("ok\n")  # then the queue backlog


def test_production_refuses_unknown_hosts(production):
    (page,) = production_get(production, via_proxy("/", Host="evil.example"))
    assert page["status"] == 400


def test_production_static_files_are_hashed_compressed_and_cached_forever(production):
    (home,) = production_get(production, via_proxy("/"))
    parser = LinkedFiles()
    parser.feed(home["body"])
    (stylesheet,) = [href for href in parser.stylesheets if "/css/site." in href]
    assert stylesheet.startswith("/static/css/site.")
    assert stylesheet != "/static/css/site.css"  # the name carries the content's hash

    gzipped, plain = production_get(
        production,
        via_proxy(stylesheet, **{"Accept-Encoding": "gzip"}),
        via_proxy(stylesheet),
    )
    assert gzipped["status"] == plain["status"] == 200
    assert gzipped["headers"]["content-encoding"] == "gzip"
    assert "content-encoding" not in plain["headers"]
    assert len(gzipped["body"]) < len(plain["body"])
    assert "immutable" in gzipped["headers"]["cache-control"]
    assert "max-age=315360000" in gzipped["headers"]["cache-control"]
    assert gzipped["headers"]["vary"] == "Accept-Encoding"


# --- /healthz ----------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content.startswith(b"ok\n")  # then the queue backlog


@pytest.mark.parametrize(
    "database",
    [
        # A SQLite file in a folder that does not exist cannot be opened.
        {"SQLITE_PATH": "/nonexistent-folder/for-sure/db.sqlite3"},
        # Nothing listens on port 1: the PostgreSQL connection is refused at once.
        {"DATABASE_URL": "postgres://advice@127.0.0.1:1/advice"},
    ],
    ids=["sqlite-unopenable", "postgres-unreachable"],
)
def test_healthz_answers_503_when_the_database_does_not(tmp_path, database):
    env = production_env(tmp_path, **database)
    (health,) = production_get(env, via_proxy("/healthz"))
    assert health["status"] == 503
    assert health["body"] == "database unavailable\n"


# --- CSP and our pages -------------------------------------------------------------------


class LinkedFiles(HTMLParser):
    """Finds stylesheets and every inline script or style in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stylesheets: list[str] = []
        self.inline: list[str] = []
        self.script_srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        if tag == "style":
            self.inline.append("<style> element")
        if "style" in attrs:
            self.inline.append(f"style attribute on <{tag}>")
        for name in attrs:
            if name.startswith("on"):
                self.inline.append(f"{name} attribute on <{tag}>")
        if tag == "script":
            kind = (attrs.get("type") or "").lower()
            if attrs.get("src"):
                self.script_srcs.append(attrs["src"])
            elif kind not in ("application/json", "application/ld+json"):
                self.inline.append("inline <script>")
        href = attrs.get("href") or ""
        if href.lower().startswith("javascript:"):
            self.inline.append(f"javascript: link on <{tag}>")


def page_files(response) -> LinkedFiles:
    parser = LinkedFiles()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def site_pages(make_article, make_topic, make_comment):
    topic = make_topic(name="Interviews", slug="interviews")
    article = make_article(title="After the interview", slug="after-interview", topics=[topic])
    make_comment(article)
    return [
        reverse("advice:home"),
        reverse("advice:article_detail", args=[article.slug]),
        reverse("advice:topic_list"),
        reverse("advice:topic_detail", args=[topic.slug]),
        "/no-such-page/",
    ]


def test_public_pages_have_csp_and_no_inline_script_or_style(client, site_pages):
    for path in site_pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP, path
        assert page_files(response).inline == [], path


def test_admin_article_editor_works_under_the_csp(staff_client, site_pages):
    response = staff_client.get(reverse("admin:advice_article_add"))
    assert response.status_code == 200
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    files = page_files(response)
    assert files.inline == []
    # Every script is a file of our own origin ('self'), the editor's included.
    assert all(src.startswith("/") and not src.startswith("//") for src in files.script_srcs)
    assert any("markdownx/js/markdownx" in src for src in files.script_srcs)
    assert any("admin/js/prepopulate" in src for src in files.script_srcs)

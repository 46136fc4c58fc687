"""The shipped front cache (deploy/nginx.conf, issue 14 item 4): Debian's
nginx, run with that very file, in front of the production server.

The site values of the file (the lines marked ``# SITE:``: app servers,
ports, certificate, folders) are replaced by a temporary folder's; every
other line runs as shipped. nginx terminates TLS with a certificate made for
the test (``openssl``), as it does in production, so the app sees
``X-Forwarded-Proto: https`` from nginx alone. The app is ``gunicorn
config.wsgi`` with ``DEBUG=0`` (tests/faults/site.py), its access log
counting what reached it. One trusted proxy stands before nginx (the test's
``X-Forwarded-For``), so ``COMMENTS_TRUSTED_PROXIES=2``.

Checked: a stateless page's repeat is a hit from nginx that the app never
sees, with the security headers of a miss; a reader with a session,
remember-me or held-comment cookie gets their own page, never from or into
the cache; a POST reaches the app; the admin is never stored; static files
come from nginx with their cache headers; plain HTTP goes to https.

nginx must be installed (``make test`` installs Debian's, ``make
nginx-deps``): without it these tests fail, they never skip.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.faults.site import (
    ARTICLE,
    ROOT,
    free_port,
    manage,
    process_stop,
    server_start,
    site_env,
    site_prepare,
)
from tests.live_http import FormInputs, NoRedirect

# Real nginx and gunicorn processes: seconds each; `make test-fast` leaves them out.
pytestmark = pytest.mark.slow

CONF = ROOT / "deploy" / "nginx.conf"
ARTICLE_PATH = f"/articles/{ARTICLE}/"
LOG_WAIT = 2.0  # seconds for gunicorn to write a request's access-log line
SECURITY_HEADERS = (
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
)

# Runs in the site's process: the stored comments of the article as JSON.
STORED_COMMENTS = f"""
import json
from advice.models import Comment
print(json.dumps([{{"body": c.body, "ip": c.ip_address, "status": c.status}}
                  for c in Comment.objects.filter(article__slug={ARTICLE!r})]))
"""


def nginx_binary() -> str:
    """Debian's nginx (``/usr/sbin``, which a non-root PATH may lack)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    assert found, "nginx is not installed: `make nginx-deps` installs Debian's (make test does)"
    return found


def site_conf(*, app_port: int, https_port: int, http_port: int, root: Path) -> str:
    """deploy/nginx.conf with its ``# SITE:`` values set for a run under ``root``.

    Each replaced line must be found exactly once, and no ``# SITE:`` line may
    be left over: a change to the shipped values fails here, not silently."""
    text = CONF.read_text()
    values = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "proxy_cache_path /var/cache/nginx/advice": f"proxy_cache_path {root / 'cache'}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server_name advice.example;": "server_name 127.0.0.1;",
        "ssl_certificate /etc/letsencrypt/live/advice.example/fullchain.pem;": (
            f"ssl_certificate {root / 'cert.pem'};"
        ),
        "ssl_certificate_key /etc/letsencrypt/live/advice.example/privkey.pem;": (
            f"ssl_certificate_key {root / 'key.pem'};"
        ),
        "access_log /var/log/nginx/advice-access.log;": f"access_log {root / 'access.log'};",
        "error_log /var/log/nginx/advice-error.log;": f"error_log {root / 'error.log'};",
        "alias /srv/advice/staticfiles/;": f"alias {root / 'static'}/;",
        "alias /srv/advice/media/;": f"alias {root / 'media'}/;",
    }
    lines = []
    for line in text.splitlines():
        code, marker, _ = line.partition("# SITE:")
        if marker and not line.lstrip().startswith("#"):
            key = code.strip()
            assert key in values, f"deploy/nginx.conf: unknown site value {key!r}"
            line = code.replace(key, values[key]).rstrip()
        lines.append(line)
    for key in values:
        assert key in text, f"{key!r} is no longer in deploy/nginx.conf"
    return "\n".join(lines) + "\n"


def nginx_prepare(root: Path, *, app_port: int, https_port: int, http_port: int) -> list[str]:
    """Everything nginx needs to run deploy/nginx.conf under ``root`` in front
    of ``app_port``: its folders, a throwaway self-signed certificate (openssl,
    one day), ``site.conf`` (:func:`site_conf`) and ``nginx.conf``
    (:func:`main_conf`). Returns the command that runs it, without ``-t`` or
    ``-g 'daemon off;'`` (the caller adds what it needs)."""
    for name in ("cache", "media", "temp"):
        (root / name).mkdir(exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(root / "key.pem"),
         "-out", str(root / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (root / "site.conf").write_text(
        site_conf(app_port=app_port, https_port=https_port, http_port=http_port, root=root)
    )
    (root / "nginx.conf").write_text(main_conf(root))
    return [nginx_binary(), "-p", str(root), "-e", str(root / "error.log"),
            "-c", str(root / "nginx.conf")]  # fmt: skip


def main_conf(root: Path) -> str:
    """nginx's main file for a run under ``root``: Debian's MIME types and the
    shipped site file inside ``http { }``, every path nginx writes under
    ``root`` (so no root-owned /var folder is needed)."""
    temp = root / "temp"
    # As root, nginx's workers would run as "nobody", who can't read the tests'
    # private temporary folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        f"    client_body_temp_path {temp / 'body'};\n"
        f"    proxy_temp_path {temp / 'proxy'};\n"
        f"    fastcgi_temp_path {temp / 'fastcgi'};\n"
        f"    uwsgi_temp_path {temp / 'uwsgi'};\n"
        f"    scgi_temp_path {temp / 'scgi'};\n"
        f"    include {root / 'site.conf'};\n"
        "}\n"
    )


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def cache(self) -> str:
        """nginx's ``X-Cache-Status`` (empty when the cache was not asked)."""
        return self.headers.get("X-Cache-Status", "")


class Front:
    """nginx on ``https_port`` (and ``http_port``) in front of gunicorn."""

    _ips = itertools.count(1)

    def __init__(self, root: Path, https_port: int, http_port: int, app_log: Path, env: dict):
        self.root, self.app_log, self.env = root, app_log, env
        self.url = f"https://127.0.0.1:{https_port}"
        self.plain_url = f"http://127.0.0.1:{http_port}"
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPSHandler(context=context)
        )

    def request(self, path, *, data=None, cookies=None, headers=None, base=None) -> Answer:
        """GET (or POST ``data``) ``path`` through nginx; redirects not followed."""
        sent = {"X-Forwarded-For": f"203.0.113.{next(self._ips) % 250 + 1}", **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request((base or self.url) + path, data=body, headers=sent)
        try:
            response = self.opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            response = error
        with response:
            return Answer(response.status, response.headers, response.read().decode())

    def app_requests(self, method: str, path: str) -> int:
        """How many ``method path`` requests gunicorn has answered so far."""
        wanted = f"{method} {path} "
        return sum(line.startswith(wanted) for line in self.app_log.read_text().splitlines())

    def app_requests_settled(self, method: str, path: str) -> int:
        """:meth:`app_requests` once the access log has stopped growing for
        0.3 s (a request just answered may not be written yet)."""
        count, deadline = self.app_requests(method, path), time.monotonic() + LOG_WAIT
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.app_requests(method, path)
            if now == count:
                break
            count = now
        return count

    def app_saw(self, method: str, path: str, before: int, expected: int) -> int:
        """How many more ``method path`` requests than ``before`` the app has
        answered, once its access log shows ``expected`` of them (or after
        :data:`LOG_WAIT` seconds)."""
        deadline = time.monotonic() + LOG_WAIT
        while (seen := self.app_requests(method, path) - before) < expected:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return seen

    def stored_comments(self) -> list[dict]:
        return json.loads(manage(self.env, "shell", "-c", STORED_COMMENTS).splitlines()[-1])

    def post_comment(self, body: str, ip: str) -> tuple[Answer, SimpleCookie]:
        """A stateless reader's comment, as a browser on the site posts it:
        the form read from the page, its cookies sent back; returns the answer
        and the cookies it set."""
        page = self.request(ARTICLE_PATH)
        assert page.status == 200, page.status
        form = FormInputs("commentform")
        form.feed(page.body)
        cookies = SimpleCookie()
        for value in page.headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        data = {**form.values, "name": "Front Reader", "email": f"{ip}@front.test",
                "url": "", "honeypot": "", "body": body}  # fmt: skip
        answer = self.request(
            ARTICLE_PATH + "comments/",
            data=data,
            cookies={name: morsel.value for name, morsel in cookies.items()},
            headers={
                "X-Forwarded-For": ip,
                # nginx passes the host without its port ($host), as on 443.
                "Origin": "https://127.0.0.1",
                "Referer": f"https://127.0.0.1{ARTICLE_PATH}",
            },
        )
        set_cookies = SimpleCookie()
        for value in answer.headers.get_all("Set-Cookie") or []:
            set_cookies.load(value)
        return answer, set_cookies


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """The production site (gunicorn, 2 workers) behind nginx run with
    deploy/nginx.conf; both always stopped at the end."""
    nginx_binary()  # fails first when nginx is missing
    root = tmp_path_factory.mktemp("front")  # folders: site_env's and nginx_prepare's
    app_log = root / "app-access.log"
    app_log.touch()
    env = site_env(
        root,
        COMMENTS_TRUSTED_PROXIES="2",
        GUNICORN_CMD_ARGS=f"--access-logfile {app_log} --access-logformat '%(m)s %(U)s %(s)s'",
    )
    site_prepare(env)
    app = server_start(env, root)
    https_port, http_port = free_port(), free_port()
    command = nginx_prepare(root, app_port=app.port, https_port=https_port, http_port=http_port)
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    proxy = None
    try:
        assert checked.returncode == 0, checked.stderr
        proxy = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        server = Front(root, https_port, http_port, app_log, env)
        deadline = time.monotonic() + 20
        while True:
            try:
                if server.request("/healthz").status == 200:
                    break
            except OSError:
                pass
            if proxy.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("nginx did not start: " + (root / "error.log").read_text())
            time.sleep(0.1)
        yield server
    finally:
        if proxy is not None:
            process_stop(proxy)
        process_stop(app.process)


def test_a_stateless_page_is_answered_by_nginx_on_repeat(front):
    for path in (ARTICLE_PATH, "/"):
        first = front.request(path)
        assert first.status == 200
        cache_control = first.headers.get("Cache-Control", "")
        # The contract with the app (deploy/nginx.conf): public, with s-maxage.
        assert "public" in cache_control, cache_control
        assert "s-maxage=" in cache_control, cache_control
        before = front.app_requests_settled("GET", path)
        repeat = front.request(path)
        assert repeat.status == 200
        assert repeat.cache == "HIT", (path, repeat.cache, cache_control)
        assert repeat.body == first.body
        time.sleep(0.3)  # an access-log line the app might still write
        assert front.app_requests("GET", path) == before, "the app answered a hit"
        for name in SECURITY_HEADERS:  # a hit carries what a miss carries
            assert repeat.headers.get(name) == first.headers.get(name), name
            assert repeat.headers.get(name), name


@pytest.mark.parametrize("cookie", ["sessionid", "comment_author", "comment_browser"])
def test_a_reader_with_a_state_cookie_is_never_answered_from_the_cache(front, cookie):
    front.request(ARTICLE_PATH)  # a stateless reader's copy may be in the cache
    for value in ("x", ""):  # present, even empty, counts
        before = front.app_requests_settled("GET", ARTICLE_PATH)
        answers = [front.request(ARTICLE_PATH, cookies={cookie: value}) for _ in range(2)]
        assert [a.cache for a in answers] == ["BYPASS", "BYPASS"]
        assert front.app_saw("GET", ARTICLE_PATH, before, 2) == 2


def test_a_reader_with_a_held_comment_gets_their_own_page(front):
    ip = "198.51.100.21"
    text = "My own held words, only for me to see."
    answer, cookies = front.post_comment(text, ip)
    assert answer.status == 303, answer.body[:500]
    own = {name: morsel.value for name, morsel in cookies.items()}
    assert {"comment_author", "comment_browser"} <= own.keys(), own

    for _ in range(2):  # theirs every time, never stored for anyone else
        mine = front.request(ARTICLE_PATH, cookies=own)
        assert mine.status == 200
        assert mine.cache == "BYPASS"
        assert text in mine.body
        assert "Your comment is awaiting moderation." in mine.body
    for _ in range(2):  # a stateless reader: miss, then hit, and neither shows it
        stateless = front.request(ARTICLE_PATH)
        assert stateless.status == 200
        assert text not in stateless.body


def test_a_post_reaches_the_app_and_is_never_stored(front):
    ip = "198.51.100.22"
    text = "Posted through the front cache, thank you."
    path = ARTICLE_PATH + "comments/"
    before = front.app_requests_settled("POST", path)
    answer, cookies = front.post_comment(text, ip)
    assert answer.status == 303, answer.body[:500]
    assert answer.cache == ""  # not a method the cache is asked about
    assert front.app_saw("POST", path, before, 1) == 1
    stored = [c for c in front.stored_comments() if c["body"] == text]
    # Stored once, with the client's address as nginx forwarded it.
    assert [(c["ip"], c["status"]) for c in stored] == [(ip, "pending")]
    assert cookies, "the comment's cookies reach the reader"


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/"])
def test_admin_pages_are_never_stored(front, path):
    before = front.app_requests_settled("GET", path)
    answers = [front.request(path) for _ in range(3)]
    assert all(a.status in (200, 302) for a in answers), [a.status for a in answers]
    assert all(a.cache != "HIT" for a in answers)
    assert front.app_saw("GET", path, before, 3) == 3


def test_static_files_come_from_nginx_with_cache_headers(front):
    manifest = json.loads((front.root / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    before = front.app_requests("GET", f"/static/{hashed}")
    answer = front.request(f"/static/{hashed}")
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in answer.headers["Strict-Transport-Security"]
    assert answer.body == (front.root / "static" / hashed).read_text()
    plain = front.request("/static/css/site.css")
    assert plain.status == 200
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    time.sleep(0.3)
    assert front.app_requests("GET", f"/static/{hashed}") == before
    assert front.app_requests("GET", "/static/css/site.css") == 0


def test_plain_http_goes_to_https_but_the_probe_does_not(front):
    moved = front.request(ARTICLE_PATH, base=front.plain_url)
    assert moved.status == 301
    assert moved.headers["Location"] == f"https://127.0.0.1{ARTICLE_PATH}"
    assert front.request("/healthz", base=front.plain_url).status == 200

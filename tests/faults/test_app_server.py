"""The app server's own parts failing under load, on SQLite and on
PostgreSQL.

- A gunicorn worker killed (SIGKILL) in the middle of a comment post: the
  post is held mid-request, inside its transaction, by a lock the test
  holds (SQLite's write lock; on PostgreSQL a lock on the comment table,
  :meth:`tests.faults.site.Site.comments_locked`); the worker serving it
  is found through ``/proc`` (the process
  holding the server side of that connection) and killed. That request
  gets no answer, its comment is not stored (half or whole), and the
  master starts a new worker in its place.
- The media folder not writable on an editor's image upload
  (advice/editor.py). ``chmod`` does not stop root, so the fault is made
  the way a full or broken disk shows it: the ``uploads`` folder is a
  regular file, and writing under it fails. The editor gets a clear
  message (503, ``{"image": [...]}``), nothing is written; once the folder
  can be written again the upload works.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import secrets
import signal
import threading
import time
import urllib.parse

import pytest
from PIL import Image

from tests.faults.figures import figures_record
from tests.faults.load import Load, form_fields, request
from tests.faults.site import ARTICLE, manage, process_stop, server_start
from tests.faults.timing import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.faults]

HOLD = 3  # seconds


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from
    ``client_port`` to ``server_port`` (``/proc/net/tcp``), if open."""
    for line in open("/proc/net/tcp").read().splitlines()[1:]:  # noqa: SIM115
        fields = line.split()
        local, remote = (int(a.split(":")[1], 16) for a in fields[1:3])
        if (local, remote) == (server_port, client_port):
            return fields[9]
    return None


def _process_holding(pids, inode: str) -> int | None:
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if f"socket:[{inode}]" in links:
            return pid
    return None


def test_gunicorn_worker_killed_mid_request(site):
    server = server_start(site.env(SQLITE_BUSY_TIMEOUT="20"), site.root)
    victim_text = "gunicorn-kill victim: this comment's request is cut"
    answer = {}
    try:
        with Load(server.url, "gunicorn-kill") as load:
            load.wait_for("comment", 303, time.monotonic())
            form, cookie = form_fields(server.url, f"/articles/{ARTICLE}/", "commentform")
            with site.comments_locked():  # the post waits on it, mid-request
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                connection.connect()
                client_port = connection.sock.getsockname()[1]

                def post():
                    data = {**form, "name": "Victim", "email": "victim@faults.test",
                            "url": "", "honeypot": "", "body": victim_text}  # fmt: skip
                    origin = "https://127.0.0.1"
                    headers = {"Content-Type": "application/x-www-form-urlencoded",
                               "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.9",
                               "Host": "127.0.0.1", "Origin": origin,
                               "Referer": f"{origin}/articles/{ARTICLE}/", **cookie}  # fmt: skip
                    try:
                        connection.request("POST", f"/articles/{ARTICLE}/comments/",
                                           urllib.parse.urlencode(data), headers)  # fmt: skip
                        answer["status"] = connection.getresponse().status
                    except OSError as error:  # reset or closed: no answer
                        answer["error"] = repr(error)

                poster = threading.Thread(target=post)
                poster.start()
                before = server.workers()
                victim = None

                def found():
                    nonlocal victim
                    inode = _socket_inode(server.port, client_port)
                    victim = inode and _process_holding(before, inode)
                    return bool(victim)

                wait_until(found, timeout=10)
                time.sleep(0.5)  # the request is read and waiting on the lock
                os.kill(victim, signal.SIGKILL)
                killed = time.monotonic()
                poster.join(30)
            recovered = wait_until(
                lambda: len(server.workers() - {victim}) == len(before), timeout=30
            )
            replaced = server.workers()
            load.wait_for("comment", 303, killed)
            time.sleep(1)
    finally:
        process_stop(server.process)

    figures = figures_record("gunicorn worker SIGKILLed mid-request", site, load, recovered)
    assert "error" in answer, answer  # that request failed: no HTTP answer
    assert site.stored(victim_text) == {}  # and stored nothing
    assert victim not in replaced  # replaced by a new worker
    assert len(replaced) == len(before)
    assert figures.other_5xx == 0
    assert (figures.lost, figures.duplicated) == (0, 0)
    # Only requests held by the killed worker went unanswered: their
    # connections were cut when it died (a threaded worker also holds
    # connections it accepted and has not started), none later.
    cut = [o.at - killed for o in load.outcomes if o.status is None]
    assert all(-1 < delay < 2 for delay in cut), cut


# --- Media folder not writable ---------------------------------------------------

EDITOR_SESSION = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
user = get_user_model().objects.create_user("faults-editor", is_staff=True)
user.user_permissions.add(Permission.objects.get(codename="change_article"))
client = Client()
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
print(client.cookies["sessionid"].value)
"""


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


def _upload(url: str, session: str):
    """POST a small PNG to the editor's upload path as a logged-in editor."""
    boundary = secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + _png()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked secret
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }
    status, _, page = request(url, "/editor/markdownx/upload/", headers=headers, body=body)
    return status, page


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_media_folder_not_writable_on_upload(site):
    env = site.env()
    session = manage(env, "shell", "-c", EDITOR_SESSION).strip().splitlines()[-1]
    server = server_start(env, site.root)
    media = site.root / "media"
    try:
        with Load(server.url, "media") as load:
            (media / "uploads").write_text("not a folder")  # the fault
            began = time.monotonic()
            refused = _upload(server.url, session)
            time.sleep(HOLD)
            during_files = _files(media)
            (media / "uploads").unlink()  # writable again
            removed = time.monotonic()
            accepted = _upload(server.url, session)
            recovered = time.monotonic() - removed
        during = [o for o in load.outcomes if began <= o.at <= removed]
    finally:
        process_stop(server.process)

    figures = figures_record("media folder not writable (image upload)", site, load, recovered)
    assert refused[0] == 503, refused
    assert "could not be stored" in json.loads(refused[1])["image"][0]
    assert during_files == ["uploads"]  # nothing else written
    assert accepted[0] == 200, accepted
    assert json.loads(accepted[1])["image_code"].startswith("![](/media/uploads/")
    assert len(_files(media)) == 1
    assert during
    assert {o.status for o in load.outcomes} <= {200, 303}, load.summary()
    assert (figures.lost, figures.duplicated, figures.other_5xx) == (0, 0, 0)

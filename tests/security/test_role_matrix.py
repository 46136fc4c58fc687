"""Who may do what, proven: every staff URL × every role.

The cases are generated, not listed: every model in ``admin.site._registry``
(changelist, add, change, delete, history; GET and POST), every admin
action any user could see (``get_actions`` for a superuser), every named
URL pattern of the resolver. A model, action or URL name with no
expectation below fails :func:`test_every_endpoint_has_an_expectation`
saying which table to add it to, so a new endpoint cannot escape.

Roles: an anonymous reader; a reader carrying the remember-me and
held-comment cookies; a member of the "Moderators" group (made by
migration 0002); a member of the "Editors" group (migration 0009: the
article, topic and note-template permissions and the reader-question
queue); a superuser. Expected: a role
reaches what its permissions give (2xx, a redirect that is not the login
page, or a form error) and is refused everything else (403, the admin's
login page, or 404 for an admin app index it has no model in); nobody ever
gets a 500 (the test client raises the exception).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core import signing
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from advice.comments.cookies import (
    BROWSER_COOKIE,
    BROWSER_KEY_SALT,
    REMEMBER_COOKIE,
    remember_cookie_value,
)
from advice.models import Article, Comment, ReaderQuestion, Topic
from notes.models import NoteTemplate

ROLES = ["anonymous", "reader", "moderator", "editor", "superuser"]
STAFF = {"moderator", "editor", "superuser"}
ALL_OPS = {"view", "add", "change", "delete"}

# What each role may do per model: a set of "view", "add", "change",
# "delete" (roles not named may do nothing).
MODEL_ACCESS: dict[str, dict[str, set[str]]] = {
    "advice.article": {"moderator": {"view"}, "editor": ALL_OPS, "superuser": ALL_OPS},
    "advice.topic": {"editor": ALL_OPS, "superuser": ALL_OPS},
    "advice.comment": {"moderator": {"view", "change"}, "superuser": ALL_OPS},
    "advice.readerquestion": {"editor": {"view", "change"}, "superuser": ALL_OPS},
    "notes.notetemplate": {"editor": ALL_OPS, "superuser": ALL_OPS},
    "auth.user": {"superuser": ALL_OPS},
    "auth.group": {"superuser": ALL_OPS},
    # Third-party admins: the login log and lockouts (django-axes; no add),
    # second-factor devices (django-otp), the task queue (read-only).
    "axes.accessattempt": {"superuser": {"view", "change", "delete"}},
    "axes.accesslog": {"superuser": {"view", "change", "delete"}},
    "axes.accessfailurelog": {"superuser": {"view", "change", "delete"}},
    "otp_totp.totpdevice": {"superuser": ALL_OPS},
    "otp_static.staticdevice": {"superuser": ALL_OPS},
    "django_tasks_database.dbtaskresult": {"superuser": {"view"}},
    # Comment-reply subscriptions: moderators and superusers see them and may
    # end them (an action), nobody edits them by hand.
    "advice.commentsubscription": {"moderator": {"view"}, "superuser": {"view"}},
    # django.contrib.flatpages (the privacy page's text): editors (migration
    # 0009) and superusers; its sites row: superusers only.
    "flatpages.flatpage": {"editor": ALL_OPS, "superuser": ALL_OPS},
    "sites.site": {"superuser": ALL_OPS},
}

# Roles that may run each admin action (``delete_selected`` follows
# MODEL_ACCESS's "delete").
ACTIONS: dict[tuple[str, str], set[str]] = {
    ("advice.comment", "approve_comments"): {"moderator", "superuser"},
    ("advice.comment", "spam_comments"): {"moderator", "superuser"},
    ("advice.comment", "remove_comments"): {"moderator", "superuser"},
    ("advice.comment", "restore_comments"): {"moderator", "superuser"},
    ("advice.article", "publish_articles"): {"editor", "superuser"},
    ("advice.article", "open_comments"): {"moderator", "superuser"},
    ("advice.article", "close_comments"): {"moderator", "superuser"},
    ("advice.article", "make_note_template"): {"editor", "superuser"},
    ("advice.readerquestion", "make_draft_article"): {"editor", "superuser"},
    ("axes.accessattempt", "cleanup_expired_attempts"): {"superuser"},
    ("advice.commentsubscription", "end_subscriptions"): {"moderator", "superuser"},
}

# Named URLs outside the generated model URLs: who may reach them.
# "staff" = moderator, editor, superuser. ``PUBLIC`` names are for
# everyone and are not tried here (the page tests cover them).
ADMIN_SITE_URLS: dict[str, set[str]] = {
    "admin:index": STAFF,
    "admin:password_change": STAFF,
    "admin:password_change_done": STAFF,
    "admin:jsi18n": STAFF,
    "admin:two_factor": STAFF,
    "admin:two_factor_enrol": STAFF,
    "admin:auth_user_password_change": {"superuser"},
    # Without its query parameters the autocomplete refuses everyone.
    "admin:autocomplete": set(),
    "privacy_admin:personal_data": {"superuser"},
    "privacy_admin:erase": {"superuser"},
    "markdownx_markdownify": {"editor", "superuser"},
    "markdownx_upload": {"editor", "superuser"},
}
# Views that answer GET only (a POST is 405 for everyone).
GET_ONLY = {"admin:autocomplete"}
# The editor's endpoints answer a plain 403 to everyone else (an XHR has no
# use for a login page).
PLAIN_403 = {"markdownx_markdownify", "markdownx_upload"}
# Extra per-model admin URLs taking an object: its model and who may.
MODEL_EXTRA_URLS: dict[str, tuple[str, set[str]]] = {
    "admin:otp_totp_totpdevice_config": ("otp_totp.totpdevice", {"superuser"}),
    "admin:otp_totp_totpdevice_qrcode": ("otp_totp.totpdevice", {"superuser"}),
    "admin:advice_comment_approve_and_reply": ("advice.comment", {"moderator", "superuser"}),
}
# Reached by anyone, by design.
PUBLIC = {
    "admin:login", "admin:logout", "admin:two_factor_verify", "admin:two_factor_logout",
    "admin:view_on_site",  # a redirect to the object's public page
    "admin_password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete",
    "healthz", "sitemap", "sitemap_section", "robots_txt",
    "notes:list", "notes:detail", "notes:reminder",
    "advice:home", "advice:privacy", "advice:article_detail", "advice:comment_post",
    "advice:comment_permalink", "advice:comment_feed", "advice:topic_list",
    "advice:topic_detail", "advice:topic_feed", "advice:feed", "advice:feed_atom",
    "advice:search", "advice:ask", "advice:ask_thanks", "advice:ask_suggest",
    "advice:site_comment_feed", "advice:archive_month",
    # A reader's own comment edit and reply-subscription links (signed tokens).
    "advice:comment_edit", "advice:subscription_confirm", "advice:subscription_unsubscribe",
}  # fmt: skip
# Unnamed patterns: the admin's old-style change URLs and catch-all (both
# redirect or 404 into the named ones) and development media.
UNNAMED = {"<path:object_id>/", "(?P<url>.*)$", "^media/(?P<path>.*)$"}
MODEL_KINDS = ["changelist", "add", "change", "delete", "history"]


def _patterns(patterns=None, namespace=""):
    """(qualified name or None, pattern string) of every URL pattern."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            qualified = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _patterns(entry.url_patterns, qualified)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name, str(entry.pattern)


def _model_url_name(model, kind: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{kind}"


def _all_actions() -> list[tuple[str, str]]:
    request = RequestFactory().get("/")
    request.user = type("Root", (), {"is_active": True, "is_staff": True, "is_superuser": True})()
    request.user.has_perm = lambda perm, obj=None: True
    return [
        (model._meta.label_lower, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    ]


REGISTERED = {model._meta.label_lower: model for model in admin.site._registry}
MODEL_CASES = [
    (label, kind, method)
    for label in REGISTERED
    if label in MODEL_ACCESS
    for kind in MODEL_KINDS
    for method in ("GET", "POST")
]
ACTION_CASES = [case for case in _all_actions() if case[0] in MODEL_ACCESS]
SITE_CASES = [
    (name, method)
    for name in [*ADMIN_SITE_URLS, *MODEL_EXTRA_URLS]
    for method in ("GET", "POST")
    if name in {n for n, _ in _patterns()} and not (method == "POST" and name in GET_ONLY)
]


def test_every_endpoint_has_an_expectation():
    missing = [f"model {label}: add it to MODEL_ACCESS" for label in REGISTERED]
    missing = [m for m in missing if m.split()[1].rstrip(":") not in MODEL_ACCESS]
    for label, name in _all_actions():
        if name != "delete_selected" and (label, name) not in ACTIONS:
            missing.append(f"action {name} of {label}: add it to ACTIONS")
    generated = {
        _model_url_name(model, kind) for model in admin.site._registry for kind in MODEL_KINDS
    }
    app_lists = {"admin:app_list"}
    known = generated | app_lists | set(ADMIN_SITE_URLS) | set(MODEL_EXTRA_URLS) | PUBLIC
    for name, pattern in _patterns():
        if name is None:
            if pattern not in UNNAMED:
                missing.append(f"unnamed URL pattern {pattern!r}: name it, or add it to UNNAMED")
        elif name not in known:
            missing.append(f"URL {name} ({pattern}): add it to ADMIN_SITE_URLS or PUBLIC")
    assert not missing, "Endpoints with no expectation:\n" + "\n".join(missing)


# --- Roles and a world to act on -------------------------------------------


def make_role(role: str, client, django_user_model):
    if role == "reader":
        client.cookies[REMEMBER_COOKIE] = remember_cookie_value("Ann", "ann@example.com", "")
        client.cookies[BROWSER_COOKIE] = signing.get_cookie_signer(
            salt=BROWSER_COOKIE + BROWSER_KEY_SALT
        ).sign("a-browser-token")
        return None
    if role == "anonymous":
        return None
    if role == "superuser":
        user = django_user_model.objects.create_superuser(username="root", password=None)
    else:
        user = django_user_model.objects.create_user(username=role, password=None, is_staff=True)
    if role == "moderator":
        user.groups.add(Group.objects.get(name="Moderators"))
    elif role == "editor":
        user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def make_object(label: str, django_user_model):
    """One saved object of the model ``label`` (every registered model needs
    a line here)."""
    now = timezone.now()
    article = Article.objects.create(title="A", slug="a", answer="An answer.")
    owner = django_user_model.objects.create_user(username="someone", password=None)
    axes = {
        "user_agent": "ua", "ip_address": "203.0.113.1", "username": "someone",
        "http_accept": "*/*", "path_info": "/admin/login/",
    }  # fmt: skip
    factories = {
        "advice.article": lambda: article,
        "advice.topic": lambda: Topic.objects.create(name="T", slug="t"),
        "advice.comment": lambda: Comment.objects.create(
            article=article,
            author_name="R",
            author_email="r@example.com",
            body="Hi",
            status=Comment.Status.PENDING,
        ),  # fmt: skip
        "advice.readerquestion": lambda: ReaderQuestion.objects.create(
            email="q@example.com", question="Q?"
        ),
        "notes.notetemplate": lambda: NoteTemplate.objects.create(
            title="N", slug="n", body="Dear [name]"
        ),
        "auth.user": lambda: owner,
        "auth.group": lambda: Group.objects.create(name="Somebody"),
        "axes.accessattempt": lambda: REGISTERED[label].objects.create(
            **axes, get_data="", post_data="", failures_since_start=1
        ),
        "axes.accesslog": lambda: REGISTERED[label].objects.create(**axes),
        "axes.accessfailurelog": lambda: REGISTERED[label].objects.create(**axes),
        "otp_totp.totpdevice": lambda: REGISTERED[label].objects.create(user=owner, name="phone"),
        "otp_static.staticdevice": lambda: REGISTERED[label].objects.create(
            user=owner, name="codes"
        ),
        "advice.commentsubscription": lambda: REGISTERED[label].objects.create(
            comment=Comment.objects.create(article=article, author_name="S", body="Sub"),
            article=article,
            email="s@example.com",
        ),  # fmt: skip
        "flatpages.flatpage": lambda: REGISTERED[label].objects.create(
            url="/privacy/", title="Privacy", content="Text."
        ),
        "sites.site": lambda: REGISTERED[label].objects.create(domain="other.example", name="O"),
        "django_tasks_database.dbtaskresult": lambda: REGISTERED[label].objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="advice.tasks.x",
            backend_name="default",
            run_after=now,
            queue_name="default",
        ),  # fmt: skip
    }
    return factories[label]()


def is_refused(response, role: str, name: str = "") -> bool:
    login = reverse("admin:login")
    if role in {"anonymous", "reader"} and name not in PLAIN_403:
        return response.status_code == 302 and response["Location"].startswith(login)
    return response.status_code == 403


def is_reached(response) -> bool:
    if response.status_code == 302:
        return not response["Location"].startswith(reverse("admin:login"))
    return response.status_code in {200, 400, 405}


def may(label: str, role: str, kind: str, method: str) -> bool:
    ops = MODEL_ACCESS[label].get(role, set())
    needed = {
        "changelist": "view", "history": "view", "add": "add", "delete": "delete",
        "change": "change" if method == "POST" else "view",
    }[kind]  # fmt: skip
    return needed in ops or (needed == "view" and "change" in ops)


# --- The matrix ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "kind", "method"), MODEL_CASES)
def test_model_admin_urls(client, django_user_model, role, label, kind, method):
    make_role(role, client, django_user_model)
    obj = make_object(label, django_user_model)
    name = _model_url_name(REGISTERED[label], kind)
    url = reverse(name) if kind in {"changelist", "add"} else reverse(name, args=[obj.pk])

    response = client.post(url, {}) if method == "POST" else client.get(url)

    if may(label, role, kind, method):
        assert is_reached(response), (response.status_code, response.get("Location"))
    else:
        assert is_refused(response, role), (response.status_code, response.get("Location"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "action"), ACTION_CASES)
def test_admin_actions(client, django_user_model, role, label, action):
    make_role(role, client, django_user_model)
    obj = make_object(label, django_user_model)
    url = reverse(_model_url_name(REGISTERED[label], "changelist"))
    if action == "delete_selected":
        allowed = "delete" in MODEL_ACCESS[label].get(role, set())
    else:
        allowed = role in ACTIONS[(label, action)]

    response = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "index": 0})

    said = [str(m) for m in get_messages(response.wsgi_request)]
    if allowed:
        assert is_reached(response), response.status_code
        assert "No action selected." not in said
    elif role in STAFF and response.status_code == 302:
        # Staff who may see the list but not run this action: the admin
        # refuses the unknown action and runs nothing.
        assert response["Location"] == url
        assert "No action selected." in said
    else:
        assert is_refused(response, role), response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), SITE_CASES)
def test_site_urls(client, django_user_model, role, name, method):
    user = make_role(role, client, django_user_model)
    if name == "admin:auth_user_password_change":
        url = reverse(
            name, args=[user.pk if user else make_object("auth.user", django_user_model).pk]
        )
    elif name in MODEL_EXTRA_URLS:
        url = reverse(name, args=[make_object(MODEL_EXTRA_URLS[name][0], django_user_model).pk])
    else:
        url = reverse(name)
    allowed = ADMIN_SITE_URLS[name] if name in ADMIN_SITE_URLS else MODEL_EXTRA_URLS[name][1]

    response = client.post(url, {}) if method == "POST" else client.get(url)

    if role in allowed:
        assert is_reached(response), (response.status_code, response.get("Location"))
    else:
        assert is_refused(response, role, name), (response.status_code, response.get("Location"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("app_label", sorted({m._meta.app_label for m in admin.site._registry}))
def test_admin_app_index(client, django_user_model, role, app_label):
    make_role(role, client, django_user_model)
    labels = [label for label in REGISTERED if label.split(".")[0] == app_label]
    allowed = any(MODEL_ACCESS.get(label, {}).get(role) for label in labels)

    response = client.get(reverse("admin:app_list", args=[app_label]))

    if allowed:
        assert response.status_code == 200
    elif role in STAFF:
        assert response.status_code == 404  # no model of this app for them
    else:
        assert is_refused(response, role)


def test_the_moderators_group_has_only_comment_moderation_and_article_viewing(db):
    """The group the matrix's moderator belongs to, as migration 0002 makes it."""
    perms = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Moderators").permissions.select_related("content_type")
    }
    assert perms == {
        "advice.view_comment", "advice.change_comment", "advice.can_moderate",
        "advice.view_article",
    }  # fmt: skip
    assert ContentType.objects.get_for_model(Comment).app_label == "advice"

"""A reader's data on request: staff export everything kept for one e-mail
address and erase it; afterwards no table holds the address or the name;
each request is in the trail; the privacy page says what is kept."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from advice.comments import moderation
from advice.models import Comment, ReaderQuestion
from advice.privacy.data import request_key
from advice.privacy.text import export_as_text

ADDRESS = "Zeb.Quixote@Example.org"
NAME = "Zebediah Quixote"
PAGE = reverse("privacy_admin:personal_data")
ERASE = reverse("privacy_admin:erase")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


@pytest.fixture
def reader(make_article, make_comment):
    """The reader's comments (one a reply, one held, under the address in
    another case), their question, and another reader who must be left alone."""
    article = make_article(title="Thank-you notes")
    first = make_comment(
        article,
        author_name=NAME,
        author_email=ADDRESS,
        author_url="https://zeb.example.org/",
        body=f"Thanks! I am {NAME}, write to me at {ADDRESS.lower()}.",
        ip_address="203.0.113.9",
        user_agent="ZebBrowser/1.0",
        browser_key="b" * 64,
    )
    held = make_comment(
        article,
        parent=first,
        author_name=NAME,
        author_email=ADDRESS.upper(),
        body="A second thought.",
        status=Comment.Status.PENDING,
    )
    question = ReaderQuestion.objects.create(
        name=NAME, email=ADDRESS.lower(), question="How soon do I send the note?"
    )
    other = make_comment(article, author_name="Bianca", author_email="bianca@example.com")
    return {"article": article, "comments": [first, held], "question": question, "other": other}


def login(client, user):
    client.force_login(user)
    return client


def tables_holding(*needles: str) -> list[tuple[str, str]]:
    """(table, needle) for every table, on this database, any of whose
    values contains a needle (case-insensitive): every column, text or not,
    including the search index's own tables."""
    needles = [n.lower() for n in needles]
    hits = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        text = bytes(value).decode("utf-8", "ignore")
                    else:
                        text = str(value)
                    hits.update((table, n) for n in needles if n in text.lower())
    return sorted(hits)


# --- Export -----------------------------------------------------------------


def test_export_json_lists_every_comment_and_question_of_the_address_in_any_case(
    client, superuser, reader
):
    response = login(client, superuser).post(
        PAGE, {"email": ADDRESS.swapcase(), "action": "export_json"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    export = json.loads(response.content)
    assert sorted(c["id"] for c in export["comments"]) == sorted(c.pk for c in reader["comments"])
    assert export["comments"][0]["ip_address"] == "203.0.113.9"
    assert export["comments"][0]["article"]["title"] == "Thank-you notes"
    assert [q["question"] for q in export["reader_questions"]] == ["How soon do I send the note?"]
    assert "bianca@example.com" not in response.content.decode()


def test_export_text_is_a_readable_file(client, superuser, reader):
    response = login(client, superuser).post(PAGE, {"email": ADDRESS, "action": "export_text"})

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Comments\n--------" in text
    assert f"Name: {NAME}" in text
    assert "Question: How soon do I send the note?" in text


def test_text_export_indents_multi_line_values_and_says_none_for_empty_sections():
    text = export_as_text(
        {
            "address": "a@example.com",
            "request": "abc",
            "exported_at": "2025-01-01T00:00:00+00:00",
            "comments": [{"comment": "line one\nline two", "website": ""}],
            "reader_questions": [],
        }
    )
    assert "  Comment: line one\n    line two" in text
    assert "  Website: —" in text
    assert "Reader questions\n----------------\nNone." in text


def test_export_is_recorded_per_record_under_the_request_key_not_the_address(
    client, superuser, reader
):
    login(client, superuser).post(PAGE, {"email": ADDRESS, "action": "export_json"})

    entries = LogEntry.objects.filter(change_message__startswith="Personal data exported")
    assert entries.count() == 3  # two comments, one question
    assert {e.user for e in entries} == {superuser}
    assert all(request_key(ADDRESS) in e.change_message for e in entries)
    assert not any(ADDRESS.lower() in e.change_message.lower() for e in entries)


def test_export_of_an_unknown_address_is_recorded_once(client, superuser, db):
    response = login(client, superuser).post(
        PAGE, {"email": "nobody@example.com", "action": "export_json"}
    )
    assert json.loads(response.content)["comments"] == []
    [entry] = LogEntry.objects.all()
    assert "nothing kept" in entry.change_message


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not an address", "action": "export_json"},
        {"email": "", "action": "erase"},
        {"email": ADDRESS, "action": "launch"},
        {"email": ADDRESS},
    ],
)
def test_bad_requests_show_the_form_again_with_the_reason(client, superuser, reader, data):
    response = login(client, superuser).post(PAGE, data)
    assert response.status_code == 400
    assert "errorlist" in response.text or "errornote" in response.text
    assert Comment.objects.filter(author_email__iexact=ADDRESS).count() == 2


# --- Erase ------------------------------------------------------------------


def test_erase_asks_for_confirmation_first_and_changes_nothing(client, superuser, reader):
    response = login(client, superuser).post(PAGE, {"email": ADDRESS, "action": "erase"})

    assert response.status_code == 200
    assert "2 comment(s)" in response.text
    assert "1 reader question(s)" in response.text
    assert 'name="confirm"' in response.text
    assert Comment.objects.filter(author_email__iexact=ADDRESS).count() == 2


def test_erase_without_the_box_ticked_erases_nothing(client, superuser, reader):
    response = login(client, superuser).post(ERASE, {"email": ADDRESS, "text": "keep"})

    assert response.status_code == 400
    assert ReaderQuestion.objects.filter(pk=reader["question"].pk).exists()
    assert Comment.objects.filter(author_email__iexact=ADDRESS).count() == 2


def test_erase_keeping_the_text_anonymises_the_comments_and_deletes_the_question(
    client, superuser, reader
):
    response = login(client, superuser).post(
        ERASE, {"email": ADDRESS.lower(), "text": "keep", "confirm": "on"}
    )

    assert response.status_code == 302
    first, held = (Comment.objects.get(pk=c.pk) for c in reader["comments"])
    assert (first.author_name, first.author_email, first.author_url) == ("Anonymous", "", "")
    assert (first.ip_address, first.user_agent, first.browser_key) == (None, "", "")
    assert first.body.startswith("Thanks! I am")  # the text is kept...
    assert ADDRESS.lower() not in first.body.lower()  # ...without the address
    assert first.status == Comment.Status.APPROVED
    assert held.parent_id == first.pk  # the thread keeps its shape
    assert not ReaderQuestion.objects.exists()
    other = Comment.objects.get(pk=reader["other"].pk)
    assert (other.author_name, other.author_email) == ("Bianca", "bianca@example.com")


def test_erase_removing_the_text_removes_the_comments(client, superuser, reader):
    login(client, superuser).post(ERASE, {"email": ADDRESS, "text": "remove", "confirm": "on"})

    for comment in reader["comments"]:
        comment.refresh_from_db()
        assert (comment.body, comment.status) == ("[removed]", Comment.Status.REMOVED)
    page = client.get(reader["article"].get_absolute_url()).text
    assert NAME not in page


@pytest.mark.parametrize("remove_text", [False, True])
def test_export_then_erase_leaves_nothing_of_the_address_or_name_in_any_table(
    client, superuser, reader, settings, django_capture_on_commit_callbacks, remove_text
):
    # Mail about the reader waits in the task queue's table (database backend).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MANAGERS = [("Editors", "editors@example.com")]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.comment_held_notify(comment=reader["comments"][1])
    # Approving and exporting writes trail entries naming the comments.
    moderation.comment_approve(comments=[reader["comments"][1]], by=superuser, source="test")
    login(client, superuser).post(PAGE, {"email": ADDRESS, "action": "export_json"})
    if not remove_text:  # the kept text must not hold the name
        Comment.objects.filter(pk=reader["comments"][0].pk).update(body="Thanks, very useful.")
    assert tables_holding(ADDRESS, NAME, "Zebediah"), "the scan must see the data before"

    data = {"email": ADDRESS, "text": "remove" if remove_text else "keep", "confirm": "on"}
    assert client.post(ERASE, data).status_code == 302

    assert tables_holding(ADDRESS, NAME, "Zebediah") == []
    assert tables_holding("bianca@example.com")  # the other reader is still there


def test_erasure_is_in_the_trail_of_each_record(client, superuser, reader):
    login(client, superuser).post(ERASE, {"email": ADDRESS, "text": "keep", "confirm": "on"})

    key = request_key(ADDRESS)
    comment = reader["comments"][0]
    change = reverse("admin:advice_comment_history", args=[comment.pk])
    assert f"Personal data erased: author anonymised, text kept (request {key})" in (
        client.get(change).text
    )
    deletion = LogEntry.objects.get(action_flag=DELETION)
    assert deletion.object_id == str(reader["question"].pk)
    assert deletion.object_repr == "[erased reader question]"
    assert deletion.user == superuser


# --- Who may ----------------------------------------------------------------


def test_anonymous_visitors_get_the_login_page(client, reader):
    for response in (client.get(PAGE), client.post(ERASE, {"email": ADDRESS, "confirm": "on"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert Comment.objects.filter(author_email__iexact=ADDRESS).count() == 2


def test_moderators_may_not_export_or_erase(client, django_user_model, reader):
    moderator = django_user_model.objects.create_user(username="mod", password="x", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    login(client, moderator)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"email": ADDRESS, "action": "export_json"}).status_code == 403
    assert client.post(ERASE, {"email": ADDRESS, "confirm": "on"}).status_code == 403
    assert "Personal data" not in client.get(reverse("admin:index")).text
    assert Comment.objects.filter(author_email__iexact=ADDRESS).count() == 2


def test_staff_with_the_comment_and_question_deletions_may(client, django_user_model, reader):
    user = django_user_model.objects.create_user(username="privacy", password="x", is_staff=True)
    codenames = ["change_comment", "delete_comment", "view_readerquestion", "delete_readerquestion"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    login(client, user)

    assert client.get(PAGE).status_code == 200
    assert PAGE in client.get(reverse("admin:index")).text


def test_the_admin_index_links_the_page_for_superusers(client, superuser, db):
    page = login(client, superuser).get(reverse("admin:index")).text
    assert PAGE in page


# --- Commands ---------------------------------------------------------------


def test_export_command_writes_json_to_stdout(capsys, superuser, reader):
    call_command("export_personal_data", ADDRESS.upper(), "--by", "root")
    export = json.loads(capsys.readouterr().out)
    assert len(export["comments"]) == 2
    assert LogEntry.objects.filter(user=superuser).count() == 3


def test_export_command_writes_text_to_a_file(tmp_path, reader):
    target = tmp_path / "export.txt"
    call_command("export_personal_data", ADDRESS, "--format", "text", "--output", str(target))
    assert f"Name: {NAME}" in target.read_text(encoding="utf-8")


def test_erase_command_removes_the_text_when_asked(capsys, superuser, reader):
    call_command("erase_personal_data", ADDRESS, "--remove-text", "--by", "root")

    assert "2 comment(s) anonymised, 1 reader question(s)" in capsys.readouterr().out
    assert set(Comment.objects.filter(author_name="Anonymous").values_list("body", flat=True)) == {
        "[removed]"
    }
    assert LogEntry.objects.filter(user=superuser, action_flag=DELETION).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [(["not-an-address"], "is not an e-mail address"), ([ADDRESS, "--by", "ghost"], "No account")],
)
def test_commands_refuse_bad_arguments_and_change_nothing(reader, args, message):
    for command in ("export_personal_data", "erase_personal_data"):
        with pytest.raises(CommandError, match=message):
            call_command(command, *args)
    assert Comment.objects.filter(author_email__iexact=ADDRESS).count() == 2


# --- The privacy page -------------------------------------------------------


def test_privacy_page_says_what_is_kept_and_for_how_long(client, settings, db):
    settings.COMMENTS_IP_RETENTION_DAYS = 45
    response = client.get(reverse("advice:privacy"))
    assert response.status_code == 200
    assert "deleted after 45 days" in response.text
    assert "comment_author" in response.text


def test_comment_and_ask_forms_link_the_privacy_page(client, make_article):
    article = make_article()
    privacy = reverse("advice:privacy")
    for url in (article.get_absolute_url(), reverse("advice:ask")):
        page = client.get(url).text
        assert f'How we use your address: <a href="{privacy}">Privacy</a>' in page, url

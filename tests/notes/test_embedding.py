"""Drafters embedded in an article by a marker line in its Markdown."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notes.markers import marker_slugs
from tests.advice.comments.posting import post, token_for

ANSWER = "First paragraph.\n\n{{note:%s}}\n\nLast paragraph."


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_marker_renders_the_drafter_in_place(client, make_article, make_note):
    note = make_note(slug="thanks")
    article = make_article(answer=ANSWER % note.slug)
    page = client.get(article.get_absolute_url()).content.decode()
    answer = page.index('<section class="answer"')
    first = page.index("<p>First paragraph.</p>", answer)
    drafter = page.index('<section class="drafter" id="drafter-thanks"')
    last = page.index("<p>Last paragraph.</p>", answer)
    assert first < drafter < last
    assert "{{note:" not in page
    # The embedded form posts back to the article; Download goes to the standalone drafter.
    assert f'action="{article.get_absolute_url()}#drafter-thanks"' in page
    assert 'formaction="/notes/thanks/"' in page
    assert f'name="back" value="{article.get_absolute_url()}"' in page
    assert page.count("js/drafter.js") == 1
    assert page.count("css/notes.css") == 1


def test_two_drafters_cost_one_query_and_load_assets_once(client, make_article, make_note):
    one, two = make_note(slug="one"), make_note(slug="two")
    plain = make_article(answer="Just text.")
    both = make_article(answer=f"A\n\n{{{{note:{one.slug}}}}}\n\nB\n\n{{{{note:{two.slug}}}}}")
    baseline = query_count(client, plain.get_absolute_url())
    assert query_count(client, both.get_absolute_url()) == baseline + 1
    page = client.get(both.get_absolute_url()).content.decode()
    assert 'id="drafter-one"' in page
    assert 'id="drafter-two"' in page
    assert page.count("js/drafter.js") == 1
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # two drafters, no clashing ids


def test_missing_template_shows_nothing_to_readers_and_warns_staff(staff_client, make_article):
    article = make_article(answer=ANSWER % "no-such-note")
    reader_page = Client().get(article.get_absolute_url()).content.decode()
    assert "no-such-note" not in reader_page
    assert "First paragraph." in reader_page
    assert "Last paragraph." in reader_page
    staff_page = staff_client.get(article.get_absolute_url()).content.decode()
    assert "No note template “no-such-note”" in staff_page
    assert 'class="note-missing"' in staff_page


def test_broken_template_shows_nothing_to_readers(staff_client, make_article, make_note):
    note = make_note(body="Hi [name")
    article = make_article(answer=ANSWER % note.slug)
    assert 'class="drafter"' not in Client().get(article.get_absolute_url()).content.decode()
    staff_page = staff_client.get(article.get_absolute_url()).content.decode()
    assert "Line 1, column 4" in staff_page


def test_marker_inside_a_sentence_is_left_as_text(client, make_article, make_note):
    note = make_note(slug="inline")
    article = make_article(answer="See {{note:inline}} here.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'class="drafter"' not in page
    assert marker_slugs(f"<p>{{{{note:{note.slug}}}}}</p>") == ["inline"]


def test_unicode_slug_marker(client, make_article, make_note):
    make_note(slug="заметка")
    article = make_article(answer=ANSWER % "заметка")
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'id="drafter-заметка"' in page


def test_posting_the_embedded_form_offers_the_way_back(client, make_article, make_note):
    note = make_note()
    article = make_article(answer=ANSWER % note.slug)
    page = client.post(
        f"/notes/{note.slug}/", {"blank_1": "Ann", "back": article.get_absolute_url()}
    ).content.decode()
    assert f'<a href="{article.get_absolute_url()}">Back to where you were</a>' in page


def test_cached_drafter_follows_an_edit_of_its_template_and_the_page_path(
    client, make_article, make_note, make_comment, settings
):
    note = make_note(slug="cached", title="Before the edit")
    article = make_article(answer=ANSWER % note.slug)
    url = article.get_absolute_url()
    assert "Before the edit" in client.get(url).content.decode()
    assert "Before the edit" in client.get(url).content.decode()  # from the cache
    note.title = "After the edit"
    note.body = "Dear [hiring manager],\n\n[your name]"
    note.save()
    page = client.get(url).content.decode()
    assert "After the edit" in page
    assert "Before the edit" not in page
    assert "Hiring manager" in page or "hiring manager" in page
    # Another comment page gets its own way back, never a cached one; values
    # the page does not read are not part of it (config.pagequery.page_path).
    settings.COMMENTS_PER_PAGE = 1
    make_comment(article)
    make_comment(article)
    other = client.get(url + "?cpage=2&utm_source=x").content.decode()
    assert f'name="back" value="{url}?cpage=2"' in other


def test_a_page_parameter_the_article_does_not_read_adds_no_drafter_entry(
    client, make_article, make_note, monkeypatch
):
    """An article reads ``?cpage=`` only: ``?page=3`` (or ``?page=٣``) neither
    stores another drafter nor puts ``page`` in the way back."""
    from notes.templatetags import notes_tags

    stored = []
    real_set = notes_tags.cache_set

    def recording_set(key, value, timeout):
        stored.append(key)
        return real_set(key, value, timeout)

    monkeypatch.setattr(notes_tags, "cache_set", recording_set)
    note = make_note(slug="one-key")
    article = make_article(answer=ANSWER % note.slug)
    url = article.get_absolute_url()
    assert f'name="back" value="{url}"' in client.get(url).content.decode()
    assert len(stored) == 1
    for query in ("page=3", "page=%D9%A3", "page=99999&utm_source=x"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        page = response.content.decode()
        assert f'name="back" value="{url}"' in page, query
        assert "page=" not in re.search(r'name="back" value="([^"]*)"', page).group(1)
    assert len(stored) == 1  # every one of them came from the first entry


def test_a_page_shown_at_another_address_shares_the_articles_drafter_entry(
    client, make_article, make_note, make_comment, settings
):
    """The refused comment page (``/articles/<slug>/comments/``) renders the
    drafter with the article's way back, so its cache entry is the article
    page's: whichever page fills it, both show the article's address."""
    from django.core.cache import cache

    from notes.templatetags.notes_tags import _drafter_cache_key

    note = make_note(slug="shared-entry")
    article = make_article(answer=ANSWER % note.slug)
    url = article.get_absolute_url()
    refused = post(client, article, body="Too quick", token=token_for(article, 0), open_ms="5")
    assert refused.status_code == 400
    assert f'action="{url}#drafter-shared-entry"' in refused.content.decode()
    assert cache.get(_drafter_cache_key(note, url, True)) is not None
    assert (
        cache.get(
            _drafter_cache_key(note, reverse("advice:comment_post", args=[article.slug]), True)
        )
        is None
    )
    page = client.get(url).content.decode()
    assert f'action="{url}#drafter-shared-entry"' in page
    assert f'name="back" value="{url}"' in page
    # A comment page keeps its number in the way back on the article's address.
    settings.COMMENTS_PER_PAGE = 1
    make_comment(article)
    make_comment(article)
    second = client.get(url + "?cpage=2").content.decode()
    assert f'action="{url}?cpage=2#drafter-shared-entry"' in second

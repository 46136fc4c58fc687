"""The note pages say what readers expect: /notes/ gives each template's
real send rule, the standalone page shows its title once and links the
published answers that embed it."""

from __future__ import annotations

import re

from advice.models import Article


def test_note_list_gives_the_real_rule(client, make_note):
    make_note(title="Follow up", send_rule="business_days", send_after_days=5)
    make_note(title="One day", send_rule="business_days", send_after_days=1)
    make_note(title="Thanks", send_rule="end_of_day")
    page = client.get("/notes/").content.decode()
    assert "— send it after 5 business days" in page
    assert "— send it after 1 business day<" in page
    assert "— send it at the end of the interview day, or the next morning if it ended late" in page
    assert "After N business days" not in page


def test_note_page_shows_its_title_once_and_links_the_answers_using_it(
    client, make_note, make_article
):
    note = make_note(title="Thank-you after an interview", slug="thanks")
    using = make_article(title="After a phone screen", answer="Try:\n\n{{note:thanks}}")
    make_article(title="Other note", answer="{{note:thanks-2}}")
    make_article(title="A draft", answer="{{note:thanks}}", status=Article.Status.DRAFT)
    page = client.get(note.get_absolute_url()).content.decode()
    assert page.count("Thank-you after an interview</h") == 1
    assert "<h1>Thank-you after an interview</h1>" in page
    section = page[page.index('id="note-articles-heading"') :]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', section)
    assert links == [(using.get_absolute_url(), "After a phone screen")]


def test_note_page_without_answers_using_it_lists_nothing(client, make_note):
    page = client.get(make_note(slug="lonely").get_absolute_url()).content.decode()
    assert "note-articles" not in page

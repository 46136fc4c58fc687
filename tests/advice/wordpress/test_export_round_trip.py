"""Moving out and back in: import -> ``export_wxr`` -> import into an empty
database gives the same articles, comments, threads, statuses and topics,
and the same rendered HTML, for the seed and every corpus file that imports.
The export parses with defusedxml and uses only elements WordPress's own
exporter writes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from defusedxml.ElementTree import parse as defused_parse

from advice.models import Article, Comment, Topic
from advice.wordpress.export import wxr_export
from advice.wordpress.importer import wxr_import
from advice.wordpress.wxr import WXRError
from tests.conftest import CORPUS, corpus_path

pytestmark = pytest.mark.django_db

# Corpus files that are not well-formed XML: the importer refuses them.
NOT_WELL_FORMED = {"crazy-cdata.xml", "malformed.xml"}
CORPUS_FILES = [("seed", "post-interview-thank-you-note.wxr.xml")] + [
    ("wxr", path.name) for path in sorted((CORPUS / "wxr").glob("*.xml"))
]
# Exports written by WordPress itself (wordpressexport.xml by WordPress 3.3.1,
# theme-unit-test-data.xml by WordPress.com): every element we write is in one.
WORDPRESS_EXPORTS = ("wordpressexport.xml", "theme-unit-test-data.xml")


def normalised(html: str) -> str:
    """HTML with whitespace between tags dropped, other runs made one space,
    and empty paragraphs dropped (they show nothing; WordPress's wpautop()
    and the importer after it drop them too: a ``<p></p>`` left where the
    sanitiser removed an ``<audio>`` does not come back)."""
    html = re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()
    return re.sub(r"<p> ?</p>", "", html)


def snapshot() -> dict:
    """What a reader and a moderator see of every article, comment and topic,
    keyed by values an import keeps (slugs, WordPress ids)."""
    articles = {
        a.slug: {
            "title": a.title,
            "asker": a.asker,
            "question_html": normalised(a.question_html),
            "answer_html": normalised(a.answer_html),
            "status": a.status,
            "published_at": a.published_at,
            "comment_status": a.comment_status,
            "wp_id": a.wp_id,
            "wp_path": a.wp_path,
            "topics": sorted(a.topics.values_list("slug", "name")),
        }
        for a in Article.objects.prefetch_related("topics")
    }
    comments = {
        (c.article.slug, c.wp_id): {
            "parent": c.parent.wp_id if c.parent else None,
            "author_name": c.author_name,
            "author_email": c.author_email,
            "author_url": c.author_url,
            "body": c.body,
            "body_html": normalised(getattr(c, "body_html", "")),
            "status": c.status,
            "created_at": c.created_at,
            "ip_address": c.ip_address,
        }
        for c in Comment.objects.select_related("article", "parent")
    }
    topics = sorted(Topic.objects.values_list("slug", "name"))
    return {"articles": articles, "comments": comments, "topics": topics}


def export_text() -> str:
    out = io.StringIO()
    wxr_export(out)
    return out.getvalue()


def element_names(path: Path) -> set[str]:
    """Every element of a WXR file as ``prefix:local`` (WordPress's prefixes,
    whatever the version of its namespace)."""
    prefixes = {
        "http://purl.org/rss/1.0/modules/content/": "content",
        "http://purl.org/dc/elements/1.1/": "dc",
        "http://wellformedweb.org/CommentAPI/": "wfw",
    }
    names = set()
    for element in defused_parse(path).getroot().iter():
        tag = element.tag
        if tag.startswith("{"):
            uri, _, local = tag[1:].partition("}")
            if re.fullmatch(r"https?://wordpress\.org/export/[\d.]+/excerpt/", uri):
                prefix = "excerpt"
            elif re.fullmatch(r"https?://wordpress\.org/export/[\d.]+/", uri):
                prefix = "wp"
            else:
                prefix = prefixes.get(uri, uri)
            tag = f"{prefix}:{local}"
        names.add(tag)
    return names


@pytest.mark.parametrize(("folder", "name"), CORPUS_FILES, ids=[name for _, name in CORPUS_FILES])
def test_import_export_import_gives_the_same_column(folder, name, tmp_path):
    source = corpus_path(folder, name)
    try:
        wxr_import(source)
    except WXRError:
        assert name in NOT_WELL_FORMED, f"{name} no longer imports"
        return
    assert name not in NOT_WELL_FORMED
    before = snapshot()
    assert before["articles"], "the corpus file gave no article to compare"

    exported = tmp_path / "export.xml"
    exported.write_text(export_text(), encoding="utf-8")
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Topic.objects.all().delete()
    summary = wxr_import(exported)

    after = snapshot()
    assert summary.articles_imported == len(before["articles"])
    assert summary.comments_imported == len(before["comments"])
    assert after["topics"] == before["topics"]
    assert after["articles"] == before["articles"]
    assert after["comments"] == before["comments"]


def test_seed_round_trip_keeps_asker_question_answer_and_old_links(client, tmp_path):
    wxr_import(corpus_path("seed", "post-interview-thank-you-note.wxr.xml"))
    exported = tmp_path / "export.xml"
    exported.write_text(export_text(), encoding="utf-8")
    Article.objects.all().delete()
    Topic.objects.all().delete()
    wxr_import(exported)

    article = Article.objects.get()
    assert article.asker == "Bianca"
    assert article.question_html.startswith("<p>I just had an interview with a coordinator.")
    assert article.answer_html.count("<blockquote>") == 2
    old = client.get("/2016/05/10/post-interview-thank-you-note/")
    assert old.status_code == 301
    assert old["Location"] == "/articles/post-interview-thank-you-note/"
    short = client.get("/?p=101")
    assert short.status_code == 301
    assert short["Location"] == "/articles/post-interview-thank-you-note/"


def test_export_parses_with_defusedxml_in_wordpress_namespaces_and_elements(
    tmp_path, django_user_model
):
    wxr_import(corpus_path("wxr", "theme-unit-test-data.xml"))
    wxr_import(corpus_path("seed", "post-interview-thank-you-note.wxr.xml"))
    columnist = django_user_model.objects.create_user(username="columnist", first_name="Cal")
    Article.objects.filter(slug="post-interview-thank-you-note").update(author=columnist)
    exported = tmp_path / "export.xml"
    text = export_text()
    exported.write_text(text, encoding="utf-8")

    root = defused_parse(exported).getroot()
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    for prefix, uri in (
        ("excerpt", "http://wordpress.org/export/1.2/excerpt/"),
        ("content", "http://purl.org/rss/1.0/modules/content/"),
        ("wfw", "http://wellformedweb.org/CommentAPI/"),
        ("dc", "http://purl.org/dc/elements/1.1/"),
        ("wp", "http://wordpress.org/export/1.2/"),
    ):
        assert f'xmlns:{prefix}="{uri}"' in text
    wp = "{http://wordpress.org/export/1.2/}"
    channel = root.find("channel")
    assert channel.findtext(f"{wp}wxr_version") == "1.2"
    assert channel.findtext(f"{wp}base_site_url") == "http://127.0.0.1:8000"
    assert channel.findtext(f"{wp}base_blog_url") == "http://127.0.0.1:8000"
    assert "<content:encoded><![CDATA[" in text
    assert "<wp:comment_content><![CDATA[" in text

    wordpress = set().union(*(element_names(corpus_path("wxr", n)) for n in WORDPRESS_EXPORTS))
    ours = element_names(exported)
    assert ours - wordpress == set()
    # The parts of an export WordPress's importer needs are all there.
    assert {"wp:author", "wp:tag", "item", "wp:comment", "wp:comment_parent"} <= ours

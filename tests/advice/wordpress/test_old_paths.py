"""Reading an old WordPress address (advice/wordpress/old_paths.py, pure):
which kind of page it named, without a database."""

from __future__ import annotations

import pytest

from advice.wordpress.old_paths import OldPath, read_old_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/2014/05/notes/",
            OldPath("post", path="/2014/05/notes/", name="notes", year=2014, month=5),
        ),
        (
            "/2014/05/12/notes/",
            OldPath("post", path="/2014/05/12/notes/", name="notes", year=2014, month=5, day=12),
        ),
        ("/notes", OldPath("post", path="/notes/", name="notes")),
        ("/notes/amp/", OldPath("post", path="/notes/", name="notes", ending="amp")),
        ("/notes/embed/", OldPath("post", path="/notes/", name="notes", ending="amp")),
        ("/notes/TrackBack/", OldPath("post", path="/notes/", name="notes", ending="trackback")),
        (
            "/notes/feed/atom/",
            OldPath("post", path="/notes/", name="notes", ending="feed", feed_name="atom"),
        ),
        (
            "/notes/comment-page-3/",
            OldPath("post", path="/notes/", name="notes", ending="comment_page", number=3),
        ),
        ("/index.php/notes/", OldPath("post", path="/notes/", name="notes")),
        ("/archives/42", OldPath("post_id", number=42)),
        ("/archives/42/feed/", OldPath("post_id", number=42, ending="feed")),
        ("/category/a/b/", OldPath("category", name="b")),
        ("/tag/b/page/2/", OldPath("tag", name="b", ending="page", number=2)),
        ("/2014/05/", OldPath("month", year=2014, month=5)),
        ("/2014/05/12/", OldPath("month", year=2014, month=5)),
        ("/page/3/", OldPath("home", ending="page", number=3)),
        ("/index.php", OldPath("home")),
        ("/comments/feed/rss2/", OldPath("comments", ending="feed", feed_name="rss2")),
        ("/2014/13/", OldPath("post", path="/2014/13/", name="13")),  # no such month: a name
    ],
)
def test_old_address_is_read_as_wordpress_would(path, expected):
    assert read_old_path(path) == expected


@pytest.mark.parametrize("path", ["", "/", "//", "/a\x00b/", "/x\x7f/"])
def test_empty_addresses_and_control_characters_name_nothing(path):
    assert read_old_path(path) is None

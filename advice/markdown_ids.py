"""In-page links of content: its ids namespaced, its ``#`` links kept on them.

Markdown footnotes (``[^1]``) and heading ids (``## Next steps {#next}``)
give elements ids and link to them with ``href="#..."``. Content shares its
page with the site's own elements (``#comments``, ``#comment-12``, the
form's fields), so an id from content must never take over one of those:
every id that content carries is prefixed with :data:`PREFIX` (GitHub's rule
for user content), and every ``#`` link of the same content that names one
of its own ids is rewritten to match. Links to the page's own ids
(``[comments](#comments)``) stay as written.

Pure: works on the sanitiser's output (nh3 writes every attribute as
``name="value"``, ``"`` escaped), one linear pass to find the ids and one to
rewrite; values in, values out. Applying it again changes nothing, so HTML
that was exported and imported again keeps one prefix.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

PREFIX = "user-content-"
# Elements content may give an id (those Markdown gives one: headings,
# footnote references and notes, plus what inline HTML commonly targets).
ID_TAGS = frozenset(
    {"h2", "h3", "h4", "h5", "h6", "sup", "li", "div", "p", "span", "a", "dt", "table"}
)

_START_TAG = re.compile(r'<([a-z][a-z0-9]*)((?:\s+[^\s"\'<>/=]+(?:="[^"]*")?)*)\s*(/?)>')
_ID = re.compile(r'(\sid=")([^"]*)(")')
_FRAGMENT_HREF = re.compile(r'(\shref="#)([^"]*)(")')


def _name(value: str) -> str:
    """An id or fragment as a browser compares them: entities and percent
    escapes decoded."""
    return unquote(html.unescape(value))


def namespace_ids(fragment: str) -> str:
    """``fragment`` (sanitised HTML, ``str``) with each ``id="x"`` made
    ``id="user-content-x"`` and each ``href="#x"`` naming one of those ids
    made ``href="#user-content-x"``. Ids and links already prefixed are left
    as they are; an empty id is dropped. Never raises."""
    if ' id="' not in fragment:
        return fragment
    own = set()
    for tag in _START_TAG.finditer(fragment):
        for match in _ID.finditer(tag.group(2)):
            own.add(_name(match.group(2)))

    def prefixed(value: str) -> str:
        return value if value.startswith(PREFIX) else PREFIX + value

    def rewrite_attributes(attributes: str) -> str:
        attributes = _ID.sub(
            lambda m: m.group(1) + prefixed(m.group(2)) + m.group(3) if m.group(2) else "",
            attributes,
        )
        return _FRAGMENT_HREF.sub(
            lambda m: (
                m.group(1) + prefixed(m.group(2)) + m.group(3)
                if m.group(2) and _name(m.group(2)) in own
                else m.group(0)
            ),
            attributes,
        )

    def rewrite(tag: re.Match) -> str:
        attributes = rewrite_attributes(tag.group(2))
        if attributes == tag.group(2):
            return tag.group(0)
        return f"<{tag.group(1)}{attributes}{tag.group(3)}>"

    return _START_TAG.sub(rewrite, fragment)

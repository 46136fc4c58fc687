"""The figures each fault leaves, gathered for the table printed at the end
of the run and written to ``ci-output/faults.md`` (tests/faults/conftest.py).

Comments stored are read from the site's own database: the texts a
fault test's writers posted (they share a prefix) and how often each is
stored. *Lost*: acknowledged (303) but not stored. *Duplicated*: stored
more than once. *Stored, not acknowledged*: stored, though the writer
got no 303 (the commit went through and the answer did not: the
connection ended after the commit, or the worker was killed).

Mail (the rows with a mail server of the test's own, tests/smtp_sink.py)
is counted by what the site owes and what arrived, not by what the queue
says: every held comment owes its moderators one message and every
question its editors one, each naming the row's admin address. *Mail
sent*: distinct ``Message-ID`` received. *Mail lost*: a held comment or
question no message arrived for (e.g. stored, but never queued). *Mail
sent twice*: a ``Message-ID`` received more than once, or one held comment
or question named by two different messages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from email.message import Message

from tests.faults.load import Load
from tests.faults.site import Site

RESULTS: list[Figures] = []  # filled by the tests, in the order they ran

COLUMNS = {
    "fault": "fault",
    "database": "database",
    "sent": "requests sent",
    "answered": "answered",
    "refused": "refused (no answer)",
    "friendly_503": "friendly 503",
    "other_5xx": "other 5xx",
    "acknowledged": "comments acknowledged",
    "stored": "comments stored",
    "lost": "lost",
    "duplicated": "duplicated",
    "unacknowledged": "stored, not acknowledged",
    "recover_seconds": "recovered in (s)",
    "mail_owed": "mail owed",
    "mail_sent": "mail sent",
    "mail_lost": "mail lost",
    "mail_twice": "mail sent twice",
}
NOT_COUNTED = "–"  # the table's cell for mail in a row without a mail server


@dataclass
class Figures:
    """One fault's figures (see :data:`COLUMNS`)."""

    fault: str
    database: str
    sent: int
    answered: int
    refused: int
    friendly_503: int
    other_5xx: int
    acknowledged: int
    stored: int
    lost: int
    duplicated: int
    unacknowledged: int
    recover_seconds: float
    mail_owed: int | None = None
    mail_sent: int | None = None
    mail_lost: int | None = None
    mail_twice: int | None = None


ADMIN_ADDRESS = re.compile(r"/admin/advice/(comment|readerquestion)/(\d+)/change/")


def mail_owed(site: Site, prefix: str) -> set[tuple[str, int]]:
    """What the site owes mail for, as ``(model, id)``: its held comments
    whose text starts with ``prefix`` ("comment") and its questions whose
    text does ("readerquestion")."""
    comments = site.rows(
        "SELECT id FROM advice_comment WHERE body LIKE %s AND status = 'pending'", (prefix + "%",)
    )
    questions = site.rows(
        "SELECT id FROM advice_readerquestion WHERE question LIKE %s", (prefix + "%",)
    )
    return {("comment", n) for (n,) in comments} | {("readerquestion", n) for (n,) in questions}


def mail_named(message: Message) -> set[tuple[str, int]]:
    """The held comments and questions a message names by admin address."""
    text = "".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", "replace")
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )
    return {(model, int(n)) for model, n in ADMIN_ADDRESS.findall(text)}


def mail_count(owed: set[tuple[str, int]], messages: list[Message]) -> dict[str, int]:
    """``mail_owed``, ``mail_sent``, ``mail_lost`` and ``mail_twice`` (see
    the module docs) for ``owed`` (:func:`mail_owed`) against the
    ``messages`` a mail server received."""
    ids = Counter(m["Message-ID"] for m in messages)
    first = {m["Message-ID"]: m for m in reversed(messages)}  # one message per Message-ID
    naming = Counter(name for m in first.values() for name in mail_named(m))
    return {
        "mail_owed": len(owed),
        "mail_sent": len(ids),
        "mail_lost": sum(1 for name in owed if naming[name] == 0),
        "mail_twice": sum(n - 1 for n in ids.values()) + sum(n - 1 for n in naming.values()),
    }


def figures_record(fault: str, site: Site, load: Load, recover_seconds: float,
                   mail: dict[str, int] | None = None) -> Figures:  # fmt: skip
    """Count ``load``'s outcomes against the comments ``site`` stored (the
    texts starting with the load's prefix), with ``mail``'s figures
    (:func:`mail_count`) when the row counts mail; keep the figures for
    the table and return them."""
    outcomes = load.outcomes
    acknowledged = load.acknowledged()
    stored = site.stored(load.prefix)
    figures = Figures(
        fault=fault,
        database=site.database,
        sent=len(outcomes),
        answered=sum(o.status is not None for o in outcomes),
        refused=sum(o.status is None for o in outcomes),
        friendly_503=sum(o.friendly for o in outcomes),
        other_5xx=sum(
            o.status is not None and o.status >= 500 and not o.friendly for o in outcomes
        ),  # fmt: skip
        acknowledged=len(acknowledged),
        stored=sum(stored.values()),
        lost=sum(1 for text in acknowledged if stored[text] == 0),
        duplicated=sum(n - 1 for n in stored.values() if n > 1),
        unacknowledged=sum(1 for text in stored if text not in set(acknowledged)),
        recover_seconds=round(recover_seconds, 1),
        **(mail or {}),
    )
    RESULTS.append(figures)
    return figures


def lost_texts(site: Site, load: Load) -> list[str]:
    """The comments ``load`` saw acknowledged that ``site`` does not hold
    (for a failing test's message)."""
    stored = site.stored(load.prefix)
    return [text for text in load.acknowledged() if stored[text] == 0]


def table_markdown(results: list[Figures]) -> str:
    """``results`` as a Markdown table, with a line of totals (mail summed
    over the rows that count it)."""

    def cell(value) -> str:
        return NOT_COUNTED if value is None else str(value)

    lines = ["| " + " | ".join(COLUMNS.values()) + " |", "|" + "---|" * len(COLUMNS)]
    for figures in results:
        lines.append("| " + " | ".join(cell(v) for v in asdict(figures).values()) + " |")

    def total(name: str) -> str:
        values = [getattr(f, name) for f in results if getattr(f, name) is not None]
        return "" if name == "recover_seconds" else cell(sum(values) if values else None)

    totals = [total(name) for name in list(COLUMNS)[2:]]
    lines.append("| **all** | | " + " | ".join(totals) + " |")
    return "\n".join(lines) + "\n"

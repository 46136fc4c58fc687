"""The figures each fault leaves, gathered for the table printed at the end
of the run and written to ``ci-output/faults.md`` (tests/faults/conftest.py).

Comments stored are read from the site's own database: the texts a
fault test's writers posted (they share a prefix) and how often each is
stored. *Lost*: acknowledged (303) but not stored. *Duplicated*: stored
more than once. *Stored, not acknowledged*: stored, though the writer
got no 303 (the commit went through and the answer did not: the
connection ended after the commit, or the worker was killed).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.faults.load import Load

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
}


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


def stored_sqlite(path: Path, prefix: str) -> Counter:
    """How often each comment text starting with ``prefix`` is stored in
    the SQLite file ``path``."""
    with sqlite3.connect(path, timeout=30) as connection:
        rows = connection.execute(
            "SELECT body, COUNT(*) FROM advice_comment WHERE body LIKE ? GROUP BY body",
            (prefix + "%",),
        ).fetchall()
    connection.close()
    return Counter(dict(rows))


def figures_record(fault: str, database: str, load: Load, stored: Counter,
                   recover_seconds: float) -> Figures:  # fmt: skip
    """Count ``load``'s outcomes against ``stored`` (text -> times stored),
    keep the figures for the table and return them."""
    outcomes = load.outcomes
    acknowledged = load.acknowledged()
    figures = Figures(
        fault=fault,
        database=database,
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
    )
    RESULTS.append(figures)
    return figures


def table_markdown(results: list[Figures]) -> str:
    """``results`` as a Markdown table, with a line of totals."""
    lines = ["| " + " | ".join(COLUMNS.values()) + " |", "|" + "---|" * len(COLUMNS)]
    for figures in results:
        lines.append("| " + " | ".join(str(v) for v in asdict(figures).values()) + " |")
    totals = {name: sum(getattr(f, name) for f in results) for name in list(COLUMNS)[2:-1]}
    lines.append("| **all** | | " + " | ".join(str(v) for v in totals.values()) + " | |")
    return "\n".join(lines) + "\n"

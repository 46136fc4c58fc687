"""The fault suite's table: the figures of every fault that ran, written to
``ci-output/faults.md`` and printed at the end of the run."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.figures import RESULTS, table_markdown
from tests.faults.site import ROOT, site_copy, site_env, site_prepare

OUTPUT = ROOT / "ci-output" / "faults.md"


@pytest.fixture(scope="session")
def sqlite_template():
    """A prepared SQLite site (migrated, static collected, the article
    added) that each SQLite fault test copies (:func:`site_copy`)."""
    root = Path(tempfile.mkdtemp(prefix="faults-template-"))
    try:
        site_prepare(site_env(root))
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def sqlite_root(sqlite_template, tmp_path) -> Path:
    """A fresh SQLite site's folder (database, static, media), copied from
    the prepared template; the test builds its environment with
    :func:`site_env`."""
    root = tmp_path / "site"
    site_copy(sqlite_template, root)
    return root


def pytest_terminal_summary(terminalreporter):
    """Write and print the table when any fault test ran."""
    if not RESULTS:
        return
    text = (
        "# Faults under load\n\n"
        "Each fault injected while readers and writers ran "
        "(tests/faults/, `make faults`).\n\n" + table_markdown(RESULTS)
    )
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text)
    terminalreporter.write_sep("=", f"faults under load ({OUTPUT.relative_to(ROOT)})")
    terminalreporter.write_line(text)

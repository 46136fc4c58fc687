"""The fault suite's table: the figures of every fault that ran, written to
``ci-output/faults.md`` and printed at the end of the run."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.figures import RESULTS, table_markdown
from tests.faults.services import PrivateCluster
from tests.faults.site import (
    POSTGRESQL,
    ROOT,
    SQLITE,
    Site,
    site_copy,
    site_env,
    site_prepare,
)

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


PG_TEMPLATE = "faults_template"
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster(sqlite_template):
    """The suite's private PostgreSQL cluster (one for the run), holding a
    prepared template database (migrated, the article added) that each
    PostgreSQL site copies; the static files are the SQLite template's."""
    cluster = PrivateCluster()
    try:
        cluster.database_create(PG_TEMPLATE)
        site_prepare(site_env(sqlite_template, DATABASE_URL=cluster.url(PG_TEMPLATE)))
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def sqlite_site(sqlite_root) -> Site:
    """A fresh SQLite site (:func:`sqlite_root`)."""
    return Site(SQLITE, sqlite_root)


@pytest.fixture
def postgres_site(request, sqlite_template, tmp_path) -> Site:
    """A fresh PostgreSQL site: a database of its own on the private cluster
    (copied from the template), its folder under ``tmp_path``. Afterwards
    the cluster is started again if the test left it stopped, and the
    database is dropped."""
    cluster = request.getfixturevalue("pg_cluster")
    root = tmp_path / "site"
    root.mkdir()
    (root / "static").symlink_to(sqlite_template / "static")
    (root / "media").mkdir()
    dbname = f"faults_{next(_databases)}"
    url = cluster.database_create(dbname, template=PG_TEMPLATE)
    yield Site(POSTGRESQL, root, url, dbname=dbname, cluster=cluster)
    if not cluster.running():
        cluster.start()
    cluster.database_drop(dbname)


@pytest.fixture(params=[SQLITE, POSTGRESQL])
def site(request) -> Site:
    """A fresh site on each database in turn: the faults that are not about
    the database hold on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_site" if request.param == SQLITE else "postgres_site")


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

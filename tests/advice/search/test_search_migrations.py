"""The search migrations hold their own SQL (STYLE.md: migrations hold what
they run), and the live post-migrate repair (advice.search.index, running the
statements of advice.search.sqlite and advice.search.postgres) installs
exactly what the newest search migration does."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import advice.migrations
from advice.search import postgres, sqlite

MIGRATIONS = Path(advice.migrations.__file__).resolve().parent
SEARCH_MIGRATIONS = ["0003_search", "0004_search_comments", "0006_search_per_comment"]
NEWEST = "0006_search_per_comment"
# Each constant of the newest migration, and the dialect module holding it live.
CONSTANTS = {
    "SQLITE_INSTALL": sqlite,
    "SQLITE_REBUILD": sqlite,
    "SQLITE_UNINSTALL": sqlite,
    "PG_INSTALL": postgres,
    "PG_REBUILD": postgres,
    "PG_UNINSTALL": postgres,
    "FTS_COLUMNS": sqlite,
}


@pytest.mark.parametrize("name", SEARCH_MIGRATIONS)
def test_search_migration_imports_no_live_code(name):
    tree = ast.parse((MIGRATIONS / f"{name}.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported <= {"django.db", "importlib"}, imported
    # Its SQL is literal strings: every constant is a list of str constants.
    values = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    for constant in ("SQLITE_INSTALL", "PG_INSTALL"):
        assert all(isinstance(item, ast.Constant) for item in values[constant].elts), constant


@pytest.mark.parametrize("constant", CONSTANTS)
def test_live_repair_sql_equals_the_newest_migration(constant):
    newest = importlib.import_module(f"advice.migrations.{NEWEST}")
    assert getattr(CONSTANTS[constant], constant) == getattr(newest, constant)
    assert sqlite.COMMENT_FTS_COLUMNS == newest.COMMENT_FTS_COLUMNS


def test_the_newest_search_migration_is_the_newest_that_touches_search():
    later = sorted(p.stem for p in MIGRATIONS.glob("0*.py") if p.stem > NEWEST)
    for name in later:
        text = (MIGRATIONS / f"{name}.py").read_text()
        assert "advice_article_fts" not in text, name
        assert "advice_article_search" not in text, name

"""Redis, the shared cache, stopped under load: every page still answers
200, rendered (config/cache.py: a failing cache is a miss), comments are
stored; once Redis is back the pages are cached in it again, with no
restart of the app. On SQLite and on PostgreSQL."""

from __future__ import annotations

import time

import pytest

from tests.faults.figures import figures_record
from tests.faults.load import Load
from tests.faults.services import PrivateRedis
from tests.faults.site import process_stop, server_start
from tests.faults.timing import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.faults]

HOLD = 3  # seconds the fault lasts


def test_redis_stopped_pages_answer_and_cache_comes_back(site):
    cache = PrivateRedis()
    server = server_start(site.env(REDIS_URL=cache.url), site.root)
    try:
        with Load(server.url, "redis-stopped") as load:
            wait_until(lambda: cache.keys() > 0)  # pages are cached in Redis
            cache.stop()
            began = time.monotonic()
            time.sleep(HOLD)
            cache.start()  # empty: no persistence
            removed = time.monotonic()
            recovered = wait_until(lambda: cache.keys() > 0)
            load.wait_for("comment", 303, removed)
        during = [o for o in load.outcomes if began <= o.at <= removed]
    finally:
        process_stop(server.process)
        cache.stop()

    figures = figures_record("Redis stopped (cache)", site, load, recovered)
    reads = [o.status for o in during if o.kind == "read"]
    assert reads, "no page was read while Redis was stopped"
    assert set(reads) == {200}, load.summary()
    assert any(o.kind == "comment" and o.status == 303 for o in during), load.summary()
    assert {o.status for o in load.outcomes} <= {200, 303}, load.summary()
    assert (figures.lost, figures.duplicated) == (0, 0)

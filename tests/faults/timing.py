"""Waiting in the fault tests: until a condition holds, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> float:
    """Seconds until ``condition()`` is true (checked every 0.1 s); fails
    the test after ``timeout`` seconds."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not met in time"
        time.sleep(0.1)
    return time.monotonic() - start

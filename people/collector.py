"""Python's cyclic garbage collector, paused around a set-based computation.

A computation over every mentorship at once (the bonus finalization) holds tens of thousands
of small objects for a moment: rows, dates, windows. Each allocation counts toward the
collector's next pass, and once enough have survived it runs a full collection, which
traverses every object of a process with Django and Wagtail loaded: about 0.1 s at 10,000
mentorships, one run in two (docs/performance.md). None of these objects forms a cycle; they
are freed by reference counting as always, so pausing the collector for the computation
loses nothing, and the collector runs as usual afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block without cyclic garbage collection; the collector is enabled again after it
    only if it was enabled before (nested uses, a process that disabled it itself)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

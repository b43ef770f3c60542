"""One function over a batch of files: in this process, or on several processes when the batch pays for them.

`check` and `report` share it, so `report` runs on all cores as `check` does (each file's result is a plain
dataclass, sent back from the worker)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from typing import TypeVar

from tf2lint.engine import CollectorPaused

PROGRESS_AFTER = 200  # files: a run this long shows its progress on a terminal's stderr
Item = TypeVar("Item")
Result = TypeVar("Result")


def run_batch(function: Callable[[Item], Result], items: Sequence[Item], jobs: int, progress: bool = False,
              makes_cycles: bool = False) -> list[Result]:
    """``function`` of each item, in order. ``jobs``: processes to use (1: this one); fewer than four items per
    process run here. ``progress``: a line on stderr that counts the files done (a long run on a terminal).
    ``makes_cycles``: the function makes reference cycles (LibCST, when fixes are built), so the garbage
    collector stays on; otherwise it is off for the batch (it would only walk the summaries the run keeps,
    again and again: 3 % of a corpus run)."""
    progress = progress and len(items) >= PROGRESS_AFTER
    with nullcontext() if makes_cycles else CollectorPaused():
        if jobs <= 1 or len(items) < 4 * jobs:
            return list(_counted(map(function, items), len(items), progress))
        import multiprocessing  # only now: importing it costs more than a whole cached run's checks
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
            done = pool.map(function, items, chunksize=max(1, len(items) // (jobs * 8)))
            return list(_counted(done, len(items), progress))


def _counted(results: Iterator, total: int, progress: bool) -> Iterator:
    step = max(1, total // 100)
    for number, result in enumerate(results, start=1):
        if progress and (number % step == 0 or number == total):
            sys.stderr.write(f"\rtf2lint: {number}/{total} files" + ("\n" if number == total else ""))
            sys.stderr.flush()
        yield result

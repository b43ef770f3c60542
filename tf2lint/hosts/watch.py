"""`tf2lint check --watch`: check, then check again whenever a Python file, a notebook, a configuration
or an ignore file under the paths changes. Changes are seen by watchfiles (the `watch` extra); each
round reads the configuration afresh and reuses the cache, so only what changed is analysed again."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

WATCHED_NAMES = frozenset({"pyproject.toml", ".gitignore"})
WATCHED_SUFFIXES = (".py", ".pyi", ".ipynb")


def watch(paths: Sequence[str], check: Callable[[], int]) -> int:
    """Run ``check`` now and after every batch of changes, until interrupted (then exit 0)."""
    try:
        import watchfiles
    except ImportError:
        print("tf2lint: error: --watch needs watchfiles: pip install 'tf2lint[watch]' (or watchfiles)", file=sys.stderr)
        return 2

    class Relevant(watchfiles.DefaultFilter):
        def __call__(self, change, path: str) -> bool:
            name = os.path.basename(path)
            return super().__call__(change, path) and (name in WATCHED_NAMES or name.endswith(WATCHED_SUFFIXES))

    check()
    sys.stdout.flush()
    for changes in watchfiles.watch(*paths, watch_filter=Relevant(), raise_interrupt=False):
        print(f"tf2lint: [{time.strftime('%H:%M:%S')}] {len(changes)} change{'s' * (len(changes) != 1)}; checking again",
              file=sys.stderr)
        check()
        sys.stdout.flush()
    return 0

"""Class methods replaced while a check runs, then put back: how the runtime checks watch TensorFlow and Keras."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def wrapped(classes: list[type], method: str, wrap: Callable[[Any], Any]) -> Iterator[None]:
    """Each class's own ``method`` replaced by ``wrap(original)`` while the block runs, then put back."""
    patched = []
    for cls in classes:
        original = cls.__dict__.get(method)
        if original is not None:
            setattr(cls, method, functools.wraps(original)(wrap(original)))
            patched.append((cls, original))
    try:
        yield
    finally:
        for cls, original in reversed(patched):
            setattr(cls, method, original)

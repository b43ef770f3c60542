"""pytest plugin (entry point `pytest11`): the `shim_check` fixture for a team's own migration tests.

    def test_my_layer_is_stable(shim_check):
        shim_check(MyLayer(), tf.ones((2, 4)))            # fails with a readable report
        findings = shim_check(MyLayer(), x, strict=False)  # or look at the findings yourself
        shim_check(MyLayer, x, instances=2)                # a second object, built after the first was used

An exception the layer raises is a finding too (its shim pitfall's code, or `error`), not an error of
the test; each check leaves TensorFlow's and Keras' global state as it found it, and the fixture resets
Keras' naming state after the test.

TensorFlow is imported only when the fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def shim_check() -> Iterator[Callable[..., list[Any]]]:
    from tf2lint import runtime

    def run(obj: Any, *inputs: Any, training: bool | None = None, calls: int = 2, strict: bool = True,
            instances: int | None = None) -> list[Any]:
        if strict:
            runtime.assert_shim_stable(obj, *inputs, training=training, calls=calls, instances=instances)
            return []
        if instances is not None:
            return runtime.check_instances(obj, *inputs, instances=instances, training=training, calls=calls)
        return runtime.check(obj, *inputs, training=training, calls=calls)

    yield run
    runtime.reset()


@pytest.fixture
def checkpoint_check() -> Iterator[Callable[..., Any]]:
    """`checkpoint_check(OldLayer, NewLayer, x)`: the old layer's checkpoint must load into the new one."""
    from tf2lint import runtime

    yield runtime.assert_checkpoint_compatible
    runtime.reset()

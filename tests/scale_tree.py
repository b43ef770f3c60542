"""A 50,000-module project with import cycles and star-import loops, for the scale test and the benchmark.

Most modules are one line; the few the linted model names form cycles (`cyc_a` <-> `cyc_b`), a star-import
loop (`m0` <-> `m1`) and a chain into another package (`big.p1.m1` creates an unnamed v1 layer, so the
walk must get there to report it). Everything else must never be read.
"""

from __future__ import annotations

from pathlib import Path

PACKAGES = 250
MODULES_PER_PACKAGE = 200  # __init__.py included: 250 * 200 = 50,000 modules

MODEL = """\
import tensorflow as tf

from big.p0.m0 import *
from big.p1 import m1 as helper
from . import cyc_a


class Model(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        x = block(x)
        x = helper.dense(x)
        return cyc_a.first(x)
"""
MODEL_FINDING_LINE = 12  # `helper.dense(x)`: the unnamed layer in big/p1/m1.py

NAMED = {
    "big/p0/m0.py": "from big.p0.m1 import *\n\n\ndef block(x):\n    return x\n",
    "big/p0/m1.py": "from big.p0.m0 import *\nfrom .m1 import *\n",
    "big/p0/cyc_a.py": "from . import cyc_b\n\n\ndef first(x):\n    return cyc_b.second(x)\n",
    "big/p0/cyc_b.py": "from . import cyc_a\n\n\ndef second(x):\n    return cyc_a.first(x)\n",
    "big/p1/m1.py": "import tensorflow as tf\n\n\ndef dense(x):\n    return tf.compat.v1.layers.dense(x, 3)\n",
    "big/p0/model.py": MODEL,
}


def make_tree(root: Path) -> Path:
    """Write the tree under ``root``; returns the model file to lint."""
    for package in range(PACKAGES):
        directory = root / "big" / f"p{package}"
        directory.mkdir(parents=True)
        (directory / "__init__.py").write_bytes(b"")
        for module in range(MODULES_PER_PACKAGE - 1):
            (directory / f"m{module}.py").write_bytes(b"from . import *\n")
    (root / "big" / "__init__.py").write_bytes(b"")
    for name, text in NAMED.items():
        (root / name).write_text(text, encoding="utf-8")
    return root / "big" / "p0" / "model.py"


def modules_it_may_read(root: Path) -> set[str]:
    """What the model's imports name, and the packages on the way to them."""
    names = [*NAMED, "big/__init__.py", "big/p0/__init__.py", "big/p1/__init__.py"]
    return {str((root / name).resolve()) for name in names if name != "big/p0/model.py"}

"""The project's text gates: following a name through re-exports reads a module's text before parsing it,
and gives what parsing it would."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tf2lint.analysis.project import Project


class _Text(Project):
    """A project whose every module has the given bytes."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def raw(self, module: str) -> bytes:
        return self._raw


@given(st.lists(st.sampled_from(["def", "class", "async", " ", "\n", "\t", "\r", "\f", "x", "xy", "_", "(", "é"]),
                max_size=12),
       st.sampled_from(["x", "xy", "def", "x_", "é"]))
def test_top_level_definition_search_agrees_with_its_pattern(parts: list[str], name: str) -> None:
    """A name defined at column 0 is found by a search for the name and a look at what precedes it on its
    line: the same answer as the multiline pattern, blanks and newlines between the keyword and the name
    included."""
    raw = "".join(parts).encode()
    expected = re.search(rb"^(?:async\s+def|def|class)\s+" + re.escape(name.encode()) + rb"\b", raw, re.M)
    assert _Text(raw)._defines_at_top("m", name) == (expected is not None)


def test_star_imports_that_do_not_spell_the_name_are_not_parsed(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "from pkg.plain import *\nfrom pkg.layers import *\nfrom pkg.sub import *\n",
        "pkg/plain.py": "def other():\n    pass\n",
        "pkg/layers.py": "import tensorflow as tf\nconv = tf.compat.v1.layers.conv2d\n",
        "pkg/sub/__init__.py": "x = 1\n",
        "pkg/sub/dense.py": "y = 2\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    project = Project((str(tmp_path),))
    assert project.chase("pkg.conv") == ("tensorflow.compat.v1.layers.conv2d",)
    parsed = {Path(path).relative_to(tmp_path).as_posix() for path in project._summaries}
    assert "pkg/plain.py" not in parsed and "pkg/layers.py" in parsed
    # A submodule is an attribute its package's text need not spell: `from pkg.sub import *` may bind it.
    assert project.chase("pkg.dense") == ("pkg.sub.dense",)

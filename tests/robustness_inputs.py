"""Hostile inputs: each must be analysed (same findings as its plain form) or become one TFS000."""

from __future__ import annotations

BAD_SHIM = (
    "import tensorflow as tf\n"
    "\n"
    "\n"
    "class L(tf.keras.layers.Layer):\n"
    "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
    "    def call(self, inputs):\n"
    "        s = 'é中'; out = tf.compat.v1.layers.dense(inputs, 3)\n"
    "        return out\n"
)
BAD_SHIM_FINDINGS = [(7, 24, "TFS101")]  # (line, 0-based character column, code)


def _chain(terms: int) -> str:
    return "a" + " + a" * (terms - 1)


def analysable() -> dict[str, bytes]:
    """Inputs that parse: each must give BAD_SHIM_FINDINGS (shifted by ``offset_of``)."""
    tabs = BAD_SHIM.replace("    ", "\t")
    generated = "".join(f"def generated_{i}(x):\n    return x + {i}\n\n" for i in range(20000))
    return {
        "plain.py": BAD_SHIM.encode(),
        "bom.py": b"\xef\xbb\xbf" + BAD_SHIM.encode(),
        "crlf.py": BAD_SHIM.replace("\n", "\r\n").encode(),
        "cr.py": BAD_SHIM.replace("\n", "\r").encode(),
        "tabs.py": tabs.encode(),
        "tabs_crlf.py": tabs.replace("\n", "\r\n").encode(),
        "latin1_cookie.py": ("# -*- coding: latin-1 -*-\n" + BAD_SHIM.replace("é中", "é")).encode("latin-1"),
        "chain700.py": (f"a = 1\nb = {_chain(700)}\n" + BAD_SHIM).encode(),
        "generated.py": (generated + BAD_SHIM).encode(),
    }


def offset_of(name: str) -> tuple[int, int]:
    """(lines, columns) the finding moves by in an analysable input."""
    return {
        "latin1_cookie.py": (1, -1),
        "chain700.py": (2, 0),
        "generated.py": (60000, 0),
        "tabs.py": (0, -6),
        "tabs_crlf.py": (0, -6),
    }.get(name, (0, 0))


def unparsable() -> dict[str, bytes]:
    """Inputs that must each produce exactly one TFS000 finding.

    Each mentions TensorFlow: files that do not are skipped before parsing (nothing tf2lint reports
    can come from them), so their syntax errors are left to Python and flake8.
    """
    tf = b"import tensorflow as tf\n"
    return {
        "nul.py": tf + b"x = 1\x00\n",
        "python2.py": tf + b"print 'hello'\n",
        "syntax.py": tf + b"def f(:\n    pass\n",
        "bad_utf8.py": tf + b"x = '\xff\xfe'\n",
        "unknown_cookie.py": b"# -*- coding: klingon -*-\n" + tf,
        "nested_parens.py": tf + b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n",
        "deep_unary.py": tf + b"x = " + b"-" * 200000 + b"1\n",
        "indent.py": tf + b"def f():\nreturn 1\n",
    }

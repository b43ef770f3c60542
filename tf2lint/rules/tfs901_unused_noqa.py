"""TFS901: a `# noqa: TFSxxx` that suppresses nothing (CLI only, off by default)."""

from __future__ import annotations

from tf2lint.rules.base import Docs, Rule

CODE = "TFS901"


def unused_codes(codes: list[str], suppressed: set[str], enabled: list[str]) -> list[str]:
    """The TFS codes of one noqa comment that matched no finding, among the rules that ran.

    ``suppressed`` holds the codes of findings on the comment's line; ``enabled`` the codes that ran
    (a comment naming a rule that did not run cannot be judged, so it is left alone).
    """
    unused = []
    for code in codes:
        if not code.startswith("TFS") or not any(e.startswith(code) for e in enabled):
            continue
        if not any(found.startswith(code) for found in suppressed):
            unused.append(code)
    return unused


RULE = Rule(
    code=CODE,
    symbol="unused-noqa",
    summary="`# noqa: TFSxxx` that suppresses nothing",
    docs=Docs(
        what=(
            "Reports `# noqa` comments naming TFS codes that suppress no finding on their line, such as one left "
            "behind after the code was fixed. Only codes of rules that ran are judged; other tools' codes and "
            "blanket `# noqa` are left alone. Implemented by the `tf2lint` CLI (flake8 and pylint have their own: "
            "flake8-noqa, pylint's `useless-suppression`)."
        ),
        why="A stale suppression hides the next real finding on that line.",
        fix_safety="Not fixable automatically yet.",
        runtime="No runtime effect (measured on TF 2.21: comments do not reach TensorFlow).",
    ),
    bad=(
        '''\
import tensorflow as tf


class Fixed(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope("model"):
            return tf.compat.v1.layers.dense(inputs, 3)  # noqa: TFS101  # expect: TFS901
''',
    ),
    good=(
        '''\
import tensorflow as tf


class Suppressed(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return tf.compat.v1.layers.dense(inputs, 3)  # noqa: TFS101, E501
''',
    ),
    check=lambda ctx: (),  # works on comments and findings, not on the module: see tf2lint.engine
    applies=lambda triage: False,
    enabled_by_default=False,
)

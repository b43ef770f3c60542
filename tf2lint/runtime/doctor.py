"""`tf2lint doctor`: can the shim work here? Reads package metadata and the environment only."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib import metadata

TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly", "tf-nightly-cpu")
HONOURED = ("1", "true", "True")


def installed_versions() -> dict[str, str]:
    found = {}
    for name in (*TF_DISTRIBUTIONS, "keras", "tf-keras", "tf-keras-nightly", "tf-slim"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _minor(version: str) -> tuple[int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", version)[:2]]
    return (numbers + [0, 0])[0], (numbers + [0, 0])[1]


def slim_notes(versions: Mapping[str, str]) -> list[str]:
    """What TF-Slim can do on this TensorFlow (measured with tf-slim 1.1.0; it does not change the verdict)."""
    tf_name = next((n for n in TF_DISTRIBUTIONS if n in versions), None)
    if "tf-slim" not in versions or tf_name is None:
        return []
    head = f"tf_slim:     {versions['tf-slim']}"
    tf_version = _minor(versions[tf_name])
    if tf_version < (2, 13):
        return ["", head, "slim.batch_norm works on this TensorFlow (measured on TF 2.12)."]
    if tf_version < (2, 15):
        return ["", head,
                "slim.batch_norm works only on its fused path (rank-2 inputs, or updates_collections=None): rank-3+ "
                "inputs raise ModuleNotFoundError: No module named 'keras.legacy_tf_layers' (measured on TF 2.13, 2.14)."]
    return ["", head,
            "slim.batch_norm cannot run on this TensorFlow: rank-3+ inputs raise ModuleNotFoundError (TF looks for "
            "tf_keras.legacy_tf_layers, which the tf-keras wheel does not have), its fused path raises "
            "AttributeError (ops.Tensor) (measured on TF 2.15, 2.21). Use "
            "tf.compat.v1.layers.batch_normalization(..., training=...) instead; the other slim layers work."]


def diagnose(versions: Mapping[str, str], environ: Mapping[str, str]) -> tuple[list[str], bool]:
    """Report lines, and whether the shim can work (through tf2lint.shim at least)."""
    lines, ok = _diagnose_shim(versions, environ)
    return [*lines, *slim_notes(versions)], ok


def _diagnose_shim(versions: Mapping[str, str], environ: Mapping[str, str]) -> tuple[list[str], bool]:
    tf_name = next((n for n in TF_DISTRIBUTIONS if n in versions), None)
    tf_keras = versions.get("tf-keras") or versions.get("tf-keras-nightly")
    flag = environ.get("TF_USE_LEGACY_KERAS")
    lines = [
        f"TensorFlow:  {versions[tf_name]} ({tf_name})" if tf_name else "TensorFlow:  not installed",
        f"Keras:       {versions.get('keras', 'not installed')}",
        f"tf_keras:    {tf_keras or 'not installed'}",
        f"TF_USE_LEGACY_KERAS: {flag!r}" + ("" if flag is None else (" (honoured)" if flag in HONOURED else " (NOT honoured: only \"1\", \"true\", \"True\" are)")),
    ]
    if tf_name is None:
        return [*lines, "", 'The shim needs TensorFlow: pip install "tf2lint[runtime]"'], False
    tf_version = _minor(versions[tf_name])
    if tf_version < (2, 16):
        lines += [
            "tf.compat.v1.keras: Keras 2 bundled with TensorFlow (has the shim)",
            "",
            "OK: tf.compat.v1.keras.utils.track_tf1_style_variables and tf2lint.shim both work.",
        ]
        return lines, True
    if tf_keras is None:
        lines += [
            "tf.compat.v1.keras: Keras 3 (no track_tf1_style_variables, no tf.compat.v1.layers)",
            "",
            f"The shim cannot work: TensorFlow {versions[tf_name]} needs tf_keras for it.",
            # Not `tf2lint[runtime]`: it pins TensorFlow 2.21 and would replace the TensorFlow installed here.
            f'Fix: pip install "tf-keras~={tf_version[0]}.{tf_version[1]}.0"',
        ]
        return lines, False
    if _minor(tf_keras) != tf_version:
        lines += [
            "",
            f"tf_keras {tf_keras} does not match TensorFlow {versions[tf_name]}: install "
            f'"tf-keras~={tf_version[0]}.{tf_version[1]}.0".',
        ]
        return lines, False
    if flag in HONOURED:
        lines += [
            "tf.compat.v1.keras: tf_keras (TF_USE_LEGACY_KERAS is honoured)",
            "",
            "OK: tf.compat.v1.keras.utils.track_tf1_style_variables and tf2lint.shim both work.",
            "Set the variable before TensorFlow is imported, or part of the process stays on Keras 3.",
        ]
    else:
        lines += [
            "tf.compat.v1.keras: Keras 3 (tf.compat.v1.keras.utils has no track_tf1_style_variables)",
            "",
            "OK through tf2lint.shim (it uses tf_keras directly).",
            "For code written against tf.compat.v1.keras: export TF_USE_LEGACY_KERAS=1 before starting Python.",
        ]
    return lines, True


def main() -> int:
    lines, ok = diagnose(installed_versions(), os.environ)
    print("\n".join(lines))
    return 0 if ok else 1

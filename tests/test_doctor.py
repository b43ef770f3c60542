"""`tf2lint doctor`: the diagnosis for each TensorFlow/Keras combination, without importing TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tf2lint.runtime.doctor import diagnose


@pytest.mark.parametrize(
    ("versions", "environ", "ok", "says"),
    [
        ({}, {}, False, 'pip install "tf2lint[runtime]"'),
        ({"tensorflow": "2.15.1", "keras": "2.15.0"}, {}, True, "Keras 2 bundled with TensorFlow"),
        ({"tensorflow": "2.21.0", "keras": "3.15.1"}, {}, False, 'pip install "tf-keras~=2.21.0"'),
        ({"tensorflow-cpu": "2.21.0", "keras": "3.15.1", "tf-keras": "2.21.0"}, {}, True, "OK through tf2lint.shim"),
        ({"tensorflow": "2.21.0", "tf-keras": "2.21.0"}, {"TF_USE_LEGACY_KERAS": "1"}, True, "tf.compat.v1.keras: tf_keras"),
        ({"tensorflow": "2.21.0", "tf-keras": "2.21.0"}, {"TF_USE_LEGACY_KERAS": "TRUE"}, True, "NOT honoured"),
        ({"tensorflow": "2.21.0", "tf-keras": "2.19.0"}, {}, False, "does not match TensorFlow 2.21.0"),
        # tf-slim 1.1.0's batch_norm, measured under the shim on TF 2.12.1, 2.13.1, 2.14.1, 2.15.1 and 2.21.0.
        ({"tensorflow": "2.12.1", "keras": "2.12.0", "tf-slim": "1.1.0"}, {}, True, "slim.batch_norm works"),
        ({"tensorflow": "2.14.1", "keras": "2.14.0", "tf-slim": "1.1.0"}, {}, True, "works only on its fused path"),
        ({"tensorflow": "2.15.1", "keras": "2.15.0", "tf-slim": "1.1.0"}, {}, True, "slim.batch_norm cannot run"),
        ({"tensorflow": "2.21.0", "tf-keras": "2.21.0", "tf-slim": "1.1.0"}, {}, True, "slim.batch_norm cannot run"),
    ],
)
def test_diagnosis(versions, environ, ok, says) -> None:
    lines, works = diagnose(versions, environ)
    assert works is ok
    assert says in "\n".join(lines)


def test_doctor_command_never_imports_tensorflow() -> None:
    probe = (
        "import sys\nfrom tf2lint.hosts.cli import main\ncode = main(['doctor'])\n"
        "assert 'tensorflow' not in sys.modules and 'tf_keras' not in sys.modules\nsys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.startswith("TensorFlow:")

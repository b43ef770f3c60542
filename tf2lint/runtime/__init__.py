"""The runtime half: check real layers under the real shim. TensorFlow is imported on first use.

    from tf2lint import runtime
    findings = runtime.check(MyLayer(), x, training=True)
    runtime.assert_shim_stable(MyLayer(), x)
"""

from tf2lint.runtime.stability import UNEXPLAINED, RuntimeFinding, assert_shim_stable, check, reset

__all__ = ["UNEXPLAINED", "RuntimeFinding", "assert_shim_stable", "check", "reset"]

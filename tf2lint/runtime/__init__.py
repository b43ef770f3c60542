"""The runtime half: check real layers under the real shim. TensorFlow is imported on first use.

    from tf2lint import runtime
    findings = runtime.check(MyLayer(), x, training=True)
    runtime.assert_shim_stable(MyLayer(), x)
"""

from tf2lint.runtime.checkpoint import (
    CheckpointReport, assert_checkpoint_compatible, checkpoint_report, restore_renamed,
)
from tf2lint.runtime.migration import MigrationReport, assert_migration, compare_migration
from tf2lint.runtime.slim import legacy_slim
from tf2lint.runtime.stability import UNEXPLAINED, RuntimeFinding, assert_shim_stable, check, check_instances, reset

__all__ = ["UNEXPLAINED", "CheckpointReport", "MigrationReport", "RuntimeFinding", "assert_checkpoint_compatible",
           "assert_migration", "assert_shim_stable", "check", "check_instances", "checkpoint_report", "compare_migration",
           "legacy_slim", "reset", "restore_renamed"]

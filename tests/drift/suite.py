"""Generate, label under TF and lint the drift pairs; the summary line the tests print."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from .generator import generate
from .label import Label, label

CI_COUNT = 160
CI_SEED = 0
RESULTS: list[str] = []


@dataclass
class Summary:
    pairs: int = 0
    drifted: int = 0
    hits: int = 0
    false_positives: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    fixed: int = 0  # drifted pairs TFS115's safe fixes repaired, proven by labelling the fixed code
    recorded: int = 0  # ... of which by recording a removed layer's scope (`with variable_scope("dense"): pass`)
    fixes_broken: list[str] = field(default_factory=list)
    by_op: dict[str, list[int]] = field(default_factory=dict)  # op -> [pairs, drifted, reported]

    def line(self) -> str:
        return (f"drift: {self.pairs} pairs, safe fixes proven {self.fixed} ({self.recorded} recording a removed "
                f"layer's scope; broken {len(self.fixes_broken)}), "
                f"recall {self.hits}/{self.drifted}, false positives {len(self.false_positives)}")


def _lock(old_source: str, directory: str) -> tuple[str, str]:
    from tf2lint.analysis.baseline import entries_of_source, lock_text, module_key

    path = os.path.join(directory, "model.py")
    lock = os.path.join(directory, "names.lock")
    entries = {f"{module_key(path, directory)}::{q}": e for q, e in entries_of_source(old_source, path).items()}
    with open(lock, "w", encoding="utf-8") as handle:
        handle.write(lock_text(entries))
    return path, lock


def reported(old_source: str, new_source: str, directory: str) -> bool:
    """Whether TFS115 reports the new source against a names lock written from the old one."""
    from tf2lint.engine import Settings, lint_source

    path, lock = _lock(old_source, directory)
    findings = lint_source(new_source, path, Settings(select=("TFS115",), variables_lock=lock))
    return any(f.code == "TFS115" for f in findings)


def safely_fixed(old_source: str, new_source: str, directory: str) -> str | None:
    """The new source with TFS115's safe fixes applied, when it has any."""
    from tf2lint.engine import Settings
    from tf2lint.fixing.write import fix_text

    path, lock = _lock(old_source, directory)
    result = fix_text(new_source, path, Settings(select=("TFS115",), variables_lock=lock), unsafe=False)
    return result.fixed if result.fixed != new_source else None


def run(count: int = CI_COUNT, seed: int = CI_SEED) -> Summary:
    with tempfile.TemporaryDirectory(prefix="tf2lint-drift-") as directory:  # the locks the pairs are read with
        return _run(count, seed, directory)


def _run(count: int, seed: int, directory: str) -> Summary:
    summary = Summary()
    for pair in generate(count, seed):
        truth = label(pair)
        found = reported(pair.old.source(), truth.new_source, directory)
        summary.pairs += 1
        counts = summary.by_op.setdefault(pair.op, [0, 0, 0])
        counts[0] += 1
        counts[1] += truth.drift
        counts[2] += found
        if truth.drift:
            summary.drifted += 1
            summary.hits += found
            repaired = safely_fixed(pair.old.source(), truth.new_source, directory) if found else None
            if repaired is not None:
                try:
                    again = label(pair, repaired)
                except ValueError as exc:  # the fixed code fails on its first call
                    again = Label(True, f"{type(exc).__name__}: {str(exc).splitlines()[2:3]}", repaired)
                summary.fixed += not again.drift
                # The fix inserted `with v1.variable_scope(...): pass` (the proof compared its checkpoint too).
                summary.recorded += not again.drift and repaired.count("pass") > truth.new_source.count("pass")
                if again.drift:
                    summary.fixes_broken.append(f"{pair.id}: {again.reason}\n{repaired}")
            if not found:
                summary.misses.append(f"{pair.id}: {truth.reason}\n{pair.old.source()}\n---\n{truth.new_source}")
        elif found:
            summary.false_positives.append(f"{pair.id}: {truth.reason}\n{pair.old.source()}\n---\n{truth.new_source}")
    return summary

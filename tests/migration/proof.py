"""Run each generated class through every stage of `tf2lint migrate` and prove each step under TensorFlow.

One process: the classes are executed from their sources, migrated in memory, and compared with
`tf2lint.runtime.compare_migration` (numbers in both DeterministicRandomTestTool modes, variables, and the
checkpoint of the step before restoring into the step after).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tf2lint.hosts.migrate import migrate_text

STAGES = ("objects", "native", "weights")
RESULTS: list[str] = []  # lines printed at the end of the run (conftest.py), the summary line last
GUIDE: list[str] = []  # the guide's examples, stage by stage, with the variable names TF prints


@dataclass
class Outcome:
    name: str
    refused: bool = False
    reasons: list[str] = field(default_factory=list)
    reports: dict[str, object] = field(default_factory=dict)  # stage -> MigrationReport
    sources: dict[str, str] = field(default_factory=dict)  # stage -> the class's source after it
    names: dict[str, list[str]] = field(default_factory=dict)  # stage -> variable names TF prints

    @property
    def broken(self) -> bool:
        return any(not report.proven for report in self.reports.values())


def load(source: str, name: str, module: str):
    namespace: dict = {"__name__": module}
    exec(compile(source, module, "exec"), namespace)  # noqa: S102 - generated test code
    return namespace[name]


def prove(source: str, name: str, inputs, call_kwargs: dict, args: tuple = (), checkpoint_only: bool = False,
          stages: tuple[str, ...] = STAGES) -> Outcome:
    """Each stage from the previous one's source. Numbers are compared with the original (an objects step
    made with ``checkpoint_only`` counts regularizers twice, so its losses are not compared), and each
    checkpoint comes from the step before. A class mixing TF-Slim and compat.v1 layers takes two rounds:
    its objects stage waits for the native stage to translate the Slim layers, then runs again for the
    compat.v1 ones; in the second round the end of the first is the reference (proven equal to the original)."""
    from tf2lint.runtime import compare_migration, legacy_slim

    outcome = Outcome(name, sources={"original": source})
    before = source
    original = old = load(source, name, "original")
    rounds, second = [stages], False
    while rounds:
        for stage in rounds.pop(0):
            key = f"{stage} 2" if second else stage
            after, plans = migrate_text(before, f"{name}.py", stage, name, checkpoint_only)
            plan = next(p for p in plans if p.name == name)
            if plan.status == "refused":
                outcome.refused = True
                outcome.reasons = [f"{stage}: line {line}: {why}" for line, why in plan.refusals]
                return outcome
            if stage == "objects" and plan.notes and not outcome.reports and not rounds:
                rounds.append(stages)  # again, for compat.v1 layers that waited for the Slim ones
            if after == before:
                continue
            new = load(after, name, key)
            with legacy_slim():  # the old TF-Slim batch_norm runs on TF 2.21 only so (tf2lint/runtime/slim.py)
                report = compare_migration(
                    lambda: original(*args), lambda new=new: new(*args), inputs, stage, call_kwargs=call_kwargs,
                    checkpoint_from=lambda old=old: old(*args), losses=not (checkpoint_only and stage == "objects"),
                )
            outcome.reports[key] = report
            outcome.sources[key] = after
            outcome.names[key] = report.new_names
            outcome.names.setdefault("original", report.old_names)
            before, old = after, new
        original, second = old, True
    return outcome


def summary_line(outcomes: list[Outcome]) -> str:
    counts = Counter("broken" if o.broken else "refused" if o.refused else "proven" for o in outcomes)
    return (f"migrate: {len(outcomes)} classes, stages {', '.join(STAGES)}, proven {counts['proven']}, "
            f"refused {counts['refused']}, broken {counts['broken']}")

"""`runtime.check` against the independent label, over the differential programs, all in one process.

For each program whose object is a `tf.Module` (a Keras layer or model included), a fresh copy is
checked as a user would: `runtime.check_instances(make, *inputs(), instances=2, training=True, calls=2)`, a
first and a second instance, the second in the state the first left (a class-level `tf.function` fails only
on the second), one program after the other and with no reset in between (a pytest session with many
`shim_check` calls: what check() leaves behind would change the later programs). The label to meet is the oracle's (oracle.py), measured on yet another copy
by the labeller after a reset; for silent sharing (TFS113), which the oracle cannot see, the labeller's store
probe's.

Last line: `runtime: N programs, reported H/B, raised R, false F`: B programs with a bug check() can see,
H of them reported with exactly the oracle's families, R checks that raised, F programs with a family
the oracle does not show.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .compare import family, modules
from .label import install
from .oracle import penalties_reached


@dataclass
class Checked:
    id: str
    oracle: set[str]
    reported: set[str]
    raised: str | None = None  # an exception check() let through

    @property
    def missed(self) -> set[str]:
        return self.oracle - self.reported

    @property
    def false(self) -> set[str]:
        return self.reported - self.oracle


@dataclass
class RuntimeSummary:
    programs: list[Checked] = field(default_factory=list)

    @property
    def buggy(self) -> list[Checked]:
        return [p for p in self.programs if p.oracle]

    @property
    def hits(self) -> list[Checked]:
        return [p for p in self.buggy if not p.raised and p.reported == p.oracle]

    @property
    def raised(self) -> list[Checked]:
        return [p for p in self.programs if p.raised]

    @property
    def false(self) -> list[Checked]:
        return [p for p in self.programs if p.false]

    def last_line(self) -> str:
        return (f"runtime: {len(self.programs)} programs, reported {len(self.hits)}/{len(self.buggy)}, "
                f"raised {len(self.raised)}, false {len(self.false)}")

    def report(self) -> str:
        table: dict[str, Counter] = {}
        for program in self.programs:
            for fam in program.oracle | program.reported:
                cell = "TP" if fam in program.oracle and fam in program.reported else (
                    "FN" if fam in program.oracle else "FP")
                table.setdefault(fam, Counter())[cell] += 1
        lines = [f"{'family':<10} {'TP':>4} {'FN':>4} {'FP':>4}"]
        lines += [f"{fam:<10} {c['TP']:>4} {c['FN']:>4} {c['FP']:>4}" for fam, c in sorted(table.items())]
        wrong = [*self.raised, *(p for p in self.programs if (p.missed or p.false) and not p.raised)]
        for program in wrong[:20]:
            lines.append(f"  {program.id}: oracle {sorted(program.oracle) or ['ok']}, check "
                         f"{sorted(program.reported) or ['ok']}" + (f", raised {program.raised}" if program.raised else ""))
        lines.append(self.last_line())
        return "\n".join(lines)


def _check_program(record: dict) -> Checked:
    import tensorflow as tf

    from tf2lint import runtime

    # Silent sharing is the labeller's store probe's to say (see `Labeller._reconcile`); unknown where the
    # labelled copy raised first (masked), though check()'s first instance may run through.
    oracle = {fam for families in record["oracle"] for fam in families} | ({"TFS113"} & set(record["label"]))
    unknown = {"TFS113"} & set(record.get("masked", ()))
    namespace: dict[str, Any] = {"__name__": f"checked_{record['id']}"}
    main, helpers = modules(record["source"])
    install(helpers, record["id"])  # the program's other modules, importable while it runs
    try:
        exec(compile(main, f"<{record['id']}>", "exec"), namespace)  # noqa: S102 - our own programs
    finally:
        for module_name in helpers:
            sys.modules.pop(module_name, None)
    make, inputs = namespace["make"], namespace["inputs"]
    built: list[Any] = []

    def making() -> Any:
        obj = make()
        built.append(obj)
        if not isinstance(obj, tf.Module):
            raise _NotAModule
        return obj

    try:
        # The two objects one after the other, the second in the state the first left (as `shim_check(MyLayer,
        # x, instances=2)` checks them): a class-level `tf.function`, or a kept v1 layer traced with no shim,
        # fails only on the second.
        findings = runtime.check_instances(making, *inputs(), instances=2, training=True, calls=2)
    except _NotAModule:
        return Checked(record["id"], oracle, set())
    except Exception as exc:  # noqa: BLE001 - what the suite counts
        return Checked(record["id"], oracle, set(), f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    if any(f.error for f in findings if f.instance == 1):
        findings = [f for f in findings if f.instance == 1]  # the first raised: the second says nothing more
    # A module that hands its store's penalties out itself, as the labeller reads it, loses none.
    findings = [f for f in findings if not (f.code == "TFS110" and penalties_reached(built[f.instance - 1]))]
    return Checked(record["id"], oracle, {family(f.code) for f in findings} - unknown)


class _NotAModule(Exception):
    """`make()` built something that is not a `tf.Module`: no oracle to meet."""


def check_programs(records: list[dict]) -> RuntimeSummary:
    """Every labelled program with an oracle (a `tf.Module` host), checked in this process, in order."""
    summary = RuntimeSummary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a deprecation warning per v1 layer
        for record in records:
            if record.get("oracle"):
                summary.programs.append(_check_program(record))
    return summary

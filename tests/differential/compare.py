"""Compare the linter's findings with the runtime labels, per program and per rule family.

No TensorFlow here: this module works on labelled records ({"id", "source", "label", "masked", ...}),
so that the analysis can be measured against stored labels in seconds.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tf2lint.knowledge import api

FAMILY = {"TFS101": "growth", "TFS102": "growth", "TFS103": "growth", "TFS106": "untracked", "TFS107": "untracked",
          "TFS116": "untracked"}
FAMILIES = ("growth", "untracked", "TFS104", "TFS105", "TFS108", "TFS109", "TFS110", "TFS111", "TFS112",
            "TFS113", "TFS114")


# Migration hints, not bugs: no runtime symptom to compare with. TFS117 ("the decorator can go") is measured
# on its own, by removing the decorator and comparing (tests/test_tfs117_runtime.py).
HINTS = frozenset({"TFS117"})


def family(code: str) -> str:
    return FAMILY.get(code, code)


# How one cause shows at runtime depends on how the program is called: variables created on every call
# (growth, untracked objects) raise the singleton-variables ValueError (labelled TFS105) as soon as the layer
# runs inside a `tf.function` (runtime-facts 3a, 3g). A linter finding of the cause counts for that symptom.
# Weights made again on every call are one cause with two symptoms, as in runtime.check's two branches:
# growth when the object holding them is the store's, untracked when it is not. `self.add_weight` in a layer
# that `get_or_create_layer` built shows as growth; the layers `get_or_create_layer` builds again under a
# renamed scope show as untracked in a tf.Module. A finding of either family counts for the other.
SHOWS_AS = {"TFS105": {"growth", "untracked"}, "growth": {"untracked"}, "untracked": {"growth"}}


# tf2lint reports shim mistakes. A program that never uses the shim (no decorator, no get_or_create_layer) is
# in its scope only for the forgotten decorator: TF1-store variables (get_variable, v1 layers, templates,
# TF-Slim) created by a layer with no decorator, which shows as untracked variables. Its other symptoms
# (a v1 dropout in a plain layer) are real bugs, but not shim bugs, and a linter for the migration stays silent
# on code that never migrated; weights made per call are the exception below (TFS116).
_SHIM_WORDS = ("track_tf1_style_variables", "get_or_create_layer")
_V1_LAYERS_WITH_WEIGHTS = "|".join(sorted({*api.V1_FUNCTIONAL_LAYERS, *api.V1_LAYER_CLASSES}))
_TF1_STORE_WORDS = re.compile(
    rf"\bget_variable\(|compat\.v1\.layers\.({_V1_LAYERS_WITH_WEIGHTS})\b|make_template|\bslim\.|rnn_cell"
)


# Since TFS116, weights built on every call of an undecorated Keras `call` / `tf.Module.__call__` are in scope
# too (a `tf.Variable`, a weight-owning Keras layer, `add_weight`, a layer class kept on `self`): they show as
# untracked objects, growth (`add_weight`), or the singleton-variables error inside a `tf.function`.
_PER_CALL_WEIGHT_WORDS = re.compile(
    r"\btf\.Variable\(|\btf\.keras\.layers\.(?!Activation\b)[A-Z]\w*\b|\badd_weight\(|_cls = tf\.keras\.layers\."
)


def in_scope(source: str, runtime: set[str]) -> set[str]:
    """The runtime families tf2lint is meant to report for a program."""
    if any(word in source for word in _SHIM_WORDS):
        return runtime
    scope = set()
    if _TF1_STORE_WORDS.search(source):  # `get_variable_scope()` or a v1 dropout alone create nothing
        scope.add("untracked")
    if _PER_CALL_WEIGHT_WORDS.search(source):
        scope |= {"untracked", "growth", "TFS105"}
    return runtime & scope


def explained(runtime: set[str], linter: set[str]) -> set[str]:
    """The linter's families, with findings of a cause renamed to the symptom the runtime showed for it."""
    result = set(linter)
    for symptom, causes in SHOWS_AS.items():
        if symptom in runtime and result & (causes - runtime):
            result = (result - (causes - runtime)) | {symptom}
    return result


@dataclass
class Outcome:
    id: str
    runtime: set[str]  # families the runtime showed (masked ones removed)
    linter: set[str]  # families the linter reported (masked ones removed)
    codes: list[str]  # the linter's codes, for the report
    masked: set[str]

    @property
    def missed(self) -> set[str]:
        return self.runtime - self.linter

    @property
    def extra(self) -> set[str]:
        return self.linter - self.runtime

    @property
    def agrees(self) -> bool:
        return not self.missed and not self.extra


@dataclass
class Summary:
    outcomes: list[Outcome]
    allowed: dict[str, str] = field(default_factory=dict)  # id -> reason, for mismatches the allow-list covers
    invalid: list[str] = field(default_factory=list)  # programs that failed for no documented reason
    # The same programs read with neither leniency: every runtime family counts (no `in_scope`), and a
    # finding counts only for its own family (no `explained`).
    strict: list[Outcome] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.agrees and o.id not in self.allowed]

    def matrix(self) -> dict[str, Counter]:
        table: dict[str, Counter] = defaultdict(Counter)
        for o in self.outcomes:
            for fam in FAMILIES:
                if fam in o.masked:
                    continue
                cell = {(True, True): "TP", (True, False): "FN", (False, True): "FP", (False, False): "TN"}[
                    (fam in o.runtime, fam in o.linter)]
                table[fam][cell] += 1
        return table

    def last_line(self) -> str:
        buggy = [o for o in self.outcomes if o.runtime]
        hits = [o for o in buggy if not o.missed]
        false_positives = [o for o in self.outcomes if o.extra]
        allowed = [o for o in self.outcomes if not o.agrees and o.id in self.allowed]
        return (f"differential: {len(self.outcomes)} programs, recall {len(hits)}/{len(buggy)}, "
                f"false positives {len(false_positives)}, allowed {len(allowed)}")

    def strict_line(self) -> str:
        buggy = [o for o in self.strict if o.runtime]
        hits = [o for o in buggy if not o.missed]
        return (f"strict (no in_scope, no explained): recall {len(hits)}/{len(buggy)}, "
                f"false positives {sum(1 for o in self.strict if o.extra)}, "
                f"programs with masked families {sum(1 for o in self.strict if o.masked)}")

    def report(self) -> str:
        lines = ["family      runtime+  linter+   TP   FN   FP     TN  (per program; growth = TFS101-103, "
                 "untracked = TFS106-107, TFS116)"]
        for fam, cells in self.matrix().items():
            if not (cells["TP"] or cells["FN"] or cells["FP"]):
                continue
            lines.append(f"{fam:<10} {cells['TP'] + cells['FN']:>9} {cells['TP'] + cells['FP']:>8} "
                         f"{cells['TP']:>4} {cells['FN']:>4} {cells['FP']:>4} {cells['TN']:>6}")
        if self.invalid:
            lines.append(f"invalid programs (unexplained errors, generator bugs): {', '.join(self.invalid)}")
        lines.append(self.last_line())
        lines.append(self.strict_line())
        return "\n".join(lines)


def compare(records: Iterable[dict], lint_codes: Callable[[str], list[str]],
            allowlist: dict[str, str] | None = None) -> Summary:
    """`lint_codes(source)` gives the linter's codes for one program."""
    outcomes, invalid, strict = [], [], []
    for record in records:
        if record.get("error") and record["label"] == ["ok"]:
            invalid.append(record["id"])
            continue
        masked = set(record.get("masked", ()))
        runtime = in_scope(record["source"], {family(c) for c in record["label"] if c != "ok"}) - masked
        codes = lint_codes(record["source"])
        linter = explained(runtime, {family(c) for c in codes if c.startswith("TFS1") and c not in HINTS}) - masked
        if any(c == "TFS000" for c in codes):
            invalid.append(record["id"])
            continue
        outcomes.append(Outcome(record["id"], runtime, linter, sorted(set(codes)), masked))
        strict.append(Outcome(record["id"], {family(c) for c in record["label"] if c != "ok"} - masked,
                              {family(c) for c in codes if c.startswith("TFS1")} - masked, sorted(set(codes)), masked))
    allow = allowlist or {}
    allowed = {o.id: allow[o.id] for o in outcomes if o.id in allow and not o.agrees}
    return Summary(outcomes, allowed, invalid, strict)


# A program of several modules: the main module's text, then each other module after this marker line.
MODULE_MARKER = "# --- module "


def modules(source: str) -> tuple[str, dict[str, str]]:
    """The main module's text and the other modules' texts by name."""
    main, *rest = source.split("\n" + MODULE_MARKER)
    others = {}
    for part in rest:
        head, _, text = part.partition("\n")
        others[head.strip(" -")] = text
    return main, others


def engine_codes(source: str) -> list[str]:
    from tf2lint.engine import lint_path, lint_source

    main, others = modules(source)
    if not others:
        return [finding.code for finding in lint_source(source, "program.py")]
    # Several modules: written side by side as a script's directory, each linted as the project sees it.
    with tempfile.TemporaryDirectory(prefix="tf2lint-differential-") as directory:
        paths = [os.path.join(directory, "program.py")]
        with open(paths[0], "w", encoding="utf-8") as handle:
            handle.write(main)
        for name, text in others.items():
            paths.append(os.path.join(directory, f"{name}.py"))
            with open(paths[-1], "w", encoding="utf-8") as handle:
                handle.write(text)
        return [finding.code for path in paths for finding in lint_path(path)]

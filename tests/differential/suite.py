"""Generate, label, compare: the pieces the test and the long-run command share, and the reports."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from .allowlist import ALLOWED
from .compare import Outcome, Summary, compare, engine_codes
from .generator import generate
from .runtime_suite import RuntimeSummary

CI_COUNT, CI_SEED = 500, 0
# (title, summary) of the runs in this process, printed by conftest.py's terminal summary.
RESULTS: list[tuple[str, Summary | RuntimeSummary]] = []


def label_programs(count: int, seed: int, progress: Callable[[int], None] | None = None) -> list[dict]:
    """Programs with their runtime labels, as JSON-ready records (needs TensorFlow)."""
    from .label import Labeller

    labeller = Labeller()
    records = []
    for index, program in enumerate(generate(count, seed)):
        if progress:
            progress(index)
        label = labeller.label(program.source, program.id)
        records.append({"id": program.id, "seed": program.seed, "source": program.source,
                        **label.as_json(), "intent": program.intent})
    return records


@functools.cache
def ci_records() -> list[dict]:
    """The CI programs' labels, made once per process for every test module that reads them."""
    return label_programs(CI_COUNT, CI_SEED)


def run(records: list[dict]) -> Summary:
    return compare(records, engine_codes, ALLOWED)


# --- reports --------------------------------------------------------------------------------------

def _dimensions(intent: dict) -> dict[str, str]:
    atoms = intent["atoms"]
    return {
        "kinds": "+".join(a["kind"] + (f"/{a['guard']}" if a["guard"] != "percall" else "") for a in atoms),
        "base_kinds": "+".join(sorted({a["kind"] + ("" if a["guard"] == "percall" else "/guarded") for a in atoms})),
        "naming": "+".join(a["naming"] for a in atoms),
        "scope": intent["scope"],
        "path": intent["path"],
        "decoration": intent["decoration"] + ("+decorated-sub" if intent.get("sub_decorated") and
                                              intent["path"] in ("sub_layer", "builder") else ""),
        "host": intent["host"],
        "loop": "loop" if intent["loop"] else "",
        "training": "+".join(a["training"] for a in atoms if a["training"]),
        "variant": "+".join(a["variant"] for a in atoms if a["variant"]),
    }


# The dimensions that decide each family at runtime: mismatches are grouped by these.
DEFAULT_GROUPING = ("decoration", "path", "base_kinds")
GROUPING = {
    "growth": ("scope", "path", "base_kinds"),
    "untracked": ("decoration", "path", "base_kinds"),
    "TFS105": ("decoration", "path"),
    "TFS109": ("decoration", "path", "variant"),
    "TFS111": ("training", "decoration", "path"),
    "TFS113": ("loop", "scope", "naming", "base_kinds"),
}


def _groups(summary: Summary, records: dict[str, dict]) -> dict[tuple[str, str], list[Outcome]]:
    """(direction, family) -> mismatching programs: FN = the runtime shows it, the linter is silent."""
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in summary.mismatches:
        for fam in outcome.missed:
            groups[("missed (FN)", fam)].append(outcome)
        for fam in outcome.extra:
            groups[("false positive (FP)", fam)].append(outcome)
    return groups


def markdown_report(summary: Summary, records: list[dict], title: str) -> str:
    by_id = {r["id"]: r for r in records}
    out = [f"# {title}", "", "```", summary.report(), "```", "",
           "Families: growth = TFS101/TFS102/TFS103 (the runtime cannot tell them apart), untracked = "
           "TFS106/TFS107. A program agrees when the linter reports exactly the families the runtime shows "
           "(masked families, unobservable because the program raised first or because the object tracks "
           "nothing, are ignored).", "",
           "How a label is made (tests/differential/label.py): instance A and then a second instance B, in the "
           "state A left, are checked with `runtime.check_instances(..., training=True, calls=2)` (growth = store "
           "variables renamed on "
           "call 2; untracked = variables read but not tracked, or non-store variables made again on call 2, "
           "or nothing tracked at all); instance C is called once in training and twice in inference with "
           "tf.functions run eagerly and probes on the shim store (a name or `get_or_create_layer` key handed "
           "out twice in one call without `reuse=True`/AUTO_REUSE on an entered scope = TFS113), on batch "
           "norm / dropout (the `training` value they actually received = TFS111), and on the outputs "
           "(inference outputs differ = TFS111). Exceptions map by message: singleton tf.Variables -> TFS105, "
           "`must be applied to a method of a subclassed tf.Module` -> TFS108, get_or_create_layer in eager "
           "mode or a builder that needs arguments -> TFS109, `Trying to share variable` -> TFS113, "
           "`Tensor.op is undefined` (get_variable with no shim store inside a tf.function) -> TFS107 "
           "(tf2lint/runtime/pitfalls.py). An independent probe (oracle.py) observes a second copy of each "
           "program; where it and `runtime.check` disagree, the label is dropped (the program is invalid).", "",
           "Runtime behaviour the suite ran into that a maintainer should know (measured here, TF 2.21 + "
           "tf-keras 2.21): (1) the store registers `reduce_sum(layer.losses)` as a regularizer for every "
           "`get_or_create_layer` layer, even without regularizers: `runtime.check` reports TFS110 only for "
           "a layer with losses or a regularized variable, the independent probe only for a non-zero "
           "penalty. (2) In eager mode every VariableScope reads `reuse=AUTO_REUSE`, so intentional sharing "
           "is only visible in the `variable_scope(..., reuse=...)` arguments entered (and "
           "`reuse_variables()`). (3) `get_variable` inside a `tf.function` with no shim store raises "
           "`AttributeError: Tensor.op is undefined when eager execution is enabled` instead of making "
           "untracked variables. (4) A v1 layer *object* built per call with an explicit name and no named scope, "
           "`tf.compat.v1.layers.Dense(4, name=\"fc0\")(x)`, grows (`fc0` -> `fc0_1`), while the "
           "functional `tf.compat.v1.layers.dense(x, 4, name=\"fc0\")` is stable; under "
           "`variable_scope(\"blk\")` both are stable. (5) A `get_or_create_layer` key under a default-name scope "
           "changes every call: new layers each call (labelled growth).", "",
           "Each section: the count per value of each dimension (which dimensions the mismatches concentrate "
           "on), then the most frequent full combinations with the shortest example of each. "
           "`mismatches/<id>.py` holds every mismatching program; `compare.py` re-lints `labelled.json`.", ""]
    groups = _groups(summary, by_id)
    for (direction, fam), outcomes in sorted(groups.items(), key=lambda item: -len(item[1])):
        out += [f"## {direction}: {fam} — {len(outcomes)} programs", ""]
        per_dim: dict[str, Counter] = defaultdict(Counter)
        combos: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            dims = _dimensions(by_id[o.id]["intent"])
            for dim, value in dims.items():
                per_dim[dim][value or "-"] += 1
            combos[", ".join(f"{k}={dims[k] or '-'}" for k in GROUPING.get(fam, DEFAULT_GROUPING))].append(o)
        for dim, counts in per_dim.items():
            out.append(f"- {dim}: " + ", ".join(f"{v} {n}" for v, n in counts.most_common(8)))
        out.append("")
        ranked = sorted(combos.items(), key=lambda item: -len(item[1]))
        for combo, members in ranked[:10]:
            examples = sorted(members, key=lambda o: len(by_id[o.id]["source"]))[:2 if len(members) > 2 else 1]
            out += [f"### {len(members)} × {combo}", ""]
            for example in examples:
                record = by_id[example.id]
                out += [f"`{example.id}`: runtime {record['label']}, linter {example.codes or ['nothing']}"
                        + (f", error `{record['error']}`" if record.get("error") else ""),
                        "", "```python", _trim(record["source"]), "```", ""]
                notes = [n for n in record.get("notes", []) if n]
                if notes:
                    out += ["Runtime notes: " + " | ".join(dict.fromkeys(n[:160] for n in notes[:4])), ""]
        if len(ranked) > 10:
            rest = ranked[10:]
            out += [f"Other combinations ({sum(len(m) for _, m in rest)} programs): "
                    + "; ".join(f"{len(m)} × {c} (e.g. `{m[0].id}`)" for c, m in rest[:25]), ""]
    return "\n".join(out)


def _trim(source: str) -> str:
    """The example without the boilerplate every program shares."""
    source = source.replace("import functools\n\n", "") if "functools." not in source else source
    source = re.sub(r"\n\n+def make\(\):.*", "", source, flags=re.S)
    return source.strip()


def write_outputs(summary: Summary, records: list[dict], directory: Path, title: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "labelled.json").write_text(json.dumps(records, indent=1))
    (directory / "REPORT.md").write_text(markdown_report(summary, records, title))
    mismatches = directory / "mismatches"
    mismatches.mkdir(exist_ok=True)
    for old in mismatches.glob("*.py"):
        old.unlink()
    by_id = {r["id"]: r for r in records}
    for outcome in summary.mismatches:
        record = by_id[outcome.id]
        header = (f"# runtime: {record['label']} (masked {record.get('masked') or []})\n"
                  f"# linter:  {outcome.codes}\n# missed: {sorted(outcome.missed)}  extra: {sorted(outcome.extra)}\n"
                  f"# intent: {json.dumps(record['intent'])}\n")
        (mismatches / f"{outcome.id}.py").write_text(header + record["source"])

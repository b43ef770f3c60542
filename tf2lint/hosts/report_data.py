"""The report's facts, gathered from the analysis of each file: one JSON-ready document for every format.

A host translates: the stage of a class and the constructs in it come from `analysis/migration.py`, the
findings from the rules through the engine. Here they are only put together per file, per class and for
the whole tree (``report.schema.json`` says what each field is).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from tf2lint.analysis.constructs import CONSTRUCTS
from tf2lint.analysis.migration import NO_TF1, STAGES, ModuleFacts, module_facts
from tf2lint.engine import lint_data, source_error
from tf2lint.findings import Finding, Settings
from tf2lint.source import SourceError, read
from tf2lint.rules import BY_CODE

SCHEMA_ID = "urn:tf2lint:report:1"  # the `$id` of report.schema.json, shipped next to this module


@dataclass
class FileResult:
    """One file's findings, and its classes' facts when the file is a Python module tf2lint analysed."""

    path: str
    findings: list[Finding]
    facts: ModuleFacts | None = None
    # A notebook's: its module line -> (cell, line in the cell), as its findings are placed; None for a module.
    cells: Callable[[int], tuple[int, int]] | None = None

    def counts(self) -> Counts:
        counts = Counts(files=1)
        for finding in self.findings:
            counts.findings[finding.code] += 1
        if self.facts is not None:
            counts.constructs.update(self.facts.constructs)
            for cls in self.facts.classes:
                counts.stages[cls.stage] += 1
                for flag, value in cls.flags.items():
                    counts.flags[flag] += bool(value)
        return counts


@dataclass
class Counts:
    """What a burn-down tracks, summable over files and trees."""

    files: int = 0
    stages: Counter[str] = field(default_factory=Counter)  # class stage (and NO_TF1) -> classes
    constructs: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)  # flag -> classes that have it

    def add(self, other: Counts) -> None:
        self.files += other.files
        for mine, theirs in ((self.stages, other.stages), (self.constructs, other.constructs),
                             (self.findings, other.findings), (self.flags, other.flags)):
            mine.update(theirs)

    def as_json(self) -> dict:
        return {
            "files": self.files,
            "classes": sum(self.stages[s] for s in STAGES),
            "stages": {stage: self.stages[stage] for stage in STAGES},
            "no_tf1_classes": self.stages[NO_TF1],
            "constructs": {name: self.constructs[name] for name in CONSTRUCTS},
            "constructs_left": sum(self.constructs[name] for name in CONSTRUCTS),
            "findings": dict(sorted((code, n) for code, n in self.findings.items() if n)),
            "findings_total": sum(self.findings.values()),
            "flags": dict(sorted((flag, n) for flag, n in self.flags.items())),
        }


def read_source(disk: str, path: str, limit: int, settings: Settings) -> bytes | FileResult:
    """The bytes of the file at ``disk`` as `check` reads them, or, where it cannot (unreadable, not a regular file,
    above ``limit`` bytes), the result of ``path`` that reports why (a TFS000)."""
    try:
        return read(disk, limit)
    except (OSError, SourceError) as exc:
        error = exc if isinstance(exc, SourceError) else SourceError(f"cannot read: {exc.strerror or exc}")
        return FileResult(path, source_error(path, error, settings))


def analyse(data: bytes, path: str, settings: Settings) -> FileResult:
    """Lint one file and keep its migration facts (one parse, the analysis `check` builds, and more only for
    a module whose classes need it: `module_facts`)."""
    found: list[FileResult] = []

    def observe(triage, context, cells: Callable[[int], tuple[int, int]] | None = None) -> None:
        found.append(FileResult(path, [], module_facts(triage, context), cells))

    findings = lint_data(data, path, settings, observe=observe)
    return replace(found[0], findings=findings) if found else FileResult(path, findings)


def class_records(result: FileResult, link: Callable[[str, int | None], str]) -> list[dict]:
    """The classes of one file in the migration (the others are only counted), each with the findings
    reported inside it (the innermost class wins). A notebook's classes are placed as its findings are: by
    cell and line in the cell (a class cannot span cells), and link to the notebook."""
    if result.facts is None:
        return []
    placed = []
    for facts in result.facts.classes:
        if facts.stage in STAGES:
            cell, line = result.cells(facts.line) if result.cells else (None, facts.line)
            end = result.cells(facts.end_line)[1] if result.cells else facts.end_line
            placed.append(((cell or 0, line), end, cell, facts))
    placed.sort(key=lambda item: (item[0], -item[1]))
    records = []
    for (_cell, line), _end, cell, facts in placed:
        records.append({
            "name": facts.name, "path": result.path, "cell": cell, "line": line,
            "link": link(result.path, None if cell is not None else line),
            "kind": facts.kind, "stage": facts.stage, "reason": facts.reason,
            "shim_methods": list(facts.shim_methods),
            "constructs": {name: facts.constructs[name] for name in CONSTRUCTS},
            "constructs_left": sum(facts.constructs.values()),
            "findings": {}, "findings_total": 0, "flags": dict(sorted(facts.flags.items())),
        })
    starts = [start for start, _end, _cell, _facts in placed]
    for finding in result.findings:
        at = (finding.cell or 0, finding.line)
        # The innermost class holding the line: the last one starting at or before it that still spans it.
        index = bisect_right(starts, at) - 1
        while index >= 0 and not (starts[index][0] == at[0] and placed[index][1] >= finding.line):
            index -= 1
        if index >= 0:
            record = records[index]
            record["findings"][finding.code] = record["findings"].get(finding.code, 0) + 1
            record["findings_total"] += 1
    return records


def document(results: Iterable[FileResult], link: Callable[[str, int | None], str], version: str,
             history: list[dict] | None = None, baseline: dict[str, str] | None = None) -> dict:
    """The report: summary, classes, files, rules seen, and the history when one was asked for; ``baseline``:
    what the names are compared with (``{"lock": path}`` or ``{"revision": commit}``), None for nothing."""
    total = Counts()
    classes: list[dict] = []
    files: list[dict] = []
    for result in results:
        counts = result.counts()
        total.add(counts)
        classes.extend(class_records(result, link))
        if counts.findings or (result.facts is not None and (result.facts.classes or result.facts.constructs)):
            summary = counts.as_json()
            files.append({"path": result.path, "link": link(result.path, None), "classes": summary["classes"],
                          "stages": summary["stages"], "constructs": summary["constructs"],
                          "constructs_left": summary["constructs_left"], "findings": summary["findings"],
                          "findings_total": summary["findings_total"], "flags": summary["flags"]})
    classes.sort(key=lambda c: (c["path"], c["cell"] or 0, c["line"]))
    codes = sorted(set(total.findings) | {c for point in history or [] for c in point["findings"]})
    return {
        "$schema": SCHEMA_ID,
        "tool": {"name": "tf2lint", "version": version},
        "baseline": baseline,
        "summary": total.as_json(),
        "classes": classes,
        "files": files,
        "rules": {code: {"symbol": BY_CODE[code].symbol, "summary": BY_CODE[code].summary}
                  for code in codes if code in BY_CODE},
        "history": history or [],
    }

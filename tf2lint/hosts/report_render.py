"""The report document -> Markdown (a PR comment, `$GITHUB_STEP_SUMMARY`) or one self-contained HTML page.

The HTML page needs no network: CSS, the sorting script and the charts (SVG drawn here) are inline, and
the document itself is embedded as JSON for anyone who wants the raw numbers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html import escape
from importlib import resources
from string import Template

from tf2lint.analysis.constructs import CONSTRUCT_TITLES, CONSTRUCTS
from tf2lint.analysis.migration import STAGE_TITLES, STAGES

STAGE_COLOURS = {"tf1": "#b03a2e", "shimmed": "#ca6f1e", "partly_native": "#2471a3", "native": "#1e8449"}
CONSTRUCT_COLOURS = ("#7d3c98", "#2e86c1", "#c0392b", "#d4ac0d", "#17a589", "#e67e22", "#5d6d7e")
LOCK_COLOUR = "#808b96"
# In the classes table, beside the stage of a class whose names are in the names lock.
_LOCK_BADGE = "<span class=\"lock\" title=\"its variable names are in the names lock: TFS115 reports a drift\">names locked</span>"
MARKDOWN_CLASSES = 10  # the classes with the most left, in a PR comment
MARKDOWN_HISTORY = 10  # the most recent commits shown in Markdown (the HTML and JSON have all)


# -- Markdown -------------------------------------------------------------------------------------


def markdown(report: dict) -> str:
    summary = report["summary"]
    stages = summary["stages"]
    locked = _names_lock_shown(report)
    lines = [
        "## tf2lint report: where the migration stands",
        "",
        f"**{_counted(summary['classes'], 'class', 'classes')}** in the migration: "
        + " · ".join(f"{stages[s]} {STAGE_TITLES[s]}" for s in STAGES)
        + f" ({_counted(summary['no_tf1_classes'], 'other class has', 'other classes have')} no TF1-style code); "
        + _counted(summary["constructs_left"], "TF1-style construct", "TF1-style constructs", bold=True) + " left, "
        + _counted(summary["findings_total"], "finding", "findings", bold=True) + ".",
        *([""] + [_names_lock_line(report, markdown=True)] if locked else []),
        "",
        "| Stage | Classes |",
        "|---|---:|",
        *(f"| {STAGE_TITLES[s]} | {stages[s]} |" for s in STAGES),
        "",
        "| TF1-style construct | Left |",
        "|---|---:|",
        *(f"| {CONSTRUCT_TITLES[c]} | {summary['constructs'][c]} |" for c in CONSTRUCTS),
    ]
    if summary["findings"]:
        lines += ["", "| Rule | Findings |", "|---|---:|"]
        lines += [f"| {code} `{report['rules'].get(code, {}).get('symbol', '')}` | {n} |"
                  for code, n in summary["findings"].items()]
    todo = [c for c in report["classes"] if c["stage"] in STAGES and c["stage"] != "native"]
    todo.sort(key=lambda c: (-c["constructs_left"] - c["findings_total"], c["path"], c["line"]))
    if todo:
        lines += ["", f"### Most left to migrate (top {min(len(todo), MARKDOWN_CLASSES)} of {len(todo)})", "",
                  "| Class | Stage | Constructs left | Findings |", "|---|---|---:|---:|"]
        lines += [f"| [`{c['name']}`]({c['link']}) `{_cell(_where(c), None)}` | {STAGE_TITLES[c['stage']]} | "
                  f"{c['constructs_left']} | {c['findings_total']} |" for c in todo[:MARKDOWN_CLASSES]]
    native = [c for c in report["classes"] if c["stage"] == "native"]
    if native:
        lines += ["", "Native, the decorator can go: " + ", ".join(f"`{c['name']}`" for c in native[:MARKDOWN_CLASSES])
                  + (f" and {len(native) - MARKDOWN_CLASSES} more" if len(native) > MARKDOWN_CLASSES else "")]
    history = report["history"]
    if history:
        shown = history[-MARKDOWN_HISTORY:]
        lines += ["", f"### History ({len(shown)} of {len(history)} commits, oldest first)", "",
                  "| Commit | Date | " + " | ".join(STAGE_TITLES[s] for s in STAGES) + " | Constructs left | Findings |"
                  + (" Names lock |" if locked else ""),
                  "|---|---|" + "---:|" * (len(STAGES) + 2 + locked)]
        for point in shown:
            lines.append(f"| `{point['commit'][:10]}` {_cell(point['subject'])} | {_date(point['date'])} | "
                         + " | ".join(str(point["stages"][s]) for s in STAGES)
                         + f" | {point['constructs_left']} | {point['findings_total']} |"
                         + (f" {_locked(point)} |" if locked else ""))
    return "\n".join(lines) + "\n"


# The stages whose classes create variables the TF1 way under the shim: the names a names lock keeps.
LOCKABLE = ("shimmed", "partly_native")


def _lockable(counts: dict) -> int:
    return sum(counts["stages"][s] for s in LOCKABLE)


def _locked(counts: dict) -> int:
    return counts["flags"].get("names_lock", 0)


def _names_lock_shown(report: dict) -> bool:
    """Whether the names lock is worth a line: one is configured, or classes have names to lock (now or in the
    history)."""
    return report["baseline"] is not None or any(
        _lockable(counts) or _locked(counts) for counts in (report["summary"], *report["history"]))


def _names_lock_line(report: dict, markdown: bool) -> str:
    """How many shimmed classes have their checkpoint names locked, and which not; or how to lock them before
    step 2."""
    summary, baseline = report["summary"], report["baseline"]
    if markdown:
        code, bold = (lambda text: f"`{text}`"), (lambda text: f"**{text}**")
    else:
        code, bold = (lambda text: f"<code>{escape(text)}</code>"), (lambda text: f"<b>{escape(text)}</b>")
    if baseline is None:
        write, configure = code("tf2lint variables --write names.lock"), code('variables-lock = "names.lock"')
        return (f"{bold('No names lock')}: before renaming or removing layers (step 2), write one with {write} and "
                f"set {configure}: TFS115 then reports the checkpoint names that drift.")
    if "lock" in baseline:
        where = f"the names lock {code(baseline['lock'])}"
    else:
        where = f"the names at revision {code(baseline['revision'][:10])}"
    if not _lockable(summary):
        return f"No class is shimmed or partly native: {where} has nothing left to guard."
    line = (f"{bold(f'{_locked(summary)} of {_lockable(summary)}')} shimmed and partly native classes have their "
            f"variable names in {where}: TFS115 reports where they drift.")
    unguarded = [c for c in report["classes"] if c["stage"] in LOCKABLE and not c["flags"].get("names_lock")]
    if unguarded:
        names = ", ".join(f"{code(c['name'])} ({code(_where(c))})" for c in unguarded[:MARKDOWN_CLASSES])
        more = f" and {len(unguarded) - MARKDOWN_CLASSES} more" if len(unguarded) > MARKDOWN_CLASSES else ""
        line += (f" Not guarded (not in it, or with names the analysis cannot know): {names}{more}; "
                 f"{code('tf2lint variables')} says why.")
    return line


def _spans(text: str) -> str:
    """Text for the page, its `code spans` set as code (as Markdown shows them)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _where(record: dict) -> str:
    """`path:line`, or `notebook.ipynb cell N:line` for a class of a notebook."""
    cell = f" cell {record['cell']}" if record["cell"] is not None else ""
    return f"{record['path']}{cell}:{record['line']}"


def _cell(text: str, limit: int | None = 50) -> str:
    """Text for a Markdown table's cell (or a code span in one): cut to ``limit`` characters, a line break shown
    as `\\n` (a file name may hold one), a pipe escaped, a backtick as a quote."""
    text = text if limit is None or len(text) <= limit else text[:limit - 3] + "..."
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("|", "\\|").replace("`", "'")


def _date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d")


# -- HTML -----------------------------------------------------------------------------------------


def html(report: dict) -> str:
    template = Template(resources.files("tf2lint.hosts").joinpath("report.html").read_text(encoding="utf-8"))
    summary = report["summary"]
    history = report["history"]
    lock_shown = _names_lock_shown(report)
    charts = [
        _figure("chart-stages", "Classes per stage",
                _bars([(STAGE_TITLES[s], summary["stages"][s], STAGE_COLOURS[s]) for s in STAGES])),
        _figure("chart-constructs", "TF1-style constructs left",
                _bars([(CONSTRUCT_TITLES[c], summary["constructs"][c], CONSTRUCT_COLOURS[i])
                       for i, c in enumerate(CONSTRUCTS)])),
    ]
    if summary["findings"]:
        charts.append(_figure("chart-findings", "Findings by rule",
                              _bars([(code, n, "#566573") for code, n in summary["findings"].items()])))
    burn_down = ""
    if history:
        labels = [p["commit"][:7] for p in history]
        locked = [("in the names lock", [_locked(p) for p in history], LOCK_COLOUR)] if lock_shown else []
        burn_down = (
            "<section id=\"history\"><h2>Burn-down</h2><p class=\"note\">Oldest commit on the left. Each commit is "
            "read from the git objects (nothing checked out) and counted as this report counts the working tree: "
            "its files analysed together, as a project.</p><div class=\"charts\">"
            + _figure("chart-history-stages", "Classes per stage, per commit",
                      _lines(labels, [(STAGE_TITLES[s], [p["stages"][s] for p in history], STAGE_COLOURS[s])
                                      for s in STAGES] + locked))
            + _figure("chart-history-constructs", "TF1-style constructs left, per commit",
                      _lines(labels, [(CONSTRUCT_TITLES[c], [p["constructs"][c] for p in history], CONSTRUCT_COLOURS[i])
                                      for i, c in enumerate(CONSTRUCTS)]))
            + "</div>" + _history_table(history, bool(locked)) + "</section>"
        )
    return template.substitute(
        version=escape(report["tool"]["version"]),
        cards=_cards(summary),
        charts="".join(charts),
        history=burn_down,
        names_lock=f"<p id=\"names-lock\">{_names_lock_line(report, markdown=False)}</p>" if lock_shown else "",
        classes=_classes_table(report),
        files=_files_section(report),
        data=json.dumps(report).replace("</", "<\\/"),
    )


def _counted(count: int, one: str, many: str, bold: bool = False) -> str:
    """`1 class`, `2 classes` (with ``bold``, the number alone in bold: `**2** findings`)."""
    number = f"**{count}**" if bold else str(count)
    return f"{number} {one if count == 1 else many}"


def _cards(summary: dict) -> str:
    cards = [(str(summary["classes"]), "classes in the migration", "")]
    cards += [(str(summary["stages"][s]), STAGE_TITLES[s], s) for s in STAGES]
    cards += [(str(summary["constructs_left"]), "TF1-style constructs left", ""),
              (str(summary["findings_total"]), "findings", ""),
              (str(summary["no_tf1_classes"]), "other classes (no TF1-style code)", "")]
    return "".join(
        f"<div class=\"card {escape(stage)}\" data-card=\"{escape(label)}\"><b>{value}</b><span>{escape(label)}</span></div>"
        for value, label, stage in cards
    )


def _figure(ident: str, title: str, svg: str) -> str:
    return f"<figure id=\"{ident}\"><figcaption>{escape(title)}</figcaption>{svg}</figure>"


def _bars(rows: list[tuple[str, int, str]]) -> str:
    """A horizontal bar chart: one labelled bar per row."""
    width, label_width, bar_height = 420, 150, 22
    top = max([value for _label, value, _colour in rows] + [1])
    height = bar_height * len(rows) + 4
    parts = [f"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">"]
    for index, (label, value, colour) in enumerate(rows):
        y = index * bar_height + 2
        length = round((width - label_width - 40) * value / top)
        parts.append(
            f"<g class=\"bar\" data-label=\"{escape(label)}\" data-value=\"{value}\"><title>{escape(label)}: {value}</title>"
            f"<text x=\"{label_width - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{escape(label)}</text>"
            f"<rect x=\"{label_width}\" y=\"{y + 3}\" width=\"{max(length, 1 if value else 0)}\" height=\"{bar_height - 6}\" fill=\"{colour}\"/>"
            f"<text x=\"{label_width + length + 4}\" y=\"{y + 15}\">{value}</text></g>"
        )
    return "".join(parts) + "</svg>"


def _lines(labels: list[str], series: list[tuple[str, list[int], str]]) -> str:
    """A line chart over commits (oldest left), one polyline per series, with a legend."""
    width, height, left, right, top, bottom = 520, 260, 40, 130, 12, 40
    peak = max([v for _name, values, _colour in series for v in values] + [1])
    steps = max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return round(left + (width - left - right) * i / steps, 1)

    def y(v: int) -> float:
        return round(top + (height - top - bottom) * (1 - v / peak), 1)

    parts = [f"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">",
             f"<line x1=\"{left}\" y1=\"{y(0)}\" x2=\"{width - right}\" y2=\"{y(0)}\" class=\"axis\"/>",
             f"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{y(0)}\" class=\"axis\"/>",
             f"<text x=\"{left - 4}\" y=\"{y(peak) + 4}\" text-anchor=\"end\">{peak}</text>",
             f"<text x=\"{left - 4}\" y=\"{y(0) + 4}\" text-anchor=\"end\">0</text>"]
    for i in _ticks(len(labels), max(map(len, labels), default=0), width - left - right):
        parts.append(f"<text x=\"{x(i)}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" class=\"tick\">"
                     f"{escape(labels[i])}</text>")
    for index, (name, values, colour) in enumerate(series):
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
        parts.append(f"<g class=\"series\" data-series=\"{escape(name)}\" data-values=\"{','.join(map(str, values))}\">"
                     f"<polyline points=\"{points}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>")
        parts += [f"<circle cx=\"{x(i)}\" cy=\"{y(v)}\" r=\"2.5\" fill=\"{colour}\"><title>{escape(name)} at "
                  f"{escape(labels[i])}: {v}</title></circle>" for i, v in enumerate(values)]
        legend_y = top + 14 * index + 8
        parts.append(f"<rect x=\"{width - right + 10}\" y=\"{legend_y - 8}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>"
                     f"<text x=\"{width - right + 24}\" y=\"{legend_y + 1}\">{escape(name)}</text></g>")
    return "".join(parts) + "</svg>"


# A tick label's width per character (11px text, as the page's style sets it, rounded up) and the space between.
_TICK_CHAR, _TICK_GAP = 7, 12


def _ticks(count: int, longest: int, span: float) -> list[int]:
    """Which of ``count`` evenly spaced points get their label on an axis ``span`` wide: as many as fit side by side
    (labels of ``longest`` characters), spread evenly, the first and the last among them."""
    if count <= 1:
        return list(range(count))
    need, step = _TICK_CHAR * longest + _TICK_GAP, span / (count - 1)
    for shown in range(min(count, int(span // need) + 1), 2, -1):
        ticks = sorted({round(k * (count - 1) / (shown - 1)) for k in range(shown)})
        if min(b - a for a, b in zip(ticks, ticks[1:])) * step >= need:
            return ticks
    return [0, count - 1]


def _history_table(history: list[dict], locked: bool) -> str:
    head = "".join(f"<th>{escape(STAGE_TITLES[s])}</th>" for s in STAGES)
    head += "".join(f"<th>{escape(CONSTRUCT_TITLES[c])}</th>" for c in CONSTRUCTS)
    rows = []
    for point in history:
        cells = "".join(f"<td data-stage=\"{s}\">{point['stages'][s]}</td>" for s in STAGES)
        cells += "".join(f"<td data-construct=\"{c}\">{point['constructs'][c]}</td>" for c in CONSTRUCTS)
        rows.append(f"<tr data-commit=\"{escape(point['commit'])}\"><td><code>{escape(point['commit'][:10])}</code> "
                    f"{escape(point['subject'])}</td><td>{_date(point['date'])}</td>{cells}"
                    f"<td data-total=\"constructs\">{point['constructs_left']}</td>"
                    f"<td data-total=\"findings\">{point['findings_total']}</td>"
                    + (f"<td data-flag=\"names_lock\">{_locked(point)}</td>" if locked else "") + "</tr>")
    shown = " open" if len(history) <= MARKDOWN_HISTORY else ""  # a long history stays folded under its charts
    return (f"<details{shown}><summary>Counts per commit</summary><div class=\"wide\"><table id=\"history-table\"><thead>"
            f"<tr><th>Commit</th><th>Date</th>{head}<th>Constructs left</th><th>Findings</th>"
            + ("<th>Names lock</th>" if locked else "") + "</tr></thead><tbody>"
            f"{''.join(rows)}</tbody></table></div></details>")


def _classes_table(report: dict) -> str:
    rows = []
    for c in report["classes"]:
        if c["stage"] not in STAGES:
            continue  # outside the migration: counted in the summary, not listed
        constructs, findings = _count_titles(c)
        rows.append(
            f"<tr data-stage=\"{c['stage']}\"><td data-value=\"{escape(c['name'])}\"><a href=\"{escape(c['link'])}\">"
            f"{escape(c['name'])}</a><br><small>{escape(_where(c))}</small></td>"
            f"<td data-value=\"{STAGES.index(c['stage'])}\"><span class=\"stage {c['stage']}\">{escape(STAGE_TITLES[c['stage']])}"
            f"</span>{_LOCK_BADGE if c['flags'].get('names_lock') else ''}</td><td data-value=\"{c['constructs_left']}\" title=\"{escape(constructs)}\">{c['constructs_left']}</td>"
            f"<td data-value=\"{c['findings_total']}\" title=\"{escape(findings)}\">{c['findings_total']}</td>"
            f"<td>{_spans(c['reason'])}</td></tr>"
        )
    return "".join(rows)


def _count_titles(record: dict) -> tuple[str, str]:
    """A class's or a file's constructs and findings, spelled out (`v1 layers×2`, `TFS101×1`) for a cell's title."""
    constructs = ", ".join(f"{CONSTRUCT_TITLES[k]}×{n}" for k, n in record["constructs"].items() if n)
    findings = ", ".join(f"{code}×{n}" for code, n in record["findings"].items())
    return constructs, findings


def _files_section(report: dict) -> str:
    """The modules with classes, constructs or findings: where the work is, file by file (sortable)."""
    if not report["files"]:
        return ""
    rows = []
    for f in report["files"]:
        stages = " · ".join(f"{f['stages'][s]} {STAGE_TITLES[s]}" for s in STAGES if f["stages"][s])
        constructs, findings = _count_titles(f)
        rows.append(
            f"<tr><td data-value=\"{escape(f['path'])}\"><a href=\"{escape(f['link'])}\">{escape(f['path'])}</a></td>"
            f"<td data-value=\"{f['classes']}\">{f['classes']}</td><td>{escape(stages)}</td>"
            f"<td data-value=\"{f['constructs_left']}\" title=\"{escape(constructs)}\">{f['constructs_left']}</td>"
            f"<td data-value=\"{f['findings_total']}\" title=\"{escape(findings)}\">{f['findings_total']}</td></tr>"
        )
    shown = " open" if len(rows) <= MARKDOWN_CLASSES else ""  # a long list stays folded
    return (f"<section id=\"files-section\"><h2>Files</h2><details{shown}><summary>{len(rows)} files with classes, "
            "TF1-style constructs or findings</summary><table id=\"files\" class=\"sortable\"><thead><tr>"
            "<th data-sort=\"text\">File</th><th data-sort=\"number\">Classes</th><th>Stages</th>"
            "<th data-sort=\"number\">Constructs left</th><th data-sort=\"number\">Findings</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details></section>")

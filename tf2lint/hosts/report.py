"""`tf2lint report`: where the migration stands, per class and over the git history (HTML, Markdown, JSON)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from urllib.parse import quote

from tf2lint import __version__
from tf2lint.engine import CollectorPaused
from tf2lint.findings import Settings
from tf2lint.hosts.options import (
    FileSettings, UsageError, add_variables_base, chosen, make_loader, top_config, write_output,
)
from tf2lint.hosts.config import Config, Loader
from tf2lint.hosts.report_data import FileResult, analyse, document, read_source

FORMATS = ("html", "markdown", "json")


def add_parser(commands) -> None:
    """The `report` subcommand's options (registered by `hosts/cli.py`)."""
    report = commands.add_parser("report", help="where the migration stands: stages, constructs left, findings")
    report.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    report.add_argument("--format", choices=FORMATS, default="html")
    report.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    report.add_argument("--history", type=int, metavar="N", help="also the counts at each of the last N commits")
    report.add_argument("--since", metavar="REV", help="also the counts at each commit after REV (up to HEAD)")
    report.add_argument("--link-base", metavar="URL",
                        help="link classes to URL + path + #Lline (e.g. a GitHub blob URL) instead of to the files")
    report.add_argument("--config", metavar="PATH", help="pyproject.toml to use (default: nearest with [tool.tf2lint])")
    report.add_argument("--select", help="comma-separated codes or prefixes to count (default: all default rules)")
    report.add_argument("--ignore", help="comma-separated codes or prefixes not to count")
    report.add_argument("--extend-select", help="codes or prefixes to count in addition to the selection")
    report.add_argument("--src", action="append", metavar="DIR", help="a source root imports are resolved against")
    report.add_argument("--no-project", action="store_true", help="analyse each file alone")
    add_variables_base(report)
    report.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="parallel processes (default 0: all cores)")


def _baseline(config: Config, base: str) -> dict[str, str] | None:
    """What names are compared with, as findings say it: `--variables-base` wins over the configured lock."""
    if base:
        return {"revision": base}
    if config.variables_lock:
        return {"lock": os.path.relpath(config.variables_lock).replace(os.sep, "/")}
    return None


def _linker(args: argparse.Namespace) -> Callable[[str, int | None], str]:
    """How a class links to its source (at a line; the file alone for None): relative to where the report is
    written (it opens next to the tree), or under ``--link-base``."""
    if args.link_base:
        base = args.link_base if args.link_base.endswith("/") else args.link_base + "/"
        return lambda path, line: f"{base}{_quoted(path)}" + ("" if line is None else f"#L{line}")
    where = os.path.dirname(os.path.abspath(args.output)) if args.output else os.getcwd()
    return lambda path, line: (_quoted(os.path.relpath(os.path.abspath(path), where))
                               + ("" if line is None else f"#L{line}"))


def _quoted(path: str) -> str:
    """A path as a URL's path: percent-encoded, a file name that is not UTF-8 by its own bytes."""
    return quote(path.replace(os.sep, "/"), errors="surrogateescape")


def collect(paths: list[str], loader: Loader, settings: Callable[[str], Settings], jobs: int = 1) -> list[FileResult]:
    """Every file's findings and facts, read and analysed the way `check` does (on ``jobs`` processes)."""
    from tf2lint.analysis.project import stable_files
    from tf2lint.engine import relevant
    from tf2lint.hosts.batch import run_batch

    files: list[tuple[str, Settings, bytes]] = []
    results = []
    for path in chosen(paths, loader):
        file_settings = settings(path)
        data = read_source(path, path, loader.for_path(path).max_file_size, file_settings)
        if isinstance(data, FileResult):
            results.append(data)
            continue
        if relevant(data, file_settings):
            files.append((path, file_settings, data))
    # As `check` does: files taken as stable for the batch, the collector off (see `run_batch`).
    with stable_files((path, data) for path, _settings, data in files):
        progress = sys.stderr.isatty()
        results.extend(run_batch(_analysed, files, jobs or os.cpu_count() or 1, progress))
    return results


def _analysed(item: tuple[str, Settings, bytes]) -> FileResult:
    path, settings, data = item
    return analyse(data, path, settings)


def _history(args: argparse.Namespace, loader: Loader, settings: Callable[[str], Settings]) -> list[dict] | None:
    if args.history is None and args.since is None:
        return None
    if args.history is not None and args.history < 1:
        raise UsageError("--history: expected a positive number of commits")
    from tf2lint.hosts import history

    first = os.path.abspath(args.paths[0])
    repo = first if os.path.isdir(first) else os.path.dirname(first)
    top = history.run_git(repo, "rev-parse", "--show-toplevel").strip()
    prefixes = [os.path.relpath(os.path.realpath(p), os.path.realpath(top)).replace(os.sep, "/") for p in args.paths]
    prefixes = ["" if p == "." else p for p in prefixes]
    if any(p.startswith("..") for p in prefixes):
        raise UsageError("--history: every PATH must be inside one git repository")
    started = time.perf_counter()
    points, run = history.series(top, prefixes, loader, settings, args.history, args.since,
                                 _commits_done if sys.stderr.isatty() else None, args.jobs or os.cpu_count() or 1)
    print(f"tf2lint: history of {len(points)} commits, {run.files_analysed} file versions analysed, "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    if (args.history is None or len(points) < args.history) and history.is_shallow(top):
        # CI checkouts fetch one commit by default: say why the history is short.
        print(f"tf2lint: warning: the repository is a shallow clone: the history stops at its {len(points)} "
              "fetched commits (fetch them all: `git fetch --unshallow`, or `fetch-depth: 0` in "
              "actions/checkout)", file=sys.stderr)
    return points


def _commits_done(done: int, total: int) -> None:
    """A line on a terminal's stderr that counts the commits done (a long history)."""
    sys.stderr.write(f"\rtf2lint: history: {done}/{total} commits" + ("\n" if done == total else ""))
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from tf2lint.hosts import report_render

    if args.jobs < 0:
        raise UsageError("--jobs: expected 0 (all cores) or a positive number")
    loader = make_loader(args)
    settings = FileSettings(args, loader)  # as `check` makes them: the findings counted are `check`'s
    results = collect(args.paths, loader, settings, args.jobs)
    points = _history(args, loader, settings)
    # The collector paused again while the document is built and rendered: a pass over the older generations
    # walks the summaries the run still holds, and cost a third as much as the building (benchmark corpus).
    with CollectorPaused():
        report = document(results, _linker(args), __version__, points,
                          _baseline(top_config(args, loader), settings.variables_base))
        text = {"json": lambda r: json.dumps(r, indent=1) + "\n", "markdown": report_render.markdown,
                "html": report_render.html}[args.format](report)
    if args.output:
        write_output(args.output, text, "--output")
    else:
        sys.stdout.write(text)
    return 0

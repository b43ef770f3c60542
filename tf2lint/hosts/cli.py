"""`tf2lint check` and `tf2lint rules`. Exit codes: 0 clean, 1 findings, 2 usage or internal error."""

from __future__ import annotations

import argparse
import gc
import json
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from tf2lint import __version__
from tf2lint.hosts import config
from tf2lint.cache import DEFAULT_DIR, Cache
from tf2lint.engine import _source_error, lint_data, read, relevant
from tf2lint.findings import Finding, Settings
from tf2lint.source import SourceError
from tf2lint.hosts.formats import FORMATS, as_statistics
from tf2lint.rules import ALL_RULES

# Directories nobody wants linted when walking a tree (explicitly named paths are always linted).
DEFAULT_EXCLUDES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
        "build", "dist", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tf2lint_cache",
        "site-packages", ".ipynb_checkpoints",
    }
)
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


class UsageError(Exception):
    """Bad command line or configuration: reported in one line, exit 2."""


def parse_codes(value: str | None, option: str) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        return config.validate_codes([part for part in value.split(",") if part.strip()], option)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def discover(paths: Sequence[str], settings: config.Config) -> Iterator[str]:
    """Files to lint, in a stable order, each once (by real path); raises UsageError for a path that
    does not exist.

    The configured `exclude` applies to named files too (pre-commit names every staged file). Named
    paths that are not regular files (a FIFO, a device) are yielded, so that reading reports them;
    walking skips them, since merely opening one can block or never end.
    """
    seen: set[str] = set()
    directories: dict[str, str] = {}  # real paths of directories: resolving each file's whole path cost ~5% of a run
    for path in _candidates(paths, settings):
        directory, name = os.path.split(path)
        if os.path.islink(path) or name in ("", ".", ".."):
            real = os.path.realpath(path)
        else:
            if directory not in directories:
                directories[directory] = os.path.realpath(directory)
            real = os.path.join(directories[directory], name)
        if real not in seen:
            seen.add(real)
            yield path


def _candidates(paths: Sequence[str], settings: config.Config) -> Iterator[str]:
    for given in paths:
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if d not in DEFAULT_EXCLUDES
                    and not d.endswith(".egg-info")
                    and not settings.is_excluded(os.path.join(root, d))
                )
                for name in sorted(files):
                    path = os.path.join(root, name)
                    if name.endswith(SOURCE_SUFFIXES) and _regular(path) and not settings.is_excluded(path):
                        yield os.path.normpath(path)
        elif os.path.lexists(given):
            if not settings.is_excluded(given):
                yield os.path.normpath(given)
        else:
            raise UsageError(f"path not found: {given}")


def _regular(path: str) -> bool:
    """Not a FIFO, device or socket (a link to one included); unreadable entries count, to be reported."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tf2lint",
        description="Find silent failures in TF1.x code run under TF2's track_tf1_style_variables shim.",
    )
    parser.add_argument("--version", action="version", version=f"tf2lint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint files and directories (default: .)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--select", help="comma-separated codes or prefixes to report (default: all default rules)")
    check.add_argument("--ignore", help="comma-separated codes or prefixes not to report")
    check.add_argument("--extend-select", help="codes or prefixes to report in addition to the selection")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--statistics", action="store_true", help="print counts per rule and per file instead")
    check.add_argument("--config", metavar="PATH", help="pyproject.toml to use (default: nearest with [tool.tf2lint])")
    check.add_argument("--src", action="append", metavar="DIR",
                       help="a source root imports are resolved against (repeatable; replaces `src` of the config)")
    check.add_argument("--no-project", action="store_true",
                       help="analyse each file alone: do not follow imports into the project's other modules")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="parallel processes (default 0: all cores)")
    check.add_argument("--cache-dir", metavar="DIR", help=f"where to keep results (default: $TF2LINT_CACHE_DIR, else {DEFAULT_DIR} next to the config)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    check.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: also apply unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    check.add_argument("--max-file-size", type=int, metavar="BYTES",
                       help="files larger than this are reported (TFS000), not read (default: 32 MiB)")
    check.add_argument("--stdin-filename", metavar="PATH", help="with PATH `-`: read the source from stdin and lint it as if it were PATH")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    commands.add_parser("doctor", help="say whether the shim can work in this environment (exit 1 if not)")
    commands.add_parser("server", help="run the language server (LSP over stdio) for editors")
    return parser


def load_config(args: argparse.Namespace) -> config.Config:
    try:
        if args.config:
            if not os.path.isfile(args.config):
                raise UsageError(f"--config: file not found: {args.config}")
            return config.load(Path(args.config))
        found = config.find([args.stdin_filename] if getattr(args, "stdin_filename", None) else args.paths)
        return config.load(found) if found else config.Config()
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def _inputs(
    args: argparse.Namespace, project: config.Config, base: Settings, findings: list[Finding]
) -> Iterator[tuple[str, Settings, bytes]]:
    """(path, settings, bytes) of each file worth linting; unreadable files become TFS000 findings."""
    for path in discover(args.paths, project):
        extra = project.ignored_for(path)
        settings = replace(base, ignore=base.ignore + extra) if extra else base
        try:
            data = read(path, args.max_file_size or project.max_file_size)
        except OSError as exc:
            findings.extend(_source_error(path, SourceError(f"cannot read: {exc.strerror or exc}"), settings))
            continue
        except SourceError as exc:
            findings.extend(_source_error(path, exc, settings))
            continue
        if relevant(data, settings):
            yield path, settings, data


def run_fix(args: argparse.Namespace, project: config.Config, base: Settings) -> int:
    from tf2lint.fixing.notebook import fix_notebook
    from tf2lint.fixing.write import _write, fix_file

    findings: list[Finding] = []
    results = []
    roots = [os.path.realpath(p) for p in args.paths]  # files are never written outside them
    for path, settings, data in _inputs(args, project, base, findings):
        write = args.fix and not args.diff
        if path.endswith(".ipynb"):
            result = fix_notebook(data, path, settings, args.unsafe_fixes)
            if result is not None and write and result.changed and not _write(path, data, result, roots):
                result.fixed, result.applied = result.original, 0  # not written: nothing was fixed
                result.findings = lint_data(data, path, settings, fixes=True)
        else:
            result = fix_file(path, data, settings, args.unsafe_fixes, write=write, roots=roots)
        if result is None:
            findings.extend(lint_data(data, path, settings))
            continue
        results.append(result)
        findings.extend(result.findings)
    for result in results:
        for problem in result.problems:
            print(f"tf2lint: {problem}", file=sys.stderr)
    fixed = sum(r.applied for r in results)
    unsafe = sum(r.unsafe_available() for r in results)
    if args.diff:  # bytes: each file's lines in its own encoding, so that the patch applies
        patch = b"".join(r.diff() for r in results if r.changed)
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:  # a text-only stream put in place by an embedding program
            sys.stdout.write(patch.decode("utf-8", "surrogateescape"))
        else:
            sys.stdout.flush()
            binary.write(patch)
            binary.flush()
        summary = f"Would fix {fixed} finding{'s' * (fixed != 1)}"
    else:
        _report(args, findings)
        summary = f"Fixed {fixed} finding{'s' * (fixed != 1)}; {len(findings)} remaining"
    if unsafe and not args.unsafe_fixes:
        summary += f"; {unsafe} unsafe fix{'es' * (unsafe != 1)} available with --unsafe-fixes"
    print(summary + ".", file=sys.stdout if args.format == "text" and not args.diff else sys.stderr)
    if args.diff:
        return 1 if any(r.changed for r in results) and not args.exit_zero else 0
    return 1 if findings and not args.exit_zero else 0


def run_check(args: argparse.Namespace) -> int:
    project = load_config(args)
    cli_select = parse_codes(args.select, "--select")
    base = Settings(
        select=cli_select or project.select,
        ignore=project.ignore + parse_codes(args.ignore, "--ignore"),
        extend_select=project.extend_select + parse_codes(args.extend_select, "--extend-select"),
        shim_decorators=project.shim_decorators,
        src=tuple(os.path.abspath(p) for p in args.src) if args.src else project.source_roots(),
        project=not args.no_project,
    )
    if args.jobs < 0:
        raise UsageError("--jobs: expected 0 (all cores) or a positive number")
    if args.max_file_size is not None and args.max_file_size < 1:
        raise UsageError("--max-file-size: expected a positive number of bytes")
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    if "-" in args.paths or args.stdin_filename:
        if args.paths not in (["-"], ["."]):  # "." is the default: `--stdin-filename x.py` alone reads stdin too
            raise UsageError("`-` (stdin) cannot be combined with other paths")
        from tf2lint.hosts import stdin

        return stdin.run(args, project, base)
    if args.fix or args.diff:
        return run_fix(args, project, base)
    with_fixes = args.format == "json"  # the JSON `fix` field
    directory = args.cache_dir or os.environ.get("TF2LINT_CACHE_DIR") or (project.root / DEFAULT_DIR)
    cache = None if args.no_cache else Cache(directory)
    findings: list[Finding] = []
    todo: list[tuple[bytes, str, Settings, bool]] = []
    keys: list[str | None] = []
    for path, settings, data in _inputs(args, project, base, findings):
        kind = os.path.splitext(path)[1] + ("+fix" if with_fixes else "")
        key = cache.key(data, settings, kind, path) if cache else None
        cached = cache.get(key, path) if cache and key else None
        if cached is not None:
            findings.extend(cached)
        else:
            todo.append((data, path, settings, with_fixes))
            keys.append(key)
    from tf2lint.analysis.project import stable_files

    # Nothing writes the tree while `check` reads it; the files read for linting are not read again as
    # other files' dependencies.
    with stable_files((path, data) for data, path, _settings, _fixes in todo):
        results = _lint_all(todo, args.jobs or os.cpu_count() or 1)
    for key, (result, dependencies) in zip(keys, results):
        if cache and key:
            cache.put(key, result, dependencies)
        findings.extend(result)
    _report(args, findings)
    return 1 if findings and not args.exit_zero else 0


def _report(args: argparse.Namespace, findings: list[Finding]) -> None:
    findings.sort(key=Finding.sort_key)
    sys.stdout.write(as_statistics(findings) if args.statistics else FORMATS[args.format](findings))


def _lint_one(item: tuple[bytes, str, Settings, bool]) -> tuple[list[Finding], set[str]]:
    data, path, settings, with_fixes = item
    dependencies: set[str] = set()
    return lint_data(data, path, settings, fixes=with_fixes, dependencies=dependencies), dependencies


def _lint_all(items: list[tuple[bytes, str, Settings, bool]], jobs: int) -> list[tuple[list[Finding], set[str]]]:
    """Results in the order of ``items``; processes only when there is enough work to pay for them."""
    if jobs <= 1 or len(items) < 4 * jobs:
        return [_lint_one(item) for item in items]
    import multiprocessing  # only now: importing it costs more than a whole cached run's checks
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        return list(pool.map(_lint_one, items, chunksize=max(1, len(items) // (jobs * 8))))


def run_rules(args: argparse.Namespace) -> int:
    if args.format == "json":
        records = [
            {"code": r.code, "symbol": r.symbol, "summary": r.summary, "enabled_by_default": r.enabled_by_default}
            for r in ALL_RULES
        ]
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
    else:
        for rule in ALL_RULES:
            sys.stdout.write(f"{rule.code}  {rule.symbol:<34} {rule.summary}\n")
    return 0


def _tolerant_output() -> None:
    """File names that are not UTF-8 (surrogate escapes) must print, whatever the stream's encoding:
    as their own bytes on a UTF-8 stream, as backslash escapes on any other."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="surrogateescape" if encoding == "utf8" else "backslashreplace")


def entry() -> NoReturn:
    """The `tf2lint` command: `main`, then an exit that skips tearing the interpreter down.

    Tearing down frees every summary the run kept, one reference cycle at a time (classes point at their
    module): measured at 0.8 s after a 10 s run of the benchmark corpus, for memory the process is about
    to hand back anyway. The output is flushed first; nothing else of ours runs at exit. Under a profiler
    or a tracer (cProfile, coverage), whose results are written at exit, it exits normally.
    """
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away, or the stream was closed
            pass
    os._exit(code)


def _describe(exc: BaseException) -> str:
    """An exception's message on one short line, even when printing it fails (a KeyError holding a deep tree)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - RecursionError and the like: the type name must still print
        return "(message not printable)"
    return text if len(text) <= 300 else text[:300] + "..."


def main(argv: Sequence[str] | None = None) -> int:
    # Parsing makes millions of short-lived AST objects with no reference cycles: collecting them less
    # often is most of the difference between tf2lint and the cost of parsing alone.
    gc.set_threshold(100_000, 50, 100)
    _tolerant_output()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "server":
            from tf2lint.hosts import lsp

            return lsp.main()
        if args.command == "doctor":
            from tf2lint.runtime import doctor

            return doctor.main()
        return run_check(args) if args.command == "check" else run_rules(args)
    except UsageError as exc:
        print(f"tf2lint: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `tf2lint check | head`: the reader went away; not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, never a traceback
        if os.environ.get("TF2LINT_DEBUG"):
            raise
        print(f"tf2lint: internal error: {type(exc).__name__}: {_describe(exc)} (set TF2LINT_DEBUG=1 for details)", file=sys.stderr)
        return 2

"""The command line's shared vocabulary: usage errors, rule selectors, which configuration a run reads and
which files it chooses. Every command (`check`, `report`, `variables`, `migrate`) builds on it; it imports no
command, so no command imports another."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from tf2lint.findings import Settings
from tf2lint.hosts import config
from tf2lint.hosts.files import PathError, Selection


class UsageError(Exception):
    """Bad command line or configuration: reported in one line, exit 2."""


def write_output(path: str, text: str, option: str, newline: str | None = None) -> None:
    """Write a command's output to ``path`` (a file name that is not UTF-8 as its own bytes, as printed); a path
    that cannot be written is a usage error naming ``option``."""
    try:
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline=newline) as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None


def parse_codes(value: str | None, option: str) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        return config.validate_codes([part for part in value.split(",") if part.strip()], option)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def discover(paths: Sequence[str], project: config.Config) -> Iterator[str]:
    """The files `check` would choose under ``paths`` (the same walk, excludes and .gitignore), for the hosts
    that read them with one configuration (`variables`)."""
    yield from chosen(paths, config.Loader(project.source) if project.source is not None else config.Loader())


def chosen(paths: Sequence[str], loader: config.Loader) -> Iterator[str]:
    """The files `check` would choose under ``paths``, each under the configuration ``loader`` gives it. A named
    path that ends up excluded is said on stderr once the walk is done, as `check` says it (never dropped
    silently)."""
    selection = Selection(loader)
    try:
        yield from selection.files(paths)
    except PathError as exc:
        raise UsageError(str(exc)) from None
    for note in selection.notes:
        print(f"tf2lint: warning: {note}", file=sys.stderr)


def add_variables_base(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--variables-base", metavar="REV",
                        help="TFS115: compare variable names with the files at this git revision")


def variables_base(args: argparse.Namespace) -> str:
    """`--variables-base REV` as a commit (so that cached results follow the revision, not its name); "" without."""
    if not getattr(args, "variables_base", None):
        return ""
    try:
        return subprocess.run(["git", "rev-parse", "--verify", f"{args.variables_base}^{{commit}}"],
                              capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"--variables-base: not a git revision here: {args.variables_base}") from exc


class FileSettings:
    """Each file's settings: its own table (the nearest, or `--config`) under what the command line says over
    it (`--select`, `--ignore`, `--extend-select`, `--src`, `--no-project`, `--variables-base`). `check` and
    `report` read files through it, so that `report` counts the findings `check` reports."""

    def __init__(self, args: argparse.Namespace, loader: config.Loader) -> None:
        self.loader = loader
        self.select = parse_codes(args.select, "--select")
        self.ignore = parse_codes(args.ignore, "--ignore")
        self.extend_select = parse_codes(args.extend_select, "--extend-select")
        self.src = tuple(os.path.abspath(p) for p in args.src) if args.src else None
        self.project = not args.no_project
        self.variables_base = variables_base(args)
        self._based: dict[Settings, Settings] = {}

    def __call__(self, path: str, table: config.Config | None = None) -> Settings:
        """``table``: the file's configuration, when the caller has it already."""
        table = table or self.loader.for_path(path)
        settings = table.settings(path, self.select, self.ignore, self.extend_select, self.src, self.project)
        if self.variables_base:  # one Settings per distinct answer, as the configuration's are
            settings = self._based.setdefault(settings, replace(settings, variables_base=self.variables_base))
        return settings


def make_loader(args: argparse.Namespace) -> config.Loader:
    if args.config and not os.path.isfile(args.config):
        raise UsageError(f"--config: file not found: {args.config}")
    return config.Loader(Path(args.config) if args.config else None)


def top_config(args: argparse.Namespace, loader: config.Loader) -> config.Config:
    """The configuration of the run as a whole (cache directory, fix mode, output format): the one for the
    paths' common directory."""
    paths = [args.stdin_filename] if getattr(args, "stdin_filename", None) else args.paths
    start = os.path.commonpath([os.path.abspath(p) for p in paths]) if paths else os.getcwd()
    return loader.for_path(start if os.path.isdir(start) else os.path.dirname(start) or ".")


def load_config(args: argparse.Namespace) -> config.Config:
    """The configuration for the run as a whole, for the commands that read files with one table."""
    return top_config(args, make_loader(args))

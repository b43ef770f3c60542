"""The command line's shared vocabulary: usage errors, rule selectors, which configuration a run reads and
which files it chooses. Every command (`check`, `report`, `variables`, `migrate`) builds on it; it imports no
command, so no command imports another."""

from __future__ import annotations

import argparse
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from tf2lint.hosts import config
from tf2lint.hosts.files import PathError, Selection


class UsageError(Exception):
    """Bad command line or configuration: reported in one line, exit 2."""


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
    """The files `check` would choose under ``paths``, each under the configuration ``loader`` gives it."""
    try:
        yield from Selection(loader).files(paths)
    except PathError as exc:
        raise UsageError(str(exc)) from None


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

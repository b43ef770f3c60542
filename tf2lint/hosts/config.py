"""`[tool.tf2lint]` in pyproject.toml: found next to or above the linted paths, validated strictly."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from tf2lint.engine import DEFAULT_MAX_FILE_SIZE
from tf2lint.rules import ALL_RULES

KEYS = (
    "select", "ignore", "extend-select", "per-file-ignores", "exclude", "shim-decorators", "src", "max-file-size",
    "variables-lock",
)


class ConfigError(Exception):
    """A configuration problem, reported in one line (exit 2)."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    shim_decorators: tuple[str, ...] = ()
    src: tuple[str, ...] | None = None  # as written; None: not set
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are TFS000, not read whole
    root: Path = field(default_factory=Path.cwd)  # globs are relative to the config file's directory
    source: Path | None = None
    variables_lock: str = ""  # absolute path of the names lock (TFS115), relative to the config when written

    def lock(self) -> str:
        return str((self.root / self.variables_lock).resolve()) if self.variables_lock else ""

    def source_roots(self) -> tuple[str, ...]:
        """Where the project's modules are found besides each file's own package: `src` (relative to the
        config's directory), else the config's directory and its `src/`. Nothing without a config file."""
        if self.src is not None:
            return tuple(str((self.root / entry).resolve()) for entry in self.src)
        if self.source is None:
            return ()
        return tuple(str(p) for p in (self.root, self.root / "src") if p.is_dir())

    def relative(self, path: str) -> str:
        try:
            return Path(os.path.abspath(path)).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def is_excluded(self, path: str) -> bool:
        return bool(self.exclude) and _matches(self.relative(path), self.exclude)

    def ignored_for(self, path: str) -> tuple[str, ...]:
        if not self.per_file_ignores:
            return ()
        relative = self.relative(path)
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores:
            if _matches(relative, (pattern,)):
                codes.extend(ignored)
        return tuple(codes)


def _matches(relative: str, patterns: Sequence[str]) -> bool:
    """A pattern matches the relative path, any parent directory of it, or the file name."""
    pure = PurePosixPath(relative)
    candidates = [relative, pure.name, *(p.as_posix() for p in pure.parents if p.as_posix() != ".")]
    return any(fnmatch.fnmatchcase(c, pattern.rstrip("/")) for c in candidates for pattern in patterns)


def validate_codes(codes: Sequence[str], where: str) -> tuple[str, ...]:
    known = [rule.code for rule in ALL_RULES]
    normalised = []
    for code in codes:
        if not isinstance(code, str):
            raise ConfigError(f"{where}: expected a rule code, got {code!r}")
        upper = code.strip().upper()
        if not upper or not any(k.startswith(upper) for k in known):
            raise ConfigError(f"{where}: unknown rule code or prefix {code!r} (see `tf2lint rules`)")
        normalised.append(upper)
    return tuple(normalised)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string")
    return value


def _toml():  # imported only when there is a file to read (it costs more than the rest of a cached run)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def _read(path: Path) -> dict:
    """The TOML document; ConfigError naming the file for anything unreadable (not UTF-8 included)."""
    tomllib = _toml()
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (invalid byte at offset {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _tool(data: dict, path: Path) -> dict:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, got {type(tool).__name__}")
    return tool


def load(path: Path) -> Config:
    table = _tool(_read(path), path).get("tf2lint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.tf2lint] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.tf2lint]: {', '.join(unknown)} (known: {', '.join(KEYS)})")
    where = f"{path}: [tool.tf2lint]"
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where} per-file-ignores: expected a table of glob = [codes]")
    max_size = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        raise ConfigError(f"{where} max-file-size: expected a positive number of bytes")
    return Config(
        select=validate_codes(_strings(table.get("select", []), f"{where} select"), f"{where} select"),
        ignore=validate_codes(_strings(table.get("ignore", []), f"{where} ignore"), f"{where} ignore"),
        extend_select=validate_codes(
            _strings(table.get("extend-select", []), f"{where} extend-select"), f"{where} extend-select"
        ),
        per_file_ignores=tuple(
            (glob, validate_codes(_strings(codes, f"{where} per-file-ignores"), f"{where} per-file-ignores"))
            for glob, codes in per_file.items()
        ),
        exclude=_strings(table.get("exclude", []), f"{where} exclude"),
        shim_decorators=_strings(table.get("shim-decorators", []), f"{where} shim-decorators"),
        src=_strings(table["src"], f"{where} src") if "src" in table else None,
        max_file_size=max_size,
        variables_lock=_string(table.get("variables-lock", ""), f"{where} variables-lock"),
        root=path.resolve().parent,
        source=path,
    )


def find(paths: Sequence[str]) -> Path | None:
    """The nearest pyproject.toml with a [tool.tf2lint] table, from the linted paths upwards."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = Path(os.path.commonpath(absolute))
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                tool = _tool(_read(candidate), candidate)
            except ConfigError:
                return candidate  # let load() report it
            if "tf2lint" in tool:
                return candidate
    return None


@lru_cache(maxsize=256)
def _config_for_directory(directory: str) -> Config | None:
    try:
        found = find([directory])
        return load(found) if found else None
    except ConfigError:
        return None  # the CLI reports configuration errors; a plugin lints with the file's own roots


def _roots_for_directory(directory: str) -> tuple[str, ...]:
    found = _config_for_directory(directory)
    return found.source_roots() if found else ()


def variables_lock_for(path: str) -> str:
    """The configured names lock for a file (TFS115), for hosts that see one file at a time."""
    found = _config_for_directory(os.path.dirname(os.path.abspath(path)))
    return found.lock() if found else ""


def source_roots_for(path: str) -> tuple[str, ...]:
    """The configured source roots for a file, for hosts that see one file at a time (flake8, pylint)."""
    return _roots_for_directory(os.path.dirname(os.path.abspath(path)))

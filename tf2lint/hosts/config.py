"""`[tool.tf2lint]` in pyproject.toml, one loader for every host (CLI, stdin, flake8, pylint, the server).

Each file gets the nearest pyproject.toml with a `[tool.tf2lint]` table at or above it, as ruff does; a
table may start from another one with `extend = "../pyproject.toml"`. Tables are validated against the
JSON Schema shipped in the package (`tf2lint/schemas/tool-tf2lint.schema.json`, by fastjsonschema), then rule selectors are
checked against the rules. Globs use .gitignore syntax (pathspec), relative to the directory of the
file that sets them.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from tf2lint.engine import DEFAULT_MAX_FILE_SIZE
from tf2lint.findings import Settings
from tf2lint.rules import ALL_RULES

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "tool-tf2lint.schema.json"
MAX_EXTEND_DEPTH = 16  # `extend` chains longer than this are a configuration error (and so is a cycle)


class ConfigError(Exception):
    """A configuration problem, reported in one line naming the file (exit 2)."""


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def tool_schema(tool: str = "tf2lint") -> dict:
    """The schema of [tool.tf2lint], for validate-pyproject (entry point `validate_pyproject.tool_schema`)."""
    return schema()


def keys() -> tuple[str, ...]:
    return tuple(schema()["properties"])


@dataclass(frozen=True)
class Globs:
    """Patterns in .gitignore syntax and the directory they are relative to."""

    root: str
    patterns: tuple[str, ...]

    @cached_property
    def _spec(self):
        import pathspec  # only when there is a pattern to match

        return pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def check(self, where: str) -> Globs:
        """Itself, once each pattern compiles; ConfigError naming the bad one (``where``: whose it is)."""
        import pathspec

        for pattern in self.patterns:
            try:
                pathspec.GitIgnoreSpec.from_lines([pattern])
            except (ValueError, re.error) as exc:
                raise ConfigError(f"{where}: invalid pattern {pattern!r}: {exc}") from None
        return self

    def matches(self, path: str, is_dir: bool = False, absolute: str | None = None) -> bool:
        """``absolute``: ``path`` made absolute, when the caller has it."""
        if not self.patterns:
            return False
        relative = _below(absolute or os.path.abspath(path), self.root)
        if relative is None:
            return False  # outside the directory the patterns are written for
        return bool(self._spec.match_file(relative + "/" if is_dir else relative))


def _below(absolute: str, root: str) -> str | None:
    """``absolute`` relative to ``root`` with `/` separators, None when it is not strictly below it."""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not absolute.startswith(prefix) or absolute == root:
        return None
    return absolute[len(prefix):].replace(os.sep, "/")


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[Globs, tuple[str, ...]], ...] = ()
    exclude: tuple[Globs, ...] = ()  # `exclude` (replaced by `--exclude`), at most one
    extend_exclude: tuple[Globs, ...] = ()  # every `extend-exclude` of the chain
    respect_gitignore: bool = True
    shim_decorators: tuple[str, ...] = ()
    src: tuple[str, ...] | None = None  # absolute; None: not set
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are TFS000, not read whole
    fix: bool = False
    unsafe_fixes: bool = False
    fixable: tuple[str, ...] = ()  # (): every rule
    unfixable: tuple[str, ...] = ()
    output_format: str | None = None
    root: Path = field(default_factory=Path.cwd)  # the directory of the file that holds the table
    source: Path | None = None
    chain: tuple[Path, ...] = ()  # the files read for this table: itself and what it extends
    variables_lock: str = ""  # absolute path of the names lock (TFS115); written relative to its table's file
    project_top: Path | None = None  # with no table: where the project's packaging or repository starts

    def lock(self) -> str:
        return self.variables_lock

    def source_roots(self) -> tuple[str, ...]:
        """Where the project's modules are found besides each file's own package: `src`, else the
        config's directory and its `src/`; with no table, the project's top (`project_top`) and its `src/`."""
        return self._roots

    @cached_property
    def _roots(self) -> tuple[str, ...]:  # asked for every file: the directories are looked at once
        if self.src is not None:
            return self.src
        top = self.root if self.source is not None else self.project_top
        if top is None:
            return ()
        return tuple(str(p) for p in (top, top / "src") if p.is_dir())

    def excluded_by(self, path: str, is_dir: bool = False) -> Globs | None:
        """The `exclude`/`extend-exclude` patterns that exclude ``path``, if any."""
        return next((globs for globs in (*self.exclude, *self.extend_exclude) if globs.matches(path, is_dir)), None)

    def is_excluded(self, path: str) -> bool:
        return self.excluded_by(path) is not None

    def ignored_for(self, path: str) -> tuple[str, ...]:
        return tuple(code for globs, codes in self.per_file_ignores if globs.matches(path) for code in codes)

    def settings(
        self, path: str, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
        extend_select: tuple[str, ...] = (), src: tuple[str, ...] | None = None, project: bool = True,
    ) -> Settings:
        """The settings for linting ``path``: this table, under what a host says over it (the command line,
        an editor's options): ``select`` replaces the selection, ``ignore`` and ``extend_select`` add to it."""
        return _settings(
            self, select or self.select, self.ignore + ignore + self.ignored_for(path),
            self.extend_select + extend_select, self.source_roots() if src is None else src, project,
        )


@lru_cache(maxsize=1024)
def _settings(config: Config, select, ignore, extend_select, src, project) -> Settings:
    """One Settings object per distinct answer: it keeps its per-code decisions, and the cache key reads it."""
    return Settings(
        select=select, ignore=ignore, extend_select=extend_select, shim_decorators=config.shim_decorators,
        src=src, project=project, fixable=config.fixable, unfixable=config.unfixable,
        variables_lock=config.variables_lock,
    )


def validate_codes(codes: Sequence[object], where: str) -> tuple[str, ...]:
    """Rule selectors -> code prefixes: a code or prefix, a rule's symbol, or ALL (every rule)."""
    known = [rule.code for rule in ALL_RULES]
    symbols = {rule.symbol: rule.code for rule in ALL_RULES}
    normalised = []
    for code in codes:
        if not isinstance(code, str):
            raise ConfigError(f"{where}: expected a rule code, got {code!r}")
        stripped = code.strip()
        if stripped.upper() == "ALL":
            normalised.append("TFS")
        elif stripped.lower() in symbols:
            normalised.append(symbols[stripped.lower()])
        elif stripped and any(k.startswith(stripped.upper()) for k in known):
            normalised.append(stripped.upper())
        else:
            close = difflib.get_close_matches(stripped, [*known, *symbols], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else " (see `tf2lint rules`)"
            raise ConfigError(f"{where}: unknown rule code, prefix or symbol {code!r}{hint}")
    return tuple(normalised)


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
    except (RecursionError, MemoryError):
        raise ConfigError(f"{path}: nested too deeply to read") from None


def _table(path: Path) -> dict | None:
    """The file's `[tool.tf2lint]` table, None when it has none."""
    tool = _read(path).get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, got {type(tool).__name__}")
    table = tool.get("tf2lint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.tf2lint] must be a table")
    return table


def _validate(table: dict, path: Path) -> None:
    """Against the JSON Schema; an unknown key is named with the closest known one."""
    for key in table:
        if key not in keys():
            close = difflib.get_close_matches(key, keys(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(keys())})"
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.tf2lint]{hint}")
    try:
        _validator()(table)
    except _fastjsonschema().JsonSchemaValueException as exc:
        where = exc.name.removeprefix("data").lstrip(".")
        message = exc.message.removeprefix(exc.name).strip()
        raise ConfigError(f"{path}: [tool.tf2lint] {where or 'table'} {message}") from None


def _fastjsonschema():
    # fastjsonschema (as validate-pyproject uses): jsonschema's import can cost seconds (format checkers).
    import fastjsonschema

    return fastjsonschema


@lru_cache(maxsize=1)
def _validator():
    return _fastjsonschema().compile(schema())


def _chain(path: Path) -> list[tuple[Path, dict]]:
    """(file, table) from the start of its `extend` chain to the file itself."""
    chain: list[tuple[Path, dict]] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if any(resolved == seen.resolve() for seen, _ in chain):
            raise ConfigError(f"{current}: `extend` cycle: {' -> '.join(str(p) for p, _ in reversed(chain))} -> {current}")
        if len(chain) >= MAX_EXTEND_DEPTH:
            raise ConfigError(f"{path}: `extend` chain longer than {MAX_EXTEND_DEPTH} files")
        table = _table(current) if current.is_file() else None
        if table is None:
            if chain:  # an extended file must exist and have the table
                raise ConfigError(f"{chain[-1][0]}: extend = {str(current)!r}: no [tool.tf2lint] table there")
            table = {}
        _validate(table, current)
        chain.append((current, table))
        extend = table.get("extend")
        current = (current.parent / extend) if extend else None
    return list(reversed(chain))


def load(path: Path) -> Config:
    """The configuration a pyproject.toml (or any TOML file with the table) describes, `extend` followed."""
    merged: dict[str, tuple[object, Path]] = {}
    exclude: tuple[Globs, ...] = ()
    extend_exclude: list[Globs] = []
    extend_select: tuple[str, ...] = ()
    chain = _chain(path)
    for file, table in chain:
        where = f"{file}: [tool.tf2lint]"
        directory = file.resolve().parent
        for key, value in table.items():
            if key in ("select", "ignore", "extend-select", "fixable", "unfixable"):
                value = validate_codes(value, f"{where} {key}")
            elif key == "per-file-ignores":
                value = tuple(
                    (Globs(str(directory), (glob,)).check(f"{where} per-file-ignores"),
                     validate_codes(codes, f"{where} per-file-ignores {glob!r}"))
                    for glob, codes in value.items()
                )
            if key == "extend-select":
                extend_select += value
            elif key == "extend-exclude":
                extend_exclude.append(Globs(str(directory), tuple(value)).check(f"{where} extend-exclude"))
            elif key == "exclude":
                exclude = (Globs(str(directory), tuple(value)).check(f"{where} exclude"),)  # replaces what was inherited
            else:
                merged[key] = (value, directory)

    def get(key: str, default):
        return merged[key][0] if key in merged else default

    lock = ""
    if "variables-lock" in merged:
        value, directory = merged["variables-lock"]
        lock = str((directory / value).resolve()) if value else ""
    src = None
    if "src" in merged:
        entries, directory = merged["src"]
        src = tuple(str((directory / entry).resolve()) for entry in entries)
    return Config(
        select=get("select", ()), ignore=get("ignore", ()), extend_select=extend_select,
        per_file_ignores=get("per-file-ignores", ()), exclude=exclude, extend_exclude=tuple(extend_exclude),
        respect_gitignore=get("respect-gitignore", True),
        shim_decorators=tuple(get("shim-decorators", ())), src=src,
        max_file_size=get("max-file-size", DEFAULT_MAX_FILE_SIZE), fix=get("fix", False),
        unsafe_fixes=get("unsafe-fixes", False), fixable=get("fixable", ()), unfixable=get("unfixable", ()),
        output_format=get("output-format", None), root=path.resolve().parent, source=path,
        chain=tuple(file for file, _ in chain), variables_lock=lock,
    )


def find(paths: Sequence[str]) -> Path | None:
    """The nearest pyproject.toml with a [tool.tf2lint] table, from the paths' common directory upwards.
    A file that cannot be read is returned, so that loading it reports the problem."""
    absolute = [os.path.abspath(p) for p in paths] or [os.getcwd()]
    start = Path(os.path.commonpath(absolute))
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                if _table(candidate) is not None:
                    return candidate
            except ConfigError:
                return candidate
    return None


# What marks the top of a project whose files no table governs: its packaging, else its repository.
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def project_top(directory: str, known: dict[str, Path | None] | None = None) -> Path | None:
    """The nearest directory at or above ``directory`` holding one of `PROJECT_MARKERS` or a `.git`, as
    the directory a project's absolute imports start from when nothing configures it (namespace packages
    have no `__init__.py` to find it by). The search stops at a repository's top: packaging above it is
    another project's. ``known``: the answers found so far, by directory (the ones found here are added, so
    that a run looks at each directory once)."""
    current, seen, found = os.path.abspath(directory), [], None
    while True:
        if known is not None and current in known:
            found = known[current]
            break
        seen.append(current)
        if any(os.path.isfile(os.path.join(current, m)) for m in PROJECT_MARKERS) or \
                os.path.exists(os.path.join(current, ".git")):
            found = Path(current)
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    if known is not None:
        known.update(dict.fromkeys(seen, found))
    return found


def default_config(directory: str, root: Path | None = None, known: dict[str, Path | None] | None = None) -> Config:
    """The configuration of the files of ``directory`` when no table governs them (``root``: where
    per-run files such as the cache go, by default the directory itself; ``known``: see `project_top`)."""
    return Config(root=Path(directory) if root is None else root, project_top=project_top(directory, known))


class Loader:
    """The configuration of each file: the nearest table above it. ``fresh``: re-read a table when a file of
    its chain changed, and look for a nearer pyproject.toml on every call (a long-lived server);
    otherwise everything is read once (one run of the command). ``forced``: one file for all (`--config`)."""

    def __init__(self, forced: Path | None = None, fresh: bool = False) -> None:
        self.forced = forced
        self.fresh = fresh
        self._found: dict[str, Path | None] = {}
        self._loaded: dict[Path, tuple[tuple[int, ...], Config]] = {}
        self._defaults: dict[str, Config] = {}  # directory -> its Config when no table governs it
        self._tops: dict[str, Path | None] = {}  # directory -> its project's top (`project_top`)

    def for_path(self, path: str) -> Config:
        """Raises ConfigError for a table that is invalid."""
        absolute = os.path.abspath(path)
        return self.for_directory(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))

    def for_directory(self, directory: str) -> Config:
        """The same for the files of an absolute ``directory``."""
        found = self.forced or self._nearest(directory)
        if found is not None:
            return self._load(found)
        if self.fresh:  # a pyproject.toml or a checkout may appear while the server runs
            return default_config(directory)
        if directory not in self._defaults:
            self._defaults[directory] = default_config(directory, known=self._tops)
        return self._defaults[directory]

    def _nearest(self, directory: str) -> Path | None:
        if self.fresh:
            return find([directory])
        if directory not in self._found:  # from the parent's answer: one look per directory
            candidate = Path(directory) / "pyproject.toml"
            parent = os.path.dirname(directory)
            if candidate.is_file() and find([directory]) == candidate:
                self._found[directory] = candidate
            else:
                self._found[directory] = None if parent == directory else self._nearest(parent)
        return self._found[directory]

    def _load(self, path: Path) -> Config:
        cached = self._loaded.get(path)
        if cached is not None and (not self.fresh or cached[0] == _stamps(cached[1].chain)):
            return cached[1]
        config = load(path)
        self._loaded[path] = (_stamps(config.chain), config)
        return config


def _stamps(files: Sequence[Path]) -> tuple[int, ...]:
    stamps = []
    for file in files:
        try:
            stamps.append(os.stat(file).st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


_SHARED = {False: Loader(), True: Loader(fresh=True)}


def config_for(path: str, fresh: bool = False) -> Config:
    """The configuration of ``path`` for hosts that see one file at a time (flake8, pylint), read once
    per process; ``fresh`` for a long-lived host (the editor server): re-read when it changes, at about
    1 ms per call. Raises ConfigError."""
    return _SHARED[fresh].for_path(path)

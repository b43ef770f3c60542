"""flake8 plugin: tf2lint's findings under the TFS prefix, from the tree flake8 already parsed.

flake8 handles `# noqa` and selection itself; this adapter only translates findings. The file's
`[tool.tf2lint]` (the same loader as `tf2lint check`) decides what runs, `exclude` included; the flake8
option `--tf2lint-shim-decorators` adds decorators to the configured ones.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Any

from tf2lint import __version__
from dataclasses import replace

from tf2lint.analysis.project import files_stable_from_now
from tf2lint.engine import lint_tree, relevant, without_file_noqa
from tf2lint.hosts.config import ConfigError, config_for
from tf2lint.hosts.files import excluded


class Plugin:
    name = "tf2lint"
    version = __version__
    shim_decorators: tuple[str, ...] = ()

    def __init__(self, tree: ast.Module, filename: str = "stdin", lines: Sequence[str] = ()) -> None:
        self._tree = tree
        self._filename = filename
        self._lines = [line.rstrip("\r\n") for line in lines]

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--tf2lint-shim-decorators",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Dotted names of project decorators that wrap track_tf1_style_variables (tf2lint).",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.shim_decorators = tuple(name for name in options.tf2lint_shim_decorators if name)
        # Once per flake8 run, in its main process: the files do not change while it runs (as for `tf2lint
        # check`), so stats, packages and the importers index are read once, not once per file.
        files_stable_from_now()

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            project = config_for(self._filename)
        except ConfigError as exc:  # not linted as configured: say so where flake8 shows findings
            yield 1, 0, f"TFS000 cannot lint with this configuration: {exc}", type(self)
            return
        if excluded(self._filename):
            return  # as `tf2lint check` would not lint it: `exclude`, .gitignore
        settings = project.settings(self._filename)
        if self.shim_decorators:
            settings = replace(settings, shim_decorators=settings.shim_decorators + self.shim_decorators)
        text = "\n".join(self._lines)
        if not relevant(text.encode("utf-8", "surrogatepass"), settings):
            return  # the same prefilter as `tf2lint check`: no finding can come from this file
        for finding in without_file_noqa(text, lint_tree(self._tree, self._lines, self._filename, settings, text)):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)

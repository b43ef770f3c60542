"""flake8 plugin: tf2lint's findings under the TFS prefix, from the tree flake8 already parsed.

flake8 handles `# noqa` and selection itself; this adapter only translates findings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Any

from tf2lint import __version__
from tf2lint.engine import lint_tree, relevant
from tf2lint.findings import Settings
from tf2lint.hosts.config import source_roots_for, variables_lock_for


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

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        # Every rule runs; flake8's --select/--extend-ignore decide what is shown.
        settings = Settings(select=("TFS",), shim_decorators=self.shim_decorators, src=source_roots_for(self._filename),
                            variables_lock=variables_lock_for(self._filename))
        text = "\n".join(self._lines)
        if not relevant(text.encode("utf-8", "surrogatepass"), settings):
            return  # the same prefilter as `tf2lint check`: no finding can come from this file
        for finding in lint_tree(self._tree, self._lines, self._filename, settings, text):
            yield finding.line, finding.col, f"{finding.code} {finding.message}", type(self)

"""pylint plugin: `pylint --load-plugins=pylint_tf2lint`. One message per rule, symbol = the rule's symbol.

It reads the module's source and runs tf2lint's engine on it, so it never depends on astroid's
inference (which cannot see through TensorFlow's lazy loaders). pylint handles
`# pylint: disable=...` itself. The file's `[tool.tf2lint]` (the same loader as `tf2lint check`)
decides what runs, `exclude` included; `tf2lint-shim-decorators` adds to the configured decorators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pylint.checkers import BaseRawFileChecker

from dataclasses import replace

from tf2lint.engine import lint_source, relevant, without_file_noqa
from tf2lint.hosts.config import ConfigError, config_for
from tf2lint.hosts.files import excluded
from tf2lint.rules import ALL_RULES, BY_CODE

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter

# Our checker block is 73 (51, 55 and 64 belong to well-known plugins). Rules whose mistake raises at
# runtime are E, the rest W: the severity every format gives them.
CHECKER_ID = 73


def msgid(code: str) -> str:
    """TFS101 -> W7301; TFS000 -> E7300; TFS901 -> W7391."""
    number = int(code[3:])
    suffix = number % 100 if number < 900 else 90 + number % 10
    return f"{'E' if BY_CODE[code].raises else 'W'}{CHECKER_ID}{suffix:02d}"


class TF2LintChecker(BaseRawFileChecker):
    name = "tf2lint"
    msgs = {
        msgid(rule.code): ("%s", rule.symbol, f"{rule.code}: {rule.summary}.")
        for rule in ALL_RULES
        if rule.code != "TFS901"  # unused noqa is a CLI notion; pylint has useless-suppression
    }
    options = (
        (
            "tf2lint-shim-decorators",
            {
                "default": (),
                "type": "csv",
                "metavar": "<dotted names>",
                "help": "Project decorators that wrap track_tf1_style_variables.",
            },
        ),
    )

    def process_module(self, node: nodes.Module) -> None:
        with node.stream() as stream:
            source = stream.read()
        path = node.file or node.name
        try:
            project = config_for(path)
        except ConfigError as exc:  # not linted as configured: say so where pylint shows messages
            self.add_message(BY_CODE["TFS000"].symbol, line=1, args=(f"TFS000 cannot lint with this configuration: {exc}",))
            return
        if excluded(path):
            return  # as `tf2lint check` would not lint it: `exclude`, .gitignore
        settings = project.settings(path)
        extra = tuple(self.linter.config.tf2lint_shim_decorators)
        if extra:
            settings = replace(settings, shim_decorators=settings.shim_decorators + extra)
        data = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
        if not relevant(data, settings):
            return  # the same prefilter as `tf2lint check`: no finding can come from this file
        text = data.decode("utf-8", "replace")
        for finding in without_file_noqa(text, lint_source(source, path, settings, noqa=False)):
            self.add_message(
                finding.symbol,
                line=finding.line,
                col_offset=finding.col,
                end_lineno=finding.end_line,
                end_col_offset=finding.end_col,
                args=(f"{finding.code} {finding.message}",),
            )



def register(linter: PyLinter) -> None:
    linter.register_checker(TF2LintChecker(linter))

"""`tf2lint variables PATH...`: the variable names each shim class creates on its first call, as the
analysis predicts them (text, or `--format json`), and `--write FILE` for a names lock (TFS115's baseline)."""

from __future__ import annotations

import argparse
import ast
import os
import sys

from tf2lint.analysis.baseline import class_entry, lock_text, module_key
from tf2lint.hosts.options import write_output
from tf2lint.knowledge.api import GET_OR_CREATE_LAYER
from tf2lint.notebook import NotebookError
from tf2lint.source import SourceError


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("variables", help="print the variable names each shim class creates (a names lock)")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--write", metavar="FILE", help="write a names lock (keys relative to its directory)")
    parser.add_argument("--config", metavar="PATH", help="pyproject.toml to use (default: nearest with [tool.tf2lint])")
    parser.add_argument("--src", action="append", metavar="DIR",
                        help="a source root imports are resolved against (repeatable; replaces `src` of the config)")


def models_of(path: str, settings) -> list:
    """The class models of one file, through the same engine steps as `check` (summary, triage, shim walk)."""
    from tf2lint.analysis.variables import class_variables
    from tf2lint.engine import module_context, read, relevant
    from tf2lint.notebook import module_text

    data = read(path)
    if not relevant(data, settings):
        return []
    text = module_text(data, path)  # a notebook's code cells, as `check` reads them
    tree = compile(text, path, "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    ctx = module_context(tree, text, path, settings)
    return class_variables(ctx) if ctx is not None else []  # names are computed only where there is shim code


def _text(path: str, models: list) -> str:
    lines = []
    for model in models:
        lines.append(f"{path}::{model.qualname}")
        for creation in model.creations:
            for variable in creation.variables:
                shape = f"  {list(variable.shape)}" if variable.shape is not None else ""
                lines.append(f"    {variable.name}{shape}")
            if not creation.variables and creation.scope:
                unknown = "/*" * (not creation.known)
                lines.append(f"    {creation.scope}{unknown}  ({_state(creation)}: {creation.fingerprint})")
        lines.extend(f"    object {path_}" for path_ in model.objects)
        # A helper reached on each of several paths gives the same reason there each time: said once.
        lines.extend(dict.fromkeys(f"    why unknown, {_place(u)}: {u.reason}" for u in model.unknowns))
    return "\n".join(lines)


def _state(creation) -> str:
    """What a creation without names in the shim's store is: unknown, a layer with no variables (pooling), or a
    `get_or_create_layer` builder's Keras layer (its weights are named and tracked by Keras, not the store)."""
    if not creation.known:
        return "unknown"
    return "a Keras layer, its weights named by Keras" if creation.kind == GET_OR_CREATE_LAYER else "no variables"


def _place(unknown) -> str:
    """Where an unknown is written: a line of the file shown, or `path:line` in a helper module."""
    line = getattr(unknown.node, "lineno", "?")
    return f"{unknown.path}:{line}" if unknown.path else f"line {line}"


def run(args: argparse.Namespace, files: list[str], settings) -> int:
    entries: dict[str, dict] = {}
    shown = []
    start = os.path.dirname(os.path.abspath(args.write)) if args.write else os.getcwd()
    for path in files:
        try:
            models = models_of(path, settings)
        except (OSError, SourceError, NotebookError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            print(f"tf2lint: {path}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        for model in models:
            entries[f"{module_key(path, start)}::{model.qualname}"] = class_entry(model)
        if models and args.format == "text" and not args.write:
            shown.append(_text(path, models))
    if args.write:
        write_output(args.write, lock_text(entries), "--write", newline="\n")
        print(f"Wrote {len(entries)} class{'es' * (len(entries) != 1)} to {args.write}.")
    elif args.format == "json":
        print(lock_text(entries), end="")
    else:
        print("\n".join(shown))
    return 0

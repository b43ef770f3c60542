"""`tf2lint migrate PATH [--class NAME] --stage objects|native|weights [--diff | --write]`: step 2 as a codemod.

The analysis (`tf2lint.analysis.migration_plan`) decides, per class, what a stage changes or why it must not;
`tf2lint.fixing.migrate` applies the plans with LibCST; this host reads files, prints what happened per
class (on stderr with `--diff`, so the patch alone goes to stdout) and writes or prints the result.
Without `--diff` or `--write` it only reports. Files are chosen, read and configured as `check` chooses, reads
and configures them (excludes, `.gitignore`, `max-file-size`, `shim-decorators`; a file that mentions neither
TensorFlow nor Keras is skipped unread, and a walk never opens a FIFO), and each module is analysed in its
project, as `check` analyses it; notebooks are named, not rewritten.
Exit status: 0 when no class was refused, 1 otherwise, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import codecs
import os
import sys
from typing import TYPE_CHECKING

from tf2lint.knowledge.native import STAGES
from tf2lint.source import SourceError, decode, parse, read

if TYPE_CHECKING:
    from tf2lint.analysis.migration_plan import ClassPlan
    from tf2lint.findings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("migrate", help="step 2 of the migration, one stage at a time (objects, native, weights)")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--stage", choices=STAGES, required=True,
                        help="objects: functional compat.v1 layers -> layer objects with pinned names; "
                             "native: layer objects (and TF-Slim calls, which have no objects stage) -> native Keras "
                             "layers, names kept by recorded scopes; "
                             "weights: get_variable held on self -> self.add_weight in build")
    parser.add_argument("--class", dest="only", metavar="NAME", help="migrate only this class")
    parser.add_argument("--checkpoint-only", action="store_true",
                        help="objects: also move regularized layers (their penalty counts twice until --stage "
                             "native): for re-saving a checkpoint with object paths, not for training")
    parser.add_argument("--config", metavar="PATH", help="pyproject.toml to use (default: nearest with [tool.tf2lint])")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--diff", action="store_true", help="print a unified diff (for `git apply`); write nothing")
    output.add_argument("--write", action="store_true", help="write the migrated files in place")


def migrate_text(
    text: str, path: str, stage: str, only: str | None = None, checkpoint_only: bool = False,
    settings: Settings | None = None,
) -> tuple[str, list[ClassPlan]]:
    """(the new text, the plan of each class); refused classes are left as they are. ``settings``: the file's;
    with them the module is read in its project, as `check` reads it (a shim decorator or a helper of another
    module counts), without them alone."""
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.migration_plan import plan_module
    from tf2lint.analysis.summary import ModuleSummary
    from tf2lint.engine import module_context
    from tf2lint.fixing.migrate import apply

    tree = parse(text, path)
    context = ModuleContext(ModuleSummary(tree, text, path)) if settings is None else \
        module_context(tree, text, path, settings)
    plans = plan_module(context, stage, only, checkpoint_only) if context is not None else []
    new = apply(text, tree, plans)
    parse(new, path)  # a result that does not parse is a bug of ours: never written
    return new, plans


def _describe(path: str, plan: ClassPlan) -> list[str]:
    where = f"{path}:{plan.line}: {plan.name}"
    if plan.status == "refused":
        return [f"{where}: refused ({plan.stage}), left as it is:"] + [f"  {path}:{line}: {why}" for line, why in plan.refusals]
    notes = [f"  {path}:{line}: {note}" for line, note in plan.notes]
    if plan.status == "migrated":
        lines = [f"{where}: migrated ({plan.stage}): {len(plan.operations)} change(s)", *notes]
        if plan.checkpoint_map:
            lines.append("  the old checkpoint keys these variables by name; load each into its new weight "
                         "(`tf2lint.runtime.restore_renamed`):")
            lines += [f"    {old} -> {new}" for old, new in plan.checkpoint_map]
        return lines
    return [f"{where}: nothing to migrate at stage {plan.stage}", *notes]


def run(args: argparse.Namespace) -> int:
    from tf2lint.engine import relevant
    from tf2lint.fixing.write import FileResult, file_encoding, is_sound, write_result
    from tf2lint.hosts.options import chosen, make_loader

    loader = make_loader(args)
    files = list(chosen(args.paths, loader))  # `check`'s choice: a missing path is a usage error, before any work
    report = sys.stderr if args.diff else sys.stdout
    refused = migrated = planned = 0
    patch: list[bytes] = []
    notebooks: list[str] = []  # named once at the end: a docs tree holds hundreds
    roots = [os.path.realpath(p) for p in args.paths]
    for path in files:
        table = loader.for_path(path)
        settings = table.settings(path)
        try:
            data = read(path, table.max_file_size)
            if not relevant(data, settings):
                continue  # no TensorFlow, no Keras: nothing to migrate (and nothing `check` would parse)
            if path.endswith(".ipynb"):
                notebooks.append(path)
                continue
            text = decode(data)
            new, plans = migrate_text(text, path, args.stage, args.only, args.checkpoint_only, settings)
        except (OSError, SourceError) as exc:
            print(f"{path}: not migrated: {exc}", file=report)
            refused += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a bug of ours: this file stays as it is, the run goes on
            if os.environ.get("TF2LINT_DEBUG"):
                raise
            print(f"{path}: not migrated: internal error {type(exc).__name__}: {exc}; please report it", file=report)
            refused += 1
            continue
        planned += len(plans)
        for plan in plans:
            print("\n".join(_describe(path, plan)), file=report)
        refused += sum(p.status == "refused" for p in plans)
        done = sum(p.status == "migrated" for p in plans)  # counted as migrated once written (or diffed)
        if new == text:
            continue
        shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
        # Written as the file is stored (its coding cookie, its BOM), and only when those bytes read back as `new`.
        result = FileResult(shown.replace(os.sep, "/"), text, new, encoding=file_encoding(data),
                            bom=data.startswith(codecs.BOM_UTF8))
        if not is_sound(result, new):
            print(f"{path}: not migrated: the result does not encode as {result.encoding}", file=report)
            refused += done
            continue
        if args.diff:
            patch.append(result.diff())
        elif args.write and not write_result(path, data, result, roots):
            print("\n".join(result.problems), file=sys.stderr)
            refused += done
            continue
        migrated += done
    if patch:
        sys.stdout.flush()
        sys.stdout.buffer.write(b"".join(patch))
        sys.stdout.flush()
    if notebooks:
        which = notebooks[0] if len(notebooks) == 1 else f"{len(notebooks)} notebooks ({notebooks[0]}, ...)"
        print(f"{which}: not migrated: migrate rewrites Python modules; move the classes into one", file=report)
    if args.only and not planned:  # a misspelt `--class` would otherwise look like a class with nothing to do
        print(f"tf2lint: warning: --class {args.only}: no class of that name with a shim method in the files given",
              file=sys.stderr)
    print(f"migrate ({args.stage}): {migrated} class(es) migrated, {refused} refused", file=report)
    return 1 if refused else 0

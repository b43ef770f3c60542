"""First-call variable names of the differential programs, recorded under TF, against the variable-name model.

Separate from the labelling (label.py): each program is run once more, as a fresh process would (after
`runtime.reset()`), its object called once, and the names its shim store holds are compared with what
`tf2lint.analysis.variables` predicts for that class. Where the model claims to know every name, it must be
exactly right; where it does not, it says so (`<unknown>`). Prints `names: N programs, exact E/K known,
unknown U`.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from typing import Any


LINES: list[str] = []  # summary lines of this process's runs, printed by conftest.py


@dataclass
class NamesSummary:
    programs: int = 0  # ran their first call, and the linter models the called class
    known: int = 0  # the model claims every name
    exact: int = 0  # ... and they are exactly TF's
    wrong: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"names: {self.programs} programs, exact {self.exact}/{self.known} known, unknown {self.programs - self.known}"


def store_names(obj: Any) -> set[str] | None:
    store = getattr(obj, "_tf1_style_var_store", None)
    return None if store is None else {name for name in store._vars}  # noqa: SLF001 - the store is the truth


def first_call(source: str, name: str) -> tuple[str, set[str]] | None:
    """(class name, store names) after one call of a fresh object, or None when it does not get that far. A
    program of several modules has the others installed where its imports find them (as the labels do)."""
    import sys

    from tf2lint import runtime

    from .compare import modules
    from .label import install

    main, others = modules(source)
    runtime.reset()
    namespace: dict[str, Any] = {"__name__": f"names_{name}"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            install(others, name)
            exec(compile(main, f"<{name}>", "exec"), namespace)  # noqa: S102 - our own generated programs
            obj = namespace["make"]()
            obj(*namespace["inputs"]())
    except Exception:  # noqa: BLE001 - a program that raises has no first-call names to compare
        return None
    finally:
        for module_name in others:
            sys.modules.pop(module_name, None)
        runtime.reset()
    names = store_names(obj)
    return (type(obj).__name__, names) if names is not None else None


def predicted(source: str) -> dict[str, Any]:
    """The model of the main module's classes; a program of several modules is written side by side as a
    script's directory and read as `tf2lint variables` reads it (the project around it)."""
    import os
    import tempfile

    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ModuleSummary
    from tf2lint.analysis.variables import class_variables
    from tf2lint.findings import DEFAULT_SETTINGS
    from tf2lint.hosts.variables import models_of

    from .compare import modules

    main, others = modules(source)
    if not others:
        ctx = ModuleContext(ModuleSummary(ast.parse(source), source, "program.py"))
        return {model.cls.name: model for model in class_variables(ctx)}
    with tempfile.TemporaryDirectory(prefix="tf2lint-names-") as directory:
        for module_name, text in {"program": main, **others}.items():
            with open(os.path.join(directory, f"{module_name}.py"), "w", encoding="utf-8") as handle:
                handle.write(text)
        return {model.cls.name: model for model in models_of(os.path.join(directory, "program.py"), DEFAULT_SETTINGS)}


def compare(programs: list[tuple[str, str]]) -> NamesSummary:
    summary = NamesSummary()
    for name, source in programs:
        ran = first_call(source, name)
        if ran is None:
            continue
        cls, actual = ran
        models = [m for c, m in predicted(source).items() if c == cls]
        if len(models) != 1:
            continue  # several shim methods, or none the walk reaches: nothing claimed
        model = models[0]
        summary.programs += 1
        if not model.complete:
            continue
        summary.known += 1
        if set(model.names) == actual:
            summary.exact += 1
        else:
            summary.wrong.append(f"{name}: model {sorted(model.names)}, TF {sorted(actual)}\n{source}")
    return summary

"""The modules a walk entered, the linted one first, and which of them holds each function.

Every query about a name or a decorator is answered by the module the code is written in: a helper of
another module resolves its names through that module's imports.
"""

from __future__ import annotations

import ast
import os
from collections import ChainMap

from tf2lint.analysis.names import Function
from tf2lint.analysis.project import Project, locate
from tf2lint.analysis.summary import ClassInfo, ModuleSummary


class EnteredModules:
    """The linted module (``root``) and every project module a walk or a class lookup entered."""

    def __init__(self, root: ModuleSummary, project: Project | None) -> None:
        self.root = root
        self.project = project
        self.modules: list[ModuleSummary] = [root]
        self.owner: ChainMap[ast.AST, ClassInfo] = ChainMap(root.owner)
        self.parent_function: ChainMap[ast.AST, Function] = ChainMap(root.parent_function)
        self._module_of: dict[ast.AST, ModuleSummary] = {}

    def enter(self, module: ModuleSummary) -> None:
        if all(module is not m for m in self.modules):
            self.modules.append(module)
            self.owner.maps.append(module.owner)
            self.parent_function.maps.append(module.parent_function)
            for func in module.lexical_parent:
                self._module_of[func] = module

    def module_of(self, func: Function | None) -> ModuleSummary:
        return self._module_of.get(func, self.root) if func is not None else self.root

    def is_foreign(self, module: ModuleSummary | None) -> bool:
        return module is not None and module is not self.root

    def display(self, module: ModuleSummary) -> str:
        """A module's path as shown in messages: relative to the working directory when below it."""
        path = module.path
        for start in (locate(self.root.path).root, os.getcwd()):
            try:
                relative = os.path.relpath(path, start)
            except ValueError:
                continue
            if not relative.startswith(".."):
                return relative.replace(os.sep, "/")
        return path

    def resolve(self, node: ast.AST, func: Function | None) -> tuple[str, ...]:
        return self.module_of(func).names.resolve(node, func)

    def is_shim_decorator(self, deco: ast.expr, func: Function | None = None) -> bool:
        return self.module_of(func).is_shim_decorator(deco, func)

    def is_tf_function(self, deco: ast.expr, func: Function | None = None) -> bool:
        return self.module_of(func).is_tf_function(deco, func)

    def tf_function_decorator(self, func: Function) -> ast.expr | None:
        return self.module_of(func).tf_function_decorator(func)

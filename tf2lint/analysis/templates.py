"""Template queries: the shared ``make_template(...)`` a call invokes, defined at module or class level in
the linted module or another project module."""

from __future__ import annotations

import ast

from tf2lint.analysis.classes import ClassModel
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function
from tf2lint.analysis.sites import CallSite
from tf2lint.analysis.summary import ClassInfo, ModuleSummary, first_param


class Templates:
    """Which template a call site runs; a template of another module enters that module."""

    def __init__(self, modules: EnteredModules, classes: ClassModel) -> None:
        self._modules = modules
        self._classes = classes

    def shared_template(self, site: CallSite) -> ast.Call | None:
        """The module- or class-level ``make_template(...)`` a call invokes, if any."""
        module = site.module or self._modules.root
        func = site.node.func
        if isinstance(func, ast.Name):
            if not module.names.is_local(func.id, site.func):
                found = module.module_templates.get(func.id)
                if found is None and self._modules.project is not None:
                    found = self._project_template(module, func, site.func)
                return found
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            classes: list[ClassInfo] = []
            if site.reach.cls is not None and owner in ("self", "cls", first_param(site.func)):
                classes = self._classes.mro(site.reach.cls)
            elif owner in module.class_by_name and not module.names.is_local(owner, site.func):
                classes = self._classes.mro(module.class_by_name[owner])
            for cls in classes:
                found = cls.templates.get(func.attr) or cls.shared_attrs.get(func.attr)
                if found is not None:
                    return found
            if not classes and self._modules.project is not None:
                return self._project_template(module, func, site.func)
        return None

    def _project_template(self, module: ModuleSummary, expr: ast.expr, func: Function | None) -> ast.Call | None:
        """A template defined at module level in another project module (``ops.shared_net``)."""
        assert self._modules.project is not None
        for path in module.names.targets(expr, func):
            owner, _, attr = path.rpartition(".")
            if owner and self._modules.project.file_of(owner) is not None:
                summary = self._modules.project.summary(owner)
                if summary is not None and attr in summary.module_templates:
                    self._modules.enter(summary)
                    return summary.module_templates[attr]
        return None

"""Template queries: the ``make_template(...)`` a call invokes, and where it is written (so that the function it
wraps can be resolved): a template shared by every caller, defined at module or class level in the linted module
or another project module, or one each object makes in its `__init__`."""

from __future__ import annotations

import ast
from typing import NamedTuple

from tf2lint.analysis.classes import ClassModel
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function
from tf2lint.analysis.sites import CallSite
from tf2lint.analysis.summary import ClassInfo, ModuleSummary, first_param
from tf2lint.knowledge import api


class TemplateRun(NamedTuple):
    """The template a call runs: its `make_template(...)`, the module it is written in, and the function it is
    written in (None at module level or in a class body)."""

    ctor: ast.Call
    module: ModuleSummary
    where: Function | None


class Templates:
    """Which template a call site runs; a template of another module enters that module."""

    def __init__(self, modules: EnteredModules, classes: ClassModel) -> None:
        self._modules = modules
        self._classes = classes

    def shared_template(self, site: CallSite) -> ast.Call | None:
        """The module- or class-level ``make_template(...)`` a call invokes, if any."""
        found = self._shared(site)
        return found.ctor if found is not None else None

    def template_run(self, site: CallSite) -> TemplateRun | None:
        """The template a call runs: a shared one, or `self.<attr>` that an `__init__` of the object's class (or
        of a base) sets to `make_template(...)`."""
        found = self._shared(site)
        if found is not None:
            return found
        func = site.node.func
        cls = site.reach.cls
        if cls is None or not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name) or \
                func.value.id not in ("self", first_param(site.func)):
            return None
        for klass in self._classes.mro(cls):
            ctor, init = klass.attr_ctors.get(func.attr), klass.methods.get("__init__")
            if ctor is None or init is None:
                continue
            if api.MAKE_TEMPLATE not in klass.module.names.resolve(ctor, init):
                return None
            call = next((c for c in klass.module.own_calls(init) if c.func is ctor), None)
            return TemplateRun(call, klass.module, init) if call is not None else None
        return None

    def _shared(self, site: CallSite) -> TemplateRun | None:
        module = site.module or self._modules.root
        func = site.node.func
        if isinstance(func, ast.Name):
            if not module.names.is_local(func.id, site.func):
                found = module.module_templates.get(func.id)
                if found is not None:
                    return TemplateRun(found, module, None)
                if self._modules.project is not None:
                    return self._project_template(module, func, site.func)
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
                    # (`self.x = <module-level template>` in `__init__`: written at its module's level too)
                    return TemplateRun(found, cls.module, None)
            if not classes and self._modules.project is not None:
                return self._project_template(module, func, site.func)
        return None

    def _project_template(self, module: ModuleSummary, expr: ast.expr, func: Function | None) -> TemplateRun | None:
        """A template defined at module level in another project module (``ops.shared_net``)."""
        assert self._modules.project is not None
        for path in module.names.targets(expr, func):
            owner, _, attr = path.rpartition(".")
            if owner and self._modules.project.file_of(owner) is not None:
                summary = self._modules.project.summary(owner)
                if summary is not None and attr in summary.module_templates:
                    self._modules.enter(summary)
                    return TemplateRun(summary.module_templates[attr], summary, None)
        return None

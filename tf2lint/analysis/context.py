"""What rules read about one linted module: the facts of its modules, classes, templates and calls, and the
shim walk from its shim methods, behind one object.

Each seam lives in its own module: ``modules.py`` (the modules a walk entered, name and decorator queries),
``classes.py`` (the class model), ``templates.py`` (template queries), ``callees.py`` (what a call runs),
``walk.py`` (the stateful shim walk and its records, whose types are in ``sites.py``), ``reachability.py``
(every call a function reaches, without state) and ``values.py`` (parameter values on a call path). The
context wires them together for one module and exposes their queries; it computes nothing itself.
"""

from __future__ import annotations

import ast

from tf2lint.analysis.callables import Callee
from tf2lint.analysis.callees import CallResolver
from tf2lint.analysis.classes import ClassModel, is_shim_function
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function
from tf2lint.analysis.project import Project
from tf2lint.analysis.reachability import Reachability
from tf2lint.analysis.sites import CallSite, Reach, TfFunctionUse, VarScope
from tf2lint.analysis.summary import ClassInfo, ModuleSummary
from tf2lint.analysis.templates import Templates
from tf2lint.analysis.values import Value, bind_call
from tf2lint.analysis.walk import ShimWalk

# What other modules import from here (the context's own vocabulary, wherever it is defined).
__all__ = [
    "Callee", "CallSite", "ClassInfo", "ModuleContext", "Reach", "TfFunctionUse", "Value", "VarScope", "bind_call",
]


class ModuleContext:
    """Facts about one linted module, and the shim walk from its shim methods, that rules read."""

    def __init__(
        self, summary: ModuleSummary, project: Project | None = None, shim_code: bool = True, settings=None,
    ) -> None:
        """``shim_code=False``: the triage found that the module can hold no shim method (none defined,
        none inherited), so there is nothing to walk. ``settings``: the run's `Settings` (a baseline for TFS115)."""
        self.settings = settings
        self.root = summary
        self.project = project
        self.tree = summary.tree
        self.names = summary.names
        self.classes = summary.classes
        self.class_by_name = summary.class_by_name
        self.module_functions = summary.module_functions
        self.module_templates = summary.module_templates
        self.shim_decorated = summary.shim_decorated if shim_code else []
        self.extra_shim_decorators = summary.extra_shim_decorators

        modules = EnteredModules(summary, project)
        self.modules = modules.modules  # every module the walk entered, the linted one first
        self.owner = modules.owner
        self.parent_function = modules.parent_function
        self.module_of = modules.module_of
        self.is_foreign = modules.is_foreign
        self.display = modules.display
        self.resolve = modules.resolve
        self.is_shim_decorator = modules.is_shim_decorator
        self.is_tf_function = modules.is_tf_function
        self.tf_function_decorator = modules.tf_function_decorator

        classes = ClassModel(modules)
        self.class_kind = classes.class_kind
        self.base_classes = classes.base_classes
        self.mro = classes.mro
        self.attribute = classes.attribute
        self.resolved_method = classes.resolved_method
        self.object_class = classes.object_class
        self.subclasses = classes.subclasses
        self.functions_of = classes.functions_of
        self.v1_layer_base = classes.v1_layer_base
        self.shim_methods_of = classes.shim_methods_of
        self.class_called = classes.class_called
        self.class_of = classes.class_of
        self.instance_call = classes.instance_call
        self.is_shim_function = is_shim_function

        self.shared_template = Templates(modules, classes).shared_template

        resolver = CallResolver(modules, classes)
        self.builder_of = resolver.builder_of
        self.builder_class = resolver.builder_class
        self.call_bindings = resolver.call_bindings
        self.callees_of_call = resolver.callees_of_call
        self.callables = resolver.callables  # callable values, resolved with a walk's frame (variable-name model)
        self.tf_function_roots = resolver.tf_function_roots

        self.reached_calls = Reachability(modules, resolver).reached_calls

        walk = ShimWalk(modules, classes, resolver)
        self.sites = walk.sites
        self.template_sites = walk.template_sites
        self.tf_functions = walk.tf_functions
        self.traced_shims = walk.traced_shims
        self.reached = walk.reached
        self.foreign_site = walk.foreign_site
        self.variable_scope = walk.variable_scope
        self.walk_entries = walk.walk_entries
        if shim_code:
            walk.walk_shim_methods()

    # -- the linted module's own facts ----------------------------------------------------------

    def mentions(self, *words: str) -> bool:
        return self.root.mentions(*words)

    def may_use_project(self) -> bool:
        return self.root.may_use_project()

    def own_calls(self, func: Function) -> list[ast.Call]:
        return self.root.own_calls(func)

    @property
    def graph_mode(self) -> bool:
        return self.root.graph_mode

    def nodes_on_lines(self, pattern: str, skip_decorator_lines: bool = False) -> list:
        return self.root.nodes_on_lines(pattern, skip_decorator_lines)

"""Which rules can report anything in a module, from its text and its imports, before it is analysed.

Most files of a TensorFlow code base never touch the shim: no shim method, no ``call`` a TF1 helper could
reach, no ``get_or_create_layer``. Each rule names what it needs (``Rule.applies``), and a module none
of them applies to costs its parse and nothing more: no summary, no shim walk, no project reads beyond
its own imports. The facts here are cheap and conservative: words in the text, where the module's imports
lead, and the decorators of its statement skeleton (no expression is walked). Shim code behind the project's
own names is looked for the way the shim walk finds it: a decorator that follows the project's aliases to the
shim, a class whose project base may carry shim methods (the base's module spells the decorator), a
class-level ``call = ...``.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cached_property

from tf2lint.analysis.names import PYTHON_BUILTINS, Names, dotted, flatten_blocks
from tf2lint.analysis.project import Project
from tf2lint.analysis.summary import FUNCTION_DEFS
from tf2lint.knowledge import api
from tf2lint.knowledge.spellings import canonical
from tf2lint.source import lines_at

# Any spelling of the shim decorator names it in the text, unless it comes through a project alias.
SHIM_WORDS = ("track_tf1_style_variables", "tf2lint")
# What a base class's module spells when it may decorate methods with the shim (the shim walk's own test).
_BASE_WORDS = (b"track", b"tf2lint")
_ENTRY_METHOD = re.compile(r"def\s+(?:call|__call__)\b")
_CLASS_HEADER = re.compile(r"class\s+\w+\s*\(")
_DOTTED = re.compile(r"\s*([A-Za-z_][\w.]*)")
_ENTRY_ASSIGNED = re.compile(r"call(?:__)?\s*=(?!=)")  # `call = track(_forward)` in a class body
_ACCESSORS = (("setter",), ("getter",), ("deleter",))  # `@name.setter`: a property of the class
_IMPORT = re.compile(r"[ \t]+(?:from|import)\s+(\.*[\w.]*)")


class Triage:
    """Cheap facts about one module, each computed on first use."""

    def __init__(
        self,
        text: str,
        tree: ast.Module,
        project: Project | None,
        package: str | None,
        shim_decorators: tuple[str, ...] = (),
        names: tuple[Names, dict] | None = None,
    ) -> None:
        """``names``: the module's name resolution and lexical parents, when a summary has them already."""
        self.text = text
        self.tree = tree
        self.project = project
        if names is None:
            parents: dict = {}  # filled by the summary, if one is built
            names = (Names(tree, parents, package=package, chase=project.chase if project else None), parents)
        self.names, self.parents = names
        self._shim_decorators = shim_decorators
        self.mentioned: dict[str, bool] = {}  # word -> whether the text has it; the summary goes on with it

    def mentions(self, *words: str) -> bool:
        for word in words:
            found = self.mentioned.get(word)
            if found is None:
                found = self.mentioned[word] = word in self.text
            if found:
                return True
        return False

    @cached_property
    def _entry_method(self) -> bool:
        return self.mentions("call") and _ENTRY_METHOD.search(self.text) is not None

    def defines_entry_method(self) -> bool:
        """A `def call` / `def __call__`: what Keras and tf.Module run themselves (TFS107 and TFS116 ask)."""
        return self._entry_method

    def imports_mentioning(self, word: bytes) -> bool:
        """Whether a project module this one imports from contains ``word``."""
        project = self.project
        return project is not None and project.bindings_mention(
            (target for targets in self._from_project.values() for target in targets), word
        )

    @cached_property
    def _from_project(self) -> dict[str, list[str]]:
        """Module-level names bound to paths of the project -> those paths."""
        if self.project is None:
            return {}
        top = self.project.top_level_names()
        found = {}
        for name, targets in self.names.module_bindings().items():
            inside = [t for t in targets if t.partition(".")[0] in top]
            if inside:
                found[name] = inside
        return found

    @cached_property
    def may_hold_shim_code(self) -> bool:
        """Whether a shim method may be defined or inherited here (so the shim walk may find sites)."""
        configured = tuple(d.rsplit(".", 1)[-1] for d in self._shim_decorators)
        if self.mentions(*SHIM_WORDS, *configured):
            return True
        if self.project is None:
            return False  # without the project, only a spelled name can be the shim
        project = self.project
        top = project.top_level_names()
        bindings = self.names.module_bindings()
        if any(star.split(".", 1)[0] in top for star in self.names.module_stars()):
            return True
        from_project = self._from_project
        if not from_project:
            return False
        if _ENTRY_ASSIGNED.search(self.text):
            return True
        # Each spelling once: a registry decorator stands above hundreds of functions of one module.
        for parts in dict.fromkeys(self._decorators()):
            head = parts[0]
            if head in from_project and self._is_shim(from_project[head], parts[1:]):
                return True
            if head not in bindings and head not in PYTHON_BUILTINS and parts[1:2] not in _ACCESSORS and head not in self._defined:
                return True  # bound in a function (`t = compat.track`): only the walk resolves it there
        words = (*_BASE_WORDS, *(word.encode() for word in configured))
        for base in dict.fromkeys(self._bases()):
            if base in from_project and any(project.bindings_mention(from_project[base], word) for word in words):
                return True
            if base not in bindings and base not in PYTHON_BUILTINS and base not in self._defined and self._imports_inside_blocks:
                return True  # a base bound in a function, where the project is imported: the walk follows it
        return False

    @cached_property
    def may_compile_tf_functions(self) -> bool:
        """Whether a function of the module may be compiled by `tf.function`, as the shim walk's
        `tf_function_roots` finds them: the text spells `function(` (`tf.function(f)` applied), a decorator of a
        function no function encloses resolves to `tf.function` (as `ModuleSummary.is_tf_function` reads it,
        at module level), or a function defined in another function has a decorator (that function's own
        bindings decide: unknown here)."""
        if not self.mentions("function"):
            return False
        if self.mentions("function("):
            return True
        decorators = _decorators_outside_functions(self.tree, self._decorator_lines)
        if decorators is None:
            return True
        # Each spelling resolved once: a registry decorator stands above hundreds of functions of one module.
        spellings: dict[tuple[str, ...], ast.expr] = {}
        for deco in decorators:
            target = deco.func if isinstance(deco, ast.Call) else deco
            parts = dotted(target)
            if parts is not None:  # (anything else resolves to nothing)
                spellings.setdefault(tuple(parts), target)
        return any(api.TF_FUNCTION in self.names.resolve(target, None) for target in spellings.values())

    @cached_property
    def _defined(self) -> set[str]:
        """Functions and classes defined at module level (a decorator defined here is not the shim)."""
        return {s.name for s in self.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

    # -- text, read the way the parser would --------------------------------------------------------

    def _decorators(self) -> Iterator[tuple[str, ...]]:
        """The dotted name after each `@` that starts a line (a decorator; a few strings too); `("",)` for
        any other expression (`@(compat.track)`), which only the walk can resolve."""
        for offset in self._decorator_offsets:
            match = _DOTTED.match(self.text, offset + 1)
            yield tuple(match.group(1).split(".")) if match else ("",)

    @cached_property
    def _decorator_offsets(self) -> list[int]:
        """Where each `@` that starts a line is (every decorator's is: it begins its line). A lone carriage
        return ends a line too, as the parser reads it."""
        text = self.text
        carriage = "\r" in text
        found = []
        offset = text.find("@")
        while offset != -1:
            start = text.rfind("\n", 0, offset)
            if carriage:
                start = max(start, text.rfind("\r", 0, offset))
            if not text[start + 1:offset].strip():
                found.append(offset)
            offset = text.find("@", offset + 1)
        return found

    @cached_property
    def _decorator_lines(self) -> list[int]:
        """The line numbers of `_decorator_offsets`, in order."""
        return list(lines_at(self.text, self._decorator_offsets))

    def _bases(self) -> Iterator[str]:
        """The first name of every base class expression (`class A(pkg.Base, Mixin):` -> pkg, Mixin)."""
        text = self.text
        for header in _CLASS_HEADER.finditer(text):
            start = header.end() - 1
            end = text.find(")", start)
            if end == -1:
                continue
            if text.find("(", start + 1, end) != -1:  # a call among the bases: match the brackets
                depth = 0
                for end in range(start, min(len(text), start + 2000)):
                    depth += 1 if text[end] == "(" else -1 if text[end] == ")" else 0
                    if depth == 0:
                        break
            bases = text[start + 1:end]
            for part in _top_level_parts(bases) if "," in bases else [bases]:
                match = _DOTTED.match(part.split("=")[-1])
                if match:
                    yield match.group(1).split(".")[0]

    @cached_property
    def _imports_inside_blocks(self) -> bool:
        """An indented import (in a function, or under `if`/`try`) of a project module: a name the
        module-level bindings may not show. (A decorator bound there is an unknown name already.)"""
        assert self.project is not None
        top = self.project.top_level_names()
        text = self.text
        offset = text.find("import ")
        while offset != -1:
            line_start = text.rfind("\n", 0, offset) + 1
            if text[line_start:line_start + 1] in (" ", "\t"):
                match = _IMPORT.match(text, line_start)
                if match and (match.group(1).startswith(".") or match.group(1).split(".", 1)[0] in top):
                    return True
            offset = text.find("import ", offset + 1)
        return False

    def _is_shim(self, targets: list[str], rest: tuple[str, ...]) -> bool:
        assert self.project is not None
        shims = {api.SHIM_DECORATOR, *self._shim_decorators}
        for target in targets:
            for final in self.project.chase(".".join([target, *rest])):
                if canonical(final) in shims or final in shims:
                    return True
        return False


def _decorators_outside_functions(tree: ast.Module, decorator_lines: list[int]) -> list[ast.expr] | None:
    """The decorators of the functions (and methods) no function encloses; None when a function defined inside
    another function has any. Only statements are visited, with a stack (no expression, no recursion), and a
    function's body only when a decorator line (``decorator_lines``, sorted) lies inside it."""
    found: list[ast.expr] = []
    stack: list[tuple[list[ast.stmt], bool]] = [(tree.body, False)]
    while stack:
        body, in_function = stack.pop()
        for stmt in flatten_blocks(body):
            if isinstance(stmt, FUNCTION_DEFS):
                if stmt.decorator_list:
                    if in_function:
                        return None
                    found.extend(stmt.decorator_list)
                after, end = bisect_right(decorator_lines, stmt.lineno), stmt.end_lineno
                if end is None or after < len(decorator_lines) and decorator_lines[after] <= end:
                    stack.append((stmt.body, True))
            elif isinstance(stmt, ast.ClassDef):
                stack.append((stmt.body, in_function))
    return found


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts

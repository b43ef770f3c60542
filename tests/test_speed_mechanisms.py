"""The prefilter never drops a file that could produce a finding; jobs and the cache change no result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from conftest import all_examples
from robustness_inputs import analysable, unparsable

from tf2lint.hosts.cli import main
from tf2lint.engine import Settings, lint_source, relevant
from tf2lint.rules import BY_CODE


def everything(code: str) -> Settings:
    return Settings(extend_select=(code,)) if not BY_CODE[code].enabled_by_default else Settings()


def mutants(source: str):
    """The example itself, and each variant with one line removed (imports and aliases included)."""
    lines = source.splitlines(keepends=True)
    yield source
    for index in range(len(lines)):
        yield "".join(lines[:index] + lines[index + 1:])


@pytest.mark.parametrize(("code", "kind", "source"), all_examples())
def test_prefilter_keeps_every_file_with_findings(code: str, kind: str, source: str) -> None:
    for variant in mutants(source):
        if lint_source(variant, "m.py", everything(code)):
            assert relevant(variant.encode(), everything(code)), variant


def test_prefilter_keeps_hostile_inputs_with_findings() -> None:
    for data in [*analysable().values(), *unparsable().values()]:
        if lint_source(data, "m.py"):
            assert relevant(data)


def test_prefilter_sees_through_unicode_spellings() -> None:
    # Python reads identifiers NFKC-normalised: this is `import tensorflow as tf`.
    source = (
        "import ｔｅｎｓｏｒｆｌｏｗ as tf\n\n\nclass L(tf.keras.layers.Layer):\n"
        "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        return tf.compat.v1.layers.dense(x, 3)\n"
    )
    assert [f.code for f in lint_source(source, "m.py")] == ["TFS101"]
    assert relevant(source.encode())


def test_prefilter_drops_unrelated_files_and_counts_project_decorators() -> None:
    assert not relevant(b"import numpy as np\nprint(np.zeros(3))\n")
    assert not relevant(b"def f(:\n")  # not ours to report
    assert relevant(b"from mylib import tracked\n", Settings(shim_decorators=("mylib.tracked",)))


def write_examples(directory: Path) -> None:
    for number, (code, kind, source) in enumerate(p.values for p in all_examples()):
        (directory / f"{code}_{kind}_{number}.py").write_text(source)


def run_json(capsys, *argv: str) -> list[dict]:
    code = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return json.loads(out)


def test_parallel_jobs_give_the_same_findings(tmp_path: Path, capsys) -> None:
    write_examples(tmp_path)
    serial = run_json(capsys, "--no-cache", "-j", "1", str(tmp_path))
    parallel = run_json(capsys, "--no-cache", "-j", "2", str(tmp_path))
    assert serial == parallel and len(serial) > 20


def test_cache_hits_misses_and_damage(tmp_path: Path, capsys) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    write_examples(project)
    cold = run_json(capsys, "--cache-dir", str(cache), str(project))
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    entries = list(cache.glob("*/*.json"))
    assert entries
    assert run_json(capsys, "--cache-dir", str(cache), str(project)) == cold
    # Served from the cache: the entries hold the findings (paths are re-attached).
    for entry in entries:
        entry.write_text('{"findings": [], "dependencies": {}}')
    assert run_json(capsys, "--cache-dir", str(cache), str(project)) == []
    # Damaged entries are misses, not errors.
    for entry in entries:
        entry.write_text("{not json")
    assert run_json(capsys, "--cache-dir", str(cache), str(project)) == cold
    # The key holds the settings: another selection is another entry.
    selected = run_json(capsys, "--cache-dir", str(cache), "--select", "TFS101", str(project))
    assert {r["code"] for r in selected} == {"TFS101"}
    # And the bytes: an edited file is linted again.
    victim = next(p for p in sorted(project.glob("TFS101_bad_*.py")) if "dense(inputs, 3)" in p.read_text())
    victim.write_text(victim.read_text().replace("dense(inputs, 3)", "dense(inputs, 3, name='fc')"))
    assert len(run_json(capsys, "--cache-dir", str(cache), str(project))) == len(cold) - 1


def test_unusable_cache_is_not_fatal(tmp_path: Path, capsys) -> None:
    write_examples(tmp_path)
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("")
    expected = run_json(capsys, "--no-cache", str(tmp_path))
    assert run_json(capsys, "--cache-dir", str(blocker / "cache"), str(tmp_path)) == expected


def test_no_cache_writes_nothing(tmp_path: Path, capsys) -> None:
    write_examples(tmp_path)
    run_json(capsys, "--no-cache", "--cache-dir", str(tmp_path / "cache"), str(tmp_path))
    assert not (tmp_path / "cache").exists()


def test_analysis_leaves_no_reference_cycles() -> None:
    """Reference counting frees a file's trees as soon as its analysis is done: a cycle through a summary,
    a context or a tree would leave them to the garbage collector, which then walks every tree the project
    keeps (measured once: a third of a corpus run)."""
    import ast
    import gc

    examples = [param.values[2] for param in all_examples()]
    lint_source(examples[0], "m.py")  # module-level memos filled once, outside the measurement
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for source in examples:
            lint_source(source, "m.py", Settings(extend_select=("TFS117",)))
        gc.collect()
        left = sorted({type(o).__name__ for o in gc.garbage
                       if isinstance(o, ast.AST) or type(o).__module__.startswith("tf2lint")})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert left == []


_LINES = ["import a.b", "from .x import (y, z)", "  from p import q as r", "x = 1  # import this", "\timport m, n",
          "s = 'import'", "fromage import", "def f(): import k", "from  a  import  b;import c", "import\tq", ""]


@given(st.lists(st.sampled_from(_LINES), max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_import_lines_are_those_a_multiline_search_finds(lines: list[str], newline: str) -> None:
    """The importers index matches only the lines holding `import`: the same lines as a search of every line."""
    from tf2lint.analysis.callers import _IMPORT_LINE, _import_lines

    text = newline.join(lines).encode()
    assert list(_import_lines(text)) == [match.groups() for match in _IMPORT_LINE.finditer(text)]


@given(st.text(alphabet="ab_1 .(é\n", max_size=30), st.text(alphabet="ab_1.é", min_size=1, max_size=4))
def test_word_search_agrees_with_a_word_boundary_pattern(text: str, word: str) -> None:
    """`named_elsewhere` finds a class name by a plain search and its neighbours, without compiling a pattern
    per name: the same answer as `\\bname\\b`, for names and texts with and without word characters at the edges."""
    import re

    from tf2lint.analysis.callers import has_word

    data, needle = text.encode(), word.encode()
    assert has_word(data, needle) == (re.search(rb"\b" + re.escape(needle) + rb"\b", data) is not None)


_COMPILED = {
    "decorated": "import tensorflow as tf\n\n\n@tf.function\ndef f(x):\n    return x\n",
    "a_method_with_arguments": (
        "import tensorflow as tf\n\n\nclass M(tf.Module):\n    @tf.function(jit_compile=True)\n"
        "    def f(self, x):\n        return x\n"),
    "a_module_alias": "import tensorflow as tf\ncompiled = tf.function\n\n\n@compiled\ndef f(x):\n    return x\n",
    "an_imported_name": "from tensorflow import function as compiled\n\n\n@compiled\ndef f(x):\n    return x\n",
    "a_local_alias_in_an_enclosing_function": (
        "import tensorflow as tf\n\n\ndef outer():\n    compiled = tf.function\n\n    @compiled\n    def f(x):\n"
        "        return x\n    return f\n"),
    "applied": "import tensorflow as tf\n\n\ndef f(x):\n    return x\n\n\ng = tf.function(f)\n",
}
_NOT_COMPILED = {
    "only_properties": (
        "import tensorflow as tf\n\n\nclass L(tf.keras.layers.Layer):\n    @property\n    def units(self):\n"
        "        return 3  # not a function\n"),
    "a_registry_decorator": "import functools\n\n\n@functools.lru_cache\ndef f(x):  # a function\n    return x\n",
}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("name", sorted(_COMPILED))
def test_the_tf_function_gate_keeps_every_way_to_compile_a_function(name: str, newline: str) -> None:
    """Line breaks as the parser reads them: a function's body is looked into when a decorator line is in it."""
    source = _COMPILED[name].replace("\n", newline)
    assert _tf_function_gate_and_roots(source) == (True, True)


@pytest.mark.parametrize("name", sorted(_NOT_COMPILED))
def test_the_tf_function_gate_drops_modules_that_compile_nothing(name: str) -> None:
    assert _tf_function_gate_and_roots(_NOT_COMPILED[name]) == (False, False)


@pytest.mark.parametrize(("code", "kind", "source"), all_examples())
def test_the_tf_function_gate_never_hides_a_compiled_function(code: str, kind: str, source: str) -> None:
    """TFS112 analyses a module without shim code only when the triage says a function may be compiled: every
    rule example, and each variant with one line removed, that the shim walk finds a `tf.function` in passes."""
    for variant in mutants(source):
        gate, roots = _tf_function_gate_and_roots(variant)
        assert gate or not roots, variant


def _tf_function_gate_and_roots(source: str) -> tuple[bool, bool]:
    """The triage's answer, and whether the shim walk finds a function compiled by `tf.function`."""
    import ast

    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ModuleSummary
    from tf2lint.analysis.triage import Triage

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True, False
    triage = Triage(source, tree, None, None)
    summary = ModuleSummary(tree, source, "m.py", names=(triage.names, triage.parents), mentioned=triage.mentioned)
    return triage.may_compile_tf_functions, any(ModuleContext(summary).tf_function_roots())


def test_cache_keys_read_a_file_at_its_real_place(tmp_path: Path) -> None:
    """The key holds the file's real path (its package decides its findings); directories' links are resolved
    once per run: a file reached through a linked directory, a linked file and the file itself share a key."""
    from tf2lint.cache import Cache

    package = tmp_path / "real" / "pkg"
    package.mkdir(parents=True)
    (package / "m.py").write_text("import tensorflow as tf\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "alias.py").symlink_to(package / "m.py")
    cache = Cache(tmp_path / "cache")
    keys = {cache.key(b"x", Settings(), "py", str(path))
            for path in (package / "m.py", tmp_path / "linked" / "pkg" / "m.py", tmp_path / "alias.py")}
    assert len(keys) == 1
    assert cache.key(b"x", Settings(), "py", str(tmp_path / "real" / "m.py")) not in keys


def test_importers_answers_follow_each_file_version(tmp_path: Path, monkeypatch) -> None:
    """Outside a batch (an editor, flake8: one file at a time), the importers index and the words asked of each
    file are kept per file version: an unchanged file is not read again, a changed one is."""
    import ast
    import os

    from tf2lint.analysis import callers
    from tf2lint.analysis.callers import named_elsewhere
    from tf2lint.analysis.project import project_for
    from tf2lint.analysis.summary import ModuleSummary

    (tmp_path / "blocks.py").write_text("import tensorflow as tf\n\n\nclass Block(tf.keras.layers.Layer):\n    pass\n")
    user = tmp_path / "model.py"
    user.write_text("import blocks\n")
    project = project_for((str(tmp_path),))
    module = ModuleSummary(ast.parse((tmp_path / "blocks.py").read_text()), None, str(tmp_path / "blocks.py"), "blocks")
    assert not named_elsewhere(project, module, "Block")
    reads, read = [], callers._read_regular
    monkeypatch.setattr(callers, "_read_regular", lambda path: reads.append(path) or read(path))
    assert not named_elsewhere(project, module, "Block") and reads == []  # nothing changed: nothing read again
    user.write_text("import blocks\n\nlayer = blocks.Block()\n")
    os.utime(user, ns=(1, 1))  # another version even where the clock is coarse
    assert named_elsewhere(project, module, "Block")
    user.write_text("import blocks\n\nlayer = blocks.Blocks()\n")  # the same size, another word
    os.utime(user, ns=(2, 2))
    assert not named_elsewhere(project, module, "Block")


def test_one_file_outside_a_batch_is_analysed_as_one(tmp_path: Path, monkeypatch) -> None:
    """`lint_source` takes the files as stable while it analyses one file: the importers index is walked once
    for all the classes TFS107 asks about, and no batch is left behind."""
    import os

    from tf2lint.analysis import callers, project

    source = "import tensorflow as tf\n\n\n" + "".join(
        f"class Layer{i}(tf.keras.layers.Layer):\n    def call(self, x):\n"
        f"        return x * tf.compat.v1.get_variable('w{i}', shape=[])\n\n\n" for i in range(3))
    (tmp_path / "layers.py").write_text(source)
    walks, walk = [], os.walk
    monkeypatch.setattr(callers.os, "walk", lambda top, *a, **k: walks.append(top) or walk(top, *a, **k))
    assert [f.code for f in lint_source(source, str(tmp_path / "layers.py"))] == ["TFS107"] * 3
    assert len(walks) == 1 and project._STABLE is None

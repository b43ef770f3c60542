"""The server's incremental analysis (tf2lint/hosts/incremental.py) gives what a fresh analysis gives.

Checked on every rule example, on all of them in one module (where definitions of different examples
meet), along a sequence of edits of that module (re-parsed stretches, moved and renamed definitions,
syntax errors), and end to end through the server against a fresh `tf2lint check` process while a
helper module and the pyproject configuration change.
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import all_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from tf2lint.engine import lint_source
from tf2lint.findings import Settings
from tf2lint.hosts.incremental import _WHOLE_MODULE, Incremental
from tf2lint.rules import RULES

EVERY_RULE = Settings(extend_select=tuple(rule.code for rule in RULES))
EXAMPLES = [source for rule in RULES for source in (*rule.bad, *rule.good)]


def _separable_examples() -> str:
    """Every rule example in one module, except those analysed whole anyway (TFS114, sys.path)."""
    return "\n\n".join(e for rule in RULES for e in (*rule.bad, *rule.good) if not _WHOLE_MODULE.search(e))


@pytest.mark.parametrize(("code", "kind", "source"), all_examples())
def test_each_example_as_fresh(code: str, kind: str, source: str, tmp_path: Path) -> None:
    path = str(tmp_path / "example.py")
    # Without seeding, so that each group is analysed alone.
    assert Incremental(seed=False).analyse("doc", source, path, EVERY_RULE) == lint_source(source, path, EVERY_RULE)


def test_all_examples_in_one_module_by_groups(tmp_path: Path) -> None:
    text, path = _separable_examples(), str(tmp_path / "all.py")
    incremental = Incremental(seed=False)
    assert incremental.analyse("doc", text, path, EVERY_RULE) == lint_source(text, path, EVERY_RULE)
    assert incremental.last_mode == "groups" and incremental.reanalysed > 10
    seeded = Incremental()  # as the server does: the whole module first, split by group
    assert seeded.analyse("doc", text, path, EVERY_RULE) == lint_source(text, path, EVERY_RULE)
    assert seeded.last_mode == "whole"
    by_group = {key: entry.findings for key, entry in incremental._states["doc"].groups.items()}
    assert {key: entry.findings for key, entry in seeded._states["doc"].groups.items()} == by_group


def _edit(text: str, rng: random.Random) -> str:
    """One random edit of the kinds typing makes: inside a definition, between them, across them."""
    lines = text.splitlines(keepends=True)
    try:
        statements = ast.parse(text).body
    except SyntaxError:
        statements = []
    kind = rng.choice(["kwarg", "blank", "comment", "delete-def", "copy-def", "rename", "line", "break", "insert-use"])
    at = rng.randrange(len(lines))
    if kind == "kwarg":
        named = [i for i, line in enumerate(lines) if re.search(r", name=\S+?[,)]", line)]
        if named:
            i = rng.choice(named)
            lines[i] = re.sub(r", name=[^,)]+", "", lines[i], count=1)
    elif kind == "blank":
        lines.insert(at, "\n")
    elif kind == "comment":
        lines.insert(at, "# a comment\n")
    elif kind in ("delete-def", "copy-def") and statements:
        node = rng.choice(statements)
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        chunk = lines[first - 1: node.end_lineno]
        if kind == "delete-def":
            del lines[first - 1: node.end_lineno]
        else:
            lines[len(lines):] = ["\n", *chunk]
    elif kind == "rename":
        classes = [i for i, line in enumerate(lines) if line.startswith("class ")]
        if classes:
            i = rng.choice(classes)
            lines[i] = re.sub(r"^class (\w+)", r"class \1X", lines[i])
    elif kind == "line":
        del lines[at]  # often a syntax error: TFS000 both ways
    elif kind == "break":
        lines.insert(at, "def broken(:\n")
    elif kind == "insert-use":  # a module-level use joins the groups of what it names
        names = [n.name for n in statements if isinstance(n, ast.ClassDef)]
        if len(names) > 1:
            lines.append(f"\nPAIR = ({rng.choice(names)}, {rng.choice(names)})\n")
    return "".join(lines)


def test_a_sequence_of_edits_gives_what_a_fresh_analysis_gives(tmp_path: Path) -> None:
    text, path = _separable_examples(), str(tmp_path / "edited.py")
    incremental, rng = Incremental(), random.Random(12)
    modes = []
    for step in range(20):
        edited = _edit(text, rng)
        got = incremental.analyse("doc", edited, path, EVERY_RULE)
        assert got == lint_source(edited, path, EVERY_RULE), f"step {step}"
        modes.append(incremental.last_mode)
        if incremental.last_mode != "error":
            assert _same_tree(incremental, edited), f"step {step}"
            text = edited  # else the next edit starts from the last text that parsed (the user fixed it)
    assert modes.count("groups") > 10 and "error" in modes


def test_an_edit_reanalyses_one_group_and_moved_groups_keep_their_findings(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        from lsp import module
    finally:
        sys.path.pop(0)
    text, path = module(300), str(tmp_path / "model.py")
    incremental = Incremental()
    incremental.analyse("doc", text, path, Settings())
    edited = text.replace(', name="in"', "", 1)
    assert incremental.analyse("doc", edited, path, Settings()) == lint_source(edited, path, Settings())
    assert incremental.reanalysed == 1
    moved = edited.replace("import tensorflow.compat.v1 as v1\n", "import tensorflow.compat.v1 as v1\n\n\nX = 1\n")
    found = incremental.analyse("doc", moved, path, Settings())
    assert found == lint_source(moved, path, Settings()) and found  # the finding moved down by three lines
    assert incremental.reanalysed == 1  # only the new statement


def test_a_changed_helper_module_is_seen(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("import tensorflow as tf\n\ndef block(x):\n    return x\n")
    model = tmp_path / "model.py"
    text = ("import tensorflow as tf\nfrom helper import block\n\n\nclass Net(tf.keras.layers.Layer):\n"
            "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n        return block(x)\n")
    incremental = Incremental()
    HINTS = Settings(extend_select=("TFS117",))  # the hint is off by default
    # A native helper: the decorator does nothing (TFS117) until the helper creates TF1-style variables.
    found = incremental.analyse("doc", text, str(model), HINTS)
    assert [f.code for f in found] == ["TFS117"] and found == lint_source(text, str(model), HINTS)
    (tmp_path / "helper.py").write_text("import tensorflow as tf\n\ndef block(x):\n    return tf.compat.v1.layers.dense(x, 3)\n")
    found = incremental.analyse("doc", text, str(model), HINTS)
    assert [f.code for f in found] == ["TFS101"] and found == lint_source(text, str(model), HINTS)
    # An unsaved editor buffer of the helper wins over the disk (the server mirrors buffers into UNSAVED).
    from tf2lint.analysis import project

    helper = os.path.realpath(tmp_path / "helper.py")
    project.UNSAVED[helper] = "import tensorflow as tf\n\ndef block(x):\n    return x\n"
    try:
        found = incremental.analyse("doc", text, str(model), HINTS)
        assert [f.code for f in found] == ["TFS117"] and found == lint_source(text, str(model), HINTS)
    finally:
        project.UNSAVED.pop(helper)
    assert [f.code for f in incremental.analyse("doc", text, str(model), HINTS)] == ["TFS101"]


# -- end to end: the server against a fresh `tf2lint check` ------------------------------------------


def _fresh_check(text: str, path: Path) -> list[tuple[int, str, str]]:
    """(line, code, message) from a new `tf2lint check` process reading ``text`` as ``path``."""
    done = subprocess.run(
        [sys.executable, "-m", "tf2lint", "check", "--no-cache", "--format", "json", "--stdin-filename", str(path), "-"],
        input=text, capture_output=True, text=True, cwd=path.parent, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return sorted((f["line"], f["code"], f["message"]) for f in json.loads(done.stdout))


@pytest.mark.asyncio
async def test_server_after_edits_equals_a_fresh_check(tmp_path: Path) -> None:
    from test_lsp import _start, change_doc, open_doc, until

    (tmp_path / "helper.py").write_text("import tensorflow as tf\n\ndef block(x):\n    return x\n")
    model = tmp_path / "model.py"
    uri = model.as_uri()
    steps = [
        lambda t: t,
        lambda t: t.replace(', name="in"', "", 1),  # a finding appears
        lambda t: t.replace("class Block3(", "class Block3b("),  # a definition renamed
        lambda t: t.replace("import tensorflow.compat.v1 as v1\n", "import tensorflow.compat.v1 as v1\n\n# moved\n"),
        lambda t: t + "\n\nclass Extra(Block2):\n    pass\n",  # a subclass joins Block2's group
        lambda t: t.replace("        return x + z\n", "        return block(x) + z\n", 1),  # now reads helper.py
    ]
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        from lsp import module
    finally:
        sys.path.pop(0)
    text = "from helper import block\n" + module(200)
    client = await _start()
    try:
        await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))

        def shown() -> list[tuple[int, str, str]]:
            return sorted((d.range.start.line + 1, d.code, d.message) for d in client.diagnostics.get(uri, []))

        async def settle() -> None:
            expected = _fresh_check(text, model)
            await until(lambda: shown() == expected)

        open_doc(client, uri, text, 0)
        await settle()
        for version, step in enumerate(steps, start=1):
            text = step(text)
            change_doc(client, uri, text, version)
            await settle()
        # The helper changes on disk: the module's diagnostics follow it.
        (tmp_path / "helper.py").write_text("import tensorflow as tf\n\ndef block(x):\n    return tf.compat.v1.layers.dense(x, 3)\n")
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            [types.FileEvent((tmp_path / "helper.py").as_uri(), types.FileChangeType.Changed)]))
        await settle()
        assert any(code == "TFS101" and "helper.py" in message for _, code, message in shown())
        # The configuration changes: TFS101 ignored.
        (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nignore = ["TFS101"]\n')
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            [types.FileEvent((tmp_path / "pyproject.toml").as_uri(), types.FileChangeType.Changed)]))
        await settle()
        assert not any(code == "TFS101" for _, code, _m in shown())
        text = text.replace('name="bn"', "", 1)
        change_doc(client, uri, text, len(steps) + 1)
        await settle()
    finally:
        await client.shutdown_session()


NOQA = '''\
import tensorflow as tf  # noqa: F401
# noqa: TFS101 (a comment between definitions)


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        h = tf.compat.v1.layers.dense(x, 3)  # noqa: TFS101
        s = """a string
        over lines"""  # noqa: TFS101, TFS113
        y = tf.compat.v1.layers.dense(  # noqa
            h, 4)
        return tf.compat.v1.layers.dense(y, 4)  # NOQA:TFS102
    # noqa: TFS101 (indented, after the class)
x = 1; y = 2  # noqa: TFS109
'''


def test_noqa_comments_found_by_chunks_are_those_of_the_whole_text(tmp_path: Path) -> None:
    from tf2lint.engine import noqa_comments
    from tf2lint.hosts.incremental import _noqa

    path, incremental = str(tmp_path / "noqa.py"), Incremental()
    for text in (NOQA, NOQA.replace("# noqa: TFS101\n", "\n"), NOQA + "\n\ndef f():\n    return 1  # noqa: E501\n"):
        assert incremental.analyse("doc", text, path, EVERY_RULE) == lint_source(text, path, EVERY_RULE)
        assert _noqa(incremental._states["doc"]) == noqa_comments(text)


HELPER_CALLED_ELSEWHERE = '''\
import tensorflow as tf


class Model(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self._block(x, scope="s")

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def _block(self, x, scope=None):
        with tf.compat.v1.variable_scope(scope, default_name="blk"):
            return tf.compat.v1.get_variable("w", shape=(4, 4))


class Other(tf.keras.layers.Layer):
    def call(self, x):
        return self._block(x)  # the shim walk binds `_block`'s parameters from every `x._block(...)`
'''


def test_a_call_of_a_decorated_method_joins_the_groups(tmp_path: Path) -> None:
    path = str(tmp_path / "helper_called.py")
    found = Incremental(seed=False).analyse("doc", HELPER_CALLED_ELSEWHERE, path, EVERY_RULE)
    assert [(f.line, f.code) for f in found] == [(11, "TFS102")]  # only because of `Other.call`
    assert found == lint_source(HELPER_CALLED_ELSEWHERE, path, EVERY_RULE)


def test_generated_shim_programs_alone_and_in_pairs(tmp_path: Path) -> None:
    from differential.generator import generate

    path = str(tmp_path / "generated.py")
    programs = [program.source for program in generate(120, seed=5)]
    for text in programs + [a + "\n\n" + b for a, b in zip(programs[::2], programs[1::2])]:
        assert Incremental(seed=False).analyse("doc", text, path, EVERY_RULE) == lint_source(text, path, EVERY_RULE)


def test_module_wide_switches_are_analysed_whole(tmp_path: Path) -> None:
    from tf2lint.rules.tfs112_graph_collection_in_eager import RULE

    path = str(tmp_path / "graph_mode.py")
    text = RULE.bad[0] + "\n\ndef main():  # names nothing the rest binds, yet makes the module TF1 code\n" \
        "    tf.compat.v1.disable_v2_behavior()\n"
    assert lint_source(RULE.bad[0], path, EVERY_RULE) and not lint_source(text, path, EVERY_RULE)
    incremental = Incremental(seed=False)
    assert incremental.analyse("doc", text, path, EVERY_RULE) == [] and incremental.last_mode == "whole"


def _same_tree(incremental: Incremental, text: str) -> bool:
    """The spliced statements are the tree a full parse gives, positions included."""
    spliced = ast.Module(body=[s.node for s in incremental._states["doc"].statements], type_ignores=[])
    return ast.dump(spliced, include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)


SPLICE_BASE = '''\
import tensorflow as tf

if tf:
    A = 1

x = 1; y = 2


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        s = """one
        two"""
        return tf.compat.v1.layers.dense(x, 3)


def last():
    return 1'''


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("    A = 1\n", "    A = 1\nelse:\n    A = 2\n"),  # continues a kept `if`
    lambda t: t.replace("\n\nclass Net", "\n\n@decorate\nclass Net"),  # a decorator in the gap before a class
    lambda t: t.replace("x = 1; y = 2", "x = 3; y = 2"),  # two statements on one line
    lambda t: t.replace("\n\n\nclass Net", "\n    B = 2\n\nclass Net"),  # an indented line continues the `if`
    lambda t: t.replace('        s = """one', '        s = """one """\n        t = """'),  # strings re-paired
    lambda t: t.replace("    return 1", "    return 1 + \\"),  # a line continuation at the end: an error
    lambda t: t + "\n",  # a line break added at the end
    lambda t: t.replace("\n", "\r\n"),  # CRLF everywhere
    lambda t: t.replace("(x, 3)", "(x, 3, name='d')").replace("\n", "\r"),  # CR line breaks and an edit
    lambda t: "\ufeff" + t.replace("A = 1", "A = 2"),  # a BOM
    lambda t: t.replace("def last():", "from __future__ import annotations\ndef last():"),  # a late future import
    lambda t: t.replace("import tensorflow as tf\n", "import tensorflow as tf\nv1 = tf.compat.v1\n"),  # the head
])
def test_splicing_gives_the_tree_of_a_full_parse(edit, tmp_path: Path) -> None:
    path, incremental = str(tmp_path / "splice.py"), Incremental()
    incremental.analyse("doc", SPLICE_BASE, path, EVERY_RULE)
    text = edit(SPLICE_BASE)
    assert incremental.analyse("doc", text, path, EVERY_RULE) == lint_source(text, path, EVERY_RULE)
    if incremental.last_mode != "error":
        assert _same_tree(incremental, text.removeprefix("\ufeff"))


@settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(first=st.sampled_from(EXAMPLES), second=st.sampled_from(EXAMPLES), data=st.data())
def test_mutation_sequences_of_example_pairs(first: str, second: str, data: st.DataObject, tmp_path: Path) -> None:
    """Fuzzing (test_fuzz's mutations) applied one after another, as successive versions of one document."""
    from test_fuzz import _mutate

    path = str(tmp_path / "f.py")
    text, incremental = first + "\n\n" + second, Incremental(seed=data.draw(st.booleans()))
    for _ in range(3):
        assert incremental.analyse("doc", text, path, EVERY_RULE) == lint_source(text, path, EVERY_RULE)
        mutated = _mutate(data, text)
        if isinstance(mutated, bytes):
            break  # an encoding header: the editor sends text
        text = mutated


@pytest.mark.asyncio
async def test_a_bug_in_the_incremental_layer_is_logged_and_the_engine_answers(tmp_path: Path) -> None:
    from test_lsp import TWO_LAYERS, _start, codes, open_doc, until

    script = tmp_path / "broken_incremental.py"
    script.write_text(
        "from tf2lint.hosts import incremental, lsp\n\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('injected')\n\n"
        "incremental.Incremental.analyse = broken\n"
        "lsp.create_server().start_io()\n"
    )
    client = await _start(sys.executable, str(script))
    try:
        await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
        uri = (tmp_path / "model.py").as_uri()
        open_doc(client, uri, TWO_LAYERS)
        await until(lambda: uri in client.diagnostics)
        assert codes(client, uri) == [(7, "TFS101"), (8, "TFS101")]
        assert any("RuntimeError: injected" in m.message for m in client.log_messages)
    finally:
        await client.shutdown_session()


def test_a_star_import_in_a_block_is_the_whole_modules(tmp_path: Path) -> None:
    (tmp_path / "shims.py").write_text("import tensorflow as tf\ntrack = tf.compat.v1.keras.utils.track_tf1_style_variables\n")
    text = ("import tensorflow as tf\n\ntry:\n    from shims import *\nexcept ImportError:\n    pass\n\n\n"
            "class Net(tf.keras.layers.Layer):\n    @track\n    def call(self, x):\n"
            "        return tf.compat.v1.layers.dense(x, 3)\n")
    path = str(tmp_path / "model.py")
    found = Incremental(seed=False).analyse("doc", text, path, EVERY_RULE)
    assert [f.code for f in found] == ["TFS101"] and found == lint_source(text, path, EVERY_RULE)

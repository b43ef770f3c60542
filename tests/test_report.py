"""`tf2lint report` on a scripted migration: the stages and counts each step states, in JSON, Markdown and
HTML, for the working tree and over the git history (read from git objects, unchanged files analysed once;
tests/test_report_history.py checks each commit against the report of its checkout)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import report_fixture as fixture

from tf2lint.rules import BY_CODE


def report(repo: Path, *args: str) -> subprocess.CompletedProcess:
    # TFS117 (the decorator can go) is off by default; the fixture's expected counts include it.
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "--extend-select", "TFS117", *args], cwd=repo,
                          capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def schema() -> dict:
    return json.loads(resources.files("tf2lint.hosts").joinpath("report.schema.json").read_text())


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.Draft202012Validator(schema()).validate(document)


def expected_summary(step: fixture.Step) -> dict:
    return {
        "stages": dict(zip(fixture.STAGES, step.stages)), "classes": sum(step.stages), "no_tf1_classes": step.no_tf1,
        "constructs": dict(zip(fixture.CONSTRUCTS, step.constructs)), "constructs_left": step.constructs_left,
        "findings": step.findings, "findings_total": sum(step.findings.values()), "files": fixture.FILES,
        "flags": {"names_lock": step.locked, "unresolved_calls": 0},
    }


def summary_part(counts: dict) -> dict:
    return {key: counts[key] for key in ("stages", "classes", "no_tf1_classes", "constructs", "constructs_left",
                                         "findings", "findings_total", "files", "flags")}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> tuple[Path, list[str], list[dict]]:
    """The fixture repository, and the working tree's JSON report taken at each step before its commit."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    snapshots: list[dict] = []
    commits = fixture.build(repo, lambda step: snapshots.append(json.loads(report(repo, "--format", "json").stdout)))
    return repo, commits, snapshots


def test_each_step_of_the_working_tree(migrated) -> None:
    _repo, _commits, snapshots = migrated
    for index, (step, document) in enumerate(zip(fixture.STEPS, snapshots)):
        validate(document)
        assert summary_part(document["summary"]) == expected_summary(step), step.subject
        listed = {c["name"]: c["stage"] for c in document["classes"]}
        assert listed == {name: stage for name, stage in step.classes.items() if stage != "no_tf1"}, step.subject
        assert document["baseline"] == ({"lock": "names.lock"} if index >= fixture.LOCKED_FROM else None)
        assert sum(c["flags"]["names_lock"] for c in document["classes"]) == step.locked, step.subject
        model = next(f for f in document["files"] if f["path"] == "model.py")  # every class is there
        assert (model["stages"], model["flags"]["names_lock"]) == (expected_summary(step)["stages"], step.locked)
        for record in document["classes"]:
            assert record["link"] == f"model.py#L{record['line']}" or record["path"] != "model.py"


def test_findings_belong_to_their_class(migrated) -> None:
    _repo, _commits, snapshots = migrated
    native = {c["name"]: c for c in snapshots[3]["classes"]}
    assert native["Encoder"]["findings"] == {"TFS117": 1}
    assert native["Decoder"]["findings"] == {"TFS101": 1}
    assert native["Trainer"]["constructs"]["session"] == 1 and native["Trainer"]["constructs"]["collections"] == 1


def test_history_in_json(migrated) -> None:
    repo, commits, _snapshots = migrated
    done = report(repo, "--format", "json", "--history", str(len(commits)))
    document = json.loads(done.stdout)
    validate(document)
    assert [p["commit"] for p in document["history"]] == commits
    for step, point in zip(fixture.STEPS, document["history"]):
        assert point["subject"] == step.subject
        assert summary_part(point) == expected_summary(step), step.subject
    # Reuse: every version of model.py once, ops.py (which reads nothing of the project) once over the commits.
    assert f"{fixture.FILE_VERSIONS} file versions analysed" in done.stderr


def test_since_a_revision(migrated) -> None:
    repo, commits, _snapshots = migrated
    document = json.loads(report(repo, "--format", "json", "--since", commits[2]).stdout)
    assert [p["commit"] for p in document["history"]] == commits[3:]


@pytest.mark.parametrize("since", ["no-such-revision", "--all", "HEAD:model.py"])
def test_since_what_is_not_a_commit_is_a_usage_error(migrated, since) -> None:
    repo, _commits, _snapshots = migrated
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", f"--since={since}"], cwd=repo,
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (2, f"tf2lint: error: --since: not a commit of this repository: {since}\n")


def test_a_history_before_the_first_commit_is_a_usage_error(tmp_path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "model.py").write_text("import tensorflow as tf\n")
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "--history", "3"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (2, "tf2lint: error: --history: the repository has no commit yet\n")


def test_history_in_markdown(migrated) -> None:
    repo, commits, snapshots = migrated
    text = report(repo, "--format", "markdown", "--history", str(len(commits))).stdout
    rows = [line for line in text.splitlines() if re.match(r"\| `[0-9a-f]{10}`", line)]
    assert len(rows) == len(fixture.STEPS)
    for step, commit, row in zip(fixture.STEPS, commits, rows):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[0].startswith(f"`{commit[:10]}` {step.subject}")
        assert [int(c) for c in cells[2:]] == [*step.stages, step.constructs_left, sum(step.findings.values()),
                                               step.locked]
    # The summary of the working tree (the last step), stated the same way.
    last = fixture.STEPS[-1]
    for stage, title, count in zip(fixture.STAGES, ("TF1 graph code", "shimmed", "partly native", "native"), last.stages):
        assert f"| {title} | {count} |" in text
    assert f"**{last.constructs_left}** TF1-style constructs left" in text
    assert "No class is shimmed or partly native: the names lock `names.lock` has nothing left to guard." in text
    assert len(text) < 65_536  # a PR comment's limit; $GITHUB_STEP_SUMMARY allows 1 MiB


def test_markdown_lists_what_is_left(migrated, tmp_path) -> None:
    repo, _commits, _snapshots = migrated
    first = tmp_path / "first"
    fixture.git(repo, "worktree", "add", "-q", str(first), f"HEAD~{len(fixture.STEPS) - 1}")
    text = report(first, "--format", "markdown").stdout
    assert "| [`Decoder`](model.py#L" in text and "| [`Encoder`](model.py#L" in text
    assert "| TFS101 `unscoped-v1-layer` | 1 |" in text
    assert "**No names lock**: before renaming or removing layers (step 2)" in text  # two shimmed classes


def test_markdown_counts_read_as_sentences(tmp_path) -> None:
    """One of a thing is said in the singular, as a PR comment would be written."""
    (tmp_path / "model.py").write_text(
        "import tensorflow as tf\n\n\nclass Model(tf.keras.layers.Layer):\n"
        "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        return tf.compat.v1.layers.dense(x, 3)\n", encoding="utf-8")
    text = report(tmp_path, "--format", "markdown").stdout
    assert "**1 class** in the migration:" in text and "(0 other classes have no TF1-style code)" in text
    assert "**1** TF1-style construct left, **1** finding." in text, text


class _Cells(HTMLParser):
    """Rows of the page's tables by table id, each cell as (attributes, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[dict, str]]]] = {}
        self._table: str | None = None
        self._cell: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = (dict(attrs), [])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1].append(data)


def test_history_in_html(migrated, tmp_path) -> None:
    repo, commits, _snapshots = migrated
    output = tmp_path / "report.html"
    report(repo, "--format", "html", "--history", str(len(commits)), "--output", str(output))
    page = output.read_text()
    assert "http://" not in page and "https://" not in page.replace("https://json-schema.org", "")  # self-contained
    cells = _Cells()
    cells.feed(page)
    rows = cells.tables["history-table"][1:]
    assert len(rows) == len(fixture.STEPS)
    for step, row in zip(fixture.STEPS, rows):
        stages = [int(text) for attrs, text in row if "data-stage" in attrs]
        constructs = [int(text) for attrs, text in row if "data-construct" in attrs]
        totals = {attrs["data-total"]: int(text) for attrs, text in row if "data-total" in attrs}
        locked = [int(text) for attrs, text in row if attrs.get("data-flag") == "names_lock"]
        assert (stages, constructs) == (list(step.stages), list(step.constructs)), step.subject
        assert totals == {"constructs": step.constructs_left, "findings": sum(step.findings.values())}
        assert locked == [step.locked], step.subject
    listed = {row[0][1].split("\n")[0].split("model.py")[0].strip(): row[1][1] for row in cells.tables["classes"][1:]}
    assert listed == {"Trainer": "TF1 graph code"}
    # The burn-down charts carry the same series.
    series = dict(re.findall(r'data-series="([^"]+)" data-values="([^"]+)"', page))
    assert series["shimmed"] == ",".join(str(step.stages[1]) for step in fixture.STEPS)
    assert series["v1 layers"] == ",".join(str(step.constructs[2]) for step in fixture.STEPS)
    assert series["in the names lock"] == ",".join(str(step.locked) for step in fixture.STEPS)


def _counts_by_code(findings: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["code"]] = counts.get(finding["code"], 0) + 1
    return counts


def test_findings_are_checks_under_the_same_configuration(migrated, tmp_path) -> None:
    """The names lock of pyproject.toml, and `--variables-base`, apply to `report` as to `check` (TFS115)."""
    repo, commits, _snapshots = migrated
    named = next(i for i, step in enumerate(fixture.STEPS) if "TFS115" in step.findings)
    where = tmp_path / "named"
    fixture.git(repo, "worktree", "add", "-q", str(where), commits[named])
    checked = subprocess.run([sys.executable, "-m", "tf2lint", "check", "--no-cache", "--exit-zero", "--format", "json",
                              "--extend-select", "TFS117", "."], cwd=where, capture_output=True, text=True, timeout=300)
    assert _counts_by_code(json.loads(checked.stdout)) == fixture.STEPS[named].findings == \
        json.loads(report(where, "--format", "json").stdout)["summary"]["findings"]
    # Against the first commit's files: Decoder's output layer was `dense` there too; Encoder is no shim class now.
    based = json.loads(report(where, "--format", "json", "--variables-base", commits[0]).stdout)
    validate(based)
    assert based["baseline"] == {"revision": commits[0]}
    assert based["summary"]["findings"] == {"TFS115": 1} and based["summary"]["flags"]["names_lock"] == 1
    checked = subprocess.run([sys.executable, "-m", "tf2lint", "check", "--no-cache", "--exit-zero", "--format", "json",
                              "--variables-base", commits[0], "."], cwd=where, capture_output=True, text=True, timeout=300)
    assert _counts_by_code(json.loads(checked.stdout)) == {"TFS115": 1}
    assert "the names at revision `" + commits[0][:10] + "`" in report(where, "--format", "markdown",
                                                                     "--variables-base", commits[0]).stdout


def test_unknown_callees_are_never_native(tmp_path) -> None:
    """TFS117's examples: `Unknown` calls a function it was given, so it stays shimmed, flagged (as is `Cached`,
    which calls the layer `get_or_create_layer` returned: not known either); `Base` is native by itself, but
    its decorator still runs `Tower`'s TF1 code."""
    (tmp_path / "good.py").write_text(BY_CODE["TFS117"].good[0])
    (tmp_path / "bad.py").write_text(BY_CODE["TFS117"].bad[0])
    document = json.loads(report(tmp_path, "--format", "json").stdout)
    validate(document)
    stages = {c["name"]: (c["stage"], c["flags"]["unresolved_calls"]) for c in document["classes"]}
    assert stages == {
        "PartlyNative": ("partly_native", False), "ViaHelper": ("shimmed", False), "Cached": ("partly_native", True),
        "Base": ("shimmed", False), "Tower": ("shimmed", False), "Unknown": ("shimmed", True),
        "FullyNativeModel": ("native", False), "Scaled": ("native", False), "Projection": ("native", False),
        "LazyScale": ("native", False), "LazyViaHelper": ("partly_native", False),
    }


def test_weights_made_on_the_first_call_are_native_weights(tmp_path) -> None:
    """A `tf.Variable` made once in `call` (the guide's `FixedScalingLayer`): native beside nothing, partly native
    beside `get_variable`."""
    layer = (
        "import tensorflow as tf\n\ntrack = tf.compat.v1.keras.utils.track_tf1_style_variables\n\n\n"
        "class {name}(tf.keras.layers.Layer):\n    def __init__(self):\n        super().__init__()\n"
        "        self.var = None\n\n    @track\n    def call(self, inputs):\n        if self.var is None:\n"
        "            self.var = tf.Variable(tf.ones((4, 3)))\n{more}        return tf.matmul(inputs, self.var)\n"
    )
    (tmp_path / "lazy.py").write_text(layer.format(name="Lazy", more=""))
    (tmp_path / "mixed.py").write_text(layer.format(
        name="Mixed", more='        tf.compat.v1.get_variable("w", shape=(3, 2))\n'))
    document = json.loads(report(tmp_path, "--format", "json").stdout)
    assert {c["name"]: c["stage"] for c in document["classes"]} == {"Lazy": "native", "Mixed": "partly_native"}


def test_native_weights_are_those_the_object_gets(tmp_path) -> None:
    """A base class's helper that makes a weight gives one only to the subclass whose `build` calls it (through
    `self`); another subclass that never runs it is shimmed, not partly native (seen in tf-keras's own tests,
    whose `Layer` base is project code there)."""
    (tmp_path / "layers.py").write_text(
        "import tensorflow as tf\n\n\nclass Base(tf.keras.layers.Layer):\n    def make_bias(self, units):\n"
        "        return self.add_weight(name='bias', shape=[units])\n\n\n"
        "class Shimmed(Base):\n    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        return tf.matmul(x, tf.compat.v1.get_variable('w', shape=[3, 3]))\n\n\n"
        "class Mixed(Base):\n    def build(self, shape):\n        self.b = self.make_bias(3)\n\n"
        "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        return tf.matmul(x, tf.compat.v1.get_variable('w', shape=[3, 3])) + self.b\n"
    )
    document = json.loads(report(tmp_path, "--format", "json").stdout)
    assert {c["name"]: c["stage"] for c in document["classes"]} == {"Shimmed": "shimmed", "Mixed": "partly_native"}


def test_plain_tf1_code_is_tf1_graph_code(tmp_path) -> None:
    (tmp_path / "graph.py").write_text(
        "import tensorflow as tf\n\n\nclass Model(object):\n    def build(self, x):\n"
        "        with tf.variable_scope('m'):\n            return tf.layers.dense(x, 3)\n\n\n"
        "class Config(object):\n    depth = 3\n"
    )
    document = json.loads(report(tmp_path, "--format", "json").stdout)
    assert [(c["name"], c["stage"]) for c in document["classes"]] == [("Model", "tf1")]
    assert document["summary"]["no_tf1_classes"] == 1
    assert document["summary"]["findings"] == {}
    linked = json.loads(report(tmp_path, "--format", "json", "--link-base", "https://example.com/r/blob/main").stdout)
    assert [c["link"] for c in linked["classes"]] == ["https://example.com/r/blob/main/graph.py#L4"]


def test_usage_errors(tmp_path) -> None:
    (tmp_path / "m.py").write_text("import tensorflow as tf\n")
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "--history", "3", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "git" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "--variables-base", "no-such-revision", "."],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "tf2lint: error: --variables-base: not a git revision here: no-such-revision"]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.tf2lint]\nselect = 3\n")  # read when its file is
    (tmp_path / "sub" / "n.py").write_text("import tensorflow as tf\n")
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "."], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "select" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 or hold a line break")
def test_file_names_of_any_bytes(tmp_path) -> None:
    """File names that are not UTF-8, or hold a line break or a pipe: every format is written (to a file and to
    stdout, as `check` writes them: the name's own bytes), each link percent-encodes the name's bytes, each
    Markdown row stays one row, and the history reads them from the git objects."""
    names = {b"\xff.py": "%FF.py", b"new\nline.py": "new%0Aline.py", b"pi|pe.py": "pi%7Cpe.py"}
    for name in names:
        (tmp_path / os.fsdecode(name)).write_text(BY_CODE["TFS106"].bad[0])
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=dev", "-c", "user.email=dev@example.com",
                    "commit", "-q", "-m", "odd names"], check=True)
    written = {}
    for fmt in ("json", "markdown", "html"):
        command = [sys.executable, "-m", "tf2lint", "report", "--history", "1", "--format", fmt]
        to_stdout = subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=300)
        to_file = subprocess.run([*command, "-o", "report.out"], cwd=tmp_path, capture_output=True, timeout=300)
        assert (to_stdout.returncode, to_file.returncode) == (0, 0), to_stdout.stderr + to_file.stderr
        written[fmt] = (tmp_path / "report.out").read_bytes()
        assert written[fmt] == to_stdout.stdout
    document = json.loads(written["json"])
    assert {c["link"].partition("#")[0] for c in document["classes"]} == set(names.values())
    assert {key: value for key, value in document["history"][0].items()
            if key not in ("commit", "date", "subject")} == document["summary"]
    rows = [line for line in written["markdown"].split(b"\n") if line.startswith(b"| [`")]
    assert len(rows) == len(document["classes"]) and all(len(re.split(rb"(?<!\\)\|", row)) == 6 for row in rows)
    assert b"new\\nline.py" in written["markdown"] and b"pi\\|pe.py" in written["markdown"]
    assert b'href="%FF.py#L' in written["html"]


def test_several_processes_give_the_same_document(tmp_path) -> None:
    """`report` runs on all cores by default, as `check` does: the document is the one `-j1` gives."""
    from differential.generator import generate

    for number, program in enumerate(generate(24, seed=3)):
        (tmp_path / f"m{number}.py").write_text(program.source)
    one = json.loads(report(tmp_path, "-j1", "--format", "json").stdout)
    several = json.loads(report(tmp_path, "-j", "3", "--format", "json").stdout)
    assert one == several and one["summary"]["classes"] > 0 and one["summary"]["findings_total"] > 0
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "-j", "-1", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "--jobs" in done.stderr


def test_other_modules_decide_and_unknown_ones_keep_out_of_native(tmp_path) -> None:
    """Helpers in another project module are followed; analysed alone (`--no-project`), the same class is
    not shown native: unknown, never a false claim."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "ops.py").write_text(
        "import tensorflow as tf\n\n\ndef activate(x):\n    return tf.nn.relu(x) * 2.0\n\n\n"
        "def dense_v1(x):\n    return tf.compat.v1.layers.dense(x, 3, name='fc')\n"
    )
    (tmp_path / "pkg" / "model.py").write_text(
        "import tensorflow as tf\n\nfrom pkg import ops\n\ntrack = tf.compat.v1.keras.utils.track_tf1_style_variables\n\n\n"
        "class Native(tf.keras.layers.Layer):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = tf.keras.layers.Dense(3)\n\n    @track\n    def call(self, inputs):\n"
        "        return ops.activate(self.fc(inputs))\n\n\n"
        "class Shimmed(tf.keras.layers.Layer):\n    @track\n    def call(self, inputs):\n"
        "        with tf.compat.v1.variable_scope('s'):\n            return ops.dense_v1(inputs)\n"
    )
    whole = json.loads(report(tmp_path, "--format", "json").stdout)
    alone = json.loads(report(tmp_path, "--format", "json", "--no-project").stdout)
    assert {c["name"]: c["stage"] for c in whole["classes"]} == {"Native": "native", "Shimmed": "shimmed"}
    assert whole["summary"]["findings"] == {"TFS117": 1}
    assert {c["name"]: (c["stage"], c["flags"]["unresolved_calls"]) for c in alone["classes"]} == {
        "Native": ("shimmed", True), "Shimmed": ("shimmed", True)}
    assert alone["summary"]["findings"] == {}


def test_history_of_one_path(migrated) -> None:
    """PATHs restrict the history too: `ops.py` alone never changes, so it is analysed once."""
    repo, commits, _snapshots = migrated
    done = report(repo, "--format", "json", "--history", str(len(commits)), "ops.py")
    points = json.loads(done.stdout)["history"]
    assert [(p["files"], p["constructs"]["get_variable"], p["constructs_left"], p["classes"]) for p in points] == \
        [(1, 1, 1, 0)] * len(commits)
    assert "1 file versions analysed" in done.stderr


def test_tree_entries_read_raw_tree_objects() -> None:
    from tf2lint.hosts.history import tree_entries

    sha1, sha256 = bytes(range(20)), bytes(range(32))
    raw = b"100644 a b.py\0" + sha1 + b"40000 pkg\0" + sha1[::-1]
    assert tree_entries(raw, 20) == [("100644", "a b.py", sha1.hex()), ("40000", "pkg", sha1[::-1].hex())]
    assert tree_entries(b"100644 \xff.py\0" + sha256, 32) == [("100644", "\udcff.py", sha256.hex())]


def test_history_reads_each_commits_names_lock(tmp_path) -> None:
    """A lock in a folder of its own (its keys are relative to it), written at the second commit and damaged at
    the fourth: each commit's TFS115 findings and names-lock count follow the lock that commit holds."""
    rule = BY_CODE["TFS115"]
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    fixture.git(repo, "init", "-q")
    module = repo / "pkg" / "model.py"
    (repo / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "locks/names.lock"\n')

    def commit(subject: str, when: int) -> None:
        fixture.git(repo, "add", "-A")
        fixture.git(repo, "commit", "-q", "-m", subject, when=when)

    module.write_text(rule.baselines[0])
    commit("two shim classes", 0)
    (repo / "locks").mkdir()
    subprocess.run([sys.executable, "-m", "tf2lint", "variables", "--write", "locks/names.lock", "pkg/model.py"],
                   cwd=repo, check=True, capture_output=True, timeout=300)
    assert '"../pkg/model.py::Head.call"' in (repo / "locks" / "names.lock").read_text()
    commit("lock the names", 1)
    module.write_text(rule.bad[0])
    commit("remove a layer", 2)
    (repo / "locks" / "names.lock").write_text("{ not json")
    commit("damage the lock", 3)
    document = json.loads(report(repo, "--format", "json", "--history", "4").stdout)
    validate(document)
    assert [(p["findings"].get("TFS115", 0), p["flags"]["names_lock"]) for p in document["history"]] == \
        [(0, 0), (0, 2), (3, 2), (0, 0)]
    assert document["baseline"] == {"lock": "locks/names.lock"}
    assert (document["summary"]["findings"].get("TFS115", 0), document["summary"]["flags"]["names_lock"]) == (0, 0)
    text = report(repo, "--format", "markdown").stdout  # the damaged lock guards nothing: which classes, where
    assert "**0 of 2** shimmed and partly native classes have their variable names in the names lock " \
        "`locks/names.lock`" in text
    unguarded = [f"`{c['name']}` (`pkg/model.py:{c['line']}`)" for c in document["classes"]]
    assert f"Not guarded (not in it, or with names the analysis cannot know): {', '.join(unguarded)};" in text


def test_each_file_has_its_own_configuration_as_in_check(tmp_path) -> None:
    """A nested table (its own ignores and names lock) governs the files under it, in the working tree's report
    and at each commit, as it does for `check`."""
    rule = BY_CODE["TFS115"]
    repo = tmp_path / "repo"
    sub = repo / "sub"
    sub.mkdir(parents=True)
    fixture.git(repo, "init", "-q")
    (repo / "pyproject.toml").write_text("[tool.tf2lint]\n")
    (repo / "top.py").write_text(BY_CODE["TFS101"].bad[0])
    (sub / "pyproject.toml").write_text('[tool.tf2lint]\nignore = ["TFS101"]\nvariables-lock = "names.lock"\n')
    (sub / "model.py").write_text(rule.baselines[0])
    fixture.git(repo, "add", "-A")
    fixture.git(repo, "commit", "-q", "-m", "start", when=0)
    subprocess.run([sys.executable, "-m", "tf2lint", "variables", "--write", "names.lock", "model.py"], cwd=sub,
                   check=True, capture_output=True, timeout=300)
    fixture.git(repo, "add", "-A")
    fixture.git(repo, "commit", "-q", "-m", "lock", when=1)
    (sub / "model.py").write_text(rule.bad[0])
    fixture.git(repo, "add", "-A")
    fixture.git(repo, "commit", "-q", "-m", "drift", when=2)

    checked = subprocess.run([sys.executable, "-m", "tf2lint", "check", "--no-cache", "--exit-zero", "--format", "json",
                              "--extend-select", "TFS117", "."], cwd=repo, capture_output=True, text=True, timeout=300)
    by_file: dict[str, dict[str, int]] = {}
    for finding in json.loads(checked.stdout):
        counts = by_file.setdefault(finding["path"], {})
        counts[finding["code"]] = counts.get(finding["code"], 0) + 1
    document = json.loads(report(repo, "--format", "json", "--history", "3").stdout)
    validate(document)
    reported = {f["path"]: f["findings"] for f in document["files"] if f["findings"]}
    assert reported == by_file and reported["sub/model.py"] == {"TFS115": 3} and "TFS101" in reported["top.py"]
    top = reported["top.py"]["TFS101"]
    assert [(p["findings"], p["flags"]["names_lock"]) for p in document["history"]] == \
        [({"TFS101": top}, 0), ({"TFS101": top}, 2), ({"TFS101": top, "TFS115": 3}, 2)]


def test_a_notebooks_classes_are_placed_by_cell(tmp_path) -> None:
    """A notebook's classes count as a module's do, each placed by cell and line in the cell as its findings
    are, linking to the notebook: two classes starting at the same line of two cells each keep their own."""
    import nbformat  # a test dependency
    bad = BY_CODE["TFS101"].bad[0]
    assert bad.splitlines()[3].startswith("class TwoDense(")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Model"), nbformat.v4.new_code_cell("import tensorflow as tf"),
                      nbformat.v4.new_code_cell(bad), nbformat.v4.new_code_cell(bad.replace("TwoDense", "Again"))]
    nbformat.write(notebook, str(tmp_path / "model.ipynb"))
    checked = subprocess.run([sys.executable, "-m", "tf2lint", "check", "--no-cache", "--exit-zero", "--format", "json",
                              "model.ipynb"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    per_cell: dict[int, int] = {}
    for finding in json.loads(checked.stdout):
        per_cell[finding["cell"]] = per_cell.get(finding["cell"], 0) + 1
    assert per_cell == {3: 2, 4: 2}
    document = json.loads(report(tmp_path, "--format", "json").stdout)
    validate(document)
    assert [(c["name"], c["cell"], c["line"], c["link"], c["stage"], c["findings_total"]) for c in document["classes"]] == \
        [("TwoDense", 3, 4, "model.ipynb", "shimmed", 2), ("Again", 4, 4, "model.ipynb", "shimmed", 2)]
    assert document["files"][0]["link"] == "model.ipynb"
    assert "| [`TwoDense`](model.ipynb) `model.ipynb cell 3:4` |" in report(tmp_path, "--format", "markdown").stdout
    page = report(tmp_path, "--format", "html").stdout
    assert "<small>model.ipynb cell 3:4</small>" in page
    assert "inside the shim (<code>tf.compat.v1.layers.dense</code>)" in page  # a reason's code span, as code

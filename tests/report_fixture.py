"""A scripted migration for `tf2lint report`: a git repository whose commits migrate one class at a time.

Each step states, by hand, what the report must say at that commit: the stage of every class, the classes
per stage, the TF1-style constructs left, the findings and the classes whose names are in the names lock.
`ops.py` never changes (it is analysed once over the whole history); `model.py` changes at every commit but
the second, which writes the names lock (`tf2lint variables --write`, as a team does before step 2) and the
configuration naming it. From then on TFS115 compares the names: naming Decoder's output layer `out`, where
the checkpoint holds `dense`, is a drift.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HEAD = '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Helper:
    def scale(self, x):
        return x * 2


class Trainer:
    def run(self, loss):
        updates = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        with tf.compat.v1.Session() as session:
            return session.run([loss, updates])
'''

OPS = '''\
import tensorflow as tf


def global_step():
    return tf.compat.v1.get_variable("global_step", shape=(), trainable=False)
'''

ENCODER_SHIMMED = '''

class Encoder(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("encoder"):
            hidden = tf.compat.v1.layers.dense(inputs, 8, name="hidden")
            return tf.compat.v1.layers.dense(hidden, 4, name="out")
'''
ENCODER_PARTLY = '''

class Encoder(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(8)

    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("encoder"):
            return tf.compat.v1.layers.dense(self.hidden(inputs), 4, name="out")
'''
ENCODER_NATIVE = '''

class Encoder(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(8)
        self.out = tf.keras.layers.Dense(4)

    @track
    def call(self, inputs):
        return self.out(self.hidden(inputs))
'''
ENCODER_DONE = ENCODER_NATIVE.replace("    @track\n", "")
DECODER_UNNAMED = '''

class Decoder(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("decoder"):
            kernel = tf.compat.v1.get_variable("kernel", shape=(4, 2))
        return tf.compat.v1.layers.dense(tf.matmul(inputs, kernel), 2)
'''
DECODER_NAMED = DECODER_UNNAMED.replace("kernel), 2)", 'kernel), 2, name="out")')
DECODER_DONE = '''

class Decoder(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", shape=(input_shape[-1], 2))

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)
'''

STAGES = ("tf1", "shimmed", "partly_native", "native")
CONSTRUCTS = ("get_variable", "variable_scope", "v1_layers", "slim", "make_template", "collections", "session")


@dataclass(frozen=True)
class Step:
    subject: str
    model: str
    classes: dict[str, str]  # class -> stage ("no_tf1": outside the migration, not listed)
    stages: tuple[int, int, int, int]  # classes per stage, in STAGES order
    no_tf1: int
    constructs: tuple[int, ...]  # in CONSTRUCTS order; ops.py's get_variable is always one of them
    findings: dict[str, int]
    locked: int = 0  # shimmed and partly native classes whose names the names lock holds
    lock: bool = False  # this commit writes the names lock and `variables-lock` in pyproject.toml

    @property
    def constructs_left(self) -> int:
        return sum(self.constructs)


STEPS = (
    Step("Start: Encoder and Decoder run under the shim", HEAD + ENCODER_SHIMMED + DECODER_UNNAMED,
         {"Trainer": "tf1", "Encoder": "shimmed", "Decoder": "shimmed", "Helper": "no_tf1"},
         (1, 2, 0, 0), 1, (2, 2, 3, 0, 0, 1, 1), {"TFS101": 1}),
    Step("Lock the checkpoint names before changing layers", HEAD + ENCODER_SHIMMED + DECODER_UNNAMED,
         {"Trainer": "tf1", "Encoder": "shimmed", "Decoder": "shimmed", "Helper": "no_tf1"},
         (1, 2, 0, 0), 1, (2, 2, 3, 0, 0, 1, 1), {"TFS101": 1}, locked=2, lock=True),
    Step("Encoder: hidden layer is a Keras Dense", HEAD + ENCODER_PARTLY + DECODER_UNNAMED,
         {"Trainer": "tf1", "Encoder": "partly_native", "Decoder": "shimmed", "Helper": "no_tf1"},
         (1, 1, 1, 0), 1, (2, 2, 2, 0, 0, 1, 1), {"TFS101": 1}, locked=2),
    Step("Encoder: native, decorator still on", HEAD + ENCODER_NATIVE + DECODER_UNNAMED,
         {"Trainer": "tf1", "Encoder": "native", "Decoder": "shimmed", "Helper": "no_tf1"},
         (1, 1, 0, 1), 1, (2, 1, 1, 0, 0, 1, 1), {"TFS101": 1, "TFS117": 1}, locked=1),  # native: nothing to guard
    Step("Encoder: decorator removed", HEAD + ENCODER_DONE + DECODER_UNNAMED,
         {"Trainer": "tf1", "Encoder": "no_tf1", "Decoder": "shimmed", "Helper": "no_tf1"},
         (1, 1, 0, 0), 2, (2, 1, 1, 0, 0, 1, 1), {"TFS101": 1}, locked=1),
    # `out` is a new name: the checkpoint holds the layer's weights under `dense` (TFS115; TFS101's fix pins that).
    Step("Decoder: name the output layer", HEAD + ENCODER_DONE + DECODER_NAMED,
         {"Trainer": "tf1", "Encoder": "no_tf1", "Decoder": "shimmed", "Helper": "no_tf1"},
         (1, 1, 0, 0), 2, (2, 1, 1, 0, 0, 1, 1), {"TFS115": 1}, locked=1),
    Step("Decoder: native, no shim", HEAD + ENCODER_DONE + DECODER_DONE,
         {"Trainer": "tf1", "Encoder": "no_tf1", "Decoder": "no_tf1", "Helper": "no_tf1"},
         (1, 0, 0, 0), 3, (1, 0, 0, 0, 0, 1, 1), {}),
)
LOCKED_FROM = next(index for index, step in enumerate(STEPS) if step.lock)  # the first commit with a lock
FILES = 2  # model.py and ops.py (README.md is not Python)
# Every model.py once (the locking commit's again: the lock names it), ops.py once (the lock does not name it).
FILE_VERSIONS = len(STEPS) + 1


def git(repo: Path, *args: str, when: int = 0) -> str:
    date = f"{1_800_000_000 + when * 86_400} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=Fixture", "-c", "user.email=fixture@example.com",
                           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          capture_output=True, text=True, env=env, check=True)
    return done.stdout


def build(repo: Path, after_each=None) -> list[str]:
    """Create the repository, one commit per step; ``after_each(step)`` runs on each step's working tree
    before its commit. Returns the commit ids, oldest first."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    (repo / "README.md").write_text("A model, migrated one class per commit.\n")
    (repo / "ops.py").write_text(OPS)
    commits = []
    for index, step in enumerate(STEPS):
        (repo / "model.py").write_text(step.model)
        if step.lock:
            (repo / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "names.lock"\n')
            subprocess.run([sys.executable, "-m", "tf2lint", "variables", "--write", str(repo / "names.lock"),
                            str(repo / "model.py")], cwd=repo, check=True, capture_output=True, timeout=300)
        if after_each is not None:
            after_each(step)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", step.subject, when=index)
        commits.append(git(repo, "rev-parse", "HEAD").strip())
    return commits

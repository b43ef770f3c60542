"""Before/after pairs of one shim class: the edits step 2 of a migration makes (remove, move, add or swap a
layer; rename the scope; replace a v1 layer by a native one, with or without pinned names or a recorded scope).

Every layer reads the input `x` (shape (2, 4)) and adds a sum of its output, so any edit leaves a valid
program and a layer's kernel shape depends only on its own call. A slot is one layer; its `ident` follows it
through the edit: the labels (label.py) come from TensorFlow, by creation order and values, never from here.
Layers of one kind get distinct sizes unless the edit replaces one in place (then the code itself says which
layer went: an edit of two identical layers that leaves the same code is not a question the code can answer).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

KINDS = ("dense", "conv", "slim", "get_variable", "object")
# Variables each kind creates, in creation order (what the labeller groups by).
CREATES = {"dense": 2, "conv": 2, "slim": 2, "get_variable": 1, "object": 2, "native": 2}
OPS = ("remove", "move", "add", "swap", "rename_scope", "native", "native_pinned", "native_recorded", "cosmetic",
       "name_one")


@dataclass(frozen=True)
class Slot:
    ident: int
    kind: str
    units: int
    name: str | None = None  # an explicit name (`name=` / `scope=` / the get_variable name)


@dataclass
class Version:
    slots: list[Slot]
    scope: str = "net"
    inner: bool = False  # the slots sit in a nested `variable_scope("blk")`
    recorded: dict[int, str] = field(default_factory=dict)  # position -> a recorded scope opened before it
    cosmetic: bool = False

    def source(self) -> str:
        init = [f"        self.o{s.ident} = v1.layers.Dense({s.units}{_kw('name', s.name)})" for s in self.slots
                if s.kind == "object"]
        init += [f"        self.n{s.ident} = tf.keras.layers.Dense({s.units})" for s in self.slots if s.kind == "native"]
        body = []
        for position, slot in enumerate(self.slots):
            if position in self.recorded:
                body += [f'with v1.variable_scope("{self.recorded[position]}"):', "    pass"]
            body.append(f"out = out + tf.reduce_sum({_expression(slot)})")
        if self.cosmetic:
            body.append("out = out * 1.0")
        indent = " " * (12 + 4 * self.inner)
        inner = ['            with v1.variable_scope("blk"):'] if self.inner else []
        return "\n".join([
            "import tensorflow as tf",
            "import tf_slim as slim",
            "",
            "v1 = tf.compat.v1",
            "",
            "",
            "class Model(tf.keras.layers.Layer):",
            "    def __init__(self):",
            "        super().__init__()",
            *init,
            "",
            "    @v1.keras.utils.track_tf1_style_variables",
            "    def call(self, x):",
            "        out = tf.zeros(())",
            f'        with v1.variable_scope("{self.scope}"):',
            *inner,
            *(indent + line for line in body),
            "        return out",
            "",
        ])


def _kw(keyword: str, value: str | None) -> str:
    return f', {keyword}="{value}"' if value else ""


def _expression(slot: Slot) -> str:
    if slot.kind == "dense":
        return f"v1.layers.dense(x, {slot.units}{_kw('name', slot.name)})"
    if slot.kind == "conv":
        return f"v1.layers.conv2d(tf.reshape(x, (2, 2, 2, 1)), {slot.units}, 1{_kw('name', slot.name)})"
    if slot.kind == "slim":
        return f"slim.fully_connected(x, {slot.units}{_kw('scope', slot.name)})"
    if slot.kind == "get_variable":
        return f'tf.matmul(x, v1.get_variable("{slot.name}", [4, {slot.units}]))'
    if slot.kind == "object":
        return f"self.o{slot.ident}(x)"
    return f"self.n{slot.ident}(x)"


@dataclass
class Pair:
    id: str
    op: str
    old: Version
    new: Version
    pin_after: int | None = None  # native_pinned: pin the old names of the slots after this position
    record_at: int | None = None  # native_recorded: record the replaced layer's scope here


def _slot(rng: random.Random, ident: int, kind: str, units: int) -> Slot:
    name = f"w{ident}" if kind == "get_variable" else (f"fc{ident}" if rng.random() < 0.2 else None)
    return Slot(ident, kind, units, name)


def _base(rng: random.Random) -> Version:
    count = rng.randint(3, 5)
    main = rng.choice(("dense", "dense", "conv", "slim", "object"))
    used: dict[str, set[int]] = {}
    slots = []
    for ident in range(count):
        kind = main if rng.random() < 0.7 else rng.choice(KINDS)
        units = rng.choice([u for u in range(2, 12) if u not in used.setdefault(kind, set())])
        used[kind].add(units)
        slots.append(_slot(rng, ident, kind, units))
    return Version(slots, scope=rng.choice(("net", "model", "tower")), inner=rng.random() < 0.25)


def _distinct(rng: random.Random, slots: list[Slot], kind: str) -> int:
    taken = {s.units for s in slots if s.kind == kind}
    return rng.choice([u for u in range(2, 16) if u not in taken])


def pair(rng: random.Random, op: str, number: int) -> Pair:
    old = _base(rng)
    slots = list(old.slots)
    new = replace(old, slots=slots, recorded={})
    result = Pair(f"{op}-{number}", op, old, new)
    k = rng.randrange(len(slots))
    if op == "remove":
        del slots[k]
    elif op == "move":
        moved = slots.pop(k)
        slots.insert(rng.randrange(len(slots) + 1), moved)
    elif op == "add":
        kind = rng.choice(("dense", "conv", "slim", "object", slots[k].kind))
        slots.insert(rng.randrange(len(slots) + 1), _slot(rng, 90, kind, _distinct(rng, slots, kind)))
    elif op == "swap":
        k = min(k, len(slots) - 2)
        slots[k], slots[k + 1] = slots[k + 1], slots[k]
    elif op == "rename_scope":
        new.scope = old.scope + "_v2"
    elif op == "cosmetic":
        new.cosmetic = True
    elif op == "name_one":  # give one unnamed layer a name it did not have
        unnamed = [i for i, s in enumerate(slots) if s.name is None and s.kind != "get_variable"]
        k = unnamed[0] if unnamed else k
        slots[k] = replace(slots[k], name=f"named{k}" if slots[k].name is None else slots[k].name)
    else:  # native, native_pinned, native_recorded: the first v1 layer of the main kind becomes a native Dense
        candidates = [i for i, s in enumerate(slots) if s.kind in ("dense", "object") and s.name is None]
        k = candidates[0] if candidates else k
        if rng.random() < 0.5:  # the case: identical layers, told apart only by where they are
            units = slots[k].units
            old.slots = [replace(s, units=units) if s.kind == slots[k].kind else s for s in old.slots]
            slots[:] = list(old.slots)
        slots[k] = Slot(slots[k].ident, "native", slots[k].units)
        if op == "native_pinned":
            result.pin_after = k
        elif op == "native_recorded":
            result.record_at = k
    return result


def generate(count: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    return [pair(rng, OPS[number % len(OPS)], number) for number in range(count)]

"""Fuzzing: generated programs (hypothesmith) and mutations of the rule examples go through lint_source
and the fix path. No exception, well-formed findings, fixed output that parses, a second fix pass that
changes nothing. CI runs a small budget; `python bench/fuzz.py --examples N` runs a longer one."""

from __future__ import annotations

import ast
import os

import hypothesmith
import pytest
from conftest import FIGURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tf2lint.engine import Settings, is_internal_error, lint_source
from tf2lint.fixing.write import fix_text
from tf2lint.rules import ALL_RULES, RULES

BUDGET = int(os.environ.get("TF2LINT_FUZZ_EXAMPLES", "0"))
# CI: a fixed (derandomized) sample that fits in ~20 s; the long run draws fresh examples every time.
PROGRAMS = settings(
    max_examples=BUDGET or 30, deadline=None, database=None, derandomize=not BUDGET,
    suppress_health_check=list(HealthCheck),
)
MUTATIONS = settings(PROGRAMS, max_examples=BUDGET or 200)
EVERYTHING = Settings(extend_select=("TFS",))
CODES = {rule.code for rule in ALL_RULES}
EXAMPLES = [source for rule in RULES for source in (*rule.bad, *rule.good)]


def check(source: str | bytes) -> None:
    findings = lint_source(source, "f.py", EVERYTHING, fixes=True)
    # The engine turns an exception of ours into a TFS000 so that a run goes on; here it is a failure.
    assert not any(is_internal_error(f) for f in findings), [f.message for f in findings]
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    last_line = text.count("\n") + text.count("\r") + 2
    for finding in findings:
        assert finding.code in CODES and finding.path == "f.py" and finding.message
        assert 1 <= finding.line <= finding.end_line <= last_line and finding.col >= 0 and finding.end_col >= 0
        if finding.fix is not None:
            assert finding.fix["applicability"] in ("safe", "unsafe") and finding.fix["edits"]
            assert all(1 <= e["line"] <= e["end_line"] for e in finding.fix["edits"])
    if isinstance(source, bytes) or any(f.code == "TFS000" for f in findings):
        return
    for unsafe in (False, True):
        result = fix_text(source, "f.py", EVERYTHING, unsafe)
        ast.parse(result.fixed)
        assert fix_text(result.fixed, "f.py", EVERYTHING, unsafe).fixed == result.fixed


@PROGRAMS
@given(hypothesmith.from_grammar())
def test_generated_programs(source: str) -> None:
    FIGURES["programs fuzzed"] += 1
    check("import tensorflow as tf\n" + source)


def _mutate(data: st.DataObject, source: str) -> str | bytes:
    lines = source.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(
            ["delete", "duplicate", "swap", "indent", "dedent", "insert", "truncate", "cr", "crlf", "noeol", "bytes"]
        ))
        index = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            break
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "indent":
            lines[index] = "    " + lines[index]
        elif kind == "dedent":
            lines[index] = lines[index][4:] if lines[index].startswith("    ") else lines[index]
        elif kind == "insert":
            piece = data.draw(st.sampled_from(
                ["(", ")", ":", "\\", "'", '"""', "\t", "\x0c", "\r", "µ", "\u2028", "# noqa", "lambda: 0", "await x"]
            ))
            at = data.draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + piece + lines[index][at:]
        elif kind == "truncate":
            lines = lines[: index + 1]
            lines[-1] = lines[-1][: data.draw(st.integers(0, len(lines[-1])))]
        elif kind in ("cr", "crlf"):
            lines = "".join(lines).replace("\n", "\r" if kind == "cr" else "\r\n").splitlines(keepends=True)
        elif kind == "noeol":
            lines[-1] = lines[-1].rstrip("\r\n")
        else:
            header = data.draw(st.sampled_from(["\ufeff", "# -*- coding: latin-1 -*-\n", "#!/usr/bin/env python\n"]))
            encoded = (header + "".join(lines)).encode("utf-8", "surrogatepass")
            return encoded
    return "".join(lines)


@MUTATIONS
@given(st.sampled_from(EXAMPLES), st.data())
def test_mutated_rule_examples(source: str, data: st.DataObject) -> None:
    FIGURES["mutations tried"] += 1
    check(_mutate(data, source))


def test_an_analysis_crash_fails_the_fuzz_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above must see a bug in the analysis, not accept the TFS000 the engine makes of it."""
    from tf2lint.analysis import context

    def broken(*args, **kwargs):
        raise RuntimeError("deliberately broken analysis")

    monkeypatch.setattr(context.ModuleContext, "__init__", broken)
    with pytest.raises(AssertionError, match="deliberately broken analysis"):
        check(EXAMPLES[0])


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_rule_examples_themselves(index: int) -> None:
    check(EXAMPLES[index])

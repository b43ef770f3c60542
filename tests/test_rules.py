"""Every rule's own examples: bad ones reported at exactly the marked lines, good ones silent."""

from __future__ import annotations

import re
import tempfile

import pytest
from conftest import all_examples, write_baseline_lock

from tf2lint.engine import Settings, lint_source
from tf2lint.rules import ALL_RULES, BY_CODE, RULES
from tf2lint.rules.base import expected_findings


_SCRATCH = tempfile.TemporaryDirectory(prefix="tf2lint-lock-")  # removed when the run ends
_LOCK = write_baseline_lock(_SCRATCH.name,
                            [f"{rule.code}_{kind}.py" for rule in RULES if rule.baselines for kind in ("bad", "good")])


def settings_for(code: str) -> Settings:
    """Default settings, plus the rule itself when it is off by default; a rule comparing with a baseline
    gets a names lock written from its `baselines`."""
    lock = _LOCK if BY_CODE[code].baselines else ""
    if BY_CODE[code].enabled_by_default:
        return Settings(variables_lock=lock)
    return Settings(extend_select=(code,), variables_lock=lock)


@pytest.mark.parametrize(("code", "kind", "source"), all_examples())
def test_example_reports_exactly_the_marked_lines(code: str, kind: str, source: str) -> None:
    found = [(f.line, f.code) for f in lint_source(source, f"{code}_{kind}.py", settings_for(code))]
    assert found == expected_findings(source)
    if kind == "bad":
        assert (code in {c for _, c in found}), f"a bad example of {code} must trigger {code}"
    else:
        assert found == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_complete(rule) -> None:
    assert re.fullmatch(r"^[A-Z]{1,3}[0-9]{0,3}$", rule.code), "flake8 needs ^[A-Z]{1,3}[0-9]{0,3}$"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.symbol)
    assert rule.bad and rule.good, "every rule ships bad and good examples"
    for text in (rule.summary, rule.docs.what, rule.docs.why, rule.docs.fix_safety, rule.docs.runtime):
        assert text.strip()
    assert "TF 2.21" in rule.docs.runtime, "runtime behaviour must say where it was measured"


def test_codes_and_symbols_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.symbol for r in ALL_RULES}) == len(ALL_RULES)


def test_marker_parser_reads_several_codes() -> None:
    assert expected_findings("x = 1\ny = 2  # expect: TFS101, TFS106\n") == [(2, "TFS101"), (2, "TFS106")]

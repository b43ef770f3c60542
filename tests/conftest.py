"""Shared helpers for the tests."""

from __future__ import annotations

import textwrap

import pytest

from tf2lint.engine import Finding, lint_source
from tf2lint.rules import RULES


def lint(source: str, **settings) -> list[Finding]:
    from tf2lint.engine import Settings

    return lint_source(textwrap.dedent(source), "example.py", Settings(**settings))


def codes_at(source: str, **settings) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint(source, **settings)]


def all_examples() -> list[pytest.param]:
    """Every rule example as (rule code, kind, source), with readable ids."""
    params = []
    for rule in RULES:
        for kind, examples in (("bad", rule.bad), ("good", rule.good)):
            for index, source in enumerate(examples):
                params.append(pytest.param(rule.code, kind, source, id=f"{rule.code}-{kind}{index}"))
    return params

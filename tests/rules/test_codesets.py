"""Code sets and identifiers (edi837/rules/codesets.py: COD, NPI, DAT): each fires on its case and not
on its near miss; the statement period."""

from __future__ import annotations

import pytest
from builders import BASE, assert_fires, assert_near_miss_is_quiet, family, rule_findings, swap


@pytest.mark.parametrize("rule_id", family("codesets"))
def test_rule_fires(rule_id: str) -> None:
    assert_fires(rule_id)


@pytest.mark.parametrize("rule_id", family("codesets"))
def test_near_miss_does_not_fire(rule_id: str) -> None:
    assert_near_miss_is_quiet(rule_id)


def test_statement_period_in_the_future() -> None:
    [f] = rule_findings(swap("RD8*20260914-20260915", "RD8*20260914-20261201")(BASE), "DAT001")
    assert f.stc == ("A7:510",) and f.segment == "DTP" and f.element == "DTP03"

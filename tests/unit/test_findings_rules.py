"""The rules of one finding per office and requirement (domain/findings.py, issue 13)."""

from __future__ import annotations

import pytest

from survey.domain.findings import Decision, Step, decide, result_of


@pytest.mark.parametrize(
    ("score", "result"), [(0, "fail"), (0.0, "fail"), (0.5, "partial"), (1, "pass"), (None, None)]
)
def test_result_of_a_score(score, result):
    assert result_of(score) == result


@pytest.mark.parametrize(
    ("live", "result", "verified", "decision"),
    [
        (None, "fail", False, Decision(Step.OPEN)),
        (None, "partial", False, Decision(Step.OPEN)),
        (None, "fail", True, Decision(Step.OPEN, recurrence=True)),
        (None, "pass", False, Decision(Step.NOTHING)),
        (None, "pass", True, Decision(Step.NOTHING)),
        (None, None, False, Decision(Step.NOTHING)),
        ("open", "fail", False, Decision(Step.OBSERVE)),
        ("open", "pass", False, Decision(Step.OBSERVE)),
        ("in_progress", "partial", True, Decision(Step.OBSERVE)),
        ("implemented", "pass", False, Decision(Step.OBSERVE)),
        ("implemented", "fail", False, Decision(Step.REOPEN)),
        ("implemented", "partial", False, Decision(Step.REOPEN)),
        ("open", None, False, Decision(Step.NOTHING)),
    ],
)
def test_what_a_visit_does_to_the_finding(live, result, verified, decision):
    assert decide(live, result, verified) == decision


def test_a_verified_finding_is_not_live():
    with pytest.raises(ValueError):
        decide("verified", "fail", True)


@pytest.mark.parametrize("result", ["fail", "partial", "pass"])
def test_a_visit_made_before_the_fix_is_an_observation_only(result):
    assert decide("implemented", result, False, before_fix=True) == Decision(Step.OBSERVE)

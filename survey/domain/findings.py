"""One recommendation per office and requirement: what an approved visit does to it.

A finding is a recommendation to one office about one requirement (an item code, DESIGN §2
and §9). It lives from the first approved visit that fails or partly fails the item until the
project group verifies the fix; every later approved visit that answers the item adds an
*observation* to it instead of a finding of its own, so the share of recommendations
implemented counts each requirement once, however often the office is visited (issue 13).

    no live finding  + fail/partial  -> open a finding (a recurrence when one was verified)
    no live finding  + pass          -> nothing
    open/in progress + any result    -> an observation
    implemented      + pass          -> an observation (the fix held when re-checked)
    implemented      + fail/partial  -> an observation, and the finding is reopened
                                        (only by a visit made after the fix: one made
                                        before it, approved late, is an observation only)
    verified                         -> not live: a failure starts a new finding

Pure rules (no database): the approval path, the demo generator and the migration that folds
per-visit findings all follow them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

LIVE = ("open", "in_progress", "implemented")


class Step(Enum):
    NOTHING = "nothing"
    OPEN = "open"  # a new finding, with this visit's observation
    OBSERVE = "observe"  # an observation on the live finding
    REOPEN = "reopen"  # an observation, and implemented -> open


@dataclass(frozen=True)
class Decision:
    step: Step
    recurrence: bool = False  # OPEN only: an earlier finding of this requirement was verified


def result_of(score: float | None) -> str | None:
    """An item's observed result from its score (DESIGN §4): fail (0), partial (0 < s < 1),
    pass (1); None when the answer has no score (not applicable, text, no pass_if)."""
    if score is None:
        return None
    if score >= 1:
        return "pass"
    return "fail" if score <= 0 else "partial"


def decide(
    live_status: str | None, result: str | None, ever_verified: bool, before_fix: bool = False
) -> Decision:
    """What an approved visit with this result does to the office's finding on the item.

    live_status: the status of the office's live finding on the item (open, in_progress or
    implemented), None when there is none. ever_verified: whether an earlier finding on the
    item was verified (a new one is then a recurrence). result: fail, partial, pass or None.
    before_fix: the visit was made before the live finding's fix (approved only after it), so
    it says nothing about the fix.
    """
    if result is None:
        return Decision(Step.NOTHING)
    failed = result in ("fail", "partial")
    if live_status is None:
        return Decision(Step.OPEN, recurrence=ever_verified) if failed else Decision(Step.NOTHING)
    if live_status not in LIVE:
        raise ValueError(f"not a live status: {live_status!r}")
    if live_status == "implemented" and failed and not before_fix:
        return Decision(Step.REOPEN)
    return Decision(Step.OBSERVE)

"""What an office head and the public may be shown: the allow-lists, defined once.

Pages, the API and evidence files all pass what they show an office head through these shapes
(DESIGN §5 and §9), so a field added to a finding or a figure stays hidden from the office until
someone writes it here on purpose. The rule behind them: an office learns what it must fix and
how it is doing, never who visited or when (no visit, no day or time of one, no device data).

A shape is `None` (a plain value), a dict of allowed keys (`"*"` stands for any key, e.g. item
codes), or a one-element list (a list of that shape).
"""

from __future__ import annotations

from typing import Any

# No figure is shown from fewer visits than this: one or two visits' scores would be theirs.
MIN_VISITS = 3

Shape = dict[str, Any] | list[Any] | None

EVIDENCE: Shape = {
    "uuid": None,
    "kind": None,
    "item": None,
    "files": {"display": None, "thumb": None},
}
EVENT: Shape = {"on": None, "action": None, "from": None, "to": None, "text": None, "by": None}
OBSERVATION: Shape = {"month": None, "result": None}
FINDING: Shape = {
    "id": None,
    "office": None,
    "item": None,
    "item_text": None,
    "section": None,
    "severity": None,
    "status": None,
    "recommendation": None,
    "due_date": None,
    "observations": [OBSERVATION],
    "evidence": [EVIDENCE],
    "responses": [EVENT],
    "history": [EVENT],
}
ITEM_FIGURES: Shape = {
    "pass": None,
    "fail": None,
    "partial": None,
    "na": None,
    "rate": None,
    "rate_ci": None,
}
FINDING_COUNTS: Shape = {
    "open": None,
    "in_progress": None,
    "implemented": None,
    "verified": None,
    "overdue": None,
}
FIGURES: Shape = {
    "office": None,
    "period": None,
    "n": None,
    "score": None,
    "score_ci": None,
    "critical": None,
    "sections": {"*": {"score": None, "n": None}},
    "items": {"*": ITEM_FIGURES},
    "findings": FINDING_COUNTS,
}
RANKED: Shape = {key: None for key in ("office", "period", "n", "score", "score_ci", "critical")}
# The recommendation KPIs (GET /api/v1/kpis, DESIGN §9): counts of the office's own findings,
# whose dates the head already sees in their history, so nothing here is new to the office.
KPI_FIGURES: dict[str, Any] = {  # a Shape known to be a mapping: KPIS unpacks it
    key: None
    for key in (
        "opened",
        "implemented",
        "verified",
        "reopened",
        "overdue",
        "share_implemented",
        "share_verified",
        "median_days_to_fix",
        "recurrence_rate",
    )
}
KPIS: Shape = {"period": None, "office": None, **KPI_FIGURES, "all_time": KPI_FIGURES}


class NotAllowed(ValueError):
    """A nested object stands where the allow-list has a plain value: a shape is out of date."""


def restrict(value: Any, shape: Shape) -> Any:
    """A copy of value holding only what shape allows; keys outside it are dropped.

    Raises NotAllowed when value nests an object where shape expects a plain value, so a
    new nested field cannot slip through whole.
    """
    if shape is None:
        if isinstance(value, dict):
            raise NotAllowed("an object where the allow-list has a plain value")
        return value
    if isinstance(shape, list):
        return [restrict(item, shape[0]) for item in value] if value is not None else None
    if value is None:
        return None
    return {
        key: restrict(inner, shape[key] if key in shape else shape["*"])
        for key, inner in value.items()
        if key in shape or "*" in shape
    }


def withhold_small(figures: dict[str, Any], min_n: int = MIN_VISITS) -> dict[str, Any]:
    """Office figures with every number drawn from fewer than min_n visits set to None.

    figures: the shape of GET /offices/<code>/scores. The period's score, interval and
    critical count need n ≥ min_n; a section its own n ≥ min_n; an item its scored answers
    (pass + fail + partial) ≥ min_n, else all its counts and its rate are withheld too, since
    "1 fail" out of one answer is that visit's answer.
    """
    out = dict(figures)
    if out.get("n", 0) < min_n:
        out.update(score=None, score_ci=None, critical=None)
    out["sections"] = {
        code: {**section, "score": section["score"] if section["n"] >= min_n else None}
        for code, section in (figures.get("sections") or {}).items()
    }
    items = {}
    for code, item in (figures.get("items") or {}).items():
        scored = (item.get("pass") or 0) + (item.get("fail") or 0) + (item.get("partial") or 0)
        items[code] = item if scored >= min_n else dict.fromkeys(item)
    out["items"] = items
    return out

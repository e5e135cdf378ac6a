"""Findings are born when a visit is approved: one per item that scored below 1."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ..common.time import utcnow
from ..extensions import db
from .models import Finding

if TYPE_CHECKING:
    from ..visits.models import Visit


def severity_of(critical: bool, weight: float) -> str:
    if critical:
        return "critical"
    return "major" if weight >= 2 else "minor"


def open_findings_for(visit: Visit, due_days: int) -> list[Finding]:
    items = visit.checklist.spec.items
    due = (utcnow() + timedelta(days=due_days)).date()
    made = []
    for answer in visit.answers:
        if answer.score is None or answer.score >= 1:
            continue
        item = items[answer.item_code]
        finding = Finding(
            visit=visit,
            office_id=visit.office_id,
            item_code=answer.item_code,
            severity=severity_of(item.critical, item.weight),
            status="open",
            recommendation="",
            due_date=due,
        )
        db.session.add(finding)
        made.append(finding)
    return made

"""Storing scores: at submission, and again only by the explicit `survey rescore` command."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.scoring import score_visit
from ..extensions import db
from .models import Visit, VisitSection


def apply_scores(visit: Visit) -> None:
    """Score the visit's answers and keep item, section and visit scores for SQL aggregates."""
    spec = visit.checklist.spec
    result = score_visit(spec, {a.item_code: a.value for a in visit.answers})
    for answer in visit.answers:
        answer.score = result.items.get(answer.item_code)
        answer.scorable = spec.items[answer.item_code].scorable
    visit.section_scores = [
        VisitSection(section_code=code, score=score) for code, score in result.sections.items()
    ]
    visit.score, visit.critical = result.score, result.critical


def rescore_all(batch: int = 500) -> int:
    count = 0
    query = select(Visit).where(Visit.status.in_(("submitted", "approved", "rejected")))
    for visit in db.session.scalars(query.execution_options(yield_per=batch)):
        apply_scores(visit)
        count += 1
    db.session.commit()
    return count

"""Office figures and the ranking, computed by SQL aggregates (never every answer in Python)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.sql import ColumnElement

from ..auth.models import User
from ..domain import disclosure
from ..domain.figures import ItemTally, ScoreTally, item_figures, score_figures
from ..domain.periods import EARLIEST, LATEST, Period, completed_quarters, quarter_code
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..findings.models import FINDING_STATUSES, Finding
from ..offices.models import Office
from ..visits.models import Answer, Visit, VisitSection

SCORE_ROLES = ("auditor", "project_group")


def head_quarter(date_from: date | None, date_to: date | None, today: date) -> Period:
    """The one period an office head may ask about: a calendar quarter that has ended.

    Without dates, the last complete quarter. Any other span is refused (InvalidInput on
    "period"): two overlapping spans, or a quarter still running, could be differenced to
    show a single visit's score (docs/decisions.md, "The volunteer stays anonymous").
    """
    if date_from is None and date_to is None:
        return completed_quarters(today, None)[0]
    asked = Period(date_from or EARLIEST, date_to or LATEST)
    if quarter_code(asked) is None or asked.end >= today:
        raise InvalidInput(
            _l("Some fields need attention."),
            {"period": [_l("Office figures are given by calendar quarter, once it has ended.")]},
        )
    return asked


def _approved(date_from: date | None, date_to: date | None) -> ColumnElement[bool]:
    cond = Visit.status == "approved"
    if date_from is not None:
        cond = and_(cond, Visit.visited_on >= date_from)
    if date_to is not None:
        cond = and_(cond, Visit.visited_on <= date_to)
    return cond


def may_see_office(user: User, office: Office) -> bool:
    return user.role in SCORE_ROLES or (user.role == "office_head" and user.office_id == office.id)


def _count_if(cond: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0).cast(Integer)


def office_figures(
    user: User, office: Office, date_from: date | None, date_to: date | None
) -> dict[str, Any]:
    """Everything GET /offices/<code>/scores returns, in five aggregate queries.

    An office head gets one ended quarter only (head_quarter), with every number from fewer
    than three visits withheld and only the keys of the allow-list (domain/disclosure.py).
    """
    if not may_see_office(user, office):
        raise Forbidden(_l("You do not have access to this office's figures."))
    if user.role == "office_head":
        quarter = head_quarter(date_from, date_to, date.today())
        figures = _office_figures(office, quarter.start, quarter.end)
        figures["period"] = quarter_code(quarter)
        return disclosure.restrict(disclosure.withhold_small(figures), disclosure.FIGURES)
    return _office_figures(office, date_from, date_to)


def _office_figures(office: Office, date_from: date | None, date_to: date | None) -> dict[str, Any]:
    in_period = and_(Visit.office_id == office.id, _approved(date_from, date_to))
    row = db.session.execute(
        select(
            func.count(Visit.score),
            func.coalesce(func.sum(Visit.score), 0.0),
            func.coalesce(func.sum(Visit.score * Visit.score), 0.0),
            _count_if(Visit.critical.is_(True)),
        ).where(in_period)
    ).one()
    result: dict[str, Any] = {"office": office.code}
    result.update(score_figures(ScoreTally(row[0], float(row[1]), float(row[2]))))
    result["critical"] = int(row[3])
    result["sections"] = section_figures(in_period)
    result["items"] = item_figures_for(in_period)
    result["findings"] = _finding_counts(in_period)
    return result


def section_figures(where: ColumnElement[bool]) -> dict[str, dict[str, Any]]:
    """Each section's mean and n over the visits the condition selects."""
    rows = db.session.execute(
        select(
            VisitSection.section_code, func.avg(VisitSection.score), func.count(VisitSection.score)
        )
        .join(Visit, Visit.id == VisitSection.visit_id)
        .where(where, VisitSection.score.is_not(None))
        .group_by(VisitSection.section_code)
        .order_by(VisitSection.section_code)
    ).all()
    return {code: {"score": avg, "n": n} for code, avg, n in rows}


def item_figures_for(where: ColumnElement[bool]) -> dict[str, dict[str, Any]]:
    """Per scorable item: pass, fail, partial, na, rate and Wilson interval (DESIGN §4)."""
    rows = db.session.execute(
        select(
            Answer.item_code,
            _count_if(Answer.score == 1),
            _count_if(Answer.score == 0),
            _count_if(and_(Answer.score > 0, Answer.score < 1)),
            _count_if(and_(Answer.score.is_(None), Answer.value.is_not(None))),
            func.count(Answer.score),
            func.coalesce(func.sum(Answer.score), 0.0),
        )
        .join(Visit, Visit.id == Answer.visit_id)
        .where(where, Answer.scorable.is_(True))
        .group_by(Answer.item_code)
        .order_by(Answer.item_code)
    ).all()
    return {
        code: item_figures(ItemTally(int(p), int(f), int(pa), int(na), int(n), float(t)))
        for code, p, f, pa, na, n, t in rows
    }


def approved_in(date_from: date | None, date_to: date | None) -> ColumnElement[bool]:
    return _approved(date_from, date_to)


def office_finding_counts(office: Office) -> dict[str, int]:
    """All of an office's findings by status, and how many are overdue, whenever opened."""
    return _finding_counts(Visit.office_id == office.id)


def _finding_counts(in_period: ColumnElement[bool]) -> dict[str, int]:
    today = date.today()
    rows = db.session.execute(
        select(
            Finding.status,
            func.count(Finding.id),
            _count_if(Finding.due_date < today),
        )
        .join(Visit, Visit.id == Finding.visit_id)
        .where(in_period)
        .group_by(Finding.status)
    ).all()
    counts = dict.fromkeys(FINDING_STATUSES, 0)
    overdue = 0
    for status, count, late in rows:
        counts[status] = int(count)
        if status in ("open", "in_progress"):
            overdue += int(late)
    counts["overdue"] = overdue
    return counts


def ranking(user: User, date_from: date | None, date_to: date | None) -> list[dict[str, Any]]:
    """Every office the caller may see, best score first, offices without a score last.

    An office head: their own office, for one ended quarter, as office_figures gives it.
    """
    if user.role not in (*SCORE_ROLES, "office_head"):
        raise Forbidden(_l("You do not have access to office figures."))
    if user.role == "office_head":
        office = db.session.get(Office, user.office_id or -1)
        if office is None:
            return []
        figures = office_figures(user, office, date_from, date_to)
        return [disclosure.restrict(figures, disclosure.RANKED)]
    offices = select(Office)
    rows = db.session.execute(
        select(
            Visit.office_id,
            func.count(Visit.score),
            func.coalesce(func.sum(Visit.score), 0.0),
            func.coalesce(func.sum(Visit.score * Visit.score), 0.0),
            _count_if(Visit.critical.is_(True)),
        )
        .where(_approved(date_from, date_to))
        .group_by(Visit.office_id)
    ).all()
    tallies = {office_id: row for office_id, *row in rows}
    ranked = []
    for office in db.session.scalars(offices):
        n, total, total_sq, critical = tallies.get(office.id, (0, 0.0, 0.0, 0))
        if not office.active and not n:
            continue
        entry: dict[str, Any] = {"office": office.code}
        entry.update(score_figures(ScoreTally(int(n), float(total), float(total_sq))))
        entry["critical"] = int(critical)
        ranked.append(entry)
    ranked.sort(key=lambda e: (e["score"] is None, -(e["score"] or 0), e["office"]))
    return ranked

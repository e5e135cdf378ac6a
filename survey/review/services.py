"""The auditor's queue and the proof signals a reviewer weighs before deciding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from ..auth.models import User
from ..checklists.models import Checklist
from ..checklists.services import list_checklists
from ..common.filters import Filters, where_office
from ..common.paging import Column, Listing, Sorting, paginate, read_list
from ..domain.media import FAR_FROM_VISIT_DAYS, capture_far_from_visit
from ..errors import Forbidden
from ..evidence.models import Evidence
from ..evidence.services import evidence_by_item
from ..extensions import db
from ..offices.models import Office
from ..visits.models import Visit

FLAGS = ("capture_far_from_visit", "reused", "missing_required_evidence", "filled_fast")


def proof_flags(visit: Visit) -> list[str]:
    """What deserves a second look: old or reused photos, missing required proof, haste."""
    return _flags_of(visit, evidence_by_item(visit))


def _flags_of(visit: Visit, grouped: dict[str | None, list[Evidence]]) -> list[str]:
    flags: list[str] = []
    every = [e for items in grouped.values() for e in items]
    if any(capture_far_from_visit(e.captured_on, visit.visited_on) for e in every):
        flags.append("capture_far_from_visit")
    if any("reused" in (e.flags or []) for e in every):
        flags.append("reused")
    spec = visit.checklist.spec
    if any(i.evidence == "required" and not grouped.get(i.code) for i in spec.iter_items()):
        flags.append("missing_required_evidence")
    minutes = current_app.config["REVIEW_FAST_MINUTES"]
    if visit.submitted_at and visit.submitted_at - visit.created_at < timedelta(minutes=minutes):
        flags.append("filled_fast")
    return flags


def flags_for(visits: list[Visit]) -> dict[int, list[str]]:
    """`proof_flags` for a page of visits, with one query for all their evidence."""
    grouped: dict[int, dict[str | None, list[Evidence]]] = {v.id: {} for v in visits}
    if visits:
        rows = select(Evidence).where(
            Evidence.visit_id.in_(list(grouped)), Evidence.finding_id.is_(None)
        )
        for evidence in db.session.scalars(rows.order_by(Evidence.id)):
            grouped[evidence.visit_id].setdefault(evidence.item_code, []).append(evidence)
    return {v.id: _flags_of(v, grouped[v.id]) for v in visits}


class _DaysBetween(FunctionElement[float]):
    """a - b in days (a fraction for timestamps), on SQLite and PostgreSQL alike."""

    inherit_cache = True
    type = Float()


@compiles(_DaysBetween)
def _days_between(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM CAST({a} AS TIMESTAMP) - CAST({b} AS TIMESTAMP)) / 86400.0)"


@compiles(_DaysBetween, "sqlite")
def _days_between_sqlite(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({a}) - julianday({b}))"


def flag_condition(flag: str) -> ColumnElement[bool]:
    """The SQL twin of `proof_flags` for one flag, so the queue filters and pages in SQL."""
    own = and_(Evidence.visit_id == Visit.id, Evidence.finding_id.is_(None))
    if flag == "capture_far_from_visit":
        gap = func.abs(_DaysBetween(Evidence.captured_on, Visit.visited_on))
        return exists().where(own, Evidence.captured_on.is_not(None), gap > FAR_FROM_VISIT_DAYS)
    if flag == "reused":
        return exists().where(own, cast(Evidence.flags, String).contains('"reused"'))
    if flag == "missing_required_evidence":
        missing = []
        for checklist in list_checklists():
            codes = [i.code for i in checklist.spec.iter_items() if i.evidence == "required"]
            if codes:
                lacking = [~exists().where(own, Evidence.item_code == code) for code in codes]
                missing.append(and_(Visit.checklist_id == checklist.id, or_(*lacking)))
        return or_(*missing) if missing else false()
    minutes = current_app.config["REVIEW_FAST_MINUTES"]
    fast = _DaysBetween(Visit.submitted_at, Visit.created_at) < minutes / 1440
    return and_(Visit.submitted_at.is_not(None), fast)


@dataclass(frozen=True)
class QueueFilters:
    words: tuple[str, ...] = ()
    office_id: int | None = None
    country: str | None = None
    checklist: str | None = None
    flag: str | None = None


QUEUE_SORTING = Sorting(
    {
        "submitted": Column((Visit.submitted_at,)),
        "visited": Column((Visit.visited_at,)),
        "office": Column((Office.code,), join=(Office, Office.id == Visit.office_id)),
    },
    default="submitted",
    tiebreaker=Visit.id,
)
QUEUE_LOADS = (
    selectinload(Visit.office),
    selectinload(Visit.volunteer),
    selectinload(Visit.checklist),
)


def read_queue_filters(found: Filters) -> QueueFilters:
    return QueueFilters(
        words=tuple(found.search()),
        office_id=found.office(),
        country=found.country(),
        checklist=found.one_of("checklist", sorted({c.slug for c in list_checklists()})),
        flag=found.one_of("flag", FLAGS),
    )


def find_queue(user: User, args: Mapping[str, str]) -> tuple[Listing, dict[int, list[str]]]:
    """One page of the visits waiting for review, oldest sent first (`q`, `office`, `country`,
    `checklist`, `flag`, `sort`, `page`), and the proof flags of each visit on it."""
    if user.role != "auditor":
        raise Forbidden("auditors only")
    chosen, order, window = read_list(args, read_queue_filters, QUEUE_SORTING, api=False)
    query = select(Visit).where(Visit.status == "submitted")
    query = where_office(query, Visit.office_id, chosen.words, chosen.office_id, chosen.country)
    if chosen.checklist:
        slug = select(Checklist.id).where(Checklist.slug == chosen.checklist)
        query = query.where(Visit.checklist_id.in_(slug))
    if chosen.flag:
        query = query.where(flag_condition(chosen.flag))
    page = paginate(query, window, order=order, options=QUEUE_LOADS)
    return Listing(page, order), flags_for(page.items)


def flag_labels() -> dict[str, Any]:
    return {
        "capture_far_from_visit": _l("A photo was taken more than a day away from the visit"),
        "reused": _l("A photo is also used in another visit"),
        "missing_required_evidence": _l("Required evidence is missing"),
        "filled_fast": _l("Filled in implausibly fast"),
    }

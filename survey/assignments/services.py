"""Planning visits: who goes where, when; and who has not gone yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.models import FIELD_ROLES, User
from ..checklists.models import Checklist
from ..common.filters import Filters, where_office
from ..common.paging import Column, Listing, Sorting, paginate, read_list
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..offices.models import Office
from ..visits.models import Visit
from .models import Assignment

PLANNERS = ("auditor",)


def _last_office(volunteer: User) -> int | None:
    """The office of the volunteer's latest assignment or visit, whichever is newer."""
    assignment = db.session.execute(
        select(Assignment.office_id, Assignment.starts_on)
        .where(Assignment.volunteer_id == volunteer.id)
        .order_by(Assignment.starts_on.desc(), Assignment.id.desc())
        .limit(1)
    ).first()
    visit = db.session.execute(
        select(Visit.office_id, Visit.visited_on)
        .where(Visit.volunteer_id == volunteer.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(1)
    ).first()
    candidates = [row for row in (assignment, visit) if row is not None]
    if not candidates:
        return None
    return max(candidates, key=lambda row: row[1])[0]


def create_assignment(
    planner: User,
    *,
    volunteer_id: int | None,
    office_code: str | None,
    checklist_id: int | None,
    starts_on: date | None,
    ends_on: date | None,
) -> Assignment:
    """Plan a visit; the same volunteer is not sent to the same office twice in a row."""
    if planner.role not in PLANNERS:
        raise Forbidden(_l("Only auditors plan visits."))
    fields: dict[str, list[Any]] = {}
    volunteer = db.session.get(User, volunteer_id) if volunteer_id else None
    if volunteer is None or volunteer.role not in FIELD_ROLES or not volunteer.active:
        fields["volunteer"] = [_l("Choose a volunteer.")]
    office = (
        db.session.scalar(select(Office).where(Office.code == office_code)) if office_code else None
    )
    if office is None or not office.active:
        fields["office"] = [_l("Choose an office.")]
    checklist = db.session.get(Checklist, checklist_id) if checklist_id else None
    if checklist is None:
        fields["checklist"] = [_l("Choose a checklist.")]
    if starts_on is None:
        fields["starts_on"] = [_l("Give the first day of the window.")]
    if ends_on is None:
        fields["ends_on"] = [_l("Give the last day of the window.")]
    elif starts_on is not None and ends_on < starts_on:
        fields["ends_on"] = [_l("The last day cannot be before the first.")]
    if (
        volunteer is not None
        and office is not None
        and "volunteer" not in fields
        and _last_office(volunteer) == office.id
    ):
        fields["volunteer"] = [
            _l("This volunteer's last visit was to this office. Send someone else.")
        ]
    if fields:
        raise InvalidInput(_l("The visit was not planned."), fields)
    assignment = Assignment(
        volunteer=volunteer,
        office=office,
        checklist=checklist,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=planner,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def open_assignments_for(volunteer: User) -> list[Assignment]:
    """The volunteer's assignments not yet done, soonest first."""
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.volunteer_id == volunteer.id)
        .order_by(Assignment.ends_on, Assignment.id)
    )
    return [a for a in rows if not a.done]


ASSIGNMENT_STATES = ("pending", "overdue", "started", "done", "all")


@dataclass(frozen=True)
class AssignmentFilters:
    words: tuple[str, ...] = ()  # q: office name in any language, or code (folded)
    office_id: int | None = None
    volunteer_id: int | None = None  # volunteer: a pseudonym
    state: str = "all"  # pending (not sent yet), overdue, started (a draft), done, all


ASSIGNMENT_SORTING = Sorting(
    {
        "ends_on": Column((Assignment.ends_on,)),
        "starts_on": Column((Assignment.starts_on,)),
        "office": Column((Office.code,), join=(Office, Office.id == Assignment.office_id)),
        "volunteer": Column((User.display_name,), join=(User, User.id == Assignment.volunteer_id)),
    },
    default="-ends_on",
    tiebreaker=Assignment.id,
)


def read_assignment_filters(found: Filters) -> AssignmentFilters:
    pseudonym = found.raw("volunteer")
    volunteer_id = None
    if pseudonym is not None:
        volunteer_id = db.session.scalar(
            select(User.id).where(func.upper(User.pseudonym) == pseudonym.upper())
        )
        if volunteer_id is None:
            found.problem("volunteer", _l("No volunteer has this pseudonym."))
    return AssignmentFilters(
        words=tuple(found.search()),
        office_id=found.office(),
        volunteer_id=volunteer_id,
        state=found.one_of("status", ASSIGNMENT_STATES) or "all",
    )


def _state(state: str) -> Any:
    """An assignment's state as SQL: done once its visit is sent (a draft does not count)."""
    sent = Assignment.visit_id.in_(select(Visit.id).where(Visit.status != "draft"))
    started = Assignment.visit_id.in_(select(Visit.id).where(Visit.status == "draft"))
    if state == "done":
        return sent
    if state == "started":
        return started
    pending = or_(Assignment.visit_id.is_(None), started)
    if state == "overdue":
        return and_(pending, Assignment.ends_on < date.today())
    return pending


def find_assignments(planner: User, args: Mapping[str, str]) -> Listing:
    """One page of planned visits (`q`, `office`, `volunteer`, `status`, `sort`, `page`)."""
    if planner.role not in (*PLANNERS, "project_group"):
        raise Forbidden(_l("You do not have access to this."))
    chosen, order, window = read_list(args, read_assignment_filters, ASSIGNMENT_SORTING, api=False)
    query = select(Assignment)
    query = where_office(query, Assignment.office_id, chosen.words, chosen.office_id)
    if chosen.volunteer_id is not None:
        query = query.where(Assignment.volunteer_id == chosen.volunteer_id)
    if chosen.state != "all":
        query = query.where(_state(chosen.state))
    loads = (
        selectinload(Assignment.volunteer),
        selectinload(Assignment.office),
        selectinload(Assignment.visit),
    )
    return Listing(paginate(query, window, order=order, options=loads), order)


def get_own_assignment(volunteer: User, assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.volunteer_id != volunteer.id:
        raise NotFound(_l("No such assignment."))
    return assignment


def field_workers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(FIELD_ROLES), User.active).order_by(User.display_name)
        )
    )

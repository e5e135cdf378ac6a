"""The visit as a volunteer fills it page by page; every write goes through save_visit.

So the phone pages and the API share one rule set: the same checks, the same 422 messages,
the same idempotency and the same scoring at submission.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..domain.answers import check_answers
from ..domain.checklist import ChecklistSpec, Section
from ..domain.messages import Msg
from ..errors import Conflict, NotFound, ServiceError
from ..extensions import db
from .models import EDITABLE, Visit
from .services import get_visible_visit, save_visit, visited_at_local


def _payload(visit: Visit, answers: dict[str, Any], submit: bool) -> dict[str, Any]:
    return {
        "uuid": visit.uuid,
        "office": visit.office.code,
        "checklist": {"slug": visit.checklist.slug, "version": visit.checklist.version},
        "visited_at": visited_at_local(visit).isoformat(),
        "answers": answers,
        "submit": submit,
    }


def stored_answers(visit: Visit | BlankVisit) -> dict[str, dict[str, Any]]:
    return {a.item_code: {"value": a.value, "comment": a.comment} for a in visit.answers}


def start_visit(
    user: User,
    *,
    office: str | None,
    checklist: dict[str, Any] | None,
    visited_at: str | None,
    assignment: Any = None,
    uuid: str | None = None,
) -> Visit:
    """A new draft with no answers yet; the uuid is the phone's when it made one offline."""
    body = {
        "uuid": uuid or str(uuid_lib.uuid4()),
        "office": office,
        "checklist": checklist,
        "visited_at": visited_at,
        "answers": {},
        "submit": False,
    }
    visit, _created = save_visit(user, {k: v for k, v in body.items() if v is not None})
    if assignment is not None:
        assignment.visit = visit
        db.session.commit()
    return visit


class BlankVisit:
    """Stands in for a visit the phone starts without a connection: its pages are rendered once
    with placeholders, kept on the phone, and filled in there (see static/js/sw.js)."""

    UUID = "00000000-0000-4000-8000-000000000000"
    OFFICE = "@@office@@"

    def __init__(self, checklist: Any) -> None:
        self.uuid = self.UUID
        self.checklist = checklist
        self.status = "draft"
        self.review_note = None
        self.answers: list[Any] = []
        self.office = _BlankOffice()


class _BlankOffice:
    def name(self, _locale: str) -> str:
        return BlankVisit.OFFICE


def own_visit_or_none(user: User, uuid: str) -> Visit | None:
    try:
        return own_visit(user, uuid)
    except ServiceError:
        return None


def own_visit(user: User, uuid: str, *, editable: bool = False) -> Visit:
    visit = get_visible_visit(user, uuid)
    if visit.volunteer_id != user.id:
        raise NotFound(_l("No such visit."))
    if editable and visit.status not in EDITABLE:
        raise Conflict(_l("This visit was already submitted and can no longer be changed."))
    return visit


def save_section(user: User, visit: Visit, section: Section, answers: dict[str, Any]) -> Visit:
    """Replace this section's answers and keep the others as stored."""
    merged = {
        code: value
        for code, value in stored_answers(visit).items()
        if code not in {item.code for item in section.items}
    }
    merged.update(answers)
    saved, _created = save_visit(user, _payload(visit, merged, submit=False))
    return saved


def submit(user: User, visit: Visit) -> Visit:
    """Submit; a second press (or a resend) changes nothing and is not an error."""
    if visit.status not in EDITABLE:
        return visit
    saved, _created = save_visit(user, _payload(visit, stored_answers(visit), submit=True))
    return saved


def missing_required(spec: ChecklistSpec, visit: Visit | BlankVisit) -> dict[str, list[Msg]]:
    """Item code -> problems that stop submission, in checklist order (to translate)."""
    _answers, problems = check_answers(spec, stored_answers(visit), submit=True)
    order = [item.code for item in spec.iter_items()]
    return {code: problems[code] for code in order if code in problems}


def section_progress(
    spec: ChecklistSpec, visit: Visit | BlankVisit
) -> list[tuple[Section, int, int]]:
    """(section, answered, total) for the progress list."""
    answered = {a.item_code for a in visit.answers if a.value is not None}
    return [(s, sum(1 for i in s.items if i.code in answered), len(s.items)) for s in spec.sections]

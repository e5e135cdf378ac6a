"""Visits: create, update, submit, see, review — the rules views and API share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import notify
from ..audit import services as audit
from ..auth.models import FIELD_ROLES, User
from ..checklists.models import Checklist
from ..checklists.services import get_checklist, list_checklists
from ..common.filters import Filters, where_office
from ..common.paging import Column, Listing, Sorting, paginate, read_list
from ..common.time import to_utc_naive, utcnow, with_offset
from ..domain.answers import Answer as CheckedAnswer
from ..domain.answers import check_answers
from ..domain.messages import N_
from ..domain.periods import EARLIEST, LATEST
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..evidence.office import choose_office_evidence
from ..extensions import db
from ..findings.services import findings_from_visit
from ..offices.models import Office
from ..offices.services import get_office
from .models import EDITABLE, STATUSES, Answer, Visit, VisitEvent
from .rescore import apply_scores
from .schemas import ReviewInputSchema, VisitInputSchema

FUTURE_TOLERANCE = timedelta(days=1)
DECISIONS = {"approve": "approved", "return": "returned", "reject": "rejected"}


def parse_visited_at(raw: str, office: Office | None) -> datetime:
    """An aware datetime; a time without offset is read in the office's own time zone."""
    try:
        moment = datetime.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            str(_l("Give a date and time in ISO 8601, e.g. 2026-03-05T10:30+03:00."))
        ) from exc
    if not EARLIEST.year <= moment.year <= LATEST.year:  # nor overflow shifting 9999 to UTC
        raise ValueError(str(_l("Give a date between 2000 and 2100.")))
    if moment.tzinfo is None:
        zone = ZoneInfo(office.timezone) if office is not None else UTC
        moment = moment.replace(tzinfo=zone)
    if moment.astimezone(UTC) > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise ValueError(str(_l("The visit cannot be in the future.")))
    return moment


class _Parsed:
    """A request body that passed every check, ready to store."""

    def __init__(
        self,
        uuid: str,
        office: Office,
        checklist: Checklist,
        visited_at: datetime,
        answers: dict[str, CheckedAnswer],
        submit: bool,
    ) -> None:
        self.uuid, self.office, self.checklist = uuid, office, checklist
        self.visited_at, self.answers, self.submit = visited_at, answers, submit


def _parse(payload: Any) -> _Parsed:
    """Check everything and report every problem at once; nothing is written here."""
    if not isinstance(payload, dict):
        raise InvalidInput(_l("Send a JSON object."))
    try:
        data = VisitInputSchema().load(payload)
    except ValidationError as exc:
        data, fields = exc.valid_data or {}, dict(exc.messages)  # type: ignore[arg-type]
    else:
        fields = {}
    office = get_office(data["office"]) if "office" in data else None
    if "office" in data and (office is None or not office.active):
        fields["office"] = [_l("Unknown office.")]
    checklist = None
    ref = data.get("checklist") or {}
    if "slug" in ref and "version" in ref:  # a half-valid reference was reported above
        checklist = get_checklist(ref["slug"], ref["version"])
        if checklist is None:
            fields["checklist"] = [_l("Unknown checklist or version.")]
    visited_at = None
    if "visited_at" in data:
        try:
            visited_at = parse_visited_at(data["visited_at"], office)
        except ValueError as exc:
            fields["visited_at"] = [str(exc)]
    answers: dict[str, CheckedAnswer] = {}
    if checklist is not None:
        answers, problems = check_answers(
            checklist.spec, data.get("answers"), submit=bool(data.get("submit"))
        )
        if problems:
            fields["answers"] = problems
    if fields:
        raise InvalidInput(_l("Some fields need attention."), fields)
    assert office is not None and checklist is not None and visited_at is not None
    return _Parsed(data["uuid"], office, checklist, visited_at, answers, data["submit"])


def _same_content(visit: Visit, parsed: _Parsed) -> bool:
    """Compared as parsed values: the same office, checklist, instant and answers."""
    stored = {a.item_code: (a.value, a.comment) for a in visit.answers}
    sent = {code: (a.value, a.comment) for code, a in parsed.answers.items()}
    return (
        visit.office_id == parsed.office.id
        and visit.checklist_id == parsed.checklist.id
        and visit.visited_at == to_utc_naive(parsed.visited_at)
        and stored == sent
    )


def _write(visit: Visit, parsed: _Parsed) -> None:
    visit.office = parsed.office
    visit.checklist = parsed.checklist
    offset = parsed.visited_at.utcoffset() or timedelta(0)
    visit.visited_at = to_utc_naive(parsed.visited_at)
    visit.visited_offset = int(offset.total_seconds() // 60)
    visit.visited_on = parsed.visited_at.date()
    visit.answers = [
        Answer(item_code=code, value=a.value, comment=a.comment)
        for code, a in parsed.answers.items()
    ]
    visit.section_scores = []
    visit.score, visit.critical = None, False
    if parsed.submit:
        _submit(visit)


def _submit(visit: Visit) -> None:
    """Score at submission; the stored scores change only by an explicit command."""
    apply_scores(visit)
    log_event(visit, visit.volunteer, "submitted", "submitted")
    visit.status = "submitted"
    visit.submitted_at = utcnow()


def save_visit(user: User, payload: Any) -> tuple[Visit, bool]:
    """Create or update the caller's visit by its uuid; returns (visit, created)."""
    if user.role not in FIELD_ROLES:
        raise Forbidden(_l("Only volunteers and auditors record visits."))
    parsed = _parse(payload)
    visit = db.session.scalar(select(Visit).where(Visit.uuid == parsed.uuid))
    if visit is not None:
        return _update(user, visit, parsed), False
    visit = Visit(uuid=parsed.uuid, volunteer=user, status="draft")
    log_event(visit, user, "created", "draft")
    _write(visit, parsed)
    db.session.add(visit)
    try:
        db.session.commit()
    except IntegrityError:  # the same uuid arrived twice at once: treat as the repeat
        db.session.rollback()
        existing = db.session.scalar(select(Visit).where(Visit.uuid == parsed.uuid))
        if existing is None:
            raise
        return _update(user, existing, _parse(payload)), False
    return visit, True


def _update(user: User, visit: Visit, parsed: _Parsed) -> Visit:
    if visit.volunteer_id != user.id:
        raise NotFound(_l("No such visit."))
    if visit.status not in EDITABLE:
        if _same_content(visit, parsed):
            return visit
        raise Conflict(_l("This visit was already submitted and can no longer be changed."))
    _write(visit, parsed)
    db.session.commit()
    return visit


def visible_visits(user: User) -> Select[Visit]:
    """The visits a role may see (DESIGN §5); drafts stay with their author.

    An office head sees no single visit at all (issue 12): what the office learns comes through
    its findings and its quarterly figures (domain/disclosure.py).
    """
    query = select(Visit)
    if user.role == "volunteer":
        return query.where(Visit.volunteer_id == user.id)
    if user.role in ("auditor", "project_group"):
        return query.where((Visit.volunteer_id == user.id) | (Visit.status != "draft"))
    return query.where(Visit.id.is_(None))


def list_visits(
    user: User,
    *,
    office: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    mine: bool = False,
) -> list[Visit]:
    if user.role == "office_head":
        raise NotFound(_l("No such visit."))  # not even an empty list: there are none to see
    query = visible_visits(user)
    if mine:
        query = query.where(Visit.volunteer_id == user.id)
    if office:
        query = query.join(Office, Visit.office_id == Office.id).where(Office.code == office)
    if status:
        if status not in STATUSES:
            raise InvalidInput(
                _l("Some fields need attention."),
                {"status": [_l("Must be one of: %(s)s", s=", ".join(STATUSES))]},
            )
        query = query.where(Visit.status == status)
    query = query.order_by(Visit.visited_at.desc(), Visit.id.desc())
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class VisitFilters:
    """What a list of visits is narrowed to."""

    words: tuple[str, ...] = ()  # q: office name in any language, or code (folded)
    office_id: int | None = None
    country: str | None = None
    status: str | None = None
    checklist: str | None = None  # a slug
    period: tuple[date, date] | None = None  # the visit's own date in it


VISIT_SORTING = Sorting(
    {
        "visited": Column((Visit.visited_at,)),
        "office": Column((Office.code,), join=(Office, Office.id == Visit.office_id)),
        "status": Column((Visit.status,)),
        "submitted": Column((Visit.submitted_at,)),
    },
    default="-visited",
    tiebreaker=Visit.id,
)


def read_visit_filters(found: Filters) -> VisitFilters:
    """The visits filters of a request; problems are left in `found.fields`."""
    slugs = {c.slug for c in list_checklists()}
    return VisitFilters(
        words=tuple(found.search()),
        office_id=found.office(),
        country=found.country(),
        status=found.one_of("status", STATUSES),
        checklist=found.one_of("checklist", sorted(slugs)),
        period=found.period(),
    )


def filter_visits(query: Select[Any], chosen: VisitFilters) -> Select[Any]:
    query = where_office(query, Visit.office_id, chosen.words, chosen.office_id, chosen.country)
    if chosen.status:
        query = query.where(Visit.status == chosen.status)
    if chosen.checklist:
        slug = select(Checklist.id).where(Checklist.slug == chosen.checklist)
        query = query.where(Visit.checklist_id.in_(slug))
    if chosen.period:
        query = query.where(Visit.visited_on.between(*chosen.period))
    return query


VISIT_ROW_LOADS = (selectinload(Visit.office), selectinload(Visit.checklist))


def find_visits(user: User, args: Mapping[str, str], *, api: bool = False) -> Listing:
    """One page of the visits the user may see (DESIGN §5), filtered and sorted as `args` ask
    (`q`, `office`, `country`, `status`, `checklist`, `period`, `sort`; `page`, or `limit` and
    `offset` in the API). An office head is answered NotFound, as for a single visit."""
    if user.role == "office_head":
        raise NotFound(_l("No such visit."))  # not even an empty list: there are none to see
    scope = visible_visits(user)
    chosen, order, window = read_list(args, read_visit_filters, VISIT_SORTING, api=api)
    page = paginate(filter_visits(scope, chosen), window, order=order, options=VISIT_ROW_LOADS)
    return Listing(page, order)


def get_visible_visit(user: User, uuid: str) -> Visit:
    visit = db.session.scalar(visible_visits(user).where(Visit.uuid == uuid))
    if visit is None:
        raise NotFound(_l("No such visit."))
    return visit


def review_visit(user: User, uuid: str, payload: Any) -> Visit:
    """An auditor approves, returns or rejects someone else's submitted visit."""
    if user.role != "auditor":
        raise Forbidden(_l("Only auditors review visits."))
    try:
        data = ReviewInputSchema().load(payload if isinstance(payload, dict) else {})
    except ValidationError as exc:
        raise InvalidInput(_l("Some fields need attention."), exc.messages) from exc  # type: ignore[arg-type]
    decision = data["decision"]
    note = (data.get("note") or "").strip() or None
    fields: dict[str, list[Any]] = {}
    if decision not in DECISIONS:
        fields["decision"] = [_l("Must be one of: approve, return, reject.")]
    elif decision != "approve" and not note:
        fields["note"] = [_l("Say what must change, or why the visit is rejected.")]
    if fields:
        raise InvalidInput(_l("Some fields need attention."), fields)
    visit = get_visible_visit(user, uuid)
    if visit.volunteer_id == user.id:
        raise Forbidden(_l("You cannot review your own visit."))
    if visit.status != "submitted":
        raise Conflict(_l("Only a submitted visit can be reviewed."))
    if decision == "approve":  # checked before anything changes; refused as a whole
        choose_office_evidence(visit, data.get("office_evidence"))
    log_event(visit, user, decision, DECISIONS[decision], note)
    audit.record(f"visit.{decision}", user, visit=visit.uuid, note=note)
    visit.status = DECISIONS[decision]
    visit.reviewer_id, visit.reviewed_at, visit.review_note = user.id, utcnow(), note
    made = []
    if visit.status == "approved":
        due_days = current_app.config["FINDING_DUE_DAYS"]
        made = findings_from_visit(visit, due_days, actor=user)
    db.session.commit()
    _tell_about_decision(visit, len(made))
    return visit


def show_to_office(user: User, uuid: str, chosen: list[str]) -> Visit:
    """An auditor changes, after approval, which of the visit's evidence the office sees."""
    if user.role != "auditor":
        raise Forbidden(_l("Only auditors review visits."))
    visit = get_visible_visit(user, uuid)
    if visit.status != "approved":
        raise Conflict(_l("Only an approved visit's evidence is shown to the office."))
    choose_office_evidence(visit, chosen)
    audit.record("visit.office_evidence", user, visit=visit.uuid, shown=len(chosen))
    db.session.commit()
    return visit


def _tell_about_decision(visit: Visit, findings: int) -> None:
    if not notify.enabled():
        return
    if visit.status == "returned":
        notify.send(
            visit.volunteer,
            N_("Your visit was returned for correction"),
            "visit_returned",
            note=visit.review_note,
            link=notify.link("visits.section", uuid=visit.uuid, number=1),
        )
    if visit.status == "approved" and findings:
        heads = db.session.scalars(
            select(User).where(
                User.role == "office_head", User.office_id == visit.office_id, User.active
            )
        )
        for head in heads:
            notify.send(
                head,
                N_("New findings for your office"),
                "findings_published",
                count=findings,
                link=notify.link("findings.index"),
            )


def log_event(
    visit: Visit, actor: User | None, action: str, to_status: str, note: str | None = None
) -> None:
    """Append to the visit's history; rows are only ever added."""
    event = VisitEvent(
        actor_id=actor.id if actor and actor.id else None,
        action=action,
        from_status=visit.status if visit.id else None,
        to_status=to_status,
        note=note,
    )
    event.actor = actor
    visit.events.append(event)


def visited_at_local(visit: Visit) -> datetime:
    return with_offset(visit.visited_at, visit.visited_offset)

"""The review loop after approval: findings, the office's answers, the project group's check.

Status: open -> in_progress -> implemented -> verified; the head may go from open straight to
implemented; only an implemented finding can be verified, or reopened (back to open). Every
change is kept in finding_events, append-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from .. import notify
from ..audit import services as audit
from ..auth.models import User
from ..checklists.services import catalogue
from ..common.filters import Filters, where_office
from ..common.paging import Column, Listing, Sorting, paginate, read_list
from ..common.time import utcnow
from ..domain.findings import LIVE, Step, decide, result_of
from ..domain.messages import N_
from ..domain.periods import LATEST
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..offices.models import Office
from ..visits.models import Visit
from .models import FINDING_STATUSES, SEVERITIES, Finding, FindingEvent, FindingObservation

READERS = ("auditor", "project_group", "office_head")
HEAD_MOVES = {"open": ("in_progress", "implemented"), "in_progress": ("implemented",)}
TEXT_MAX = 5000


def severity_of(critical: bool, weight: float) -> str:
    if critical:
        return "critical"
    return "major" if weight >= 2 else "minor"


def record(
    finding: Finding,
    actor: User | None,
    action: str,
    text: str | None = None,
    to_status: str | None = None,
) -> FindingEvent:
    event = FindingEvent(
        finding=finding,
        actor_id=actor.id if actor else None,
        action=action,
        from_status=finding.status,
        to_status=to_status or finding.status,
        text=text,
    )
    db.session.add(event)
    if action != "created":
        audit.record(f"finding.{action}", actor, finding=finding.id, to=event.to_status)
    return event


def _findings_of(office_id: int, codes: list[str]) -> dict[str, list[Finding]]:
    """The office's findings on these items, oldest first, by item code (one query)."""
    rows = db.session.scalars(
        select(Finding)
        .where(
            Finding.office_id == office_id,
            Finding.item_code.in_(codes),
            Finding.merged_into_id.is_(None),
        )
        .order_by(Finding.id)
    )
    grouped: dict[str, list[Finding]] = {}
    for finding in rows:
        grouped.setdefault(finding.item_code, []).append(finding)
    return grouped


def _observe(finding: Finding, visit: Visit, result: str) -> None:
    db.session.add(
        FindingObservation(
            finding=finding,
            visit_id=visit.id,
            result=result,
            visited_on=visit.visited_on,
            observed_at=utcnow(),
        )
    )


def findings_from_visit(visit: Visit, due_days: int, actor: User | None = None) -> list[Finding]:
    """On approval: the visit's results join the office's findings (domain/findings.py).

    A failed or partly failed item opens a finding unless one is live, which gets an
    observation instead (and is reopened when it was implemented); a passed item adds a "pass"
    observation to a live finding. Returns the findings opened or reopened, for the office.
    """
    items = visit.checklist.spec.items
    scored = {a.item_code: result_of(a.score) for a in visit.answers if a.item_code in items}
    results = {code: r for code, r in scored.items() if r is not None}
    existing = _findings_of(visit.office_id, list(results))
    due = (utcnow() + timedelta(days=due_days)).date()
    news = []
    for code, result in sorted(results.items()):
        history = existing.get(code, [])
        live = next((f for f in reversed(history) if f.status in LIVE), None)
        verified = next((f for f in reversed(history) if f.status == "verified"), None)
        before_fix = bool(live and live.implemented_at and visit.visited_at < live.implemented_at)
        decision = decide(live.status if live else None, result, verified is not None, before_fix)
        if decision.step is Step.OPEN:
            item = items[code]
            finding = Finding(
                visit=visit,
                office_id=visit.office_id,
                item_code=code,
                severity=severity_of(item.critical, item.weight),
                status="open",
                recommendation=dict(item.recommendation or {}),
                due_date=due,
                recurrence_of_id=verified.id if decision.recurrence and verified else None,
            )
            db.session.add(finding)
            record(finding, actor, "created")
            _observe(finding, visit, result)
            news.append(finding)
        elif decision.step is Step.OBSERVE and live is not None:
            _observe(live, visit, result)
        elif decision.step is Step.REOPEN and live is not None:
            _observe(live, visit, result)
            event = record(live, actor, "reopened_by_visit", to_status="open")
            event.visit_id = visit.id
            live.status, live.implemented_at = "open", None
            news.append(live)
    return news


def visible_findings(user: User) -> Select[Finding]:
    if user.role not in READERS:
        raise Forbidden(_l("You do not have access to findings."))
    query = select(Finding).where(Finding.merged_into_id.is_(None))
    if user.role == "office_head":
        query = query.where(Finding.office_id == (user.office_id or -1))
    return query


def list_findings(
    user: User, *, office: str | None = None, status: str | None = None, overdue: bool = False
) -> list[Finding]:
    """Every finding the user may see, due first (no paging: for a short list of one office)."""
    query = visible_findings(user)
    if office:
        query = query.join(Office, Office.id == Finding.office_id).where(Office.code == office)
    if status:
        if status not in FINDING_STATUSES:
            raise InvalidInput(
                _l("Some fields need attention."),
                {"status": [_l("Must be one of: %(s)s", s=", ".join(FINDING_STATUSES))]},
            )
        query = query.where(Finding.status == status)
    if overdue:
        query = query.where(
            Finding.status.in_(("open", "in_progress")), Finding.due_date < date.today()
        )
    return list(db.session.scalars(query.order_by(Finding.due_date, Finding.id)))


@dataclass(frozen=True)
class FindingFilters:
    """What a list of findings is narrowed to (DESIGN §9 names in the query string)."""

    words: tuple[str, ...] = ()  # q: office name in any language, or code (folded)
    office_id: int | None = None  # office: a code
    country: str | None = None
    section: str | None = None
    item: str | None = None
    status: str | None = None
    severity: str | None = None
    overdue: bool = False
    period: tuple[date, date] | None = None  # opened (created) in it


def _status_rank() -> Any:
    """Statuses in the order a finding lives them, not alphabetically."""
    return case({s: n for n, s in enumerate(FINDING_STATUSES)}, value=Finding.status, else_=9)


FINDING_SORTING = Sorting(
    {
        "due_date": Column((Finding.due_date,)),
        "severity": Column((Finding.severity,)),  # critical, major, minor: alphabetical too
        "status": Column((_status_rank(),)),
        "item": Column((Finding.item_code,)),
        "office": Column((Office.code,), join=(Office, Office.id == Finding.office_id)),
        "opened": Column((Finding.created_at,)),
    },
    default="due_date",
    tiebreaker=Finding.id,
)
# An office head sorts only by what the allow-list shows them (domain/disclosure.FINDING).
HEAD_SORTING = Sorting(
    {k: FINDING_SORTING.columns[k] for k in ("due_date", "severity", "status", "item")},
    default="due_date",
    tiebreaker=Finding.id,
)


def sorting_for(user: User) -> Sorting:
    return HEAD_SORTING if user.role == "office_head" else FINDING_SORTING


def read_finding_filters(found: Filters) -> FindingFilters:
    """The findings filters of a request; problems are left in `found.fields`."""
    known = catalogue()
    section, item = found.raw("section"), found.raw("item")
    if section is not None and section not in known.section_items:
        found.problem("section", _l("No checklist has this section."))
        section = None
    if item is not None and item not in known.items:
        found.problem("item", _l("No checklist has this item."))
        item = None
    return FindingFilters(
        words=tuple(found.search()),
        office_id=found.office(),
        country=found.country(),
        section=section,
        item=item,
        status=found.one_of("status", FINDING_STATUSES),
        severity=found.one_of("severity", SEVERITIES),
        overdue=found.flag("overdue"),
        period=found.period(),
    )


def filter_findings(query: Select[Any], chosen: FindingFilters) -> Select[Any]:
    """The query narrowed to the chosen filters, each one a WHERE on the findings table."""
    query = where_office(query, Finding.office_id, chosen.words, chosen.office_id, chosen.country)
    if chosen.section:
        codes = sorted(catalogue().section_items[chosen.section])
        query = query.where(Finding.item_code.in_(codes))
    if chosen.item:
        query = query.where(Finding.item_code == chosen.item)
    if chosen.status:
        query = query.where(Finding.status == chosen.status)
    if chosen.severity:
        query = query.where(Finding.severity == chosen.severity)
    if chosen.overdue:
        query = query.where(
            Finding.status.in_(("open", "in_progress")), Finding.due_date < date.today()
        )
    if chosen.period:
        start, end = chosen.period
        query = query.where(
            Finding.created_at >= datetime.combine(start, time()),
            Finding.created_at < datetime.combine(end + timedelta(days=1), time()),
        )
    return query


# What each row shows: the list page (item text, office) or everything of the JSON shape.
ROW_LOADS = (
    selectinload(Finding.office),
    selectinload(Finding.visit).selectinload(Visit.checklist),
)
FULL_LOADS = (*ROW_LOADS, selectinload(Finding.events).selectinload(FindingEvent.actor))


def find_findings(user: User, args: Mapping[str, str], *, api: bool = False) -> Listing:
    """One page of the findings the user may see, filtered and sorted as `args` ask
    (`q`, `office`, `country`, `section`, `item`, `status`, `severity`, `overdue`, `period`,
    `sort`, and `page` on a page or `limit` / `offset` in the API).

    Raises Forbidden for a role without findings, InvalidInput for any value not understood.
    An office head's list stays their office's whatever the filters say.
    """
    scope = visible_findings(user)
    chosen, order, window = read_list(args, read_finding_filters, sorting_for(user), api=api)
    full = api or user.role == "office_head"  # both are built from findings_json
    page = paginate(
        filter_findings(scope, chosen),
        window,
        order=order,
        options=FULL_LOADS if full else ROW_LOADS,
    )
    return Listing(page, order)


def get_finding(user: User, finding_id: int) -> Finding:
    finding = db.session.scalar(visible_findings(user).where(Finding.id == finding_id))
    if finding is None:
        raise NotFound(_l("No such finding."))
    return finding


def _text(raw: Any, required: bool, field: str = "text") -> str | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if required and not text:
        raise InvalidInput(_l("Some fields need attention."), {field: [_l("Write a few words.")]})
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            _l("Some fields need attention."),
            {field: [_l("Use at most %(n)s characters.", n=TEXT_MAX)]},
        )
    return text or None


def reply_status(head: User, finding_id: int, chosen: str | None, *, proof: bool) -> str | None:
    """The status a reply from the page moves to: "auto" (the default) is in progress, or
    implemented when a photo of the fix comes with it; nothing for a fixed finding."""
    finding = get_finding(head, finding_id)
    if finding.status not in ("open", "in_progress"):
        return None
    if chosen in (None, "", "auto"):
        return "implemented" if proof else "in_progress"
    return chosen


def respond(head: User, finding_id: int, payload: Any) -> Finding:
    """The office head's answer: an action plan, progress, or the fix (with proof)."""
    if head.role != "office_head":
        raise Forbidden(_l("Only the head of the office answers its findings."))
    finding = get_finding(head, finding_id)
    body = payload if isinstance(payload, dict) else {}
    text = _text(body.get("text"), required=True)
    status = body.get("status")
    if status is not None and status not in ("in_progress", "implemented"):
        raise InvalidInput(
            _l("Some fields need attention."),
            {"status": [_l("Must be one of: in_progress, implemented.")]},
        )
    if status and status != finding.status and status not in HEAD_MOVES.get(finding.status, ()):
        raise Conflict(_l("This finding cannot move to that status now."))
    if status and status != finding.status:
        record(finding, head, "response", text, to_status=status)
        finding.status = status
        if status == "implemented":
            finding.implemented_at = utcnow()
    else:
        record(finding, head, "response", text)
    db.session.commit()
    if finding.status == "implemented" and status == "implemented":
        tell_auditor(finding)
    return finding


def tell_auditor(finding: Finding) -> None:
    """The auditor who approved the visit hears that proof has arrived."""
    reviewer = (
        db.session.get(User, finding.visit.reviewer_id) if finding.visit.reviewer_id else None
    )
    if reviewer is not None and notify.enabled():
        notify.send(
            reviewer,
            N_("An office has answered a finding"),
            "proof_arrived",
            link=notify.link("findings.detail", finding_id=finding.id),
        )


def dispute(head: User, finding_id: int, payload: Any) -> Finding:
    """The right of reply: the office disagrees, with reasons; the status does not change."""
    if head.role != "office_head":
        raise Forbidden(_l("Only the head of the office answers its findings."))
    finding = get_finding(head, finding_id)
    text = _text((payload or {}).get("text"), required=True)
    record(finding, head, "dispute", text)
    finding.disputed = True
    db.session.commit()
    return finding


VERIFY_DECISIONS = ("verified", "reopened", "recheck")


def passed_since_fix(finding: Finding) -> FindingObservation | None:
    """The observation of the latest approved visit *made* after the fix that passed the item
    (a visit made before the fix and approved after it says nothing about the fix)."""
    fixed = finding.implemented_at
    if fixed is None:
        return None
    passes = [o for o in finding.observations if o.result == "pass" and o.visit.visited_at >= fixed]
    return max(passes, key=lambda o: (o.visit.visited_at, o.id), default=None)


def verify(group: User, finding_id: int, payload: Any) -> Finding:
    """The project group confirms the fix, reopens the finding (the event is kept), or asks
    for a re-check: then it can be verified only once an approved visit has passed the item.

    Raises InvalidInput for an unknown decision or a reopening without a note, Conflict when
    the finding is not implemented, or a re-check was asked for and no visit has passed yet.
    """
    if group.role != "project_group":
        raise Forbidden(_l("Only the project group verifies findings."))
    finding = get_finding(group, finding_id)
    body = payload if isinstance(payload, dict) else {}
    decision = body.get("decision")
    if decision not in VERIFY_DECISIONS:
        raise InvalidInput(
            _l("Some fields need attention."),
            {"decision": [_l("Must be one of: verified, reopened, recheck.")]},
        )
    note = _text(body.get("note"), required=decision == "reopened", field="note")
    if finding.status != "implemented":
        raise Conflict(_l("Only an implemented finding can be verified or reopened."))
    if decision == "recheck":
        record(finding, group, "recheck_required", note)
        finding.recheck_required = True
        db.session.commit()
        return finding
    refusal = verify_refusal(finding, decision)
    if refusal is not None:
        raise Conflict(refusal)
    _decide(finding, group, decision, note)
    db.session.commit()
    return finding


def verify_refusal(finding: Finding, decision: str = "verified") -> Any:
    """Why the finding cannot take this decision now (a translatable message), or None."""
    if finding.status != "implemented":
        return _l("Only an implemented finding can be verified or reopened.")
    if decision == "verified" and finding.recheck_required and not passed_since_fix(finding):
        return _l("A visit approved after the fix must pass this item first.")
    return None


def _decide(finding: Finding, group: User, decision: str, note: str | None) -> None:
    """Verify or reopen an implemented finding (checked by the caller); the caller commits."""
    to_status = "verified" if decision == "verified" else "open"
    record(finding, group, decision, note, to_status=to_status)
    finding.status = to_status
    if decision == "reopened":
        finding.implemented_at = None
    else:
        finding.verified_at = utcnow()
    finding.recheck_required = False


BULK_ACTIONS = ("verify", "due_date", "note")
# Who may take each action on several findings at once (DESIGN §5: the project group
# verifies; auditors and the project group set due dates and add notes).
BULK_ROLES = {
    "verify": ("project_group",),
    "due_date": ("auditor", "project_group"),
    "note": ("auditor", "project_group"),
}
BULK_MAX = 200


@dataclass
class BulkResult:
    """What a bulk action did: the findings changed, and each one refused with its reason."""

    action: str
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, Any]] = field(default_factory=list)  # (id, translatable reason)
    due_date: date | None = None


def _bulk_ids(raw: Any, fields: dict[str, list[Any]]) -> list[int]:
    """Finding ids as sent (JSON numbers, or digits from a form), once each, in order."""
    values = raw if isinstance(raw, list) else []
    ids: list[int] = []
    for value in values:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            ids = []
            break
        if value not in ids:
            ids.append(value)
    if not ids or len(ids) > BULK_MAX:
        fields["ids"] = [_l("Choose from 1 to %(n)s findings.", n=BULK_MAX)]
    return ids


def _due_date(raw: Any, fields: dict[str, list[Any]]) -> date | None:
    try:
        chosen = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        chosen = None
    if chosen is None:
        fields["due_date"] = [_l("Give a date as YYYY-MM-DD.")]
    elif chosen < date.today():
        fields["due_date"] = [_l("The due date cannot be in the past.")]
    elif chosen > LATEST:
        fields["due_date"] = [_l("Give a date between 2000 and 2100.")]
    else:
        return chosen
    return None


def _bulk_refusal(finding: Finding, action: str) -> Any:
    """Why this finding cannot take the action (a translatable message), or None."""
    if action == "verify":
        return verify_refusal(finding, "verified")
    if action == "due_date" and finding.status == "verified":
        return _l("A verified finding has no due date to change.")
    return None


def _bulk_apply(finding: Finding, user: User, result: BulkResult, note: str | None) -> None:
    if result.action == "verify":
        _decide(finding, user, "verified", note)
    elif result.action == "due_date":
        assert result.due_date is not None
        if finding.due_date != result.due_date:
            change = f"{finding.due_date.isoformat()} → {result.due_date.isoformat()}"
            record(finding, user, "due_date", f"{change}\n{note}" if note else change)
            finding.due_date = result.due_date
    else:
        record(finding, user, "note", note)


def bulk_action(user: User, payload: Any) -> BulkResult:
    """Verify several findings, set their due date, or add a note to each (issue 13).

    payload: `{"ids": [...], "action": "verify" | "due_date" | "note", "due_date":
    "YYYY-MM-DD" (due_date), "note": text (required for a note, optional otherwise)}`.
    Each finding is taken on its own merits: those that can take the action are changed
    (each change in finding_events and the audit log), the others are refused with a reason
    each, and all the changes are committed together. Raises Forbidden for a role that may not
    take the action, InvalidInput for a request not understood (nothing is changed then).
    """
    if user.role not in ("auditor", "project_group"):
        raise Forbidden(_l("You do not have access to this."))
    body = payload if isinstance(payload, dict) else {}
    action = body.get("action")
    fields: dict[str, list[Any]] = {}
    if action not in BULK_ACTIONS:
        fields["action"] = [_l("Must be one of: %(s)s", s=", ".join(BULK_ACTIONS))]
    elif user.role not in BULK_ROLES[action]:
        raise Forbidden(_l("Only the project group verifies findings."))
    ids = _bulk_ids(body.get("ids"), fields)
    result = BulkResult(str(action))
    if action == "due_date":
        result.due_date = _due_date(body.get("due_date"), fields)
    note = None
    try:
        note = _text(body.get("note"), required=action == "note", field="note")
    except InvalidInput as exc:
        fields.update(exc.fields)
    if fields:
        raise InvalidInput(_l("Some fields need attention."), fields)
    query = visible_findings(user).where(Finding.id.in_(ids))
    found = {f.id: f for f in db.session.scalars(query.options(selectinload(Finding.observations)))}
    for finding_id in ids:
        finding = found.get(finding_id)
        reason = (
            _l("No such finding.") if finding is None else _bulk_refusal(finding, result.action)
        )
        if reason is not None or finding is None:
            result.refused.append((finding_id, reason))
            continue
        _bulk_apply(finding, user, result, note)
        result.done.append(finding_id)
    db.session.commit()
    return result


def edit_recommendation(auditor: User, finding_id: int, texts: dict[str, Any]) -> Finding:
    if auditor.role != "auditor":
        raise Forbidden(_l("Only auditors edit findings."))
    finding = get_finding(auditor, finding_id)
    given = texts if isinstance(texts, dict) else {}
    clean = {
        lang: text.strip() if isinstance(text := given.get(lang), str) else ""
        for lang in ("kk", "ru", "en")
    }
    missing = {
        lang: [_l("Write the recommendation in this language too.")]
        for lang, text in clean.items()
        if not text
    }
    if missing:
        raise InvalidInput(_l("Some fields need attention."), missing)
    record(finding, auditor, "edited", clean.get("en"))
    finding.recommendation = clean
    db.session.commit()
    return finding


def merge(auditor: User, finding_id: int, into_id: int) -> Finding:
    """Fold a duplicate into another finding of the same office and item."""
    if auditor.role != "auditor":
        raise Forbidden(_l("Only auditors edit findings."))
    duplicate = get_finding(auditor, finding_id)
    target = get_finding(auditor, into_id)
    if duplicate.id == target.id or (duplicate.office_id, duplicate.item_code) != (
        target.office_id,
        target.item_code,
    ):
        raise InvalidInput(
            _l("Some fields need attention."),
            {"into": [_l("Choose another finding of the same office and item.")]},
        )
    record(duplicate, auditor, "merged", f"#{target.id}")
    record(target, auditor, "merged_in", f"#{duplicate.id}")
    duplicate.merged_into_id = target.id
    db.session.commit()
    return target


def recommendation_text(finding: Finding, locale: str) -> str:
    rec = finding.recommendation or {}
    return rec.get(locale) or rec.get("en") or ""

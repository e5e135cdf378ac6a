"""The review loop after approval: findings, the office's answers, the project group's check.

Status: open -> in_progress -> implemented -> verified; the head may go from open straight to
implemented; only an implemented finding can be verified, or reopened (back to open). Every
change is kept in finding_events, append-only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from ..audit import services as audit
from ..auth.models import User
from ..common.time import utcnow
from ..domain.findings import LIVE, Step, decide, result_of
from ..domain.messages import N_
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..offices.models import Office
from .models import FINDING_STATUSES, Finding, FindingEvent, FindingObservation

if TYPE_CHECKING:
    from ..visits.models import Visit

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
    results = {a.item_code: result_of(a.score) for a in visit.answers if a.item_code in items}
    results = {code: r for code, r in results.items() if r is not None}
    existing = _findings_of(visit.office_id, list(results))
    due = (utcnow() + timedelta(days=due_days)).date()
    news = []
    for code, result in sorted(results.items()):
        history = existing.get(code, [])
        live = next((f for f in reversed(history) if f.status in LIVE), None)
        verified = next((f for f in reversed(history) if f.status == "verified"), None)
        decision = decide(live.status if live else None, result, verified is not None)
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


def visible_findings(user: User) -> Select[tuple[Finding]]:
    if user.role not in READERS:
        raise Forbidden(_l("You do not have access to findings."))
    query = select(Finding).where(Finding.merged_into_id.is_(None))
    if user.role == "office_head":
        query = query.where(Finding.office_id == (user.office_id or -1))
    return query


def list_findings(
    user: User, *, office: str | None = None, status: str | None = None, overdue: bool = False
) -> list[Finding]:
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
    from .. import notify

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
    """The latest observation of a visit approved after the fix that passed the item."""
    if finding.implemented_at is None:
        return None
    passes = [
        o
        for o in finding.observations
        if o.result == "pass" and o.observed_at >= finding.implemented_at
    ]
    return passes[-1] if passes else None


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
    if decision == "verified" and finding.recheck_required and not passed_since_fix(finding):
        raise Conflict(_l("A visit approved after the fix must pass this item first."))
    to_status = "verified" if decision == "verified" else "open"
    record(finding, group, decision, note, to_status=to_status)
    finding.status = to_status
    if decision == "reopened":
        finding.implemented_at = None
    else:
        finding.verified_at = utcnow()
    finding.recheck_required = False
    db.session.commit()
    return finding


def edit_recommendation(auditor: User, finding_id: int, texts: dict[str, Any]) -> Finding:
    if auditor.role != "auditor":
        raise Forbidden(_l("Only auditors edit findings."))
    finding = get_finding(auditor, finding_id)
    clean = {lang: (texts.get(lang) or "").strip() for lang in ("kk", "ru", "en")}
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

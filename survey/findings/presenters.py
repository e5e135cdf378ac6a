"""Findings in the JSON shape of DESIGN §7/§9; for an office head, the allow-list only.

The same dicts feed the API and the office head's pages, so both show exactly the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import User
from ..common.l10n import day_label
from ..common.time import iso
from ..domain import disclosure
from ..evidence.office import shown_for_findings
from ..evidence.presenters import evidence_json
from ..extensions import db
from ..visits.models import Visit
from .models import Finding, FindingEvent, FindingObservation
from .services import BulkResult, recommendation_text

REVIEWERS = ("auditor", "project_group")


def _event(event: FindingEvent) -> dict[str, Any]:
    return {
        "at": iso(event.at),
        "on": iso(event.at.date()),
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "text": event.text,
        "by": event.actor.role if event.actor else None,
    }


def _observations(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each finding's observations, oldest first, for a page of findings in one query (plain
    rows: a finding observed by a hundred visits makes a hundred, and no ORM object each)."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    # The visit's uuid by its primary key, row by row: a join would tempt PostgreSQL into
    # hashing the whole visits table for a few thousand rows.
    uuid = select(Visit.uuid).where(Visit.id == FindingObservation.visit_id).scalar_subquery()
    rows = db.session.execute(
        select(
            FindingObservation.finding_id,
            FindingObservation.visited_on,
            FindingObservation.result,
            uuid,
        )
        .where(FindingObservation.finding_id.in_(ids))
        .order_by(
            FindingObservation.finding_id, FindingObservation.visited_on, FindingObservation.id
        )
    )
    for finding_id, visited_on, result, visit in rows:
        out.setdefault(finding_id, []).append(
            {
                "month": f"{visited_on:%Y-%m}",
                "result": result,
                "visit": visit,
                "visited_on": iso(visited_on),
            }
        )
    return out


def finding_json(finding: Finding, viewer: User, locale: str) -> dict[str, Any]:
    return findings_json([finding], viewer, locale)[0]


def findings_json(findings: Iterable[Finding], viewer: User, locale: str) -> list[dict[str, Any]]:
    """Findings as the viewer may see them: everything for auditors and the project group;
    for an office head only the keys of domain/disclosure.FINDING (month observed, no visit,
    no day or time, only the evidence chosen for the office)."""
    rows = list(findings)
    head = viewer.role not in REVIEWERS
    evidence = shown_for_findings(rows)
    observed = _observations([f.id for f in rows])
    out = []
    for finding in rows:
        visit = finding.visit
        spec = visit.checklist.spec
        item = spec.items.get(finding.item_code)
        events = [_event(e) for e in finding.events]
        entry: dict[str, Any] = {
            "id": finding.id,
            "office": finding.office.code,
            "visit": visit.uuid,
            "item": finding.item_code,
            "item_text": (item.text.get(locale) or item.text.get("en")) if item else None,
            "section": item.section if item else None,
            "severity": finding.severity,
            "status": finding.status,
            "recommendation": recommendation_text(finding, locale),
            "recommendations": dict(finding.recommendation or {}),
            "due_date": iso(finding.due_date),
            "overdue": finding.status in ("open", "in_progress")
            and finding.due_date < date.today(),
            "disputed": finding.disputed,
            "observations": observed.get(finding.id, []),
            "recurrence_of": finding.recurrence_of_id,
            "recheck_required": finding.recheck_required,
            "responses": [e for e in events if e["action"] in ("response", "dispute")],
            "history": events,
            "evidence": [evidence_json(e, viewer) for e in evidence[finding.id]],
        }
        out.append(disclosure.restrict(entry, disclosure.FINDING) if head else entry)
    return out


def _numbers(ids: Iterable[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def bulk_json(result: BulkResult) -> dict[str, Any]:
    """A bulk action's outcome for the API: ids changed, and each refusal with its reason."""
    return {
        "action": result.action,
        "done": list(result.done),
        "refused": [{"id": i, "message": str(reason)} for i, reason in result.refused],
    }


def bulk_labels() -> dict[str, Any]:
    """What each bulk action is called on the page."""
    return {
        "verify": _l("Verify the fix"),
        "due_date": _l("Set a due date"),
        "note": _l("Add a note"),
    }


def bulk_messages(result: BulkResult) -> list[tuple[str, str]]:
    """A bulk action's outcome for the page: (message, category), the refusals grouped by
    reason, so a long selection still makes a few lines."""
    out: list[tuple[str, str]] = []
    if result.done:
        numbers = _numbers(result.done)
        if result.action == "verify":
            text = _("Verified: %(ids)s.", ids=numbers)
        elif result.action == "due_date":
            day = day_label(result.due_date) if result.due_date else ""
            text = _("Due date set to %(date)s: %(ids)s.", date=day, ids=numbers)
        else:
            text = _("Note added: %(ids)s.", ids=numbers)
        out.append((text, "success"))
    reasons: dict[str, list[int]] = {}
    for finding_id, reason in result.refused:
        reasons.setdefault(str(reason), []).append(finding_id)
    for reason, ids in reasons.items():
        out.append(
            (_("Not done for %(ids)s: %(reason)s", ids=_numbers(ids), reason=reason), "error")
        )
    return out

"""Turn stored rows into the JSON shapes of DESIGN §7, hiding what a role may not see."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for

from ..auth.models import User
from ..checklists.models import Checklist
from ..common.time import iso
from ..domain.media import capture_far_from_visit
from ..evidence.access import SEES_ORIGINALS
from ..evidence.models import Evidence
from ..evidence.services import evidence_of
from ..findings.models import Finding
from ..offices.models import Office
from ..visits.models import Visit
from ..visits.services import visited_at_local

SEES_VOLUNTEER = ("auditor", "project_group")
SCORED_STATUSES = ("submitted", "approved", "rejected")


def office_json(office: Office) -> dict[str, Any]:
    return {
        "code": office.code,
        "kind": office.kind,
        "country": office.country,
        "city": office.city,
        "name": {"kk": office.name_kk, "ru": office.name_ru, "en": office.name_en},
        "timezone": office.timezone,
        "active": office.active,
    }


def checklist_summary(checklist: Checklist) -> dict[str, Any]:
    return {
        "slug": checklist.slug,
        "version": checklist.version,
        "title": checklist.spec_data["title"],
        "sha256": checklist.source_sha256,
    }


def checklist_json(checklist: Checklist) -> dict[str, Any]:
    return {**checklist.spec_data, "sha256": checklist.source_sha256}


def _checklist_ref(visit: Visit) -> dict[str, Any]:
    return {"slug": visit.checklist.slug, "version": visit.checklist.version}


def visit_summary(visit: Visit) -> dict[str, Any]:
    return {
        "uuid": visit.uuid,
        "office": visit.office.code,
        "checklist": _checklist_ref(visit),
        "status": visit.status,
        "visited_at": iso(visited_at_local(visit)),
    }


def visit_json(visit: Visit, viewer: User) -> dict[str, Any]:
    """The whole visit; answer comments are hidden from office heads (they can identify)."""
    hide_comments = viewer.role == "office_head"
    scored = visit.status in SCORED_STATUSES
    body = visit_summary(visit)
    body["answers"] = {
        a.item_code: {"value": a.value, "comment": None if hide_comments else a.comment}
        for a in visit.answers
    }
    body["score"] = visit.score if scored else None
    body["sections"] = {s.section_code: s.score for s in visit.section_scores} if scored else None
    body["critical"] = bool(visit.critical) if scored else False
    body["evidence"] = [evidence_json(e, viewer) for e in evidence_of(visit)]
    if viewer.role in SEES_VOLUNTEER:
        body["volunteer"] = visit.volunteer.pseudonym or f"U-{visit.volunteer_id}"
    if visit.review_note and (viewer.role in SEES_VOLUNTEER or viewer.id == visit.volunteer_id):
        body["review"] = {"note": visit.review_note, "reviewed_at": iso(visit.reviewed_at)}
    return body


def evidence_json(evidence: Evidence, viewer: User) -> dict[str, Any]:
    """An evidence entry; "original" only for those allowed to see originals."""
    flags = list(evidence.flags or [])
    if capture_far_from_visit(evidence.captured_on, evidence.visit.visited_on):
        flags.insert(0, "capture_far_from_visit")
    files = {
        variant: url_for("evidence.file", uuid=evidence.uuid, variant=variant)
        for variant in ("display", "thumb")
    }
    if viewer.role in SEES_ORIGINALS:
        files["original"] = url_for("evidence.file", uuid=evidence.uuid, variant="original")
    return {
        "uuid": evidence.uuid,
        "kind": evidence.kind,
        "item": evidence.item_code,
        "sha256": evidence.sha256,
        "size": evidence.size,
        "content_type": evidence.content_type,
        "captured_at": evidence.captured_at,
        "flags": flags,
        "files": files,
    }


def finding_json(finding: Finding, viewer: User) -> dict[str, Any]:
    """A finding as DESIGN §7 shows it; no trace of who the volunteer was."""
    from ..evidence.services import proofs_of
    from ..findings.services import recommendation_text
    from ..templating import current_locale

    events = [
        {
            "at": iso(e.at),
            "action": e.action,
            "from": e.from_status,
            "to": e.to_status,
            "text": e.text,
            "by": e.actor.role if e.actor else None,
        }
        for e in finding.events
    ]
    return {
        "id": finding.id,
        "office": finding.office.code,
        "visit": finding.visit.uuid,
        "item": finding.item_code,
        "severity": finding.severity,
        "status": finding.status,
        "recommendation": recommendation_text(finding, current_locale()),
        "recommendations": dict(finding.recommendation or {}),
        "due_date": iso(finding.due_date),
        "overdue": finding.status in ("open", "in_progress") and finding.due_date < date.today(),
        "disputed": finding.disputed,
        "responses": [e for e in events if e["action"] in ("response", "dispute")],
        "history": events,
        "evidence": [evidence_json(e, viewer) for e in proofs_of(finding)],
    }

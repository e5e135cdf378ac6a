"""Turn stored rows into the JSON shapes of DESIGN §7, hiding what a role may not see.

Evidence and findings are shaped by their own packages (evidence/presenters.py,
findings/presenters.py), which the office head's pages share.
"""

from __future__ import annotations

from typing import Any

from ..auth.models import User
from ..checklists.models import Checklist
from ..common.l10n import current_locale
from ..common.time import iso
from ..evidence.presenters import evidence_json
from ..evidence.services import evidence_of
from ..findings.models import Finding
from ..findings.presenters import findings_json
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


def finding_json(finding: Finding, viewer: User) -> dict[str, Any]:
    """A finding as DESIGN §7/§9 shows it to this viewer (findings/presenters.py)."""
    return findings_json([finding], viewer, current_locale())[0]


def findings_list_json(findings: list[Finding], viewer: User) -> list[dict[str, Any]]:
    return findings_json(findings, viewer, current_locale())

"""The auditor's queue and the proof signals a reviewer weighs before deciding."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..auth.models import User
from ..domain.media import capture_far_from_visit
from ..errors import Forbidden
from ..evidence.services import evidence_by_item
from ..extensions import db
from ..offices.models import Office
from ..visits.models import Visit

FLAGS = ("capture_far_from_visit", "reused", "missing_required_evidence", "filled_fast")


def proof_flags(visit: Visit) -> list[str]:
    """What deserves a second look: old or reused photos, missing required proof, haste."""
    flags: list[str] = []
    grouped = evidence_by_item(visit)
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


def queue(
    user: User, *, office: str | None = None, checklist: str | None = None, flag: str | None = None
) -> list[tuple[Visit, list[str]]]:
    """Submitted visits, oldest first, each with its flags."""
    if user.role != "auditor":
        raise Forbidden("auditors only")
    query = select(Visit).where(Visit.status == "submitted")
    if office:
        query = query.join(Office, Office.id == Visit.office_id).where(Office.code == office)
    rows = db.session.scalars(query.order_by(Visit.submitted_at, Visit.id))
    result = []
    for visit in rows:
        if checklist and visit.checklist.slug != checklist:
            continue
        flags = proof_flags(visit)
        if flag and flag not in flags:
            continue
        result.append((visit, flags))
    return result


def flag_labels() -> dict[str, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        "capture_far_from_visit": _l("A photo was taken more than a day away from the visit"),
        "reused": _l("A photo is also used in another visit"),
        "missing_required_evidence": _l("Required evidence is missing"),
        "filled_fast": _l("Filled in implausibly fast"),
    }

"""Which evidence an office head is shown: chosen per evidence by the auditor at review.

One place for the rule, used by the file check, the finding pages and the API (issue 12):
an office sees the derivatives of evidence from approved visits to it that the auditor chose
to show (by default those attached to an item the visit failed or partly failed), and its own
proofs of fixes; never the original, never evidence of a visit it was not chosen from.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..errors import InvalidInput
from ..extensions import db
from ..findings.models import Finding, FindingObservation
from ..visits.models import Visit
from .models import Evidence


def failed_items(visit: Visit) -> set[str]:
    """Codes of the items this visit failed or partly failed (those that become findings)."""
    return {a.item_code for a in visit.answers if a.score is not None and a.score < 1}


def office_sees(evidence: Evidence, failed: set[str] | None = None) -> bool:
    """Whether the office head is (or, once the visit is approved, will be) shown it.

    The auditor's choice when made; else the default: shown when attached to an item the
    visit failed or partly failed, hidden otherwise (photos of the whole visit, passed items).
    """
    if evidence.finding_id is not None:
        return True  # the office's own proof of a fix
    if evidence.item_code is None:
        return False  # photos of the whole visit belong to no finding
    if evidence.office_visible is not None:
        return evidence.office_visible
    failed = failed_items(evidence.visit) if failed is None else failed
    return evidence.item_code in failed


def _volunteer_evidence(visit: Visit) -> list[Evidence]:
    query = select(Evidence).where(Evidence.visit_id == visit.id, Evidence.finding_id.is_(None))
    return list(db.session.scalars(query.order_by(Evidence.id)))


def choose_office_evidence(visit: Visit, chosen: list[str] | None) -> None:
    """Record which of the visit's evidence the office is shown; the caller commits.

    chosen: the uuids to show, or None to keep choices already made and apply the default to
    the rest. Raises InvalidInput (field "office_evidence") for a uuid not of this visit.
    """
    entries = _volunteer_evidence(visit)
    if chosen is not None and set(chosen) - {e.uuid for e in entries}:
        raise InvalidInput(
            _l("Some fields need attention."),
            {"office_evidence": [_l("This evidence is not part of the visit.")]},
        )
    failed = failed_items(visit)
    for evidence in entries:
        if evidence.item_code is None:  # on no finding: nowhere for the office to see it
            evidence.office_visible = False
        elif chosen is None:
            evidence.office_visible = office_sees(evidence, failed)
        else:
            evidence.office_visible = evidence.uuid in chosen


def office_evidence_ids(head: User) -> Select[int]:
    """Ids of every evidence entry the head may fetch (the allow-list for files)."""
    office = head.office_id or -1
    shown = (
        select(Evidence.id)
        .join(Visit, Visit.id == Evidence.visit_id)
        .where(
            Visit.office_id == office,
            Visit.status == "approved",
            Evidence.finding_id.is_(None),
            Evidence.item_code.is_not(None),
            Evidence.office_visible.is_(True),
        )
    )
    proofs = (
        select(Evidence.id)
        .join(Finding, Finding.id == Evidence.finding_id)
        .where(Finding.office_id == office)
    )
    return shown.union(proofs)  # type: ignore[return-value]


def shown_for_findings(findings: list[Finding]) -> dict[int, list[Evidence]]:
    """What the office sees on each finding (the chosen evidence of its item from the visits
    observed on it, then its proofs), for a page of findings in a few queries.

    Evidence is looked up by the observed visits (an index on evidence.visit_id) rather than
    through a join the planner may start from the visits table.
    """
    shown: dict[int, list[Evidence]] = {f.id: [] for f in findings}
    if not findings:
        return shown
    ids = list(shown)
    code = {f.id: f.item_code for f in findings}
    observed = select(FindingObservation.finding_id, FindingObservation.visit_id).where(
        FindingObservation.finding_id.in_(ids)
    )
    on_visit: dict[tuple[int, str], list[int]] = {}
    for finding_id, visit_id in db.session.execute(observed):
        on_visit.setdefault((visit_id, code[finding_id]), []).append(finding_id)
    candidates = (
        select(Evidence)
        .where(
            Evidence.visit_id.in_(
                select(FindingObservation.visit_id).where(FindingObservation.finding_id.in_(ids))
            ),
            Evidence.finding_id.is_(None),
            Evidence.item_code.in_(sorted(set(code.values()))),
            Evidence.office_visible.is_(True),
        )
        .options(selectinload(Evidence.visit))
        .order_by(Evidence.id)
    )
    for evidence in db.session.scalars(candidates):
        if evidence.visit.status != "approved":
            continue
        for finding_id in on_visit.get((evidence.visit_id, evidence.item_code or ""), []):
            shown[finding_id].append(evidence)
    proofs = (
        select(Evidence)
        .where(Evidence.finding_id.in_(ids))
        .options(selectinload(Evidence.visit))
        .order_by(Evidence.id)
    )
    for evidence in db.session.scalars(proofs):
        shown[evidence.finding_id].append(evidence)  # type: ignore[index]
    return shown

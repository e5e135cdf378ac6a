"""Findings in the JSON shape of DESIGN §7/§9; for an office head, the allow-list only.

The same dicts feed the API and the office head's pages, so both show exactly the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ..auth.models import User
from ..common.time import iso
from ..domain import disclosure
from ..evidence.office import shown_for_finding
from ..evidence.presenters import evidence_json
from .models import Finding, FindingEvent
from .services import recommendation_text

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


def finding_json(finding: Finding, viewer: User, locale: str) -> dict[str, Any]:
    return findings_json([finding], viewer, locale)[0]


def findings_json(findings: Iterable[Finding], viewer: User, locale: str) -> list[dict[str, Any]]:
    """Findings as the viewer may see them: everything for auditors and the project group;
    for an office head only the keys of domain/disclosure.FINDING (month observed, no visit,
    no day or time, only the evidence chosen for the office)."""
    rows = list(findings)
    head = viewer.role not in REVIEWERS
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
            "observations": [
                {
                    "month": f"{o.visited_on:%Y-%m}",
                    "result": o.result,
                    "visit": o.visit.uuid,
                    "visited_on": iso(o.visited_on),
                }
                for o in finding.observations
            ],
            "recurrence_of": finding.recurrence_of_id,
            "recheck_required": finding.recheck_required,
            "responses": [e for e in events if e["action"] in ("response", "dispute")],
            "history": events,
            "evidence": [evidence_json(e, viewer) for e in shown_for_finding(finding)],
        }
        out.append(disclosure.restrict(entry, disclosure.FINDING) if head else entry)
    return out

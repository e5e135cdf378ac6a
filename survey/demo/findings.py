"""Demo findings: the demo's approved visits replayed, in the order they were approved, through
the same rules as the app (domain/findings.py), with a believable life for each finding.

One finding per office and item while it is live; later visits add observations; a fix that
a later visit finds broken is reopened; a verified one that fails again starts a recurrence.
Written with bulk inserts, so 100,000 visits make one finding per office × failed item.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from ..domain.findings import Step, decide
from ..extensions import db
from ..findings.models import Finding, FindingEvent, FindingObservation
from ..findings.services import severity_of


@dataclass(frozen=True)
class Approval:
    """What the replay needs of one approved visit."""

    visit_id: int
    office_id: int
    visited_on: date
    approved_at: datetime
    results: dict[str, str]  # item code -> fail | partial | pass


@dataclass
class _Life:
    """A demo finding and the status changes planned for it (time, status), in order."""

    row: dict[str, Any]
    plan: list[tuple[datetime, str]] = field(default_factory=list)

    def status_at(self, moment: datetime) -> str:
        status = "open"
        for at, to in self.plan:
            if at <= moment:
                status = to
        return status

    def fixed_at(self, moment: datetime) -> datetime | None:
        """When the fix standing at `moment` was made (its latest move to implemented)."""
        fixes = [at for at, to in self.plan if at <= moment and to == "implemented"]
        return max(fixes, default=None)


def _plan(opened: datetime, now: datetime, rng: random.Random) -> list[tuple[datetime, str]]:
    """What the office and the project group do with a finding opened at `opened`."""
    age = (now - opened).days
    if age < 20:
        return []
    roll = rng.random()
    started = opened + timedelta(days=rng.randint(1, 10))
    if roll < 0.2:
        return [(started, "in_progress")]
    if roll < 0.35:
        return []
    fixed = opened + timedelta(days=rng.randint(3, min(40, age)))
    plan = [(min(started, fixed), "in_progress"), (fixed, "implemented")]
    if roll < 0.6 and (now - fixed).days > 10:
        plan.append((fixed + timedelta(days=rng.randint(2, 10)), "verified"))
    return plan


class _Book:
    """Every demo finding, and the live one of each office and item."""

    def __init__(self, items: dict[str, Any], due_days: int, rng: random.Random) -> None:
        self.items, self.due_days, self.rng = items, due_days, rng
        self.next_id = (db.session.scalar(select(func.max(Finding.id))) or 0) + 1
        self.lives: list[_Life] = []
        self.current: dict[tuple[int, str], _Life] = {}
        self.observations: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.now = datetime.now()

    def see(self, visit: Approval, code: str, result: str, auditor: int) -> None:
        key = (visit.office_id, code)
        life = self.current.get(key)
        at = visit.approved_at
        status = life.status_at(at) if life else None
        verified = status == "verified"
        fixed = life.fixed_at(at) if life and status == "implemented" else None
        before_fix = fixed is not None and visit.visited_on < fixed.date()
        live = None if verified or life is None else status
        decision = decide(live, result, verified, before_fix)
        if decision.step is Step.OPEN:
            life = self._open(visit, code, at, auditor, life if verified else None)
            self.current[key] = life
        elif decision.step is Step.REOPEN and life is not None:
            life.plan = [(t, s) for t, s in life.plan if t <= at] + [(at, "open")]
            life.plan += _plan(at, self.now, self.rng)
            event = self._event(life, at, "reopened_by_visit", "open", auditor)
            event.update(from_status="implemented", visit_id=visit.visit_id)
            self.events.append(event)
        if decision.step is not Step.NOTHING and life is not None:
            self.observations.append(
                {
                    "finding_id": life.row["id"],
                    "visit_id": visit.visit_id,
                    "result": result,
                    "visited_on": visit.visited_on,
                    "observed_at": at,
                }
            )

    def _open(
        self, visit: Approval, code: str, at: datetime, auditor: int, before: _Life | None
    ) -> _Life:
        item = self.items[code]
        row = {
            "id": self.next_id,
            "visit_id": visit.visit_id,
            "office_id": visit.office_id,
            "item_code": code,
            "severity": severity_of(item.critical, item.weight),
            "recommendation": dict(item.recommendation or {}),
            "due_date": at.date() + timedelta(days=self.due_days),
            "disputed": False,
            "recurrence_of_id": before.row["id"] if before else None,
            "recheck_required": False,
            "created_at": at,
        }
        self.next_id += 1
        life = _Life(row, _plan(at, self.now, self.rng))
        self.lives.append(life)
        self.events.append(self._event(life, at, "created", "open", auditor))
        return life

    @staticmethod
    def _event(
        life: _Life, at: datetime, action: str, to: str, actor: int | None
    ) -> dict[str, Any]:
        return {
            "finding_id": life.row["id"],
            "at": at,
            "actor_id": actor,
            "action": action,
            "from_status": None,
            "to_status": to,
            "text": None,
            "visit_id": None,
        }

    def rows(self, head: int | None, group: int | None) -> list[dict[str, Any]]:
        """The findings as they stand now, with an event for every planned change so far."""
        made = []
        actions = {"in_progress": "response", "implemented": "response", "verified": "verified"}
        for life in self.lives:
            done = [(at, to) for at, to in life.plan if at <= self.now]
            status = life.status_at(self.now)
            fixed = [at for at, to in done if to == "implemented"]
            verified = [at for at, to in done if to == "verified"]
            before = "open"
            for at, to in done:
                if to in actions:
                    actor = group if to == "verified" else head
                    event = self._event(life, at, actions[to], to, actor)
                    event["from_status"] = before
                    self.events.append(event)
                before = to
            made.append(
                {
                    **life.row,
                    "status": status,
                    "implemented_at": fixed[-1] if status in ("implemented", "verified") else None,
                    "verified_at": verified[-1] if status == "verified" else None,
                    "updated_at": done[-1][0] if done else life.row["created_at"],
                }
            )
        return made


def _event_order(event: dict[str, Any]) -> tuple[datetime, int, bool]:
    """Events by time, then finding; a reopening after a change of the same instant (a fix
    and the visit that finds it broken can share their minute), as the status says."""
    return event["at"], event["finding_id"], event["action"] == "reopened_by_visit"


def replay(
    approvals: list[Approval],
    items: dict[str, Any],
    due_days: int,
    rng: random.Random,
    people: dict[str, int | None],
) -> int:
    """Write the findings, observations and events of these approved visits; how many findings.

    people: the ids of the demo's auditor, office head and project group member, as actors.
    """
    book = _Book(items, due_days, rng)
    for visit in sorted(approvals, key=lambda a: (a.approved_at, a.visit_id)):
        for code, result in sorted(visit.results.items()):
            book.see(visit, code, result, people["auditor"] or 0)
    findings = book.rows(people.get("office_head"), people.get("project_group"))
    for table, rows in (
        (Finding.__table__, findings),
        (FindingObservation.__table__, book.observations),
        (FindingEvent.__table__, sorted(book.events, key=_event_order)),
    ):
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(table), rows[start : start + 1000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('findings', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM findings))"
            )
        )
    return len(findings)

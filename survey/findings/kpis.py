"""The programme's headline figures: how many recommendations offices implemented."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, func, select

from ..extensions import db
from ..offices.models import Office
from .models import Finding


@dataclass
class Kpi:
    office: str | None
    name: str
    total: int
    implemented: int
    verified: int
    overdue: int
    median_days: float | None

    @property
    def implemented_share(self) -> float | None:
        """Implemented or verified, out of all findings."""
        return (self.implemented + self.verified) / self.total if self.total else None

    @property
    def verified_share(self) -> float | None:
        return self.verified / self.total if self.total else None


def _count(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0).cast(Integer)


def programme_kpis(locale: str, office_id: int | None = None) -> tuple[list[Kpi], Kpi]:
    """Per office and overall; counts in SQL, the median from the fixed findings only."""
    today = date.today()
    live = Finding.merged_into_id.is_(None)
    if office_id is not None:
        live = live & (Finding.office_id == office_id)
    rows = db.session.execute(
        select(
            Finding.office_id,
            func.count(Finding.id),
            _count(Finding.status == "implemented"),
            _count(Finding.status == "verified"),
            _count(Finding.status.in_(("open", "in_progress")) & (Finding.due_date < today)),
        )
        .where(live)
        .group_by(Finding.office_id)
    ).all()
    durations: dict[int, list[float]] = {}
    for office_id, created, fixed in db.session.execute(
        select(Finding.office_id, Finding.created_at, Finding.implemented_at).where(
            live, Finding.implemented_at.is_not(None)
        )
    ):
        durations.setdefault(office_id, []).append((fixed - created).total_seconds() / 86400)
    offices = {o.id: o for o in db.session.scalars(select(Office))}
    per_office = [
        Kpi(
            offices[oid].code,
            offices[oid].name(locale),
            int(t),
            int(i),
            int(v),
            int(o),
            statistics.median(durations[oid]) if durations.get(oid) else None,
        )
        for oid, t, i, v, o in rows
    ]
    per_office.sort(key=lambda k: (-(k.implemented_share or 0), k.office or ""))
    every = [d for values in durations.values() for d in values]
    overall = Kpi(
        None,
        "",
        sum(k.total for k in per_office),
        sum(k.implemented for k in per_office),
        sum(k.verified for k in per_office),
        sum(k.overdue for k in per_office),
        statistics.median(every) if every else None,
    )
    return per_office, overall

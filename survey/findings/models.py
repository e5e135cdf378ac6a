"""Findings: one recommendation per office and requirement (item code), for the office to fix.

The first approved visit that fails or partly fails an item opens it; every later approved
visit that answers the item adds an observation (domain/findings.py, issue 13).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..common.time import utcnow
from ..extensions import Model
from ..offices.models import Office
from ..visits.models import Visit

FINDING_STATUSES = ("open", "in_progress", "implemented", "verified")
SEVERITIES = ("critical", "major", "minor")
# The findings still to fix, by due date: overdue counts and lists (findings/kpis.py). Queries
# must repeat this predicate with literal values for SQLite to use the index.
UNRESOLVED_PREDICATE = "status IN ('open', 'in_progress') AND merged_into_id IS NULL"


class Finding(Model):
    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_office_status", "office_id", "status"),
        Index("ix_findings_office_item", "office_id", "item_code"),
        Index("ix_findings_created_at", "created_at"),
        Index(  # covering, so counting them never reads the table
            "ix_findings_unresolved_due",
            "office_id",
            "due_date",
            "created_at",
            "status",
            "merged_into_id",
            sqlite_where=text(UNRESOLVED_PREDICATE),
            postgresql_where=text(UNRESOLVED_PREDICATE),
        ),
        # The lists' default order (due first) over the findings that count: a page far down
        # the list costs about what the first does (docs/performance.md, "Lists").
        Index(
            "ix_findings_live_due",
            "due_date",
            "id",
            sqlite_where=text("merged_into_id IS NULL"),
            postgresql_where=text("merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), nullable=False, index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(String(100), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    recommendation: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    disputed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), nullable=True)
    # An earlier finding on the same office and item, verified, that this one repeats.
    recurrence_of_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), nullable=True)
    # The project group wants a visit that passes the item before it verifies the fix.
    recheck_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    implemented_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    visit: Mapped[Visit] = relationship(Visit)  # the approved visit that opened it
    office: Mapped[Office] = relationship(Office)
    events: Mapped[list[FindingEvent]] = relationship(
        back_populates="finding", order_by="FindingEvent.id"
    )
    observations: Mapped[list[FindingObservation]] = relationship(
        back_populates="finding",
        # by the day of the visit, not of its approval: a late approval goes in its place
        order_by=lambda: (FindingObservation.visited_on, FindingObservation.id),
    )


class FindingObservation(Model):
    """One approved visit's result on the finding's item: fail, partial or pass."""

    __tablename__ = "finding_observations"
    __table_args__ = (UniqueConstraint("finding_id", "visit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), nullable=False, index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), nullable=False, index=True)
    result: Mapped[str] = mapped_column(String(8), nullable=False)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    observed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="observations")
    visit: Mapped[Visit] = relationship(Visit)


class FindingEvent(Model):
    """Append-only history of a finding: responses, disputes, status changes, verification."""

    __tablename__ = "finding_events"
    __table_args__ = (
        # A finding's status at an instant: its latest event before it, by at then id
        # (findings/kpis.py), read from the index alone. id is written out: PostgreSQL does not
        # add the key to an index by itself, and the order must be (at, id) before to_status.
        Index("ix_finding_events_finding_at", "finding_id", "at", "id", "to_status"),
        # Status changes after a period's end, reopenings during a period.
        Index("ix_finding_events_at", "at"),
        Index("ix_finding_events_action_at", "action", "at", "to_status", "finding_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The approved visit behind an event it caused (a reopening); never shown to the office.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), nullable=True)

    finding: Mapped[Finding] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(User)

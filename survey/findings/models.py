"""Findings: every failed or partial item of an approved visit, for the office to fix."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..common.time import utcnow
from ..extensions import db
from ..offices.models import Office
from ..visits.models import Visit

FINDING_STATUSES = ("open", "in_progress", "implemented", "verified")
SEVERITIES = ("critical", "major", "minor")


class Finding(db.Model):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_office_status", "office_id", "status"),)

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
    implemented_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    visit: Mapped[Visit] = relationship(Visit)
    office: Mapped[Office] = relationship(Office)
    events: Mapped[list[FindingEvent]] = relationship(
        back_populates="finding", order_by="FindingEvent.id"
    )


class FindingEvent(db.Model):
    """Append-only history of a finding: responses, disputes, status changes, verification."""

    __tablename__ = "finding_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)

    finding: Mapped[Finding] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(User)

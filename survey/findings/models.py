"""Findings: every failed item of an approved visit, for the office to fix."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    recommendation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    visit: Mapped[Visit] = relationship(Visit)
    office: Mapped[Office] = relationship(Office)

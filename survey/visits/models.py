"""Visits and their answers, with the scores stored at submission."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..checklists.models import Checklist
from ..common.time import utcnow
from ..extensions import Model
from ..offices.models import Office

STATUSES = ("draft", "submitted", "approved", "returned", "rejected")
EDITABLE = ("draft", "returned")


class Visit(Model):
    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_office_status_day", "office_id", "status", "visited_on"),
        Index("ix_visits_status_day", "status", "visited_on"),
        # Lists: newest first, of every visit or of one status; with what the visibility rule
        # reads (status, volunteer), so a page far down is found from the index alone.
        Index("ix_visits_visited_at", "visited_at", "id", "status", "volunteer_id"),
        Index("ix_visits_status_visited_at", "status", "visited_at", "id", "volunteer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), nullable=False)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"), nullable=False)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    visited_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    visited_offset: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    critical: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    office: Mapped[Office] = relationship(Office)
    checklist: Mapped[Checklist] = relationship(Checklist)
    volunteer: Mapped[User] = relationship(User, foreign_keys=[volunteer_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Answer.item_code"
    )
    section_scores: Mapped[list[VisitSection]] = relationship(
        back_populates="visit", cascade="all, delete-orphan"
    )
    events: Mapped[list[VisitEvent]] = relationship(
        back_populates="visit", cascade="save-update", order_by="VisitEvent.id"
    )


class Answer(Model):
    """One item's answer; score and scorable are filled at submission for SQL aggregates."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_item_code", "item_code"),)

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    scorable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    visit: Mapped[Visit] = relationship(back_populates="answers")


class VisitSection(Model):
    """A section's score in one visit, kept so office figures are one GROUP BY."""

    __tablename__ = "visit_sections"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True
    )
    section_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)

    visit: Mapped[Visit] = relationship(back_populates="section_scores")


class VisitEvent(Model):
    """Append-only history: every change of a visit's status, with who, when and why."""

    __tablename__ = "visit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    actor: Mapped[User | None] = relationship(User)
    visit: Mapped[Visit] = relationship(back_populates="events")

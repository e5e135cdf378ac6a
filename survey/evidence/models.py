"""Evidence: a photo or video attached to a visit (or one of its items)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import Model
from ..visits.models import Visit


class Evidence(Model):
    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_sha256", "sha256"),
        Index("ix_evidence_visit_id", "visit_id"),
        Index("ix_evidence_finding_id", "finding_id"),  # an office's proofs, by finding
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), nullable=False)
    # Proof of a fix, sent by the office head; null for the volunteer's own evidence.
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), nullable=True)
    item_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    original_key: Mapped[str] = mapped_column(String(200), nullable=False)
    display_key: Mapped[str] = mapped_column(String(200), nullable=False)
    display_type: Mapped[str] = mapped_column(String(64), nullable=False)
    thumb_key: Mapped[str] = mapped_column(String(200), nullable=False)
    captured_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    captured_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    phash: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    flags: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    # Whether the office head is shown this (derivatives only): the auditor's choice, made
    # at review; null until then, when the default applies (shown if its item failed).
    office_visible: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    visit: Mapped[Visit] = relationship(Visit)


class Upload(Model):
    """A resumable (tus) upload in progress; its bytes sit in the scratch folder."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    length: Mapped[int] = mapped_column(BigInteger, nullable=False)
    offset: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    @property
    def complete(self) -> bool:
        return self.offset >= self.length

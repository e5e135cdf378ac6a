"""Loaded checklist versions: immutable once loaded."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..common.time import utcnow
from ..domain.checklist import ChecklistSpec, spec_from_data
from ..extensions import Model


class Checklist(Model):
    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_checklists_slug_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    spec_data: Mapped[dict[str, Any]] = mapped_column("spec", JSON, nullable=False)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    @cached_property
    def spec(self) -> ChecklistSpec:
        return spec_from_data(self.spec_data)

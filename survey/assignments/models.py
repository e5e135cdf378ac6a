"""Planned visits: an auditor sends a volunteer to an office within a date window."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..checklists.models import Checklist
from ..common.time import utcnow
from ..extensions import Model
from ..offices.models import Office
from ..visits.models import Visit


class Assignment(Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), nullable=False)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    volunteer: Mapped[User] = relationship(User, foreign_keys=[volunteer_id])
    created_by: Mapped[User] = relationship(User, foreign_keys=[created_by_id])
    office: Mapped[Office] = relationship(Office)
    checklist: Mapped[Checklist] = relationship(Checklist)
    visit: Mapped[Visit | None] = relationship(Visit)

    @property
    def done(self) -> bool:
        """Gone and sent: a draft does not count yet."""
        return self.visit is not None and self.visit.status != "draft"

    def overdue(self, today: date) -> bool:
        return not self.done and self.ends_on < today

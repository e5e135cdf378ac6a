"""People, their API tokens, invitations and password reset links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..domain.search import search_text as folded
from ..extensions import Model
from ..offices.models import Office

ROLES = ("volunteer", "auditor", "office_head", "project_group", "admin")
FIELD_ROLES = ("volunteer", "auditor")


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), nullable=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    pseudonym: Mapped[str | None] = mapped_column(String(16), unique=True, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Raised at sign-out: every session cookie issued before it stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # Name, e-mail and pseudonym folded (domain/search.py), for the admin's list of people.
    search_text: Mapped[str] = mapped_column(
        String(500), nullable=False, default="", server_default=""
    )

    office: Mapped[Office | None] = relationship(Office)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _fold_for_search(_mapper: Any, _connection: Any, user: User) -> None:
    user.search_text = folded(user.display_name, user.email, user.pseudonym)


class ApiToken(Model):
    """Only the SHA-256 of a token is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    user: Mapped[User] = relationship(User)


class OneTimeLink:
    """What invitations and password resets share: a link that works once, until it expires."""

    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked: Mapped[bool]

    def state(self, now: datetime) -> str:
        """used, revoked, expired, or pending: the only state in which the link works."""
        if self.used_at is not None:
            return "used"
        if self.revoked:
            return "revoked"
        return "expired" if self.expires_at <= now else "pending"


class Invitation(OneTimeLink, Model):
    """An account offered by an admin: the link works once, until it expires.

    Only the SHA-256 of the link's token is kept, so a copy of the database opens no account.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), nullable=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    office: Mapped[Office | None] = relationship(Office)


class PasswordReset(OneTimeLink, Model):
    """A one-time link to choose a new password, e-mailed on request or made by an admin.

    Only the SHA-256 of the link's token is kept. A newer link, a used one, a password set by
    any other way, or the end of `expires_at` makes it useless.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    # The admin who made the link; empty when the person asked for it themself.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    user: Mapped[User] = relationship(User, foreign_keys=[user_id])

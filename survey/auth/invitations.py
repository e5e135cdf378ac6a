"""Invitations: an admin offers an account, the person sets a password through a one-time link."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update

from ..audit import services as audit
from ..common.time import utcnow
from ..config import LOCALES
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..offices.models import Office
from .models import ROLES, Invitation, User
from .passwords import password_problems
from .services import create_user, email_problems, normalise_email, token_hash


def create_invitation(
    admin: User,
    *,
    email: str,
    role: str,
    name: str = "",
    office_code: str | None = None,
    locale: str | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its token (shown once). An earlier open one to the address ends."""
    email = normalise_email(email)
    problems: dict[str, list[str]] = {}
    if found := email_problems(email):
        problems["email"] = found
    if role not in ROLES:
        problems["role"] = [_l("Unknown role.")]
    office = None
    if role == "office_head":
        office = db.session.scalar(select(Office).where(Office.code == (office_code or "")))
        if office is None:
            problems["office"] = [_l("An office head needs an office.")]
    if problems:
        raise InvalidInput(_l("The invitation was not sent."), problems)
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.email == email, Invitation.used_at.is_(None), ~Invitation.revoked)
        .values(revoked=True)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=token_hash(token),
        email=email,
        display_name=(name or email.split("@")[0]).strip()[:200],
        role=role,
        office=office,
        locale=locale if locale in LOCALES else None,
        created_by=admin.id,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["INVITE_EXPIRY_HOURS"]),
        revoked=False,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation.created", admin, invitation=invitation.id, email=email, role=role)
    db.session.commit()
    return invitation, token


def open_invitation(token: str) -> Invitation:
    """The invitation behind a link, while it may still be used; one answer for every failure."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or invitation.state(utcnow()) != "pending":
        raise NotFound(_l("This invitation link does not work any more. Ask for a new one."))
    return invitation


def accept_invitation(token: str, password: str, confirm: str, name: str = "") -> User:
    """Create the account once: two tabs, or a link used twice, make one account at most."""
    invitation = open_invitation(token)
    problems: dict[str, list[str]] = {}
    if found := password_problems(
        password, email=invitation.email, name=name.strip() or invitation.display_name
    ):
        problems["password"] = found
    elif password != confirm:
        problems["confirm"] = [_l("The two passwords differ.")]
    if problems:
        raise InvalidInput(_l("The account was not created."), problems)
    # An UPDATE answers a CursorResult (it has rowcount); Session.execute is typed as Result.
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id, Invitation.used_at.is_(None), ~Invitation.revoked
            )
            .values(used_at=utcnow())
        ),
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise NotFound(_l("This invitation link does not work any more. Ask for a new one."))
    user = create_user(
        invitation.email,
        password,
        invitation.role,
        name=name.strip() or invitation.display_name,
        office_code=invitation.office.code if invitation.office else None,
        locale=invitation.locale,
    )
    invitation.user_id = user.id
    audit.record("invitation.accepted", user, invitation=invitation.id)
    db.session.commit()
    return user


def revoke_invitation(admin: User, invitation_id: int) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(_l("Not found."))
    if invitation.used_at is None and not invitation.revoked:
        invitation.revoked = True
        audit.record("invitation.revoked", admin, invitation=invitation.id)
        db.session.commit()


def recent_invitations(limit: int = 50) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id.desc()).limit(limit)))

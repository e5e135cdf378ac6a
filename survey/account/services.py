"""Passwords of existing accounts: reset links (asked for, or made by an admin) and changes.

A reset link is `/password/reset/<token>`; only the token's SHA-256 (its "key") is stored.
It works once, until RESET_EXPIRY_HOURS have passed, and a newer link, or a password set in any
other way, ends it. Setting a password raises the account's session epoch, so every session
from before stops working; the caller signs the person in again where it should.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update

from .. import notify
from ..audit import services as audit
from ..auth.models import PasswordReset, User
from ..auth.passwords import password_problems
from ..auth.services import find_user, hash_password, password_matches, token_hash
from ..common.time import utcnow
from ..domain.messages import N_
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db

SUBJECT = N_("Choose a new password for Adaldyq")
GONE = _l("This link to choose a password does not work any more. Ask for a new one.")


@dataclass(frozen=True)
class MailTo:
    """What a reset mail needs of its recipient, safe to hand to another thread."""

    id: int
    email: str
    locale: str | None
    display_name: str


@dataclass(frozen=True)
class IssuedLink:
    """A reset an admin made: the link (shown once when it could not be mailed)."""

    user: User
    link: str
    expires_at: datetime
    mailed: bool


def reset_key(token: str) -> str:
    """The stored form of a link's token (SHA-256, hex); what a session may keep instead."""
    return token_hash(token)


def issue_reset(user: User, admin: User | None = None) -> tuple[PasswordReset, str]:
    """A new reset link for user and its token (never stored); earlier open ones end.

    Added to the session, not committed: the caller commits with its audit row.
    """
    now = utcnow()
    end_open_resets(user)
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(
        token_hash=reset_key(token),
        user=user,
        created_by=admin.id if admin else None,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["RESET_EXPIRY_HOURS"]),
        revoked=False,
    )
    db.session.add(reset)
    db.session.flush()
    return reset, token


def request_reset(email: str) -> None:
    """The forgot form: e-mail a link when an active account has this address.

    Says nothing either way, and sends nothing when mail is not set up, the account is
    switched off, or RESET_MAILS_PER_HOUR links went to it in the last hour. The mail leaves
    in a background thread, so the answer does not wait for (nor reveal) the mail server.
    """
    user = find_user(email)
    if user is None or not user.active or not notify.enabled() or _recently_sent(user):
        return
    reset, token = issue_reset(user)
    audit.record("password.reset_requested", None, user=user.id, reset=reset.id)
    db.session.commit()
    _mail_in_background(_recipient(user), _link(token), reset.expires_at, by_admin=False)


def send_reset_by_admin(admin: User, user_id: int) -> IssuedLink:
    """An admin's "send a reset link": mailed when mail is set up; else the admin passes it on.

    Raises NotFound for an unknown account and Conflict for a switched-off one.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("Not found."))
    if not user.active:
        raise Conflict(_l("This account is switched off. Switch it on before sending a link."))
    reset, token = issue_reset(user, admin)
    audit.record(
        "password.reset_issued", admin, user=user.id, reset=reset.id, mail=notify.enabled()
    )
    db.session.commit()
    link = _link(token)
    mailed = _send(_recipient(user), link, reset.expires_at, by_admin=True)
    if not current_app.config.get("PUBLIC_URL"):
        link = url_for("account.reset", token=token, _external=True)
    return IssuedLink(user=user, link=link, expires_at=reset.expires_at, mailed=mailed)


def open_reset(key: str) -> PasswordReset:
    """The reset behind a link's key while it may be used; one NotFound for every failure."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == key))
    if reset is None or reset.state(utcnow()) != "pending" or not reset.user.active:
        raise NotFound(GONE)
    return reset


def complete_reset(key: str, password: str, confirm: str) -> User:
    """Set the new password through a link, once; ends every session of the account.

    Raises NotFound when the link does not work (any more), InvalidInput for a refused password.
    """
    reset = open_reset(key)
    user = reset.user
    _check_new_password(user, password, confirm)
    # An UPDATE answers a CursorResult (it has rowcount); Session.execute is typed as Result.
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(PasswordReset)
            .where(
                PasswordReset.id == reset.id,
                PasswordReset.used_at.is_(None),
                ~PasswordReset.revoked,
            )
            .values(used_at=utcnow())
        ),
    )
    if claimed.rowcount != 1:  # another tab used it first
        db.session.rollback()
        raise NotFound(GONE)
    _set_password(user, password)
    audit.record("password.reset", user, reset=reset.id, by_admin=reset.created_by is not None)
    db.session.commit()
    return user


def change_password(user: User, current: str, password: str, confirm: str) -> None:
    """A signed-in person's change; ends every session, the caller keeps its own alive.

    Raises InvalidInput (fields current / password / confirm) and changes nothing then.
    """
    if not password_matches(user, current):
        raise InvalidInput(
            _l("The password was not changed."),
            {"current": [_l("The current password is not right.")]},
        )
    _check_new_password(user, password, confirm)
    _set_password(user, password)
    audit.record("password.changed", user)
    db.session.commit()


def _check_new_password(user: User, password: str, confirm: str) -> None:
    """Raises InvalidInput when the rules refuse the password or the two copies differ."""
    problems: dict[str, list[str]] = {}
    if found := password_problems(password, email=user.email, name=user.display_name):
        problems["password"] = found
    elif password != confirm:
        problems["confirm"] = [_l("The two passwords differ.")]
    if problems:
        raise InvalidInput(_l("The password was not changed."), problems)


def _set_password(user: User, password: str) -> None:
    """New hash, every session ended, every open reset link ended."""
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    end_open_resets(user)


def end_open_resets(user: User) -> None:
    """Every unused link of this account stops working (in the caller's transaction)."""
    db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            ~PasswordReset.revoked,
        )
        .values(revoked=True)
    )


def _recently_sent(user: User) -> bool:
    """Whether the hour's allowance of asked-for links to this account is used up."""
    since = utcnow() - timedelta(hours=1)
    count = db.session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id,
            PasswordReset.created_by.is_(None),
            PasswordReset.created_at > since,
        )
    )
    return (count or 0) >= current_app.config["RESET_MAILS_PER_HOUR"]


def _recipient(user: User) -> MailTo:
    return MailTo(user.id, user.email, user.locale, user.display_name)


def _link(token: str) -> str:
    """The link as mailed: SURVEY_PUBLIC_URL and the path (the path alone when it is unset)."""
    return notify.link("account.reset", token=token)


def _send(to: MailTo, link: str, expires_at: datetime, *, by_admin: bool) -> bool:
    return notify.send(
        to, SUBJECT, "password_reset", link=link, expires_at=expires_at, by_admin=by_admin
    )


def _mail_in_background(to: MailTo, link: str, expires_at: datetime, *, by_admin: bool) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver() -> None:
        with app.app_context():
            _send(to, link, expires_at, by_admin=by_admin)

    threading.Thread(target=deliver, name="password-reset-mail", daemon=True).start()

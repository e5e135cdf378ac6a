"""Accounts: passwords (argon2), pseudonyms, API tokens — shared by the CLI, pages and API."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import services as audit
from ..errors import InvalidInput
from ..extensions import db
from ..offices.models import Office
from .models import FIELD_ROLES, ROLES, ApiToken, User
from .passwords import MIN_LENGTH, password_problems

PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TOKEN_PREFIX = "adq_"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, used to even out timing")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_pseudonym() -> str:
    """A short code like V-7K2Q that auditors can cite without knowing who it is."""
    while True:
        code = "V-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(4))
        if db.session.scalar(select(User.id).where(User.pseudonym == code)) is None:
            return code


def email_problems(email: str) -> list[Any]:
    """Why an (already normalised) address cannot open a new account; empty when it can."""
    if "@" not in email or len(email) > 254 or " " in email:
        return [_l("Enter a valid email address.")]
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        return [_l("An account with this email already exists.")]
    return []


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    name: str | None = None,
    office_code: str | None = None,
    locale: str | None = None,
    published_password: bool = False,
) -> User:
    """Create an account; an office head must name an office, nobody else may.

    Raises InvalidInput listing every problem. published_password: the demo's accounts, whose
    password is printed in README on purpose, skip the guessability rule (never for a real one).
    """
    problems: dict[str, list[str]] = {}
    email = normalise_email(email)
    if found := email_problems(email):
        problems["email"] = found
    if role not in ROLES:
        problems["role"] = [_l("Unknown role.")]
    found = password_problems(password, email=email, name=name or "")
    if found and not (published_password and len(password) >= MIN_LENGTH):
        problems["password"] = found
    office = None
    if office_code:
        office = db.session.scalar(select(Office).where(Office.code == office_code))
        if office is None:
            problems["office"] = [_l("Unknown office.")]
    if role == "office_head" and not office_code:
        problems["office"] = [_l("An office head needs an office.")]
    if problems:
        raise InvalidInput(_l("The account was not created."), problems)
    user = User(
        email=email,
        display_name=(name or email.split("@")[0]).strip(),
        role=role,
        office=office,
        locale=locale,
        password_hash=hash_password(password),
        pseudonym=new_pseudonym() if role in FIELD_ROLES else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", None, user=user.id, role=role)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when email and password match an active account; the same work either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def password_matches(user: User, password: str) -> bool:
    """Whether password is the account's current one (argon2; never raises on a bad hash)."""
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """Only this is stored for API tokens and invitation links: a database copy opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new API token; only its hash is stored, so this is the one time it can be read."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=token_hash(token), prefix=token[:12]))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token), ~ApiToken.revoked)
    )
    if row is None or not row.user.active:
        return None
    return row.user


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))

"""What an admin changes: people's access, offices and checklists. Each change is audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..account.services import end_open_resets
from ..audit import services as audit
from ..auth.models import FIELD_ROLES, ROLES, ApiToken, User
from ..auth.services import new_pseudonym
from ..common.filters import Filters
from ..common.paging import Column, Listing, Sorting, paginate, read_list
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..offices.models import Office
from ..offices.services import CODE_RE, get_office, office_problems
from ..visits.models import Visit

OFFICE_FIELDS = ("kind", "country", "city", "name_kk", "name_ru", "name_en", "timezone")


@dataclass(frozen=True)
class PeopleFilters:
    words: tuple[str, ...] = ()  # q: name, e-mail or pseudonym (folded)
    role: str | None = None
    active: bool | None = None  # None: everyone


PEOPLE_SORTING = Sorting(
    {
        "role": Column((User.role, User.email)),
        "name": Column((User.display_name,)),
        "email": Column((User.email,)),
        "created": Column((User.created_at,)),
    },
    default="role",
    tiebreaker=User.id,
)


def read_people_filters(found: Filters) -> PeopleFilters:
    active = found.one_of("active", ("1", "0"))
    return PeopleFilters(
        words=tuple(found.search()),
        role=found.one_of("role", ROLES),
        active=None if active is None else active == "1",
    )


def find_users(args: Mapping[str, str]) -> Listing:
    """One page of people (`q`, `role`, `active=1|0`, `sort`, `page`), with their office."""
    chosen, order, window = read_list(args, read_people_filters, PEOPLE_SORTING, api=False)
    query = select(User)
    for word in chosen.words:
        query = query.where(User.search_text.contains(word, autoescape=True))
    if chosen.role:
        query = query.where(User.role == chosen.role)
    if chosen.active is not None:
        query = query.where(User.active.is_(chosen.active))
    page = paginate(query, window, order=order, options=(selectinload(User.office),))
    return Listing(page, order)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("Not found."))
    return user


def set_active(admin: User, user_id: int, active: bool) -> User:
    """Deactivation ends every session and API token at once; the account's history stays."""
    user = get_user(user_id)
    if user.id == admin.id:
        raise Forbidden(_l("You cannot switch off your own account."))
    if user.active == active:
        return user
    user.active = active
    if not active:
        user.session_epoch += 1
        db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True))
        end_open_resets(user)  # a link to choose a password does not outlive it either
    audit.record("user.activated" if active else "user.deactivated", admin, user=user.id)
    db.session.commit()
    return user


def change_role(admin: User, user_id: int, role: str, office_code: str | None) -> User:
    """A new role (and office for a head); the person's open sessions end with the old one."""
    user = get_user(user_id)
    problems: dict[str, list[str]] = {}
    if user.id == admin.id:
        raise Forbidden(_l("You cannot change your own role."))
    if role not in ROLES:
        problems["role"] = [_l("Unknown role.")]
    office = get_office(office_code) if office_code else None
    if role == "office_head" and office is None:
        problems["office"] = [_l("An office head needs an office.")]
    if problems:
        raise InvalidInput(_l("The account was not changed."), problems)
    before = (user.role, user.office.code if user.office else None)
    user.role = role
    user.office = office if role == "office_head" else None
    if role in FIELD_ROLES and user.pseudonym is None:
        user.pseudonym = new_pseudonym()
    after = (user.role, user.office.code if user.office else None)
    if after != before:
        user.session_epoch += 1
        audit.record(
            "user.role_changed",
            admin,
            user=user.id,
            before={"role": before[0], "office": before[1]},
            after={"role": after[0], "office": after[1]},
        )
    db.session.commit()
    return user


def save_office(admin: User, values: dict[str, Any], code: str | None = None) -> Office:
    """Create an office (code given by the form) or edit one; its code never changes."""
    new = code is None
    office = None if new else get_office(code or "")
    if not new and office is None:
        raise NotFound(_l("Not found."))
    row = {key: str(values.get(key) or "").strip() for key in ("code", *OFFICE_FIELDS)}
    if not new:
        row["code"] = office.code  # type: ignore[union-attr]
    problems = office_problems(row)
    if new and row["code"] and CODE_RE.match(row["code"]) and get_office(row["code"]):
        problems.append(str(_l("code %(code)s appears twice", code=row["code"])))
    if problems:
        raise InvalidInput(_l("The office was not saved."), {"office": problems})
    if office is None:
        office = Office(code=row["code"])
        db.session.add(office)
    for key in OFFICE_FIELDS:
        setattr(office, key, row[key] or ("UTC" if key == "timezone" else ""))
    office.country = office.country.upper()
    office.active = bool(values.get("active"))
    db.session.flush()
    audit.record("office.created" if new else "office.updated", admin, office=office.code)
    db.session.commit()
    return office


def checklist_usage() -> dict[int, int]:
    """Visits per checklist version, so an admin sees which versions are in use."""
    rows = db.session.execute(
        select(Visit.checklist_id, func.count()).group_by(Visit.checklist_id)
    ).all()
    return {checklist_id: count for checklist_id, count in rows}

"""Offices: listing and the CSV import (all rows or none)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import services as audit
from ..common.filters import Filters, office_matches
from ..common.paging import Column, Listing, Sorting, paginate, read_list
from ..errors import InvalidInput
from ..extensions import db
from .models import OFFICE_KINDS, Office

REQUIRED_COLUMNS = ("code", "kind", "country", "city", "name_kk", "name_ru", "name_en")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def office_problems(row: dict[str, str]) -> list[str]:
    problems = []
    for column in REQUIRED_COLUMNS:
        if not (row.get(column) or "").strip():
            problems.append(str(_l("%(column)s is empty", column=column)))
    if row.get("code") and not CODE_RE.match(row["code"].strip()):
        problems.append(str(_l("code may hold only a-z, 0-9, - and _")))
    if row.get("kind") and row["kind"].strip() not in OFFICE_KINDS:
        problems.append(str(_l("kind must be one of: %(kinds)s", kinds=", ".join(OFFICE_KINDS))))
    country = (row.get("country") or "").strip()
    if country and not re.fullmatch(r"[A-Za-z]{2}", country):
        problems.append(str(_l("country must be a two-letter ISO 3166 code")))
    tz = (row.get("timezone") or "").strip()
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(str(_l("unknown time zone %(tz)s", tz=tz)))
    return problems


def import_offices(text: str, actor: Any = None) -> ImportResult:
    """Create or update offices by code; any bad row refuses the whole file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            _l("The file lacks the columns: %(columns)s", columns=", ".join(missing))
        )
    rows = list(reader)
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        found = office_problems(row)
        code = (row.get("code") or "").strip()
        if code in seen:
            found.append(str(_l("code %(code)s appears twice", code=code)))
        seen.add(code)
        if found:
            problems[str(_l("line %(n)s", n=number))] = found
    if problems:
        raise InvalidInput(_l("No office was imported."), problems)
    result = ImportResult()
    for row in rows:
        code = row["code"].strip()
        office = get_office(code)
        if office is None:
            office = Office(code=code)
            db.session.add(office)
            result.created += 1
        else:
            result.updated += 1
        office.kind = row["kind"].strip()
        office.country = row["country"].strip().upper()
        office.city = row["city"].strip()
        office.name_kk = row["name_kk"].strip()
        office.name_ru = row["name_ru"].strip()
        office.name_en = row["name_en"].strip()
        office.timezone = (row.get("timezone") or "").strip() or office.timezone or "UTC"
        if office.active is None:
            office.active = True
    audit.record("offices.imported", actor, created=result.created, updated=result.updated)
    db.session.commit()
    return result


def get_office(code: str) -> Office | None:
    return db.session.scalar(select(Office).where(Office.code == code))


def list_offices(active_only: bool = False) -> list[Office]:
    query = select(Office).order_by(Office.code)
    if active_only:
        query = query.where(Office.active)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class OfficeFilters:
    words: tuple[str, ...] = ()  # q: any of its names, its code or city (folded)
    country: str | None = None
    kind: str | None = None
    active: bool | None = None  # None: open and closed alike


def office_sorting(locale: str = "en") -> Sorting:
    """Offices sort by code (country, then city: how codes are made), name in the page's
    language, country, city or kind."""
    name = getattr(Office, f"name_{locale}", Office.name_en)
    return Sorting(
        {
            "code": Column((Office.code,)),
            "name": Column((name,)),
            "country": Column((Office.country,)),
            "city": Column((Office.city,)),
            "kind": Column((Office.kind,)),
        },
        default="code",
        tiebreaker=Office.id,
    )


def read_office_filters(found: Filters) -> OfficeFilters:
    active = found.one_of("active", ("1", "0"))
    return OfficeFilters(
        words=tuple(found.search()),
        country=found.country(),
        kind=found.one_of("kind", OFFICE_KINDS),
        active=None if active is None else active == "1",
    )


def find_offices(args: Mapping[str, str], *, api: bool = False, locale: str = "en") -> Listing:
    """One page of offices (`q`, `country`, `kind`, `active=1|0`, `sort`; `page`, or `limit`
    and `offset` in the API). The office directory is no secret: every role may read it."""
    chosen, order, window = read_list(args, read_office_filters, office_sorting(locale), api=api)
    query = select(Office)
    if chosen.words:
        query = query.where(office_matches(list(chosen.words)))
    if chosen.country:
        query = query.where(Office.country == chosen.country)
    if chosen.kind:
        query = query.where(Office.kind == chosen.kind)
    if chosen.active is not None:
        query = query.where(Office.active.is_(chosen.active))
    return Listing(paginate(query, window, order=order), order)

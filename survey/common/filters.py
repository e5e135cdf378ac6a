"""A list's filters read from query parameters, with every problem reported at once.

Pages and the API read the same parameters (DESIGN §9: `office`, `status`, `item`,
`severity`, `overdue=1`, `period`, …) through the same code: a value outside what the list
knows is a problem under its own name, which the API answers as 422 with `fields` and a page
shows as a translated message above its list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, select

from ..common.l10n import country_name
from ..domain import periods
from ..domain.periods import EARLIEST, LATEST, parse_quarter
from ..domain.search import terms
from ..errors import InvalidInput
from ..extensions import db
from ..offices.models import Office

SEARCH_MAX = 100
TRUE, FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


class Filters:
    """Reads filter values from `args`; problems collect in `fields` until `check()`."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.fields: dict[str, list[Any]] = {}

    def raw(self, name: str) -> str | None:
        value = (self.args.get(name) or "").strip()
        return value or None

    def problem(self, name: str, message: Any) -> None:
        self.fields.setdefault(name, []).append(message)

    def one_of(self, name: str, allowed: Iterable[str]) -> str | None:
        """A value from `allowed`, or None when the parameter is absent or empty."""
        value, choices = self.raw(name), list(allowed)
        if value is not None and value not in choices:
            self.problem(name, _l("Must be one of: %(s)s", s=", ".join(choices)))
            return None
        return value

    def flag(self, name: str) -> bool:
        """`name=1` is on; absent, empty or 0 is off."""
        value = (self.raw(name) or "").lower()
        if value in TRUE:
            return True
        if value not in FALSE:
            self.problem(name, _l("Use 1 or 0."))
        return False

    def search(self, name: str = "q") -> list[str]:
        """The folded words of a search box (domain/search.py)."""
        value = self.raw(name)
        if value is not None and len(value) > SEARCH_MAX:
            self.problem(name, _l("Use at most %(n)s characters.", n=SEARCH_MAX))
            return []
        return terms(value)

    def country(self, name: str = "country") -> str | None:
        """An ISO 3166 alpha-2 code, in either case."""
        value = self.raw(name)
        if value is not None and not re.fullmatch(r"[A-Za-z]{2}", value, flags=re.ASCII):
            self.problem(name, _l("country must be a two-letter ISO 3166 code"))
            return None
        return value.upper() if value else None

    def office(self, name: str = "office") -> int | None:
        """The id of the office whose code is given."""
        code = self.raw(name)
        if code is None:
            return None
        found = db.session.scalar(select(Office.id).where(Office.code == code))
        if found is None:
            self.problem(name, _l("Unknown office."))
        return found

    def period(self, name: str = "period") -> tuple[date, date] | None:
        """`period=YYYY-MM | YYYY-Qn | YYYY` as (first day, last day)."""
        value = self.raw(name)
        if value is None:
            return None
        try:
            start, end = parse_period(None, None, value)
        except InvalidInput as exc:
            for key, messages in exc.fields.items():
                for message in messages:
                    self.problem(key, message)
            return None
        assert start is not None and end is not None
        return start, end

    def check(self) -> None:
        """Raise InvalidInput with every problem found, if any."""
        if self.fields:
            raise InvalidInput(_l("Some fields need attention."), self.fields)


def office_matches(words: list[str]) -> ColumnElement[bool]:
    """Offices whose code, names (kk, ru, en) or city hold every word (already folded)."""
    return and_(*(Office.search_text.contains(w, autoescape=True) for w in words))


def office_ids_matching(words: list[str]) -> Any:
    """A subquery of the ids of the offices a search finds, for `office_id IN (…)`."""
    return select(Office.id).where(office_matches(words))


def where_office(
    query: Select[Any],
    office_column: Any,
    words: Iterable[str] = (),
    office_id: int | None = None,
    country: str | None = None,
) -> Select[Any]:
    """A list's query narrowed by its office filters: `q` (words, folded), `office` (an id)
    and `country` (ISO 3166 code), each a WHERE on the list's office id column."""
    words = list(words)
    if words:
        query = query.where(office_column.in_(office_ids_matching(words)))
    if office_id is not None:
        query = query.where(office_column == office_id)
    if country:
        query = query.where(office_column.in_(select(Office.id).where(Office.country == country)))
    return query


OFFICE_SELECT_MAX = 100  # beyond this many offices, a list's form finds one by its search box


def office_choices(locale: str) -> list[tuple[str, str]]:
    """(code, name) of every office for a filter's list; none past OFFICE_SELECT_MAX (a
    thousand options would weigh down a phone's page; the search box finds an office)."""
    total = db.session.scalar(select(func.count()).select_from(Office)) or 0
    if total > OFFICE_SELECT_MAX:
        return []
    return [
        (o.code, o.name(locale)) for o in db.session.scalars(select(Office).order_by(Office.code))
    ]


def country_choices() -> list[tuple[str, str]]:
    """The countries that have an office, as (ISO code, its name in the reader's language:
    CLDR through Babel) for a filter's list, by name."""
    codes = db.session.scalars(select(Office.country).distinct())
    return sorted(((code, country_name(code)) for code in codes), key=lambda pair: pair[1])


def parse_period(
    raw_from: str | None, raw_to: str | None, raw_period: str | None = None
) -> tuple[date | None, date | None]:
    """Dates as YYYY-MM-DD, both inclusive, either may be absent; or a period (DESIGN §9):
    YYYY-MM, YYYY-Qn or YYYY, which then stands instead of from/to.

    Raises InvalidInput (fields "from", "to", "period") for a bad date, one outside
    2000-01-01…2100-12-31, a reversed range or a bad period.
    """
    if raw_period:
        return _named_period(raw_period)
    fields: dict[str, list[Any]] = {}
    parsed: dict[str, date | None] = {"from": None, "to": None}
    for key, raw in (("from", raw_from), ("to", raw_to)):
        if raw:
            try:
                parsed[key] = periods.iso_day(raw)
            except ValueError:
                fields[key] = [_l("Give a date as YYYY-MM-DD.")]
            else:
                if not EARLIEST <= parsed[key] <= LATEST:  # type: ignore[operator]
                    fields[key] = [_l("Give a date between 2000 and 2100.")]
    if parsed["from"] and parsed["to"] and parsed["from"] > parsed["to"]:
        fields["to"] = [_l("The end of the period is before its start.")]
    if fields:
        raise InvalidInput(_l("Some fields need attention."), fields)
    return parsed["from"], parsed["to"]


def _named_period(raw: str) -> tuple[date, date]:
    try:
        if re.fullmatch(r"\d{4}", raw, flags=re.ASCII):
            found = periods.year(int(raw))
        elif re.fullmatch(r"\d{4}-\d{2}", raw, flags=re.ASCII):
            found = periods.month(int(raw[:4]), int(raw[5:]))
        else:
            found = parse_quarter(raw)
        if found.start < EARLIEST or found.end > LATEST:
            raise ValueError(raw)
    except ValueError:
        raise InvalidInput(
            _l("Some fields need attention."),
            {"period": [_l("Give a period as YYYY-MM, YYYY-Qn or YYYY.")]},
        ) from None
    return found.start, found.end

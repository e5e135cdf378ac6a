"""Lists in pages, done in SQL: one COUNT and one page query, for pages and the API alike.

A list is a filtered `Select` (no ORDER BY, no GROUP BY, no DISTINCT), an `Order` chosen from
the list's whitelist of sortable columns (always ending in a unique tiebreaker, so a page is
the same rows however often it is asked for), and a `Window` (offset and limit):

    page = paginate(query, window, order=SORTING.parse(args.get("sort")), options=[...])

The count runs over the filtered query alone; the sort's join (when a column lives in another
table, e.g. the office's code) and the eager loads (`selectinload`) are added to the page
query only. Pages show `PER_PAGE` rows (`?page=N`); the API takes `limit` (at most
`API_MAX_LIMIT`) and `offset` (DESIGN §9).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from math import ceil
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from ..errors import InvalidInput
from ..extensions import db
from .filters import Filters

T = TypeVar("T")
F = TypeVar("F")
PER_PAGE = 50
API_MAX_LIMIT = 200
# From this offset on, a page reads its keys first, then its rows (`_late_rows`).
DEEP_OFFSET = 1000
MAX_PAGE = 1_000_000  # far beyond any list; keeps OFFSET inside a database integer
_NUMBER = re.compile(r"[0-9]{1,9}", flags=re.ASCII)


@dataclass(frozen=True)
class Window:
    """Which rows to show: from `offset`, at most `limit` (None: to the end, API only)."""

    offset: int = 0
    limit: int | None = PER_PAGE

    @classmethod
    def page(cls, number: int, per_page: int = PER_PAGE) -> Window:
        """Page `number` (from 1) of `per_page` rows."""
        return cls((max(number, 1) - 1) * per_page, per_page)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and where it stands in the whole."""

    items: list[T]
    total: int
    offset: int = 0
    limit: int | None = PER_PAGE

    @property
    def per_page(self) -> int:
        return self.limit or max(self.total, 1)

    @property
    def page(self) -> int:
        """This page's number, from 1."""
        return self.offset // self.per_page + 1

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, even when empty)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of the first row shown; 0 when none is."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the last row shown; 0 when none is."""
        return self.offset + len(self.items) if self.items else 0

    @property
    def has_next(self) -> bool:
        if self.limit == 0:  # the count alone: no page follows
            return False
        if self.limit is None:
            return self.offset + len(self.items) < self.total
        return self.offset + self.limit < self.total

    @property
    def next_offset(self) -> int:
        return self.offset + (self.limit if self.limit is not None else len(self.items))

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def beyond_end(self) -> bool:
        """A page asked for past the last one (this page has no rows, and is not the first)."""
        return not self.items and self.offset > 0 and self.offset >= self.total

    def map(self, fn: Any) -> Page[Any]:
        """The same page with each item passed through fn (e.g. to JSON)."""
        return Page([fn(item) for item in self.items], self.total, self.offset, self.limit)


@dataclass(frozen=True)
class Column:
    """A sortable column: what to ORDER BY, and the join it needs (added to the page only)."""

    expressions: tuple[Any, ...]
    join: tuple[Any, Any] | None = None


@dataclass(frozen=True)
class Order:
    """A chosen sort: a column of the whitelist, ascending or descending, then the tiebreaker."""

    key: str
    descending: bool
    column: Column
    tiebreaker: Any

    @property
    def param(self) -> str:
        """As written in `?sort=`: "due_date" or "-due_date"."""
        return f"-{self.key}" if self.descending else self.key

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.column.join is not None:
            query = query.join(*self.column.join)
        direction = (lambda e: e.desc()) if self.descending else (lambda e: e.asc())
        keys = [direction(e) for e in self.column.expressions]
        return query.order_by(*keys, direction(self.tiebreaker))


@dataclass(frozen=True)
class Sorting:
    """A list's sortable columns by name, its default (`"-visited"`: newest first) and the
    unique column that breaks ties."""

    columns: Mapping[str, Column]
    default: str
    tiebreaker: Any
    keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.columns))

    def parse(self, raw: str | None) -> Order:
        """`?sort=key` or `?sort=-key`; the default when absent. Raises InvalidInput (field
        "sort") for a column that is not on the list."""
        text = (raw or "").strip() or self.default
        descending = text.startswith("-")
        key = text[1:] if descending else text
        if key not in self.columns:
            choices = ", ".join(self.keys)
            raise InvalidInput(
                _l("Some fields need attention."),
                {"sort": [_l("Sort by one of: %(s)s", s=choices)]},
            )
        return Order(key, descending, self.columns[key], self.tiebreaker)


def count(query: Select[Any]) -> int:
    """How many rows the filtered query holds: SELECT count(*) over its FROM and WHERE."""
    counted = query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return int(db.session.scalar(counted) or 0)


def paginate(
    query: Select[Any], window: Window, *, order: Order, options: Iterable[Any] = ()
) -> Page[Any]:
    """The rows of `window` in `order`, with the total: two SQL queries (none for the rows of
    a page past the end). `options` are loader options (selectinload) for what each row shows.
    A window without a limit gets every row from its offset (the API writes whole lists in
    pages: survey/api/views.py `_list`).
    """
    total = count(query)
    if window.limit == 0 or window.offset >= total:
        return Page([], total, window.offset, window.limit)
    ordered = order.apply(query).offset(window.offset).limit(window.limit)
    if window.offset < DEEP_OFFSET:
        rows = list(db.session.scalars(ordered.options(*options)))
    else:
        rows = _late_rows(ordered, order, options)
    return Page(rows, total, window.offset, window.limit)


def _late_rows(ordered: Select[Any], order: Order, options: Iterable[Any]) -> list[Any]:
    """A page far down a list: its keys first, from the index alone (the rows skipped are
    never read from the table), then its rows by key, in the keys' order."""
    key = order.tiebreaker
    keys = list(db.session.scalars(ordered.with_only_columns(key, maintain_column_froms=True)))
    entity = ordered.column_descriptions[0]["entity"]
    found = db.session.scalars(select(entity).where(key.in_(keys)).options(*options))
    by_key = {getattr(row, key.key): row for row in found}
    return [by_key[k] for k in keys if k in by_key]


def page_number(args: Mapping[str, str], fields: dict[str, list[Any]]) -> int:
    """`?page=N` of a page (from 1); a problem is added to `fields` for anything else."""
    raw = (args.get("page") or "").strip()
    if not raw:
        return 1
    if not _NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        fields["page"] = [_l("Give a page number from 1.")]
        return 1
    return int(raw)


def api_window(args: Mapping[str, str]) -> Window:
    """`limit` (0 to API_MAX_LIMIT) and `offset` of an API list; the whole list without them.

    Raises InvalidInput (fields "limit", "offset") for anything but a whole number in range.
    """
    fields: dict[str, list[Any]] = {}
    values: dict[str, int | None] = {"limit": None, "offset": None}
    for key in values:
        raw = args.get(key)
        if raw is None:
            continue
        if not _NUMBER.fullmatch(raw):  # ASCII digits, within a database integer
            fields[key] = [_l("Give a whole number, 0 or more.")]
        elif key == "limit" and int(raw) > API_MAX_LIMIT:
            fields[key] = [_l("Give at most %(n)s.", n=API_MAX_LIMIT)]
        else:
            values[key] = int(raw)
    if fields:
        raise InvalidInput(_l("Some fields need attention."), fields)
    return Window(values["offset"] or 0, values["limit"])


@dataclass(frozen=True)
class Listing:
    """A page of a list and the sort it was taken in (for the column headers' links)."""

    page: Page[Any]
    order: Order


def read_list(
    args: Mapping[str, str],
    read_filters: Callable[[Filters], F],
    sorting: Sorting,
    *,
    api: bool,
) -> tuple[F, Order, Window]:
    """A list request's filters, sort and window, every problem reported at once.

    `read_filters` reads the list's own filters from a `Filters` (common/filters.py). A page
    takes `?page=N`; the API `limit` and `offset`. Raises InvalidInput with `fields`.
    """
    found = Filters(args)
    chosen = read_filters(found)
    try:
        order = sorting.parse(args.get("sort"))
    except InvalidInput as exc:
        found.fields.update(exc.fields)
        order = sorting.parse(None)
    window = Window()
    if api:
        try:
            window = api_window(args)
        except InvalidInput as exc:
            found.fields.update(exc.fields)
    else:
        window = Window.page(page_number(args, found.fields))
    found.check()
    return chosen, order, window

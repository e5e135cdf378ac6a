"""CSV exports for machines: rows streamed from the database, never all in memory.

Stable column keys (DESIGN §9) and values, the same in every language: codes, ISO dates, dot
decimals, comma separated, UTF-8 without a BOM (docs/exports.md). A text cell that starts with
= + - @ (or a tab or carriage return) is prefixed with an apostrophe, so no spreadsheet runs it;
no value here is free text (free text and comments never leave: they can identify a volunteer).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from ..checklists.models import Checklist
from ..common.time import with_offset
from ..domain.answer_kinds import KINDS
from ..domain.cells import clean_text
from ..domain.checklist import ChecklistSpec
from ..domain.periods import Period
from ..extensions import db
from ..offices.models import Office
from ..scores.services import approved_in
from ..visits.models import Answer, Visit

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000
VISITS_COLUMNS = (
    "visit",
    "office",
    "country",
    "checklist",
    "version",
    "visited_at",
    "date",
    "score",
    "critical",
)
ANSWERS_COLUMNS = ("visit", "office", "section", "item", "kind", "value", "score")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is kept as text; control characters go."""
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith(DANGEROUS):
            return "'" + value
    return value


def csv_stream(header: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text in pieces: the header, then about a hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(v) for v in row])
        if count % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _bounds(period: Period | None) -> tuple[Any, Any]:
    return (None, None) if period is None else (period.start, period.end)


def _number(value: float | None, places: int) -> str:
    """A dot decimal rounded to places, "" for none: 90.13888… -> "90.14"."""
    return "" if value is None else f"{value:.{places}f}"


def approved_visits(period: Period | None) -> Select[*tuple[Any, ...]]:
    """The approved visits of the period (None: all) with their office and checklist, by date:
    what visits.csv and the Visits sheet of summary.xlsx read, streamed in batches."""
    return (
        select(
            Visit.uuid,
            Office.code,
            Office.country,
            Checklist.slug,
            Checklist.version,
            Visit.visited_at,
            Visit.visited_offset,
            Visit.visited_on,
            Visit.score,
            Visit.critical,
        )
        .join(Office, Office.id == Visit.office_id)
        .join(Checklist, Checklist.id == Visit.checklist_id)
        .where(approved_in(*_bounds(period)))
        .order_by(Visit.visited_on, Visit.id)
        .execution_options(yield_per=BATCH)
    )


def _plain(value: Any) -> Any:
    """A number as plain dot decimal digits (1e+20 -> "100000000000000000000", 2.5e-07 ->
    "0.00000025"); other values as they are."""
    if isinstance(value, float) and math.isfinite(value):
        return format(Decimal(repr(value)), "f")
    return value


def visit_rows(period: Period | None) -> Iterator[list[Any]]:
    """visits.csv rows, VISITS_COLUMNS: score 0–100 with two decimals, critical true/false,
    visited_at ISO 8601 with the office's UTC offset."""
    for row in db.session.execute(approved_visits(period)):
        yield [
            row.uuid,
            row.code,
            row.country,
            row.slug,
            row.version,
            with_offset(row.visited_at, row.visited_offset).isoformat(),
            row.visited_on.isoformat(),
            _number(row.score, 2),
            "true" if row.critical else "false",
        ]


def answer_rows(period: Period | None) -> Iterator[list[Any]]:
    """answers.csv rows, ANSWERS_COLUMNS: scorable and numeric answers with the stored value
    (yes/no/na, a choice's code, a number) and the item's score 0–1; free text stays out."""
    specs: dict[int, ChecklistSpec] = {}
    query = (
        select(
            Visit.uuid,
            Visit.checklist_id,
            Office.code,
            Answer.item_code,
            Answer.value,
            Answer.score,
        )
        .join(Visit, Visit.id == Answer.visit_id)
        .join(Office, Office.id == Visit.office_id)
        .where(approved_in(*_bounds(period)))
        .order_by(Visit.visited_on, Visit.id, Answer.item_code)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(query):
        spec = specs.get(row.checklist_id)
        if spec is None:
            spec = specs[row.checklist_id] = db.session.get_one(Checklist, row.checklist_id).spec
        item = spec.items.get(row.item_code)
        if item is None or not KINDS[item.kind].exported or row.value is None:
            continue
        yield [
            row.uuid,
            row.code,
            item.section,
            row.item_code,
            item.kind,
            _plain(row.value),
            _number(row.score, 4),
        ]

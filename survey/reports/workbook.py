"""summary.xlsx, the export for people: names not codes, translated headers, widths that fit,
a frozen header row, scores with one decimal, rates as percentages, real dates.

Every text cell is written as a string, never a formula and never with an added apostrophe,
and without control characters (an office name holding U+000B would otherwise make the file
unwritable). Sheets are write-only and stream their rows: memory stays flat on a national
programme. The period and the language come from the request (api/views.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..checklists.models import Checklist
from ..common.l10n import finding_status_labels, severity_labels
from ..common.time import with_offset
from ..domain.cells import clean_text
from ..domain.kpis import Kpis, window
from ..domain.periods import EARLIEST, Period
from ..extensions import db
from ..findings.kpis import period_kpis, programme, status_at, today_utc
from ..findings.models import Finding
from ..offices.models import Office
from ..scores.services import approved_in, item_figures_for, ranking, section_figures
from .exports import BATCH, approved_visits
from .names import Names, names

# Number formats. 14 and 22 are Excel's built-in short date and date-time: each reader's
# spreadsheet shows them in its own locale's order (16.09.2026, 9/16/2026).
FORMATS = {
    "int": "0",
    "score": "0.0",
    "percent": "0.0%",
    "date": "mm-dd-yy",
    "datetime": "m/d/yy h:mm",
}
WIDTHS = {"date": 12, "datetime": 17, "percent": 10, "score": 8, "int": 8}
MAX_WIDTH = 60
SAMPLE = 500  # rows read before widths are set: write-only sheets take widths first


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its translated header and the kind of its cells."""

    header: str
    kind: str = "text"  # text, int, score (0–100), percent (a share 0–1), date, datetime


def score_value(value: float | None) -> float | None:
    """A score 0–100 rounded half up to one decimal, as the pages show it."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def share_value(value: float | None) -> float | None:
    """A share 0–1 rounded to a tenth of a per cent (0.40741 -> 0.407, shown 40.7 %)."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def _width(column: Column, values: Iterable[Any]) -> float:
    """Characters that fit the header and the longest sampled value, at most MAX_WIDTH."""
    longest = len(column.header)
    if column.kind == "text":
        for value in values:
            if value is not None:
                longest = max(longest, *(len(line) for line in str(value).split("\n")))
    else:
        longest = max(longest, WIDTHS.get(column.kind, 10))
    return min(longest + 2, MAX_WIDTH)


def _cell(sheet: Any, column: Column, value: Any, wrap: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if column.kind == "text":
        cell = WriteOnlyCell(sheet, value=clean_text(str(value)))
        cell.data_type = "s"  # never a formula, even for "=1+1"; no apostrophe is added
        if wrap is not None:
            cell.alignment = wrap
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = FORMATS[column.kind]
    return cell


def write_sheet(
    book: Any, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> None:
    """One sheet: the header row frozen, column widths from the header and the first
    SAMPLE rows, then every row (an iterator is read once, lazily)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(clean_text(title)[:31])
    rows = iter(rows)
    head = list(islice(rows, SAMPLE))
    wraps = []
    for index, column in enumerate(columns):
        width = _width(column, (row[index] for row in head))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
        wraps.append(Alignment(wrap_text=True, vertical="top") if width >= MAX_WIDTH else None)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=clean_text(column.header))
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in chain(head, rows):
        sheet.append([_cell(sheet, c, v, w) for c, v, w in zip(columns, row, wraps, strict=True)])


def summary_workbook(period: Period | None, lang: str, user: User) -> Path:
    """Offices, Sections, Items, Visits, Recommendations and Findings of the period (None:
    everything) in lang, written to a temporary file the caller removes.

    Call inside force_locale(lang): headers and labels are translated with gettext.
    """
    from openpyxl import Workbook  # with numpy behind it: loaded for the first workbook only

    book = Workbook(write_only=True)
    named = names(lang)
    start, end = (None, None) if period is None else (period.start, period.end)
    where = approved_in(start, end)
    write_sheet(book, _("Offices"), *_offices(named, ranking(user, start, end)))
    write_sheet(book, _("Sections"), *_sections(named, section_figures(where)))
    write_sheet(book, _("Items"), *_items(named, item_figures_for(where)))
    write_sheet(book, _("Visits"), *_visits(named, period))
    whole = period or Period(EARLIEST, max(EARLIEST, today_utc()))
    write_sheet(book, _("Recommendations"), *_recommendations(whole, lang))
    write_sheet(book, _("Findings"), *_findings(named, whole))
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    book.save(handle.name)
    return Path(handle.name)


Sheet = tuple[list[Column], Iterable[Sequence[Any]]]


def _offices(named: Names, ranked: list[dict[str, Any]]) -> Sheet:
    columns = [
        Column(_("Office")),
        Column(_("Office code")),
        Column(_("Country")),
        Column(_("Visits"), "int"),
        Column(_("Score"), "score"),
        Column(_("Lower bound"), "score"),
        Column(_("Upper bound"), "score"),
        Column(_("Critical visits"), "int"),
    ]
    countries = {
        code: country for code, country in db.session.execute(select(Office.code, Office.country))
    }
    rows = []
    for row in ranked:
        low, high = row["score_ci"] or (None, None)
        code = row["office"]
        rows.append(
            [
                named.office(code),
                code,
                named.country(countries.get(code, "")),
                row["n"],
                score_value(row["score"]),
                score_value(low),
                score_value(high),
                row["critical"],
            ]
        )
    return columns, rows


def _sections(named: Names, figures: dict[str, dict[str, Any]]) -> Sheet:
    columns = [
        Column(_("Section")),
        Column(_("Section code")),
        Column(_("Score"), "score"),
        Column(_("Visits"), "int"),
    ]
    rows = [
        [named.section(code), code, score_value(f["score"]), f["n"]] for code, f in figures.items()
    ]
    return columns, rows


def _items(named: Names, figures: dict[str, dict[str, Any]]) -> Sheet:
    columns = [
        Column(_("Item")),
        Column(_("Item code")),
        Column(_("Section")),
        Column(_("Pass"), "int"),
        Column(_("Fail"), "int"),
        Column(_("Partial"), "int"),
        Column(_("Not applicable"), "int"),
        Column(_("Pass rate"), "percent"),
        Column(_("Lower bound"), "percent"),
        Column(_("Upper bound"), "percent"),
    ]
    rows = []
    for code, f in figures.items():
        low, high = f["rate_ci"] or (None, None)
        section = named.item_sections.get(code)
        rows.append(
            [
                named.item(code),
                code,
                named.section(section) if section else None,
                f["pass"],
                f["fail"],
                f["partial"],
                f["na"],
                share_value(f["rate"]),
                share_value(low),
                share_value(high),
            ]
        )
    return columns, rows


def _visits(named: Names, period: Period | None) -> Sheet:
    columns = [
        Column(_("Visit")),
        Column(_("Office")),
        Column(_("Office code")),
        Column(_("Country")),
        Column(_("Checklist")),
        Column(_("Version"), "int"),
        Column(_("Visited at (office time)"), "datetime"),
        Column(_("Date"), "date"),
        Column(_("Score"), "score"),
        Column(_("Critical")),
    ]
    return columns, _visit_rows(named, period)


def _visit_rows(named: Names, period: Period | None) -> Iterator[list[Any]]:
    titles = {
        (c.slug, c.version): c.spec.title.get(named.locale) or c.spec.title.get("en") or c.slug
        for c in db.session.scalars(select(Checklist))
    }
    yes, no = _("yes"), _("no")
    for row in db.session.execute(approved_visits(period)):
        local: datetime = with_offset(row.visited_at, row.visited_offset).replace(tzinfo=None)
        yield [
            row.uuid,
            named.office(row.code),
            row.code,
            named.country(row.country),
            titles.get((row.slug, row.version), row.slug),
            row.version,
            local.replace(second=0, microsecond=0),
            row.visited_on,
            score_value(row.score),
            yes if row.critical else no,
        ]


def _kpi_cells(k: Kpis) -> list[Any]:
    return [
        k.opened,
        k.implemented,
        share_value(k.share_implemented),
        k.verified,
        share_value(k.share_verified),
        k.reopened,
        k.overdue,
        score_value(k.median_days_to_fix),
        share_value(k.recurrence_rate),
    ]


def _percent_header(text: str) -> str:
    """ "Implemented, %%" (a msgid shared with the pages, where %% is formatted) as "…, %"."""
    return text.replace("%%", "%")


def _recommendations(period: Period, lang: str) -> Sheet:
    """The period's recommendation KPIs (findings/kpis.py) per office, and for all offices."""
    columns = [
        Column(_("Office")),
        Column(_("Office code")),
        Column(_("Recommendations opened"), "int"),
        Column(_("Of these, implemented by the period's end"), "int"),
        Column(_percent_header(_("Implemented, %%")), "percent"),
        Column(_("Of these, verified by the period's end"), "int"),
        Column(_percent_header(_("Verified, %%")), "percent"),
        Column(_("Reopened during the period"), "int"),
        Column(_("Overdue at the period's end"), "int"),
        Column(_("Median days to fix"), "score"),
        Column(_percent_header(_("Recurrences, %%")), "percent"),
    ]
    figures = programme(period, lang)
    rows = [
        [row.name, row.office, *_kpi_cells(row.period)]
        for row in sorted(figures.rows, key=lambda r: r.name)
    ]
    rows.append([_("All offices"), None, *_kpi_cells(period_kpis(period))])
    return columns, rows


def _findings(named: Names, period: Period) -> Sheet:
    """The findings opened in the period (as "Recommendations opened" counts them), with
    their status at the period's end and now."""
    columns = [
        Column(_("Office")),
        Column(_("Office code")),
        Column(_("Item")),
        Column(_("Item code")),
        Column(_("Severity")),
        Column(_("Status at the period's end")),
        Column(_("Status")),
        Column(_("Due date"), "date"),
        Column(_("Opened"), "date"),
    ]
    return columns, _finding_rows(named, period)


def _finding_rows(named: Names, period: Period) -> Iterator[list[Any]]:
    statuses, severities = finding_status_labels(), severity_labels()
    w = window(period, today_utc())
    query = (
        select(
            Office.code,
            Finding.item_code,
            Finding.severity,
            status_at(w.end),
            Finding.status,
            Finding.due_date,
            Finding.created_at,
        )
        .join(Office, Office.id == Finding.office_id)
        .where(
            Finding.created_at >= w.start,
            Finding.created_at < w.end,
            Finding.merged_into_id.is_(None),
        )
        .order_by(Office.code, Finding.id)
        .execution_options(yield_per=BATCH)
    )
    for code, item, severity, then, status, due, created in db.session.execute(query):
        yield [
            named.office(code),
            code,
            named.item(item),
            item,
            str(severities[severity]),
            str(statuses[then]),
            str(statuses[status]),
            due,
            created.date() if isinstance(created, datetime) else date.fromisoformat(str(created)),
        ]

"""Exports for the project group: rows streamed from the database, never all in memory.

CSV opens in Excel (UTF-8 with a BOM) and cannot carry a formula: any text cell that starts with
= + - @ (or a tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..checklists.models import Checklist
from ..common.time import with_offset
from ..domain.checklist import ChecklistSpec
from ..domain.kpis import Kpis, window
from ..domain.periods import EARLIEST, Period
from ..extensions import db
from ..findings.kpis import period_kpis, programme, status_at, today_utc
from ..findings.models import Finding
from ..offices.models import Office
from ..scores.services import approved_in, item_figures_for, section_figures
from ..templating import answer_text, finding_status_labels, severity_labels
from ..visits.models import Answer, Visit

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def csv_stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text in pieces: a BOM, the header, then about a hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(v) for v in row])
        if count % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _name(office_row: Any, lang: str) -> str:
    return getattr(office_row, f"name_{lang}")


def visits_header() -> list[str]:
    return [
        _("Visit"),
        _("Office code"),
        _("Office"),
        _("Country"),
        _("Checklist"),
        _("Version"),
        _("Visited at"),
        _("Date"),
        _("Score"),
        _("Critical"),
    ]


def visit_rows(date_from: date | None, date_to: date | None, lang: str) -> Iterator[list[Any]]:
    query = (
        select(
            Visit.uuid,
            Office.code,
            Office.name_kk,
            Office.name_ru,
            Office.name_en,
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
        .where(approved_in(date_from, date_to))
        .order_by(Visit.visited_on, Visit.id)
        .execution_options(yield_per=BATCH)
    )
    yes, no = _("yes"), _("no")
    for row in db.session.execute(query):
        yield [
            row.uuid,
            row.code,
            _name(row, lang),
            row.country,
            row.slug,
            row.version,
            with_offset(row.visited_at, row.visited_offset).isoformat(),
            row.visited_on.isoformat(),
            row.score,
            yes if row.critical else no,
        ]


def answers_header() -> list[str]:
    return [
        _("Visit"),
        _("Office code"),
        _("Item"),
        _("Section"),
        _("Answer"),
        _("Answer (label)"),
        _("Item score"),
    ]


def answer_rows(date_from: date | None, date_to: date | None, lang: str) -> Iterator[list[Any]]:
    """Scorable and numeric answers; free text and comments stay out (they can identify)."""
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
        .where(approved_in(date_from, date_to))
        .order_by(Visit.visited_on, Visit.id, Answer.item_code)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(query):
        spec = specs.get(row.checklist_id)
        if spec is None:
            spec = specs[row.checklist_id] = db.session.get(Checklist, row.checklist_id).spec
        item = spec.items.get(row.item_code)
        if item is None or item.kind == "text" or row.value is None:
            continue
        yield [
            row.uuid,
            row.code,
            row.item_code,
            item.section,
            row.value,
            answer_text(item, row.value),
            row.score,
        ]


def summary_workbook(
    date_from: date | None, date_to: date | None, lang: str, ranking: list[dict[str, Any]]
) -> Path:
    """offices, sections, items, visits, findings: write-only, so memory stays flat."""
    from openpyxl import Workbook  # with numpy behind it: loaded for the first workbook only

    book = Workbook(write_only=True)
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    sheet = book.create_sheet(_("Offices"))
    sheet.append(
        [
            _("Office code"),
            _("Office"),
            _("Visits"),
            _("Score"),
            _("Lower bound"),
            _("Upper bound"),
            _("Critical visits"),
        ]
    )
    for row in ranking:
        ci = row["score_ci"] or [None, None]
        office = offices[row["office"]]
        sheet.append(
            [
                row["office"],
                office.name(lang),
                row["n"],
                row["score"],
                ci[0],
                ci[1],
                row["critical"],
            ]
        )
    where = approved_in(date_from, date_to)
    sheet = book.create_sheet(_("Sections"))
    sheet.append([_("Section"), _("Score"), _("Visits")])
    for code, figure in section_figures(where).items():
        sheet.append([code, figure["score"], figure["n"]])
    sheet = book.create_sheet(_("Items"))
    sheet.append(
        [
            _("Item"),
            _("Pass"),
            _("Fail"),
            _("Partial"),
            _("Not applicable"),
            _("Rate"),
            _("Lower bound"),
            _("Upper bound"),
        ]
    )
    for code, f in item_figures_for(where).items():
        ci = f["rate_ci"] or [None, None]
        sheet.append([code, f["pass"], f["fail"], f["partial"], f["na"], f["rate"], ci[0], ci[1]])
    sheet = book.create_sheet(_("Visits"))
    sheet.append(visits_header())
    for row in visit_rows(date_from, date_to, lang):
        sheet.append([neutralise(v) for v in row])
    period = Period(date_from or EARLIEST, date_to or max(date_from or EARLIEST, today_utc()))
    _recommendations_sheet(book, period, lang)
    _findings_sheet(book, period)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    book.save(handle.name)
    return Path(handle.name)


def _kpi_cells(k: Kpis) -> list[Any]:
    percent = [None if v is None else v * 100 for v in (k.share_implemented, k.share_verified)]
    rate = None if k.recurrence_rate is None else k.recurrence_rate * 100
    return [
        k.opened,
        k.implemented,
        percent[0],
        k.verified,
        percent[1],
        k.reopened,
        k.overdue,
        k.median_days_to_fix,
        rate,
    ]


def _recommendations_sheet(book: Any, period: Period, lang: str) -> None:
    """The period's recommendation KPIs (findings/kpis.py) per office, and for all offices."""
    sheet = book.create_sheet(_("Recommendations"))
    sheet.append(
        [
            _("Office code"),
            _("Office"),
            _("Recommendations opened"),
            _("Of these, implemented by the period's end"),
            _("Implemented, %%").replace("%%", "%"),
            _("Of these, verified by the period's end"),
            _("Verified, %%").replace("%%", "%"),
            _("Reopened during the period"),
            _("Overdue at the period's end"),
            _("Median days to fix"),
            _("Recurrences, %%").replace("%%", "%"),
        ]
    )
    figures = programme(period, lang)
    for row in sorted(figures.rows, key=lambda r: r.office):
        sheet.append([row.office, row.name, *_kpi_cells(row.period)])
    sheet.append(["", _("All offices"), *_kpi_cells(period_kpis(period))])


def _findings_sheet(book: Any, period: Period) -> None:
    """The findings opened in the period (as "Recommendations opened" counts them), with
    their status at the period's end and now."""
    sheet = book.create_sheet(_("Findings"))
    sheet.append(
        [
            _("Office code"),
            _("Item"),
            _("Severity"),
            _("Status at the period's end"),
            _("Status"),
            _("Due date"),
            _("Opened"),
        ]
    )
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
        sheet.append(
            [
                code,
                item,
                str(severities[severity]),
                str(statuses[then]),
                str(statuses[status]),
                due,
                created.date(),
            ]
        )

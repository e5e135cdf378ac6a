"""Dashboard, office page and public page figures, built on the scores service's aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ..auth.models import User
from ..domain import periods
from ..domain.disclosure import MIN_VISITS
from ..domain.periods import Period
from ..extensions import db
from ..findings.kpis import Programme, period_kpis, programme
from ..offices.models import Office
from ..scores.services import approved_in, ranking
from ..visits.models import Visit, VisitSection


@dataclass(frozen=True)
class Export:
    period: Period | None  # None: everything (a CSV or XLSX export without from or to)
    lang: str


def report_period(date_from: date | None, date_to: date | None, *, whole: bool) -> Period | None:
    """The period of an export or report, by the rule of every report (periods.span): a lone
    bound is honoured, a lone to from the first approved visit. Without from and to, the data
    exports (whole=True) take everything (None) and the report and infographic the last
    twelve months."""
    today = date.today()
    if whole and date_from is None and date_to is None:
        return None
    return periods.span(
        date_from,
        date_to,
        today=today,
        default=periods.last_twelve_months(today),
        earliest=first_approved_visit() or periods.EARLIEST,
    )


def download_name(what: str, period: Period | None, lang: str, ext: str) -> str:
    """ "adaldyq-summary-2026-10-kk.xlsx": what, period and language (DESIGN §9)."""
    return f"adaldyq-{what}-{periods.file_code(period)}-{lang}.{ext}"


@dataclass
class Dashboard:
    period: Period
    previous: Period
    rows: list[dict[str, Any]]
    sections: list[str]
    heat: dict[str, dict[str, float | None]]
    names: dict[str, str]
    kpis: Programme  # the recommendation KPIs of the period, for the offices shown
    previous_rows: list[dict[str, Any]]  # the ranking of the previous period, same offices


def dashboard(
    user: User, period: Period, locale: str, *, country: str | None = None, kind: str | None = None
) -> Dashboard:
    """Offices ranked for the period, with the change since the previous one."""
    previous = period.previous()
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    keep = {
        code
        for code, o in offices.items()
        if (not country or o.country == country) and (not kind or o.kind == kind)
    }
    current = [r for r in ranking(user, period.start, period.end) if r["office"] in keep]
    previous_rows = [r for r in ranking(user, previous.start, previous.end) if r["office"] in keep]
    before = {r["office"]: r["score"] for r in previous_rows}
    for row in current:
        row["too_few"] = row["n"] < MIN_VISITS
        old = before.get(row["office"])
        row["change"] = row["score"] - old if row["score"] is not None and old is not None else None
    ranked = [r for r in current if not r["too_few"]] + [r for r in current if r["too_few"]]
    heat: dict[str, dict[str, float | None]] = {}
    codes: set[str] = set()
    rows = db.session.execute(
        select(Office.code, VisitSection.section_code, func.avg(VisitSection.score))
        .join(Visit, Visit.id == VisitSection.visit_id)
        .join(Office, Office.id == Visit.office_id)
        .where(approved_in(period.start, period.end), VisitSection.score.is_not(None))
        .group_by(Office.code, VisitSection.section_code)
    ).all()
    for office, section, score in rows:
        if office in keep:
            heat.setdefault(office, {})[section] = score
            codes.add(section)
    names = {code: o.name(locale) for code, o in offices.items()}
    shown = None if not (country or kind) else [offices[code].id for code in keep]
    kpis = programme(period, locale, office_ids=shown, office_all_time=False)
    return Dashboard(period, previous, ranked, sorted(codes), heat, names, kpis, previous_rows)


def public_figures(period: Period, locale: str) -> dict[str, Any]:
    """What anyone may see: scores of offices with at least 3 visits, and the headline share
    of the quarter (of the recommendations opened in it, the share implemented by its end;
    an ended quarter's share no longer changes, so polling the page shows nothing new)."""
    system = User(role="project_group")
    rows = [r for r in ranking(system, period.start, period.end) if r["n"] >= MIN_VISITS]
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    kpis = period_kpis(period)
    return {
        "rows": [{**r, "name": offices[r["office"]].name(locale)} for r in rows],
        "implemented_share": kpis.share_implemented,
        "findings": kpis.opened,
    }


def first_approved_visit() -> date | None:
    """The day of the earliest approved visit: where the public page's quarters begin."""
    return db.session.scalar(select(func.min(Visit.visited_on)).where(Visit.status == "approved"))

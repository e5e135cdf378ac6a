"""Dashboard, office page and public page figures, built on the scores service's aggregates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth.models import User
from ..checklists.services import list_checklists
from ..domain import periods
from ..domain.cells import one_line
from ..domain.charts import both_ends, shown_in_chart
from ..domain.disclosure import MIN_VISITS
from ..domain.periods import Period
from ..extensions import db
from ..findings.kpis import Programme, period_kpis, programme
from ..offices.models import Office
from ..scores.services import approved_in, ranking
from ..scores.trend import MonthScore
from ..templating import country_name, current_locale, one_decimal, quarter_label
from ..visits.models import Visit, VisitSection
from . import charts
from .charts import Bar


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
    names = {code: one_line(o.name(locale)) for code, o in offices.items()}
    shown = None if not (country or kind) else [offices[code].id for code in keep]
    kpis = programme(period, locale, office_ids=shown, office_all_time=False)
    return Dashboard(period, previous, ranked, sorted(codes), heat, names, kpis, previous_rows)


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: its SVG as a data: URI and, when the chart leaves rows out,
    a caption that says so (the text alternative is in the template)."""

    uri: str
    caption: str = ""


def ranking_chart(
    rows: list[dict[str, Any]], office_name: Callable[[str], str], limit: int = 20
) -> Chart:
    """Offices as horizontal bars in ranking order (best first), those with too few visits
    light and hatched; more than limit: the best and the worst (domain/charts.py)."""
    shown, hidden = shown_in_chart(rows, lambda r: not r.get("too_few"), limit)
    too_few = str(_l("too few visits to rank"))
    bars = [
        Bar(
            label=office_name(r["office"]) + (f" ({too_few})" if r.get("too_few") else ""),
            value=r["score"],
            note=one_decimal(r["score"]),
            interval=tuple(r["score_ci"]) if r.get("score_ci") else None,  # type: ignore[arg-type]
            faint=bool(r.get("too_few")),
        )
        for r in shown
        if r["score"] is not None
    ]
    caption = ""
    if hidden and both_ends(rows, lambda r: not r.get("too_few"), limit):
        caption = str(
            _l(
                "The chart shows the %(n)s best and the %(n)s worst offices; all %(total)s are "
                "in the table.",
                n=limit // 2,
                total=len(rows),
            )
        )
    elif hidden:
        caption = str(
            _l(
                "The chart shows %(shown)s of the %(total)s offices, ranked ones first; all are "
                "in the table.",
                shown=len(shown),
                total=len(rows),
            )
        )
    return Chart(charts.data_uri(charts.bar_chart(bars)), caption)


def sections_chart(sections: dict[str, dict[str, Any]], named: Names) -> Chart | None:
    """An office's score by section, lowest first: where to look; None when no section has a
    score to show (withheld, or no visits)."""
    ordered = sorted(
        ((code, f) for code, f in sections.items() if f.get("score") is not None),
        key=lambda pair: pair[1]["score"],
    )
    bars = [Bar(named.section(code), f["score"], one_decimal(f["score"])) for code, f in ordered]
    if not bars:
        return None
    return Chart(charts.data_uri(charts.bar_chart(bars)))


def trend_chart(months: list[MonthScore]) -> Chart:
    """An office's score by month with its 95 % interval. At most six months are named
    under the axis ("қаң.", "янв.", "Jan": six fit across a phone), each with its year
    under it when the year differs from the last one named."""
    locale = current_locale()
    step = max(1, -(-len(months) // 6))
    labels, year = [], 0
    for index, m in enumerate(months):
        first = date.fromisoformat(f"{m.month}-01")
        if index % step:
            labels.append("")
            continue
        name = format_date(first, "LLL", locale=locale)
        labels.append(name if first.year == year else f"{name}\n{first.year}")
        year = first.year
    svg = charts.line_chart(labels, [m.score for m in months], [m.interval for m in months])
    return Chart(charts.data_uri(svg))


def quarter_chart(quarters: list[tuple[str, float | None, int]]) -> Chart:
    """An office head's score by ended quarter (scores.trend.quarterly_scores, oldest first;
    a score withheld below three visits is a gap). At most four quarters are named under
    the axis, each on two lines ("2026 ж.\n3-тоқсан", "3-й квартал\n2026 г.", "Q3\n2026")."""
    step = max(1, -(-len(quarters) // 4))
    labels = [
        "" if index % step else _two_lines(quarter_label(code))
        for index, (code, _score, _n) in enumerate(quarters)
    ]
    scores = [score for _code, score, _n in quarters]
    return Chart(charts.data_uri(charts.line_chart(labels, scores, [None] * len(quarters))))


def _two_lines(text: str) -> str:
    """text broken at the space nearest its middle."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1 :]


def public_figures(period: Period, locale: str) -> dict[str, Any]:
    """What anyone may see: scores of offices with at least 3 visits, and the headline share
    of the quarter (of the recommendations opened in it, the share implemented by its end;
    an ended quarter's share no longer changes, so polling the page shows nothing new)."""
    system = User(role="project_group")
    rows = [r for r in ranking(system, period.start, period.end) if r["n"] >= MIN_VISITS]
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    kpis = period_kpis(period)
    return {
        "rows": [{**r, "name": one_line(offices[r["office"]].name(locale))} for r in rows],
        "implemented_share": kpis.share_implemented,
        "findings": kpis.opened,
    }


def first_approved_visit() -> date | None:
    """The day of the earliest approved visit: where the public page's quarters begin."""
    return db.session.scalar(select(func.min(Visit.visited_on)).where(Visit.status == "approved"))


def _specs_oldest_first() -> list[Any]:
    """Every checklist version, oldest first: a later version's text wins for a code, and a
    code retired from the latest version keeps the name it had (codes keep their meaning,
    DESIGN §2), so data from any version is named."""
    return [checklist.spec for checklist in list_checklists()]  # ordered by version


def section_titles() -> dict[str, dict[str, str]]:
    """Section code -> its title in kk, ru and en."""
    return {s.code: s.title for spec in _specs_oldest_first() for s in spec.sections}


def item_texts() -> dict[str, dict[str, str]]:
    """Item code -> its question in kk, ru and en."""
    return {i.code: i.text for spec in _specs_oldest_first() for i in spec.iter_items()}


@dataclass(frozen=True)
class Names:
    """What a reader sees in place of a code, in one language (issue 14: names, not codes).

    Each lookup falls back to the code itself, so a report never fails on an unknown code.
    """

    locale: str
    offices: dict[str, str]
    sections: dict[str, str]
    items: dict[str, str]
    item_sections: dict[str, str]  # item code -> its section code

    def office(self, code: str) -> str:
        return self.offices.get(code, code)

    def section(self, code: str) -> str:
        return self.sections.get(code, code)

    def item(self, code: str) -> str:
        return self.items.get(code, code)

    def country(self, code: str) -> str:
        return country_name(code, self.locale)


def _pick(text: dict[str, str], locale: str) -> str:
    return text.get(locale) or text.get("en") or next(iter(text.values()), "")


def names(locale: str) -> Names:
    """Offices, sections and items named in locale (kk, ru or en)."""
    offices = {o.code: one_line(o.name(locale)) for o in db.session.scalars(select(Office))}
    specs = _specs_oldest_first()
    sections = {s.code: _pick(s.title, locale) for spec in specs for s in spec.sections}
    items = {i.code: _pick(i.text, locale) for spec in specs for i in spec.iter_items()}
    item_sections = {i.code: i.section for spec in specs for i in spec.iter_items()}
    return Names(locale, offices, sections, items, item_sections)

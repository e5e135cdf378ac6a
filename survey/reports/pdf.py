"""The monthly report and the infographic, rendered from the same data as the pages."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..auth.models import User
from ..domain.kpis import change
from ..domain.periods import Period
from ..findings.kpis import most_unresolved, period_kpis
from ..findings.programme import period_label
from ..scores.services import approved_in, item_figures_for
from ..templating import one_decimal
from . import charts
from .services import dashboard

# The report's comparison with the previous period, one row each (templates/reports/report.html).
KPI_ROWS = (
    "opened",
    "implemented",
    "share_implemented",
    "verified",
    "share_verified",
    "reopened",
    "overdue",
    "median_days_to_fix",
    "recurrence_rate",
)


def report_context(user: User, period: Period, lang: str) -> dict[str, Any]:
    """Every figure of the report belongs to the period: scores of its approved visits, the
    recommendations opened in it and their status at its end, beside the previous period."""
    board = dashboard(user, period, lang)
    figures = board.kpis
    before = period_kpis(period.previous())
    items = item_figures_for(approved_in(period.start, period.end))
    worst = sorted(
        ((code, f) for code, f in items.items() if f["rate"] is not None),
        key=lambda pair: pair[1]["rate"],
    )[:10]
    visits, mean = _visits_and_mean(board.rows)
    visits_before, mean_before = _visits_and_mean(board.previous_rows)
    return {
        "board": board,
        "label": period_label(period),
        "previous_label": period_label(period.previous()),
        "overall": figures.overall,
        "before": before,
        "changes": {
            name: change(getattr(figures.overall, name), getattr(before, name)) for name in KPI_ROWS
        },
        "per_office": figures.rows,
        "most_open": most_unresolved(period),
        "names": board.names,
        "worst": worst,
        "visits": visits,
        "mean": mean,
        "visits_before": visits_before,
        "mean_before": mean_before,
        "mean_change": change(mean, mean_before),
        "chart": charts.data_uri(charts.ranking_chart(board.rows, board.names)),
        "lang": lang,
    }


def _visits_and_mean(rows: list[dict[str, Any]]) -> tuple[int, float | None]:
    """Approved visits with a score, and their mean score (0–100), from ranking rows."""
    visits = sum(r["n"] for r in rows)
    total = sum(r["score"] * r["n"] for r in rows if r["score"] is not None)
    return visits, (total / visits if visits else None)


def _cities() -> dict[str, str]:
    from sqlalchemy import select

    from ..extensions import db
    from ..offices.models import Office

    return {code: city for code, city in db.session.execute(select(Office.code, Office.city))}


def report_pdf(user: User, period: Period, lang: str) -> bytes:
    from weasyprint import HTML

    with force_locale(lang):
        html = render_template("reports/report.html", **report_context(user, period, lang))
    return HTML(string=html).write_pdf()


def infographic(user: User, period: Period, lang: str, fmt: str) -> bytes:
    with force_locale(lang):
        context = report_context(user, period, lang)
        board = context["board"]
        share = context["overall"].share_implemented
        facts = [
            (str(len([r for r in board.rows if r["n"]])), _("offices visited")),
            (str(context["visits"]), _("approved visits")),
            (one_decimal(context["mean"]), _("average compliance score of 100")),
            (
                f"{one_decimal(share * 100 if share is not None else None)} %",
                _("of recommendations implemented"),
            ),
        ]
        cities = _cities()
        top = [
            (cities.get(r["office"], r["office"]), r["score"])
            for r in board.rows
            if r["score"] is not None and not r["too_few"]
        ][:8]
        title = _("“Adaldyq alany”: consular services") + f"\n{period.start} – {period.end}"
        footer = _("Report corruption: the Anti-Corruption Agency's hotline 1424.")
        return charts.infographic(title, facts, top, footer, fmt)

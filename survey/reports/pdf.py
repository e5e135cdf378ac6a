"""The monthly report and the infographic, rendered from the same data as the pages."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..auth.models import User
from ..common.l10n import LANGUAGES, one_decimal
from ..domain.disclosure import MIN_VISITS
from ..domain.kpis import change
from ..domain.periods import Period
from ..findings.kpis import most_unresolved, period_kpis
from ..findings.programme import period_label
from ..scores.services import approved_in, item_figures_for
from . import charts
from .names import names
from .pagecharts import ranking_chart
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
    recommendations opened in it and their status at its end, beside the previous period.

    Call inside force_locale(lang): labels and names are in lang.
    """
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
        "language": dict(LANGUAGES)[lang],
        "overall": figures.overall,
        "before": before,
        "changes": {
            name: change(getattr(figures.overall, name), getattr(before, name)) for name in KPI_ROWS
        },
        "per_office": figures.rows,
        "most_open": most_unresolved(period),
        "names": board.names,
        "labels": names(lang),
        "worst": worst,
        "visits": visits,
        "mean": mean,
        "visits_before": visits_before,
        "mean_before": mean_before,
        "mean_change": change(mean, mean_before),
        "chart": ranking_chart(board.rows, lambda code: board.names.get(code, code)),
        "lang": lang,
    }


def _visits_and_mean(rows: list[dict[str, Any]]) -> tuple[int, float | None]:
    """Approved visits with a score, and their mean score (0–100), from ranking rows."""
    visits = sum(r["n"] for r in rows)
    total = sum(r["score"] * r["n"] for r in rows if r["score"] is not None)
    return visits, (total / visits if visits else None)


def report_pdf(user: User, period: Period, lang: str) -> bytes:
    """The report as A4 PDF bytes (WeasyPrint): rows never split, headers repeat, pages
    numbered, the period and the language in its title."""
    from weasyprint import HTML

    with force_locale(lang):
        html = render_template("reports/report.html", **report_context(user, period, lang))
    return HTML(string=html).write_pdf()


def infographic_facts(user: User, period: Period, lang: str) -> charts.Infographic:
    """What the infographic says, in lang: the period's figures, and a row for every office
    with a score. It is published on a website: an office with fewer than MIN_VISITS
    approved visits is named without its score, which would be one or two visits' own."""
    with force_locale(lang):
        context = report_context(user, period, lang)
        board = context["board"]
        share = context["overall"].share_implemented
        scored = [r for r in board.rows if r["score"] is not None]
        facts = [
            (str(len([r for r in board.rows if r["n"]])), _("offices visited")),
            (str(context["visits"]), _("approved visits")),
            (one_decimal(context["mean"]), _("average compliance score of 100")),
            (
                f"{one_decimal(share * 100 if share is not None else None)} %",
                _("of recommendations implemented"),
            ),
        ]
        withheld = _("score not shown: fewer than %(n)s approved visits", n=MIN_VISITS)
        bars = [  # every office with a score; below MIN_VISITS without it (domain/disclosure)
            charts.Bar(
                label=board.names.get(r["office"], r["office"]),
                value=None if r["too_few"] else r["score"],
                note=withheld if r["too_few"] else one_decimal(r["score"]),
            )
            for r in scored
        ]
        title = _("“Adaldyq alany”: consular services") + "\n" + context["label"]
        return charts.Infographic(
            title=title,
            facts=facts,
            caption=_("Compliance score of each office visited, of 100"),
            bars=bars,
            footer=_("Report corruption: the Anti-Corruption Agency's 1424 call centre."),
        )


def infographic(user: User, period: Period, lang: str, fmt: str) -> bytes:
    """The infographic as PNG or SVG bytes."""
    return charts.infographic(infographic_facts(user, period, lang), fmt)

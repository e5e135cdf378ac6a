"""The monthly report and the infographic, rendered from the same data as the pages."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..auth.models import User
from ..domain.periods import Period
from ..findings.kpis import programme_kpis
from ..scores.services import approved_in, item_figures_for
from ..templating import one_decimal
from . import charts
from .services import dashboard


def report_context(user: User, period: Period, lang: str) -> dict[str, Any]:
    board = dashboard(user, period, lang)
    per_office, overall = programme_kpis(lang)
    items = item_figures_for(approved_in(period.start, period.end))
    worst = sorted(
        ((code, f) for code, f in items.items() if f["rate"] is not None),
        key=lambda pair: pair[1]["rate"],
    )[:10]
    visits = sum(r["n"] for r in board.rows)
    scored = [r for r in board.rows if r["score"] is not None]
    mean = sum(r["score"] * r["n"] for r in scored) / visits if visits else None
    return {
        "board": board,
        "overall": overall,
        "per_office": per_office,
        "worst": worst,
        "visits": visits,
        "mean": mean,
        "chart": charts.data_uri(charts.ranking_chart(board.rows, board.names)),
        "lang": lang,
    }


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
        share = context["overall"].implemented_share
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

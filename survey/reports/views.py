"""The dashboard, the office page and the public transparency page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from ..domain import periods
from ..errors import InvalidInput, NotFound
from ..findings.kpis import programme_kpis
from ..offices.models import OFFICE_KINDS
from ..offices.services import get_office, list_offices
from ..scores.services import office_figures, parse_period
from ..scores.trend import monthly_scores
from ..templating import current_locale
from . import charts
from .services import dashboard as build_dashboard
from .services import public_figures

bp = Blueprint("reports", __name__, template_folder="templates")
DASHBOARD_ROLES = ("auditor", "project_group")


def _period() -> periods.Period:
    try:
        return periods.parse(
            request.args.get("kind"),
            request.args.get("value"),
            request.args.get("from"),
            request.args.get("to"),
            date.today(),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    if current_user.role not in DASHBOARD_ROLES:
        abort(403)
    period = _period()
    board = build_dashboard(
        current_user,
        period,
        current_locale(),
        country=request.args.get("country") or None,
        kind=request.args.get("office_kind") or None,
    )
    return render_template(
        "reports/dashboard.html",
        board=board,
        chart=charts.data_uri(charts.ranking_chart(board.rows, board.names)),
        countries=sorted({o.country for o in list_offices()}),
        kinds=OFFICE_KINDS,
        args=request.args,
    )


@bp.get("/offices/<code>")
@login_required
def office(code: str) -> str:
    found = get_office(code)
    if found is None:
        raise NotFound("office")
    figures = office_figures(current_user, found, None, None)  # refuses the wrong people
    trend = monthly_scores(found.id)
    kpis = next(iter(programme_kpis(current_locale(), office_id=found.id)[0]), None)
    return render_template(
        "reports/office.html",
        office=found,
        figures=figures,
        trend=trend,
        kpis=kpis,
        chart=charts.data_uri(charts.trend_chart(trend)),
    )


@bp.get("/public")
def public() -> str:
    """Anyone: scores of offices with at least 3 approved visits, no people, no free text."""
    date_from, date_to = parse_period(request.args.get("from"), request.args.get("to"))
    default = periods.last_twelve_months(date.today())
    period = periods.Period(date_from or default.start, date_to or default.end)
    return render_template(
        "reports/public.html", period=period, figures=public_figures(period, current_locale())
    )

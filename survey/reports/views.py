"""The dashboard, the office page and the public transparency page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..common.filters import country_choices
from ..common.l10n import current_locale
from ..common.paging import PER_PAGE, Page, Window, page_number
from ..domain import periods
from ..errors import BadRequest, InvalidInput, NotFound
from ..findings.programme import head_columns, last_complete_month, office_columns, period_label
from ..offices.models import OFFICE_KINDS, Office
from ..offices.services import get_office
from ..scores.services import office_figures
from ..scores.trend import first_approved_day, monthly_scores, quarterly_scores
from .names import names
from .pagecharts import quarter_chart, ranking_chart, sections_chart, trend_chart
from .services import dashboard as build_dashboard
from .services import first_approved_visit, public_figures, report_period

bp = Blueprint("reports", __name__, template_folder="templates")
DASHBOARD_ROLES = ("auditor", "project_group")


def _period() -> periods.Period:
    """The dashboard's period: kind and value, or from and to where a lone bound is honoured
    as in every report (services.report_period); 422 with a message for a malformed, reversed
    or out-of-range one (2000–2100)."""
    args = request.args
    lone = bool(args.get("from")) != bool(args.get("to"))
    try:
        if lone and not args.get("value"):
            bound = {key: _day(args.get(key)) for key in ("from", "to")}
            found = report_period(bound["from"], bound["to"], whole=False)
            assert found is not None
            return found
        return periods.parse(
            args.get("kind"), args.get("value"), args.get("from"), args.get("to"), date.today()
        )
    except ValueError as exc:  # malformed, reversed, or outside 2000–2100
        raise InvalidInput(_l("Give a period as YYYY-MM, YYYY-Qn or YYYY.")) from exc


def _day(raw: str | None) -> date | None:
    """An ISO date within 2000–2100, or None when absent; ValueError otherwise."""
    if not raw:
        return None
    day = periods.iso_day(raw)
    if not periods.EARLIEST <= day <= periods.LATEST:
        raise ValueError(raw)
    return day


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
    fields: dict[str, list[Any]] = {}
    window = Window.page(page_number(request.args, fields))
    if fields:
        raise InvalidInput(_l("Some fields need attention."), fields)
    page = Page(
        board.rows[window.offset : window.offset + PER_PAGE], len(board.rows), window.offset
    )
    return render_template(
        "reports/dashboard.html",
        board=board,
        page=page,  # the ranking's and the section table's rows: PER_PAGE offices a page
        period_heading=period_label(period),
        chart=ranking_chart(board.rows, lambda code: board.names.get(code, code)),
        names=names(current_locale()),
        countries=country_choices(),
        kinds=OFFICE_KINDS,
        args=request.args,
    )


@bp.get("/offices/<code>")
@login_required
def office(code: str) -> str:
    found = get_office(code)
    if found is None:
        raise NotFound("office")
    if current_user.role == "office_head":
        return _office_for_head(found)
    figures = office_figures(current_user, found, None, None)  # refuses the wrong people
    trend = monthly_scores(found.id)
    month = last_complete_month(date.today())
    named = names(current_locale())
    return render_template(
        "reports/office.html",
        office=found,
        figures=figures,
        trend=[m for m in trend if m.n],
        names=named,
        kpis=office_columns(found, month, period_label(month)),
        trend_chart=trend_chart(trend),
        sections_chart=sections_chart(figures["sections"], named),
    )


def _office_for_head(found: Office) -> str:
    """The head's own office by ended quarter, figures withheld below three visits."""
    offered = periods.completed_quarters(date.today(), first_approved_day(found.id), limit=8)
    chosen = _chosen_quarter(offered)
    figures = office_figures(current_user, found, chosen.start, chosen.end)  # refuses others
    kpis = head_columns(found, chosen)
    trend = quarterly_scores(found.id, offered[::-1])
    named = names(current_locale())
    return render_template(
        "reports/office_head.html",
        office=found,
        figures=figures,
        quarters=[periods.quarter_code(q) for q in offered],
        trend=trend,
        kpis=kpis,
        names=named,
        trend_chart=quarter_chart(trend),
        trend_shown=any(score is not None for _q, score, _n in trend),
        sections_chart=sections_chart(figures["sections"], named),
    )


def _chosen_quarter(offered: list[periods.Period]) -> periods.Period:
    """?quarter=YYYY-Qn among those offered (the last complete one by default); else 400."""
    raw = request.args.get("quarter")
    if raw is None:
        return offered[0]
    chosen = next((q for q in offered if periods.quarter_code(q) == raw), None)
    if chosen is None:
        raise BadRequest(_l("Choose a quarter from the list."))
    return chosen


@bp.get("/public")
def public() -> str:
    """Anyone: scores of offices with at least 3 approved visits in an ended calendar quarter.

    Quarters never overlap and free dates are refused (400): moving the end of a period one
    day at a time would otherwise show single visits' dates and scores (issue 12).
    """
    if "from" in request.args or "to" in request.args:
        raise BadRequest(_l("The public page shows whole quarters: choose one from the list."))
    offered = periods.completed_quarters(date.today(), first_approved_visit(), limit=20)
    period = _chosen_quarter(offered)
    figures = public_figures(period, current_locale())
    return render_template(
        "reports/public.html",
        period=period,
        quarter=periods.quarter_code(period),
        quarters=[periods.quarter_code(q) for q in offered],
        figures=figures,
        chart=ranking_chart(figures["rows"], _public_name(figures["rows"])),
    )


def _public_name(rows: list[dict[str, Any]]) -> Callable[[str], str]:
    named = {r["office"]: r["name"] for r in rows}
    return lambda code: named.get(code, code)

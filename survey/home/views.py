"""The signed-in start page: for volunteers, their assignments and visits by status."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..assignments.services import open_assignments_for
from ..auth.models import FIELD_ROLES, User
from ..extensions import db
from ..findings.kpis import LIVE, period_kpis
from ..findings.models import Finding
from ..findings.programme import last_complete_month, period_label
from ..offices.models import Office
from ..scores.services import office_figures, office_finding_counts
from ..visits.models import STATUSES
from ..visits.services import list_visits

bp = Blueprint("home", __name__, template_folder="templates")
# The order a volunteer cares about: what needs their hand first.
STATUS_ORDER = ("returned", "draft", "submitted", "approved", "rejected")


def _office_portal(user: User, office: Office) -> dict[str, object]:
    """The head's own office: the last complete quarter's figures and the findings to answer.

    Figures come withheld as the allow-list says (fewer than 3 visits: no score); the whole
    office page, with earlier quarters, is a link away.
    """
    return {
        "figures": office_figures(user, office, None, None),
        "findings": office_finding_counts(office),
    }


def _programme_desk() -> dict[str, object]:
    """The project group's start: last month's headline and what waits for them."""
    month = last_complete_month(date.today())
    waiting = db.session.scalar(
        select(func.count(Finding.id)).where(Finding.status == "implemented", LIVE)
    )
    return {"label": period_label(month), "kpis": period_kpis(month), "to_verify": waiting or 0}


@bp.get("/")
@login_required
def index() -> str:
    user = current_user
    groups: dict[str, list] = {}
    assignments = []
    if user.role in FIELD_ROLES:
        assignments = open_assignments_for(user)
        own = list_visits(user, mine=True)
        groups = {status: [v for v in own if v.status == status] for status in STATUSES}
    portal = (
        _office_portal(user, user.office) if user.role == "office_head" and user.office else None
    )
    desk = _programme_desk() if user.role == "project_group" else None
    return render_template(
        "home/index.html",
        portal=portal,
        desk=desk,
        user=user,
        assignments=assignments,
        groups=[(s, groups.get(s, [])) for s in STATUS_ORDER],
        field_worker=user.role in FIELD_ROLES,
    )


@bp.get("/device")
@login_required
def device() -> str:
    """This device: what waits to be sent, and removing what this browser keeps (the roles
    whose pages keep answers and files offline); 404 for the others."""
    if current_user.role not in FIELD_ROLES:
        abort(404)
    return render_template("home/device.html")


@bp.get("/help")
def help_page() -> str:
    """Help for volunteers, in the reader's language; open to anyone (nothing in it is secret)."""
    return render_template("home/help.html")

"""Auditors plan visits and see who has not gone yet."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..checklists.services import list_checklists
from ..common.filters import office_choices
from ..common.l10n import current_locale, localized
from ..errors import InvalidInput, listing_or_problems, translate_fields
from ..offices.services import list_offices
from .forms import AssignmentForm
from .services import create_assignment, field_workers, find_assignments

bp = Blueprint("assignments", __name__, template_folder="templates")


@bp.get("/assignments")
@login_required
def index() -> tuple[str, int]:
    """Planned visits, those not made yet unless another state is chosen; 50 a page."""
    if current_user.role not in ("auditor", "project_group"):
        abort(403)
    args = request.args.to_dict()
    if args.pop("show", None) == "all":  # the address of earlier versions of this page
        args.setdefault("status", "all")
    state = args.setdefault("status", "pending") or "all"
    listing, problems = listing_or_problems(lambda: find_assignments(current_user, args))
    return render_template(
        "assignments/list.html",
        listing=listing,
        problems=problems,
        state=state,
        states=state_labels(),
        offices=office_choices(current_locale()),
        filtered=any(k not in ("sort", "page", "status") for k in request.args),
        today=date.today(),
    ), (422 if problems else 200)


def state_labels() -> dict[str, str]:
    return {
        # Translators: a planned visit that has not taken place yet.
        "pending": _("Not made yet"),
        "overdue": _("Overdue: not made yet"),
        "started": _("Started, not sent"),
        "done": _("Sent"),
        "all": _("All"),
    }


@bp.route("/assignments/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    if current_user.role != "auditor":
        abort(403)
    form = AssignmentForm()
    choose = SelectChoice("", _("Choose…"))
    form.volunteer.choices = [choose] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.pseudonym})") for u in field_workers()
    ]
    form.office.choices = [choose] + [
        SelectChoice(o.code, o.name(current_locale())) for o in list_offices(active_only=True)
    ]
    form.checklist.choices = [choose] + [
        SelectChoice(str(c.id), f"{localized(c.spec.title)} (v{c.version})")
        for c in list_checklists()
    ]
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            create_assignment(
                current_user,
                volunteer_id=int(form.volunteer.data),
                office_code=form.office.data,
                checklist_id=int(form.checklist.data),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except InvalidInput as exc:
            errors = translate_fields(exc.fields)
        else:
            flash(_("The visit was planned."), "success")
            return redirect(url_for("assignments.index"))
    status = 422 if (form.errors or errors) else 200
    return render_template("assignments/new.html", form=form, errors=errors), status

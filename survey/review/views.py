"""The auditor's queue and decisions from the browser (the API shares the same service)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..checklists.services import list_checklists
from ..errors import InvalidInput, translate_fields
from ..offices.services import list_offices
from ..visits.services import review_visit, show_to_office
from .services import FLAGS, flag_labels, queue

bp = Blueprint("review", __name__, template_folder="templates")


@bp.get("/review")
@login_required
def index() -> str:
    if current_user.role != "auditor":
        abort(403)
    office = request.args.get("office") or None
    checklist = request.args.get("checklist") or None
    flag = request.args.get("flag") or None
    return render_template(
        "review/queue.html",
        rows=queue(current_user, office=office, checklist=checklist, flag=flag),
        offices=list_offices(),
        checklists=sorted({c.slug for c in list_checklists()}),
        flags=FLAGS,
        labels=flag_labels(),
        chosen={"office": office, "checklist": checklist, "flag": flag},
    )


@bp.post("/visits/<uuid>/decision")
@login_required
def decide(uuid: str) -> Response:
    body = {"decision": request.form.get("decision"), "note": request.form.get("note")}
    if request.form.get("office_evidence_given"):
        body["office_evidence"] = request.form.getlist("office_evidence")
    try:
        review_visit(current_user, uuid, body)
    except InvalidInput as exc:
        for messages in translate_fields(exc.fields).values():
            flash(messages[0], "error")
        return redirect(url_for("visits.detail", uuid=uuid))
    flash(_("Your decision was recorded."), "success")
    return redirect(url_for("review.index"))


@bp.post("/visits/<uuid>/office-evidence")
@login_required
def office_evidence(uuid: str) -> Response:
    """After approval, an auditor changes which photos and videos the office is shown."""
    try:
        show_to_office(current_user, uuid, request.form.getlist("office_evidence"))
    except InvalidInput as exc:
        for messages in translate_fields(exc.fields).values():
            flash(messages[0], "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("visits.detail", uuid=uuid))

"""The auditor's queue and decisions from the browser (the API shares the same service)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..checklists.services import list_checklists
from ..common.filters import country_choices, office_choices
from ..common.l10n import current_locale
from ..errors import InvalidInput, listing_or_problems, translate_fields
from ..visits.services import review_visit, show_to_office
from .services import FLAGS, find_queue, flag_labels

bp = Blueprint("review", __name__, template_folder="templates")


@bp.get("/review")
@login_required
def index() -> tuple[str, int]:
    """The auditor's queue: visits sent for review, oldest first, 50 a page, with filters."""
    if current_user.role != "auditor":
        abort(403)
    found, problems = listing_or_problems(lambda: find_queue(current_user, request.args))
    listing, flags = found or (None, {})
    return render_template(
        "review/queue.html",
        listing=listing,
        flags=flags,
        problems=problems,
        offices=office_choices(current_locale()),
        countries=country_choices(),
        checklists=[(s, s) for s in sorted({c.slug for c in list_checklists()})],
        labels=flag_labels(),
        flag_choices=[(f, str(flag_labels()[f])) for f in FLAGS],
        filtered=any(k not in ("sort", "page") for k in request.args),
    ), (422 if problems else 200)


@bp.post("/visits/<uuid>/decision")
@login_required
def decide(uuid: str) -> Response:
    body: dict[str, Any] = {
        "decision": request.form.get("decision"),
        "note": request.form.get("note"),
    }
    if request.form.get("office_evidence_given"):
        body["office_evidence"] = request.form.getlist("office_evidence")
    try:
        review_visit(current_user, uuid, body)
    except InvalidInput as exc:
        # Shown beside the note box, and the page opens there: the decision sits below a
        # long visit (issue 15), not at the top where a message would be out of sight.
        for messages in translate_fields(exc.fields).values():
            flash(messages[0], "decision")
        return redirect(url_for("visits.detail", uuid=uuid, _anchor="decide-title"))
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

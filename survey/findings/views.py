"""Findings in the browser: the office answers, auditors edit, the project group verifies."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..errors import ServiceError, translate_fields
from ..evidence.services import add_proof, evidence_by_item, incoming_from_file, proofs_of
from ..templating import current_locale
from . import services
from .kpis import programme_kpis
from .models import FINDING_STATUSES
from .presenters import finding_json, findings_json

bp = Blueprint("findings", __name__, template_folder="templates")


@bp.get("/findings")
@login_required
def index() -> str:
    status = request.args.get("status") or None
    rows = services.list_findings(
        current_user,
        office=request.args.get("office") or None,
        status=status if status in FINDING_STATUSES else None,
        overdue=request.args.get("overdue") == "1",
    )
    if current_user.role == "office_head":  # the allow-list, as the API gives it
        return render_template(
            "findings/office_list.html",
            findings=findings_json(rows, current_user, current_locale()),
            status=status,
            statuses=FINDING_STATUSES,
        )
    return render_template(
        "findings/list.html", findings=rows, status=status, statuses=FINDING_STATUSES
    )


@bp.get("/findings/<int:finding_id>")
@login_required
def detail(finding_id: int) -> str:
    finding = services.get_finding(current_user, finding_id)
    if current_user.role == "office_head":  # the allow-list, as the API gives it
        return render_template(
            "findings/office_detail.html",
            f=finding_json(finding, current_user, current_locale()),
        )
    spec = finding.visit.checklist.spec
    others = []
    if current_user.role == "auditor":
        others = [
            f
            for f in services.list_findings(current_user, office=finding.office.code)
            if f.item_code == finding.item_code and f.id != finding.id
        ]
    return render_template(
        "findings/detail.html",
        finding=finding,
        item=spec.items.get(finding.item_code),
        recommendation=services.recommendation_text(finding, current_locale()),
        evidence=[
            e
            for o in finding.observations
            for e in evidence_by_item(o.visit).get(finding.item_code, [])
        ],
        passed_since_fix=services.passed_since_fix(finding),
        proofs=proofs_of(finding),
        others=others,
    )


def _act(finding_id: int, action) -> Response:  # type: ignore[no-untyped-def]
    try:
        action()
    except ServiceError as exc:
        if exc.status in (401, 403, 404):
            raise  # a refusal is an answer of its own, not a message on the page
        messages = [m[0] for m in translate_fields(exc.fields).values()] or [str(exc.message)]
        for message in messages:
            flash(message, "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("findings.detail", finding_id=finding_id))


@bp.post("/findings/<int:finding_id>/respond")
@login_required
def respond_page(finding_id: int) -> Response:
    def act() -> None:
        received = [f for f in request.files.getlist("file") if f and f.filename]
        status = services.reply_status(
            current_user, finding_id, request.form.get("status"), proof=bool(received)
        )
        services.respond(
            current_user, finding_id, {"text": request.form.get("text"), "status": status}
        )
        finding = services.get_finding(current_user, finding_id)
        for one in received:
            add_proof(current_user, finding, incoming_from_file(one))

    return _act(finding_id, act)


@bp.post("/findings/<int:finding_id>/dispute")
@login_required
def dispute_page(finding_id: int) -> Response:
    return _act(
        finding_id,
        lambda: services.dispute(current_user, finding_id, {"text": request.form.get("text")}),
    )


@bp.post("/findings/<int:finding_id>/verify")
@login_required
def verify_page(finding_id: int) -> Response:
    return _act(
        finding_id,
        lambda: services.verify(
            current_user,
            finding_id,
            {"decision": request.form.get("decision"), "note": request.form.get("note")},
        ),
    )


@bp.post("/findings/<int:finding_id>/edit")
@login_required
def edit_page(finding_id: int) -> Response:
    texts = {lang: request.form.get(f"rec_{lang}") for lang in ("kk", "ru", "en")}
    return _act(finding_id, lambda: services.edit_recommendation(current_user, finding_id, texts))


@bp.post("/findings/<int:finding_id>/merge")
@login_required
def merge_page(finding_id: int) -> Response:
    into = request.form.get("into", type=int)

    def act() -> None:
        services.merge(current_user, finding_id, into or 0)

    response = _act(finding_id, act)
    return redirect(url_for("findings.detail", finding_id=into)) if into else response


@bp.get("/programme")
@login_required
def programme() -> str:
    if current_user.role != "project_group":
        abort(403)
    per_office, overall = programme_kpis(current_locale())
    return render_template("findings/programme.html", rows=per_office, overall=overall)

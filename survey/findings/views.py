"""Findings in the browser: the office answers, auditors edit, the project group verifies."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..checklists.services import catalogue
from ..common.filters import country_choices, office_choices
from ..common.l10n import (
    current_locale,
    finding_status_labels,
    localized,
    severity_labels,
)
from ..errors import InvalidInput, ServiceError, listing_or_problems, translate_fields
from ..evidence.services import add_proof, evidence_by_item, incoming_from_file, proofs_of
from . import services
from .models import FINDING_STATUSES, SEVERITIES
from .presenters import bulk_labels, bulk_messages, finding_json, findings_json
from .programme import programme_page

bp = Blueprint("findings", __name__, template_folder="templates")


def _choices(head: bool) -> dict[str, list[tuple[str, str]]]:
    """The options of the filter form's lists, labelled in the page's language."""
    known = catalogue()
    statuses, severities = finding_status_labels(), severity_labels()
    choices = {
        "section": [(code, localized(title)) for code, title in known.sections.items()],
        "item": sorted(
            ((code, localized(item.text)) for code, item in known.items.items()),
            key=lambda pair: pair[1].casefold(),
        ),
        "status": [(s, str(statuses[s])) for s in FINDING_STATUSES],
        "severity": [(s, str(severities[s])) for s in SEVERITIES],
        "office": [],
        "country": [],
    }
    if not head:
        choices["office"] = office_choices(current_locale())
        choices["country"] = country_choices()
    return choices


@bp.get("/findings")
@login_required
def index() -> tuple[str, int]:
    """The findings list: filters, search and sorting as GET parameters, 50 a page."""
    listing, problems = listing_or_problems(
        lambda: services.find_findings(current_user, request.args)
    )
    head = current_user.role == "office_head"
    context = {
        "listing": listing,
        "problems": problems,
        "choices": _choices(head),
        "filtered": any(k not in ("sort", "page") for k in request.args),
    }
    status = 422 if problems else 200
    if head:  # the allow-list, as the API gives it
        rows = findings_json(listing.page.items, current_user, current_locale()) if listing else []
        return render_template("findings/office_list.html", rows=rows, **context), status
    actions = [a for a, roles in services.BULK_ROLES.items() if current_user.role in roles]
    return render_template(
        "findings/list.html", bulk_actions=actions, bulk_labels=bulk_labels(), **context
    ), status


@bp.post("/findings/bulk")
@login_required
def bulk_page() -> Response:
    """Several findings at once, from the checkboxes of the list; back to the same list."""
    if current_user.role not in ("auditor", "project_group"):
        abort(403)
    back = _same_list(request.form.get("next"))
    body = {
        "ids": request.form.getlist("ids"),
        "action": request.form.get("action"),
        "due_date": request.form.get("due_date"),
        "note": request.form.get("note"),
    }
    try:
        result = services.bulk_action(current_user, body)
    except InvalidInput as exc:
        for messages in translate_fields(exc.fields).values():
            flash(messages[0], "error")
        return redirect(back)
    for message, category in bulk_messages(result):
        flash(message, category)
    return redirect(back)


def _same_list(target: str | None) -> str:
    """Where the form came from: a findings list of this site, else the plain list."""
    plain = url_for("findings.index")
    if not target or not target.startswith(plain) or "//" in target or "\\" in target:
        return plain
    rest = target[len(plain) :]
    return target if rest == "" or rest.startswith("?") else plain


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


def _act(finding_id: int, action: Callable[[], object]) -> Response:
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
    return programme_page(request.args, current_locale())

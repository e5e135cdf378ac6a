"""The visit on a phone: start, one section per page, check, submit; and read-only views."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..assignments.services import get_own_assignment
from ..auth.models import FIELD_ROLES
from ..checklists.models import Checklist
from ..checklists.services import list_checklists
from ..common.filters import country_choices
from ..common.l10n import current_locale, localized
from ..domain.checklist import ChecklistSpec, Section
from ..errors import InvalidInput, listing_or_problems, translate_fields
from ..evidence.models import Evidence
from ..evidence.office import failed_items, office_sees
from ..evidence.services import attach_files, evidence_by_item, evidence_of, remove_evidence
from ..extensions import db
from ..offices.services import list_offices
from ..review.services import flag_labels, proof_flags
from . import flow
from .flow import BlankVisit
from .forms import StartForm, read_answers, section_form
from .models import Visit
from .services import find_visits, get_visible_visit, visited_at_local

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
bp = Blueprint("visits", __name__, template_folder="templates")
REVIEWERS = ("auditor", "project_group")


def _field_worker() -> None:
    if current_user.role == "office_head":
        abort(404)  # an office head sees no visit, not even that one exists (DESIGN §5)
    if current_user.role not in FIELD_ROLES:
        abort(403)


def _latest_checklists() -> list[Any]:
    latest: dict[str, Any] = {}
    for checklist in list_checklists():
        latest[checklist.slug] = checklist  # ordered by version: the last one wins
    return list(latest.values())


@bp.route("/visits/new", methods=["GET", "POST"])
@login_required
def start() -> str | Response | tuple[str, int]:
    _field_worker()
    assignment_id = request.args.get("assignment", type=int)
    assignment = get_own_assignment(current_user, assignment_id) if assignment_id else None
    locale = current_locale()
    form = StartForm()
    form.office.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(o.code, o.name(locale)) for o in list_offices(active_only=True)
    ]
    offered = _latest_checklists()
    form.checklist.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(f"{c.slug}:{c.version}", localized(c.spec.title)) for c in offered
    ]
    if assignment is not None:
        form.office.data = assignment.office.code
        form.checklist.data = f"{assignment.checklist.slug}:{assignment.checklist.version}"
    if request.method == "GET" and not form.visited_at.data:
        zone = ZoneInfo(assignment.office.timezone) if assignment else UTC
        form.visited_at.data = datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
    errors: dict[str, Any] = {}
    if form.validate_on_submit():
        slug, _sep, version = (form.checklist.data or "").partition(":")
        phone_uuid = form.uuid.data if UUID_RE.fullmatch(form.uuid.data or "") else None
        if phone_uuid and flow.own_visit_or_none(current_user, phone_uuid):
            # Sent again from a phone's queue: the visit is there already.
            return redirect(url_for("visits.section", uuid=phone_uuid, number=1))
        try:
            visit = flow.start_visit(
                current_user,
                office=form.office.data,
                checklist={"slug": slug, "version": int(version or 0)},
                visited_at=form.visited_at.data.isoformat(),
                assignment=assignment,
                uuid=phone_uuid,
            )
        except InvalidInput as exc:
            errors = translate_fields(exc.fields)
        else:
            return redirect(url_for("visits.section", uuid=visit.uuid, number=1))
    status = 422 if (form.errors or errors) else 200
    return render_template(
        "visits/start.html",
        form=form,
        errors=errors,
        assignment=assignment,
        blank_ids={f"{c.slug}:{c.version}": c.id for c in offered},
        precache=[url for c in offered for url in _page_urls(BlankVisit(c), c.spec)],
        rendered=time.time_ns() // 1_000_000,
    ), status


def _page_urls(visit: Any, spec: Any) -> list[str]:
    """Every page of a visit: its sections and its check page (a blank one for BlankVisit)."""
    if isinstance(visit, BlankVisit):
        prefix, key = "visits.blank_", {"checklist_id": visit.checklist.id}
    else:
        prefix, key = "visits.", {"uuid": visit.uuid}
    sections = (
        url_for(f"{prefix}section", number=n, **key) for n in range(1, len(spec.sections) + 1)
    )
    return [*sections, url_for(f"{prefix}check", **key)]


def _blank(checklist_id: int) -> BlankVisit:
    _field_worker()
    checklist = db.session.get(Checklist, checklist_id)
    if checklist is None:
        abort(404)
    return BlankVisit(checklist)


@bp.get("/visits/blank/<int:checklist_id>/sections/<int:number>")
@login_required
def blank_section(checklist_id: int, number: int) -> str:
    """A section page with placeholders, kept on the phone for visits started offline."""
    visit = _blank(checklist_id)
    spec = visit.checklist.spec
    current = _section_or_404(spec, number)
    form = section_form(current, current_locale(), {})
    return _section_page(visit, spec, current, number, form, {}, {})


@bp.get("/visits/blank/<int:checklist_id>/check")
@login_required
def blank_check(checklist_id: int) -> str:
    visit = _blank(checklist_id)
    spec = visit.checklist.spec
    return render_template(
        "visits/check.html",
        visit=visit,
        spec=spec,
        missing=translate_fields(flow.missing_required(spec, visit)),
        answers={},
        visited_local=None,
        evidence={},
        submitted_once=False,
    )


def _section_or_404(spec: Any, number: int) -> Any:
    if not 1 <= number <= len(spec.sections):
        abort(404)
    return spec.sections[number - 1]


@bp.route("/visits/<uuid>/sections/<int:number>", methods=["GET", "POST"])
@login_required
def section(uuid: str, number: int) -> str | Response | tuple[Any, int]:
    _field_worker()
    visit = flow.own_visit(current_user, uuid)
    if visit.status not in ("draft", "returned"):
        return redirect(url_for("visits.detail", uuid=uuid))
    spec = visit.checklist.spec
    current = _section_or_404(spec, number)
    form = section_form(current, current_locale(), flow.stored_answers(visit))
    autosave = request.headers.get("X-Autosave") == "1"
    problems: dict[str, list[str]] = {}
    if request.method == "POST":  # the CSRF token was checked before the view (security.py)
        try:
            flow.save_section(current_user, visit, current, read_answers(current, form))
        except InvalidInput as exc:
            problems = translate_fields(exc.fields).get("answers", {})
            if not problems:
                raise
            if autosave:
                return jsonify({"saved": False, "fields": problems}), 422
        else:
            if autosave:
                return jsonify({"saved": True}), 200
            problems = _page_evidence(uuid, current)
            if request.form.get("remove"):  # asked first: the page shows "Remove it?" there
                return redirect(
                    url_for(
                        "visits.section", uuid=uuid, number=number, remove=request.form["remove"]
                    )
                )
            if request.form.get("remove_confirmed"):
                return redirect(url_for("visits.section", uuid=uuid, number=number))
            if not problems:
                return redirect(_next_target(uuid, number, len(spec.sections)))
    status = 422 if problems else 200
    return _section_page(
        visit, spec, current, number, form, problems, evidence_by_item(visit)
    ), status


def _section_page(
    visit: Visit | BlankVisit,
    spec: ChecklistSpec,
    current: Section,
    number: int,
    form: Any,
    problems: dict[str, list[str]],
    evidence: dict[str | None, list[Evidence]],
) -> str:
    return render_template(
        "visits/section.html",
        visit=visit,
        spec=spec,
        section=current,
        number=number,
        form=form,
        problems=problems,
        progress=flow.section_progress(spec, visit),
        evidence=evidence,
        rendered=time.time_ns() // 1_000_000,
        precache=_page_urls(visit, spec),
        removing=request.args.get("remove"),  # the file whose removal is being asked
    )


def _page_evidence(uuid: str, current: Any) -> dict[str, list[str]]:
    """Files chosen on the page (the no-JavaScript path) and a confirmed "Remove"."""
    if request.form.get("remove_confirmed"):
        remove_evidence(current_user, uuid, request.form["remove_confirmed"])
        flash(_("The file was removed."), "success")
    files = {
        item.code: [f for f in request.files.getlist(f"file__{item.code}") if f and f.filename]
        for item in current.items
    }
    attached, refused = attach_files(current_user, uuid, files)
    if attached:
        flash(ngettext("%(num)s file attached.", "%(num)s files attached.", attached), "success")
    return translate_fields(refused)


def _next_target(uuid: str, number: int, total: int) -> str:
    if request.form.get("go") == "back" and number > 1:
        return url_for("visits.section", uuid=uuid, number=number - 1)
    if request.form.get("go") == "check" or number >= total:
        return url_for("visits.check", uuid=uuid)
    return url_for("visits.section", uuid=uuid, number=number + 1)


@bp.get("/visits/<uuid>/check")
@login_required
def check(uuid: str) -> str | Response:
    _field_worker()
    visit = flow.own_visit(current_user, uuid)
    if visit.status not in ("draft", "returned"):
        return redirect(url_for("visits.detail", uuid=uuid))
    spec = visit.checklist.spec
    return render_template(
        "visits/check.html",
        visit=visit,
        spec=spec,
        missing=translate_fields(flow.missing_required(spec, visit)),
        answers=flow.stored_answers(visit),
        visited_local=visited_at_local(visit),
        evidence=evidence_by_item(visit),
        submitted_once=False,
    )


@bp.post("/visits/<uuid>/submit")
@login_required
def submit(uuid: str) -> ResponseReturnValue:
    _field_worker()
    visit = flow.own_visit(current_user, uuid)
    queued = request.headers.get("X-Queue") == "1"  # sent from a phone's offline queue
    try:
        flow.submit(current_user, visit)
    except InvalidInput as exc:
        if queued:
            return jsonify({"status": visit.status, "fields": translate_fields(exc.fields)}), 422
        spec = visit.checklist.spec
        missing = translate_fields(exc.fields).get("answers", {})
        return render_template(
            "visits/check.html",
            visit=visit,
            spec=spec,
            missing=missing,
            answers=flow.stored_answers(visit),
            visited_local=visited_at_local(visit),
            evidence=evidence_by_item(visit),
            submitted_once=True,
        ), 422
    if queued:
        return jsonify({"status": visit.status}), 200
    return redirect(url_for("visits.detail", uuid=uuid))  # its page gives the receipt


@bp.get("/visits/<uuid>")
@login_required
def detail(uuid: str) -> str:
    visit = get_visible_visit(current_user, uuid)
    spec = visit.checklist.spec
    sees_scores = current_user.role in REVIEWERS and visit.status != "draft"
    return render_template(
        "visits/detail.html",
        visit=visit,
        spec=spec,
        answers=flow.stored_answers(visit),
        sees_scores=sees_scores,
        section_scores={s.section_code: s.score for s in visit.section_scores},
        volunteer_code=visit.volunteer.pseudonym if sees_scores else None,
        visited_local=visited_at_local(visit),
        show_comments=current_user.role != "office_head",
        mine=visit.volunteer_id == current_user.id,
        evidence=evidence_by_item(visit),
        sees_originals=current_user.role in REVIEWERS,
        flags=proof_flags(visit) if sees_scores else [],
        flag_labels=flag_labels(),
        can_decide=current_user.role == "auditor"
        and visit.status == "submitted"
        and visit.volunteer_id != current_user.id,
        history=visit.events if sees_scores or visit.volunteer_id == current_user.id else [],
        office_choice=_office_choice(visit),
    )


def _office_choice(visit: Any) -> list[tuple[Any, bool]]:
    """For an auditor: each evidence entry and whether the office is (to be) shown it."""
    if current_user.role != "auditor" or visit.status not in ("submitted", "approved"):
        return []
    failed = failed_items(visit)
    return [(e, office_sees(e, failed)) for e in evidence_of(visit) if e.item_code]


@bp.get("/visits")
@login_required
def index() -> tuple[str, int]:
    """Visits for auditors and the project group: sent for review unless another status (or
    "all") is chosen; filters, search and sorting as GET parameters, 50 a page."""
    if current_user.role == "office_head":
        abort(404)  # an office head sees no single visit (DESIGN §5)
    if current_user.role not in REVIEWERS:
        abort(403)
    args = request.args.to_dict()
    status = args.setdefault("status", "submitted") or "all"
    if status == "all":
        args.pop("status")
    listing, problems = listing_or_problems(lambda: find_visits(current_user, args))
    return render_template(
        "visits/list.html",
        listing=listing,
        problems=problems,
        status=status,
        statuses=("submitted", "approved", "returned", "rejected", "all"),
        checklists=[(slug, slug) for slug in sorted({c.slug for c in list_checklists()})],
        countries=country_choices(),
        filtered=any(k not in ("sort", "page", "status") for k in request.args),
    ), (422 if problems else 200)

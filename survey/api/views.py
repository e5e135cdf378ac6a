"""API v1 routes: parse the request, call a service, return what it gives; each declares
its contract (contract.py), which dumps its answer and writes the OpenAPI document."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, request, send_file, stream_with_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..audit import services as audit
from ..auth.access import api_user
from ..checklists.models import Checklist
from ..checklists.services import get_checklist, list_checklists
from ..common.filters import parse_period
from ..common.l10n import current_locale
from ..common.paging import Page
from ..config import LOCALES
from ..errors import InvalidInput, NotFound
from ..evidence import tus
from ..evidence.presenters import evidence_json
from ..evidence.services import add_evidence as attach
from ..evidence.services import add_proof, incoming_from_file, incoming_from_upload, remove_evidence
from ..extensions import db
from ..findings import services as findings_service
from ..findings.kpis import today_utc
from ..findings.presenters import bulk_json, findings_json
from ..findings.programme import api_period, kpi_office, kpis_json, wants_all_time
from ..offices.services import find_offices, get_office
from ..reports import exports
from ..reports.pdf import infographic, report_pdf
from ..reports.services import Export, download_name, report_period
from ..reports.workbook import summary_workbook
from ..scores.services import office_figures, ranking
from ..visits.models import Visit
from ..visits.schemas import ReviewInputSchema, VisitInputSchema
from ..visits.services import find_visits, get_visible_visit, review_visit, save_visit
from . import schemas as s
from .contract import Fetch, View, contract
from .openapi import build_spec
from .schemas import BINARY

bp = Blueprint("api", __name__)
# Each view but the public ones needs a caller (contract → auth/access.authenticated), which
# throttles bad tokens per address (survey/throttle.py): a limit on the whole blueprint would
# refuse valid callers too.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TUS = ("Tus-Resumable",)
TUS_OFFER = ("Tus-Version", "Tus-Extension", "Tus-Max-Size")
CHANGES = (403, 404, 409, 422)  # a change refused: not yours, not found, not now, not valid
FILE_REFUSALS = (403, 404, 409, 413, 415, 422)
FILE = ("Content-Disposition",)
OFFSET = ("Upload-Offset", *TUS)  # asked and answered by a tus PATCH
BYTES = {"application/offset+octet-stream": BINARY}
APPENDING = (404, 409, 413, 415)  # no such upload, not at its offset, too large, not bytes


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput(_("Send a JSON object with Content-Type: application/json."))
    return body


@bp.get("/openapi.json")
@contract(media={"application/json": {"type": "object"}}, public=True)
def openapi() -> Response:
    """This document: OpenAPI 3.0, built from the routes and their schemas."""
    return jsonify(build_spec(current_app, bp.name))


@bp.get("/offices")
@contract(s.OfficeSchema, many=True, query=s.OfficeQuerySchema, errors=(422,))
def offices() -> Fetch:
    """Offices, by code unless sorted otherwise."""
    return lambda args: find_offices(args, api=True).page


@bp.get("/checklists")
@contract(s.ChecklistSummarySchema, many=True, query=s.PagingQuerySchema, errors=(422,))
def checklists() -> list[Checklist]:
    """The checklists loaded, every version."""
    return list_checklists()


@bp.get("/checklists/<slug>/<int:version>")
@contract(s.ChecklistSchema, errors=(404,))
def checklist(slug: str, version: int) -> Checklist:
    """One checklist definition (DESIGN §3)."""
    found = get_checklist(slug, version)
    if found is None:
        raise NotFound(_("No such checklist."))
    return found


@bp.post("/visits")
@contract(s.VisitSchema, status=(201, 200), body=VisitInputSchema, errors=CHANGES)
def create_visit() -> tuple[Visit, int]:
    """Create or update the caller's draft by its uuid (201 created, 200 a repeat); 409 when
    no longer editable and different, 404 when someone else's, 422 with messages by field."""
    visit, created = save_visit(api_user(), _json_body())
    return visit, 201 if created else 200


@bp.get("/visits")
@contract(s.VisitSummarySchema, many=True, query=s.VisitQuerySchema, errors=(404, 422))
def visits() -> Fetch:
    """The visits the caller may see (a volunteer: their own), newest first; a head: 404."""
    return lambda args: find_visits(api_user(), args, api=True).page


@bp.get("/visits/<uuid>")
@contract(s.VisitSchema, errors=(404,))
def visit(uuid: str) -> Visit:
    """One visit: its answers, scores and evidence."""
    return get_visible_visit(api_user(), uuid)


@bp.post("/visits/<uuid>/review")
@contract(s.VisitSchema, body=ReviewInputSchema, errors=CHANGES)
def review(uuid: str) -> Visit:
    """An auditor's decision on someone else's submitted visit; return and reject need a note."""
    return review_visit(api_user(), uuid, _json_body())


@bp.post("/visits/<uuid>/evidence")
@contract(
    s.EvidenceSchema,
    status=(201, 200),
    form=s.EvidenceFormSchema,
    body=s.EvidenceUploadSchema,
    errors=FILE_REFUSALS,
)
def add_evidence(uuid: str) -> tuple[dict[str, Any], int]:
    """Attach a photo or video: multipart `file`, or `upload` (a finished resumable upload);
    201, or 200 repeated (same uuid and bytes); 409 other bytes; 413, 415, 422 refused files."""
    received = request.files.get("file")
    upload_id = request.form.get("upload") or (request.get_json(silent=True) or {}).get("upload")
    source = request.form if request.form else (request.get_json(silent=True) or {})
    if received is not None and received.filename is not None:
        incoming, upload = incoming_from_file(received), None
    elif upload_id:
        incoming, upload = incoming_from_upload(api_user(), str(upload_id))
    else:
        raise InvalidInput(_("Some fields need attention."), {"file": [_("Attach a file.")]})
    user, item, named = api_user(), source.get("item"), source.get("uuid")
    evidence, created = attach(user, uuid, incoming, evidence_uuid=named, item=item, upload=upload)
    return evidence_json(evidence, api_user()), 201 if created else 200


@bp.delete("/visits/<uuid>/evidence/<evidence_uuid>")
@contract(status=(204,), errors=(403, 404, 409))
def delete_evidence(uuid: str, evidence_uuid: str) -> Response:
    """Remove evidence from a draft or returned visit."""
    remove_evidence(api_user(), uuid, evidence_uuid)
    return Response(status=204)


def _tus(status: int, **headers: Any) -> Response:
    """A tus answer: no body, the headers given (Upload_Offset: Upload-Offset), the protocol's."""
    response = Response(status=status)
    response.headers.update({name.replace("_", "-"): str(v) for name, v in headers.items()})
    response.headers.update({"Tus-Resumable": tus.TUS_VERSION, "Cache-Control": "no-store"})
    return response


@bp.route("/uploads", methods=["OPTIONS"])
@contract(status=(204,), answer_headers=(*TUS, *TUS_OFFER), public=True)
def tus_options() -> Response:
    """Resumable uploads (tus 1.0.0, core and creation): what this server offers."""
    return _tus(
        204, Tus_Version=tus.TUS_VERSION, Tus_Extension="creation", Tus_Max_Size=tus.max_size()
    )


@bp.post("/uploads")
@contract(
    status=(201,),
    headers=("Upload-Length", *TUS),
    answer_headers=("Location", "Upload-Offset", *TUS),
    errors=(403, 413, 422),
)
def tus_create() -> Response:
    """Start a resumable upload of Upload-Length bytes; its URL is in Location."""
    upload = tus.create(api_user(), request.headers.get("Upload-Length"))
    return _tus(201, Location=url_for("api.tus_head", upload_id=upload.id), Upload_Offset=0)


@bp.route("/uploads/<upload_id>", methods=["HEAD"])
@contract(headers=TUS, answer_headers=("Upload-Offset", "Upload-Length", *TUS), errors=(404,))
def tus_head(upload_id: str) -> Response:
    """Where an upload stands: resume from Upload-Offset."""
    upload = tus.get(api_user(), upload_id)
    return _tus(200, Upload_Offset=upload.offset, Upload_Length=upload.length)


@bp.route("/uploads/<upload_id>", methods=["PATCH"])
@contract(status=(204,), body=BYTES, headers=OFFSET, answer_headers=OFFSET, errors=APPENDING)
def tus_patch(upload_id: str) -> Response:
    """Append bytes at Upload-Offset (409 when it is not where the upload stands)."""
    offset = request.headers.get("Upload-Offset")
    upload = tus.append(api_user(), upload_id, offset, request.mimetype, request.stream)
    return _tus(204, Upload_Offset=upload.offset)


@bp.get("/findings")
@contract(s.FindingSchema, many=True, query=s.FindingQuerySchema, errors=(403, 422))
def findings() -> Fetch:
    """The findings the caller may see, due first (an office head: their own office's)."""

    def fetch(args: Any) -> Page[Any]:
        page = findings_service.find_findings(api_user(), args, api=True).page
        return replace(page, items=findings_json(page.items, api_user(), current_locale()))

    return fetch


@bp.post("/findings/bulk")
@contract(s.FindingBulkResultSchema, body=s.FindingBulkInputSchema, errors=(403, 422))
def findings_bulk() -> dict[str, Any]:
    """Verify several findings, set their due date or add a note, each on its own: those done
    and those refused with a reason; 422 (nothing changed) when not understood."""
    return bulk_json(findings_service.bulk_action(api_user(), _json_body()))


def _finding(found: Any) -> dict[str, Any]:
    return findings_json([found], api_user(), current_locale())[0]


@bp.get("/findings/<int:finding_id>")
@contract(s.FindingSchema, errors=(403, 404))
def finding(finding_id: int) -> dict[str, Any]:
    """One finding, as the caller may see it."""
    return _finding(findings_service.get_finding(api_user(), finding_id))


@bp.post("/findings/<int:finding_id>/response")
@contract(s.FindingSchema, body=s.FindingResponseInputSchema, errors=CHANGES)
def finding_response(finding_id: int) -> dict[str, Any]:
    """The office head's answer, moving the finding on (in progress, implemented)."""
    return _finding(findings_service.respond(api_user(), finding_id, _json_body()))


@bp.post("/findings/<int:finding_id>/dispute")
@contract(s.FindingSchema, body=s.FindingDisputeInputSchema, errors=CHANGES)
def finding_dispute(finding_id: int) -> dict[str, Any]:
    """The office head disagrees with the finding, and says why."""
    return _finding(findings_service.dispute(api_user(), finding_id, _json_body()))


@bp.post("/findings/<int:finding_id>/verify")
@contract(s.FindingSchema, body=s.FindingVerifyInputSchema, errors=CHANGES)
def finding_verify(finding_id: int) -> dict[str, Any]:
    """The project group verifies an implemented finding, or reopens it with a note."""
    return _finding(findings_service.verify(api_user(), finding_id, _json_body()))


@bp.patch("/findings/<int:finding_id>")
@contract(s.FindingSchema, body=s.FindingEditInputSchema, errors=CHANGES)
def finding_edit(finding_id: int) -> dict[str, Any]:
    """An auditor rewrites the recommendation, in kk, ru and en."""
    body = _json_body()
    texts = body.get("recommendations") if isinstance(body, dict) else None
    return _finding(findings_service.edit_recommendation(api_user(), finding_id, texts or {}))


@bp.post("/findings/<int:finding_id>/merge")
@contract(s.FindingSchema, body=s.FindingMergeInputSchema, errors=CHANGES)
def finding_merge(finding_id: int) -> dict[str, Any]:
    """An auditor merges this finding into another of the same office (`into`)."""
    body = _json_body()
    into = body.get("into") if isinstance(body, dict) else None
    if type(into) is not int or not 0 < into < 2**31:  # not True, not beyond an id
        raise InvalidInput(_("Some fields need attention."), {"into": [_("Give a finding id.")]})
    return _finding(findings_service.merge(api_user(), finding_id, into))


@bp.post("/findings/<int:finding_id>/evidence")
@contract(s.EvidenceSchema, status=(201,), form=s.FileFormSchema, errors=FILE_REFUSALS)
def finding_proof(finding_id: int) -> tuple[dict[str, Any], int]:
    """A photo of the fix, from the head of the office, through the evidence pipeline."""
    found = findings_service.get_finding(api_user(), finding_id)
    if api_user().role != "office_head":
        raise findings_service.Forbidden(_("Only the head of the office answers its findings."))
    received = request.files.get("file")
    if received is None:
        raise InvalidInput(_("Some fields need attention."), {"file": [_("Attach a file.")]})
    proof = add_proof(api_user(), found, incoming_from_file(received))
    return evidence_json(proof, api_user()), 201


def _export_args(*, whole: bool) -> Export:
    """Who may export (the project group), the period by the one rule of every report
    (reports.services.report_period) and the language; each export is audited."""
    if api_user().role != "project_group":
        raise findings_service.Forbidden(_("Exports are for the project group."))
    date_from, date_to = _period_args()
    lang = request.args.get("lang") or current_locale()
    if lang not in LOCALES:
        raise InvalidInput(_("Some fields need attention."), {"lang": [_("Use kk, ru or en.")]})
    period = report_period(date_from, date_to, whole=whole)
    if period is not None and period.start > today_utc():
        problem = _("This period has not begun yet: choose one that has.")
        raise InvalidInput(problem, {"period" if request.args.get("period") else "from": [problem]})
    audit.record(  # only an export that is made
        "export",
        api_user(),
        what=request.path.rsplit("/", 1)[-1],
        start=str(date_from),
        end=str(date_to),
    )
    db.session.commit()
    return Export(period, lang)


def _export(*media: str) -> View:
    """An export's contract: a file (the project group's) of a period, in a language."""
    files = {kind: BINARY for kind in media}
    return contract(media=files, query=s.ExportQuerySchema, answer_headers=FILE, errors=(403, 422))


def _download(export: Export, what: str, ext: str) -> dict[str, str]:
    """adaldyq-<what>-<period>-<lang>.<ext> (DESIGN §9)."""
    name = download_name(what, export.period, export.lang, ext)
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@bp.get("/exports/visits.csv")
@_export("text/csv")
def export_visits() -> Response:
    """Approved visits for machines, stable column keys (docs/exports.md); the project group
    only, like every export."""
    export = _export_args(whole=True)
    body = stream_with_context(
        exports.csv_stream(exports.VISITS_COLUMNS, exports.visit_rows(export.period))
    )
    return Response(body, mimetype="text/csv", headers=_download(export, "visits", "csv"))


@bp.get("/exports/answers.csv")
@_export("text/csv")
def export_answers() -> Response:
    """Scorable and numeric answers of approved visits, for machines (docs/exports.md)."""
    export = _export_args(whole=True)
    body = stream_with_context(
        exports.csv_stream(exports.ANSWERS_COLUMNS, exports.answer_rows(export.period))
    )
    return Response(body, mimetype="text/csv", headers=_download(export, "answers", "csv"))


@bp.get("/exports/summary.xlsx")
@_export(XLSX)
def export_summary() -> Response:
    """The period's figures as a workbook for people, in lang."""
    export = _export_args(whole=True)
    with force_locale(export.lang):
        path = summary_workbook(export.period, export.lang, api_user())
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the bytes until the response is sent
    name = download_name("summary", export.period, export.lang, "xlsx")
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/exports/report.pdf")
@_export("application/pdf")
def export_report() -> Response:
    """The report of the period, in lang (default: the last complete month)."""
    export = _export_args(whole=False)
    assert export.period is not None
    pdf = report_pdf(api_user(), export.period, export.lang)
    return Response(pdf, mimetype="application/pdf", headers=_download(export, "report", "pdf"))


@bp.get("/exports/infographic.<any(png, svg):fmt>")
@_export("image/png", "image/svg+xml")
def export_infographic(fmt: str) -> Response:
    """A picture of the period for the website, in lang."""
    export = _export_args(whole=False)
    assert export.period is not None
    data = infographic(api_user(), export.period, export.lang, fmt)
    mimetype = "image/png" if fmt == "png" else "image/svg+xml"
    return Response(data, mimetype=mimetype, headers=_download(export, "infographic", fmt))


@bp.get("/offices/<code>/scores")
@contract(s.OfficeScoresSchema, query=s.PeriodQuerySchema, errors=(403, 404, 422))
def office_scores(code: str) -> dict[str, Any]:
    """An office's figures over approved visits of the period (none: all time); its head gets
    one ended quarter (default: the last), each figure withheld below 3 visits."""
    office = get_office(code)
    if office is None:
        raise NotFound(_("No such office."))
    return office_figures(api_user(), office, *_period_args())


@bp.get("/kpis")
@contract(s.KpisSchema, query=s.KpiQuerySchema, errors=(403, 404, 422))
def kpis() -> dict[str, Any]:
    """The recommendation KPIs of a period (DESIGN §9; default: the last complete month);
    an office head: their own office (403 for another)."""
    office = kpi_office(api_user(), request.args.get("office") or None)
    period = api_period(*_period_args(), today_utc())
    every = wants_all_time(request.args.get("all_time"))
    return kpis_json(api_user(), office, period, with_all_time=every)


@bp.get("/scores")
@contract(s.RankingRowSchema, many=True, query=s.ScoresQuerySchema, errors=(403, 422))
def scores() -> list[dict[str, Any]]:
    """Every office the caller may see, best score first (an office head: their own)."""
    return ranking(api_user(), *_period_args())


def _period_args() -> tuple[date | None, date | None]:
    args = request.args
    return parse_period(args.get("from"), args.get("to"), args.get("period"))

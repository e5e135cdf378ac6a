"""API v1 routes: parse the request, call a service, shape the answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from flask import Blueprint, jsonify, request, send_file, stream_with_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..audit import services as audit
from ..auth.access import api_user, authenticated
from ..checklists.services import get_checklist, list_checklists
from ..common.filters import parse_period
from ..common.l10n import current_locale
from ..common.paging import API_MAX_LIMIT, Page, Window, api_window
from ..config import LOCALES
from ..errors import InvalidInput, NotFound
from ..evidence import tus
from ..evidence.services import add_evidence as attach
from ..evidence.services import (
    add_proof,
    incoming_from_file,
    incoming_from_upload,
    remove_evidence,
)
from ..extensions import db
from ..findings import services as findings_service
from ..findings.kpis import today_utc
from ..findings.presenters import bulk_json
from ..findings.programme import api_period, kpi_office, kpis_json, wants_all_time
from ..offices.services import find_offices, get_office
from ..reports import exports
from ..reports.pdf import infographic, report_pdf
from ..reports.services import Export, download_name, report_period
from ..reports.workbook import summary_workbook
from ..scores.services import office_figures, ranking
from ..visits.services import find_visits, get_visible_visit, review_visit, save_visit
from . import presenters as p
from .openapi import build_spec

bp = Blueprint("api", __name__)
# Bad tokens are throttled per address by `authenticated` (survey/throttle.py), not here:
# a limit on the whole blueprint would refuse valid callers too.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput(_("Send a JSON object with Content-Type: application/json."))
    return body


def _paging() -> Window:
    """`limit` (at most 200) and `offset` of a list; the whole list without them (DESIGN §9)."""
    return api_window(request.args)


def _page(rows: list[Any] | Page[Any]) -> Response:
    """One page of a list as a JSON array, with `X-Total-Count` and, when there is more,
    `Link: <…>; rel="next"` (DESIGN §9). A plain list is sliced here; a Page was paged in SQL.
    """
    if isinstance(rows, list):
        window = _paging()
        end = None if window.limit is None else window.offset + window.limit
        rows = Page(rows[window.offset : end], len(rows), window.offset, window.limit)
    response = jsonify(rows.items)
    response.headers["X-Total-Count"] = str(rows.total)
    if rows.has_next:
        limit = rows.limit if rows.limit is not None else API_MAX_LIMIT
        args = {**request.args.to_dict(), "offset": rows.next_offset, "limit": limit}
        target = url_for(request.endpoint or "api.openapi", _external=True, **args)
        response.headers["Link"] = f'<{target}>; rel="next"'
    return response


def _list(fetch: Callable[[Mapping[str, str]], Page[Any]]) -> Response:
    """A list endpoint: one page when `limit` or `offset` is given; else the whole list
    (DESIGN §7), fetched and written API_MAX_LIMIT rows at a time, so even a national list
    never sits in memory whole. fetch(args) returns the page the args ask for, shaped."""
    if "limit" in request.args or "offset" in request.args:  # fetch checks every argument
        return _page(fetch(request.args))
    first = fetch({**request.args.to_dict(), "offset": "0", "limit": str(API_MAX_LIMIT)})
    if not first.has_next:
        return _page(first)

    def chunks() -> Iterator[str]:
        page, offset = first, 0
        yield "["
        while True:
            body = json.dumps(page.items, ensure_ascii=False)[1:-1]
            if body:
                yield ("," if offset else "") + body
            offset += API_MAX_LIMIT
            if offset >= first.total:
                break
            db.session.expunge_all()  # what is written is not kept
            args = {**request.args.to_dict(), "offset": str(offset), "limit": str(API_MAX_LIMIT)}
            page = fetch(args)
        yield "]"

    response = Response(stream_with_context(chunks()), mimetype="application/json")
    response.headers["X-Total-Count"] = str(first.total)
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(build_spec())


@bp.get("/offices")
@authenticated
def offices() -> Response:
    """Offices, filtered by `q`, `country`, `kind`, `active`, sorted by `sort`."""
    return _list(lambda args: find_offices(args, api=True).page.map(p.office_json))


@bp.get("/checklists")
@authenticated
def checklists() -> Response:
    return _page([p.checklist_summary(c) for c in list_checklists()])


@bp.get("/checklists/<slug>/<int:version>")
@authenticated
def checklist(slug: str, version: int) -> Response:
    found = get_checklist(slug, version)
    if found is None:
        raise NotFound(_("No such checklist."))
    return jsonify(p.checklist_json(found))


@bp.post("/visits")
@authenticated
def create_visit() -> tuple[Response, int]:
    visit, created = save_visit(api_user(), _json_body())
    return jsonify(p.visit_json(visit, api_user())), 201 if created else 200


@bp.get("/visits")
@authenticated
def visits() -> Response:
    """The visits the caller may see, newest first: `q`, `office`, `country`, `status`,
    `period`, `sort`, `limit`, `offset`."""
    return _list(lambda args: find_visits(api_user(), args, api=True).page.map(p.visit_summary))


@bp.get("/visits/<uuid>")
@authenticated
def visit(uuid: str) -> Response:
    return jsonify(p.visit_json(get_visible_visit(api_user(), uuid), api_user()))


@bp.post("/visits/<uuid>/review")
@authenticated
def review(uuid: str) -> Response:
    decided = review_visit(api_user(), uuid, _json_body())
    return jsonify(p.visit_json(decided, api_user()))


@bp.post("/visits/<uuid>/evidence")
@authenticated
def add_evidence(uuid: str) -> tuple[Response, int]:
    """multipart `file` (or `upload`: a finished resumable upload), optional `item`, `uuid`."""
    received = request.files.get("file")
    upload_id = request.form.get("upload") or (request.get_json(silent=True) or {}).get("upload")
    source = request.form if request.form else (request.get_json(silent=True) or {})
    if received is not None and received.filename is not None:
        incoming, upload = incoming_from_file(received), None
    elif upload_id:
        incoming, upload = incoming_from_upload(api_user(), str(upload_id))
    else:
        raise InvalidInput(_("Some fields need attention."), {"file": [_("Attach a file.")]})
    evidence, created = attach(
        api_user(),
        uuid,
        incoming,
        evidence_uuid=source.get("uuid"),
        item=source.get("item"),
        upload=upload,
    )
    return jsonify(p.evidence_json(evidence, api_user())), 201 if created else 200


@bp.delete("/visits/<uuid>/evidence/<evidence_uuid>")
@authenticated
def delete_evidence(uuid: str, evidence_uuid: str) -> tuple[str, int]:
    remove_evidence(api_user(), uuid, evidence_uuid)
    return "", 204


def _tus_headers(response: Response) -> Response:
    response.headers["Tus-Resumable"] = tus.TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/uploads", methods=["OPTIONS"])
def tus_options() -> Response:
    response = Response(status=204)
    response.headers["Tus-Version"] = tus.TUS_VERSION
    response.headers["Tus-Extension"] = "creation"
    response.headers["Tus-Max-Size"] = str(tus.max_size())
    return _tus_headers(response)


@bp.post("/uploads")
@authenticated
def tus_create() -> Response:
    upload = tus.create(api_user(), request.headers.get("Upload-Length"))
    response = Response(status=201)
    response.headers["Location"] = url_for("api.tus_head", upload_id=upload.id)
    response.headers["Upload-Offset"] = "0"
    return _tus_headers(response)


@bp.route("/uploads/<upload_id>", methods=["HEAD"])
@authenticated
def tus_head(upload_id: str) -> Response:
    upload = tus.get(api_user(), upload_id)
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(upload.offset)
    response.headers["Upload-Length"] = str(upload.length)
    return _tus_headers(response)


@bp.route("/uploads/<upload_id>", methods=["PATCH"])
@authenticated
def tus_patch(upload_id: str) -> Response:
    upload = tus.append(
        api_user(),
        upload_id,
        request.headers.get("Upload-Offset"),
        request.mimetype,
        request.stream,
    )
    response = Response(status=204)
    response.headers["Upload-Offset"] = str(upload.offset)
    return _tus_headers(response)


@bp.get("/findings")
@authenticated
def findings() -> Response:
    """Findings the caller may see, due first: `q`, `office`, `country`, `section`, `item`,
    `status`, `severity`, `overdue=1`, `period`, `sort`, `limit`, `offset`."""

    def fetch(args: Mapping[str, str]) -> Page[Any]:
        page = findings_service.find_findings(api_user(), args, api=True).page
        shaped = p.findings_list_json(page.items, api_user())
        return Page(shaped, page.total, page.offset, page.limit)

    return _list(fetch)


@bp.post("/findings/bulk")
@authenticated
def findings_bulk() -> Response:
    """Several findings at once: `{"ids", "action": "verify" | "due_date" | "note", …}`."""
    result = findings_service.bulk_action(api_user(), _json_body())
    return jsonify(bulk_json(result))


@bp.get("/findings/<int:finding_id>")
@authenticated
def finding(finding_id: int) -> Response:
    return jsonify(p.finding_json(findings_service.get_finding(api_user(), finding_id), api_user()))


@bp.post("/findings/<int:finding_id>/response")
@authenticated
def finding_response(finding_id: int) -> Response:
    done = findings_service.respond(api_user(), finding_id, _json_body())
    return jsonify(p.finding_json(done, api_user()))


@bp.post("/findings/<int:finding_id>/dispute")
@authenticated
def finding_dispute(finding_id: int) -> Response:
    done = findings_service.dispute(api_user(), finding_id, _json_body())
    return jsonify(p.finding_json(done, api_user()))


@bp.post("/findings/<int:finding_id>/verify")
@authenticated
def finding_verify(finding_id: int) -> Response:
    done = findings_service.verify(api_user(), finding_id, _json_body())
    return jsonify(p.finding_json(done, api_user()))


@bp.patch("/findings/<int:finding_id>")
@authenticated
def finding_edit(finding_id: int) -> Response:
    body = _json_body()
    texts = body.get("recommendations") if isinstance(body, dict) else None
    done = findings_service.edit_recommendation(api_user(), finding_id, texts or {})
    return jsonify(p.finding_json(done, api_user()))


@bp.post("/findings/<int:finding_id>/merge")
@authenticated
def finding_merge(finding_id: int) -> Response:
    body = _json_body()
    into = body.get("into") if isinstance(body, dict) else None
    if not isinstance(into, int):
        raise InvalidInput(_("Some fields need attention."), {"into": [_("Give a finding id.")]})
    done = findings_service.merge(api_user(), finding_id, into)
    return jsonify(p.finding_json(done, api_user()))


@bp.post("/findings/<int:finding_id>/evidence")
@authenticated
def finding_proof(finding_id: int) -> tuple[Response, int]:
    """A photo of the fix, from the head of the office, through the evidence pipeline."""
    found = findings_service.get_finding(api_user(), finding_id)
    if api_user().role != "office_head":
        raise findings_service.Forbidden(_("Only the head of the office answers its findings."))
    received = request.files.get("file")
    if received is None:
        raise InvalidInput(_("Some fields need attention."), {"file": [_("Attach a file.")]})
    proof = add_proof(api_user(), found, incoming_from_file(received))
    return jsonify(p.evidence_json(proof, api_user())), 201


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


def _download(export: Export, what: str, ext: str) -> dict[str, str]:
    """adaldyq-<what>-<period>-<lang>.<ext> (DESIGN §9)."""
    name = download_name(what, export.period, export.lang, ext)
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@bp.get("/exports/visits.csv")
@authenticated
def export_visits() -> Response:
    """Approved visits for machines: stable column keys and values (docs/exports.md)."""
    export = _export_args(whole=True)
    body = stream_with_context(
        exports.csv_stream(exports.VISITS_COLUMNS, exports.visit_rows(export.period))
    )
    return Response(body, mimetype="text/csv", headers=_download(export, "visits", "csv"))


@bp.get("/exports/answers.csv")
@authenticated
def export_answers() -> Response:
    export = _export_args(whole=True)
    body = stream_with_context(
        exports.csv_stream(exports.ANSWERS_COLUMNS, exports.answer_rows(export.period))
    )
    return Response(body, mimetype="text/csv", headers=_download(export, "answers", "csv"))


@bp.get("/exports/summary.xlsx")
@authenticated
def export_summary() -> Response:
    export = _export_args(whole=True)
    with force_locale(export.lang):
        path = summary_workbook(export.period, export.lang, api_user())
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the bytes until the response is sent
    name = download_name("summary", export.period, export.lang, "xlsx")
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/exports/report.pdf")
@authenticated
def export_report() -> Response:
    export = _export_args(whole=False)
    assert export.period is not None
    pdf = report_pdf(api_user(), export.period, export.lang)
    return Response(pdf, mimetype="application/pdf", headers=_download(export, "report", "pdf"))


@bp.get("/exports/infographic.<fmt>")
@authenticated
def export_infographic(fmt: str) -> Response:
    if fmt not in ("png", "svg"):
        raise NotFound(_("No such export."))
    export = _export_args(whole=False)
    assert export.period is not None
    data = infographic(api_user(), export.period, export.lang, fmt)
    mimetype = "image/png" if fmt == "png" else "image/svg+xml"
    return Response(data, mimetype=mimetype, headers=_download(export, "infographic", fmt))


@bp.get("/offices/<code>/scores")
@authenticated
def office_scores(code: str) -> Response:
    office = get_office(code)
    if office is None:
        raise NotFound(_("No such office."))
    return jsonify(office_figures(api_user(), office, *_period_args()))


@bp.get("/kpis")
@authenticated
def kpis() -> Response:
    """The recommendation KPIs of a period (DESIGN §9), by default the last complete month."""
    office = kpi_office(api_user(), request.args.get("office") or None)
    period = api_period(*_period_args(), today_utc())
    every = wants_all_time(request.args.get("all_time"))
    return jsonify(kpis_json(api_user(), office, period, with_all_time=every))


@bp.get("/scores")
@authenticated
def scores() -> Response:
    return _page(ranking(api_user(), *_period_args()))


def _period_args() -> tuple[date | None, date | None]:
    args = request.args
    return parse_period(args.get("from"), args.get("to"), args.get("period"))

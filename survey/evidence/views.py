"""Evidence files and uploads from the visit pages; every file passes the role check."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from ..audit import services as audit
from ..auth.access import api_user, authenticated
from ..errors import ServiceError
from ..extensions import db
from ..visits.flow import own_visit
from .access import file_for
from .presenters import evidence_json
from .services import add_evidence, incoming_from_file, remove_evidence
from .storage import storage

bp = Blueprint("evidence", __name__)


@bp.get("/evidence/<uuid>/<variant>")
@authenticated
def file(uuid: str, variant: str) -> Response:
    served = file_for(api_user(), uuid, variant)
    if variant == "original":
        audit.record("evidence.original", api_user(), evidence=uuid)
        db.session.commit()
    path = storage().local_path(served.key)
    response = send_file(
        path,
        mimetype=served.content_type,
        as_attachment=variant == "original",
        download_name=served.filename,
        conditional=False,
        etag=False,
    )
    without_dates(response)
    # HTTP Range (phones need it to play video), with no date to compare against.
    return response.make_conditional(
        request, accept_ranges=True, complete_length=path.stat().st_size
    )


def without_dates(response: Response) -> Response:
    """A file says nothing about when it was stored (issue 12).

    The file's modification time is the upload instant, which dates the visit: no
    Last-Modified, no ETag built from it, and no If-Modified-Since answered from it (the
    conditional step runs after the date is gone). Never kept in a browser's cache (a phone
    may be shared), so "private, no-store".
    """
    del response.headers["Last-Modified"]  # (setting last_modified = None writes "now")
    del response.headers["ETag"]
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _back(uuid: str) -> str:
    target = request.form.get("next") or ""
    if target.startswith(f"/visits/{uuid}/"):
        return target
    return url_for("visits.check", uuid=uuid)


@bp.post("/visits/<uuid>/evidence")
@authenticated
def upload(uuid: str) -> Response | tuple[Response, int]:
    """From the visit pages: one or more files, with or without JavaScript."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    files = [f for f in request.files.getlist("file") if f and f.filename]
    item = request.form.get("item") or None
    made = []
    try:
        own_visit(api_user(), uuid, editable=True)
        for received in files:
            evidence, _created = add_evidence(
                api_user(),
                uuid,
                incoming_from_file(received),
                item=item,
                evidence_uuid=request.form.get("uuid") if len(files) == 1 else None,
            )
            made.append(evidence)
    except ServiceError as exc:
        if wants_json or exc.status in (401, 403, 404):
            raise
        flash(str(exc.message), "error")
        return redirect(_back(uuid))
    if wants_json:
        return jsonify([evidence_json(e, api_user()) for e in made]), 201
    if made:
        flash(ngettext("%(num)s file attached.", "%(num)s files attached.", len(made)), "success")
    return redirect(_back(uuid))


@bp.post("/visits/<uuid>/evidence/<evidence_uuid>/remove")
@authenticated
def remove(uuid: str, evidence_uuid: str) -> Response:
    remove_evidence(api_user(), uuid, evidence_uuid)
    if "application/json" in request.headers.get("Accept", ""):
        return jsonify({"removed": evidence_uuid})
    flash(_("The file was removed."), "success")
    return redirect(_back(uuid))


def upload_endpoints() -> tuple[str, ...]:
    return (
        "evidence.upload",
        "api.add_evidence",
        "api.tus_patch",
        "visits.section",
        "api.finding_proof",
        "findings.respond_page",
    )


def raise_upload_limit() -> None:
    """Uploads may be large; everything else keeps the small default limit."""
    if request.endpoint in upload_endpoints():
        request.max_content_length = current_app.config["EVIDENCE_VIDEO_MAX"] + 4 * 1024 * 1024

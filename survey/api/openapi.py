"""The OpenAPI document, generated from the marshmallow schemas."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..findings.models import FINDING_STATUSES, SEVERITIES
from ..offices.models import OFFICE_KINDS
from ..visits.models import STATUSES
from .schemas import ALL

PERIOD = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
    {
        "name": "period",
        "in": "query",
        "description": "YYYY-MM, YYYY-Qn or YYYY, instead of from/to. An office head gets "
        "one ended calendar quarter only (default: the last complete one).",
        "schema": {"type": "string", "pattern": r"^\d{4}(-\d{2}|-Q[1-4])?$"},
    },
]
PAGING = [
    {
        "name": "limit",
        "in": "query",
        "description": "At most this many rows (0 to 200). Without limit or offset the list "
        "is whole (written 200 rows at a time); X-Total-Count gives the total, and with limit "
        'Link: rel="next" the next page.',
        "schema": {"type": "integer", "minimum": 0, "maximum": 200},
    },
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
]


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", **schema},
    }


def _sort(keys: list[str], default: str) -> dict[str, Any]:
    return _query(
        "sort",
        f"One of {', '.join(keys)}; a leading - sorts descending. Default: {default}.",
        enum=[*keys, *(f"-{k}" for k in keys)],
    )


SEARCH = _query("q", "Words of an office's name in kk, ru or en, or of its code, any case")
LIST_HEADERS = {
    "X-Total-Count": {"description": "Rows in the whole list", "schema": {"type": "integer"}},
    "Link": {"description": '<…>; rel="next" while there is more', "schema": {"type": "string"}},
}


def _ok(schema: str, many: bool = False, status: str = "200") -> dict[str, Any]:
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{schema}"}
    body = {"type": "array", "items": ref} if many else ref
    return {status: {"description": "OK", "content": {"application/json": {"schema": body}}}}


def _list_ok(schema: str) -> dict[str, Any]:
    """A list's answer: a JSON array of one page, with X-Total-Count and Link (DESIGN §9)."""
    answer = _ok(schema, many=True)
    answer["200"]["headers"] = LIST_HEADERS
    return answer


def _errors(*codes: int) -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/Error"}
    return {
        str(c): {"description": "Error", "content": {"application/json": {"schema": ref}}}
        for c in (401, *codes)
    }


def _body(schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


def _path_param(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


EXPORTS = {  # path: (media type, what it is); docs/exports.md describes each
    "/exports/visits.csv": ("text/csv", "Approved visits for machines: stable column keys"),
    "/exports/answers.csv": ("text/csv", "Scorable and numeric answers for machines"),
    "/exports/summary.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Six sheets for people, in lang",
    ),
    "/exports/report.pdf": ("application/pdf", "The report of the period, in lang"),
    "/exports/infographic.png": ("image/png", "A picture for the website, in lang"),
    "/exports/infographic.svg": ("image/svg+xml", "A picture for the website, in lang"),
}


def _export_paths(spec: APISpec) -> None:
    """The exports (project group only): file name adaldyq-<what>-<period>-<lang>.<ext>."""
    lang = _query(
        "lang", "Language of headings and labels; default: the reader's", enum=["kk", "ru", "en"]
    )
    for path, (media, what) in EXPORTS.items():
        spec.path(
            path,
            operations={
                "get": {
                    "description": f"{what}. A lone from runs to today, a lone to from the first "
                    "approved visit; see docs/exports.md.",
                    "parameters": [*PERIOD, lang],
                    "responses": {
                        "200": {
                            "description": "The file, as an attachment",
                            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_errors(403, 422),
                    },
                }
            },
        )


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="Adaldyq API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in ALL.items():
        spec.components.schema(name, schema=schema)
    get = "get"
    spec.path(
        "/offices",
        operations={
            get: {
                "parameters": [
                    *PAGING,
                    SEARCH,
                    _query("country", "ISO 3166 alpha-2"),
                    _query("kind", "Office kind", enum=list(OFFICE_KINDS)),
                    _query("active", "1: open for visits; 0: closed", enum=["1", "0"]),
                    _sort(["code", "name", "country", "city", "kind"], "code"),
                ],
                "responses": {**_list_ok("Office"), **_errors(422)},
            }
        },
    )
    spec.path(
        "/checklists",
        operations={
            get: {"parameters": PAGING, "responses": {**_ok("ChecklistSummary", True), **_errors()}}
        },
    )
    spec.path(
        "/checklists/{slug}/{version}",
        operations={
            get: {
                "parameters": [_path_param("slug"), _path_param("version", "integer")],
                "responses": {"200": {"description": "The checklist definition"}, **_errors(404)},
            }
        },
    )
    spec.path(
        "/visits",
        operations={
            "post": {
                "requestBody": _body("VisitInput"),
                "responses": {
                    **_ok("Visit", status="201"),
                    **_ok("Visit"),
                    **_errors(403, 404, 409, 422),
                },
            },
            get: {
                "parameters": [
                    *PAGING,
                    SEARCH,
                    _query("office", "An office code"),
                    _query("country", "ISO 3166 alpha-2 code of the office's country"),
                    _query("status", "Visit status", enum=list(STATUSES)),
                    _query("checklist", "A checklist slug"),
                    _query("period", "YYYY-MM, YYYY-Qn or YYYY: the visit's own date in it"),
                    _sort(["visited", "office", "status", "submitted"], "-visited"),
                ],
                "responses": {**_list_ok("VisitSummary"), **_errors(404, 422)},
            },
        },
    )
    spec.path(
        "/visits/{uuid}",
        operations={
            get: {
                "parameters": [_path_param("uuid")],
                "responses": {**_ok("Visit"), **_errors(404)},
            }
        },
    )
    spec.path(
        "/visits/{uuid}/review",
        operations={
            "post": {
                "parameters": [_path_param("uuid")],
                "requestBody": _body("ReviewInput"),
                "responses": {**_ok("Visit"), **_errors(403, 404, 409, 422)},
            }
        },
    )
    spec.path(
        "/offices/{code}/scores",
        operations={
            get: {
                "parameters": [_path_param("code"), *PERIOD],
                "responses": {**_ok("OfficeScores"), **_errors(403, 404, 422)},
            }
        },
    )
    spec.path(
        "/kpis",
        operations={
            get: {
                "description": "The recommendation KPIs of a period (docs/scoring.md): of the "
                "findings opened in it, those implemented and verified at its end; reopened, "
                "overdue at its end, median days to fix, recurrence rate. Without a period, "
                "the last complete month. Project group and auditors; an office head for "
                "their own office (the default), 403 for another.",
                "parameters": [
                    *PERIOD,
                    {
                        "name": "office",
                        "in": "query",
                        "description": "An office code; absent: every office",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "all_time",
                        "in": "query",
                        "description": "1: add the same figures from the first finding to today",
                        "schema": {"type": "string", "enum": ["0", "1"]},
                    },
                ],
                "responses": {**_ok("Kpis"), **_errors(403, 404, 422)},
            }
        },
    )
    spec.path(
        "/scores",
        operations={
            get: {
                "parameters": [*PERIOD, *PAGING],
                "responses": {**_ok("RankingRow", True), **_errors(403, 422)},
            }
        },
    )
    _export_paths(spec)
    multipart = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "upload": {"type": "string", "description": "a finished tus upload"},
                        "item": {"type": "string"},
                        "uuid": {"type": "string", "format": "uuid"},
                    },
                }
            }
        },
    }
    spec.path(
        "/visits/{uuid}/evidence",
        operations={
            "post": {
                "parameters": [_path_param("uuid")],
                "requestBody": multipart,
                "responses": {
                    **_ok("Evidence", status="201"),
                    **_ok("Evidence"),
                    **_errors(404, 409, 413, 415, 422),
                },
            }
        },
    )
    spec.path(
        "/visits/{uuid}/evidence/{evidence}",
        operations={
            "delete": {
                "parameters": [_path_param("uuid"), _path_param("evidence")],
                "responses": {"204": {"description": "Removed"}, **_errors(404, 409)},
            }
        },
    )
    spec.path(
        "/uploads",
        operations={
            "post": {
                "description": "tus 1.0.0 creation: Upload-Length header; Location answers.",
                "responses": {"201": {"description": "Created"}, **_errors(413)},
            }
        },
    )
    spec.path(
        "/uploads/{id}",
        operations={
            "head": {
                "parameters": [_path_param("id")],
                "responses": {"200": {"description": "Upload-Offset"}, **_errors(404)},
            },
            "patch": {
                "parameters": [_path_param("id")],
                "responses": {"204": {"description": "Appended"}, **_errors(404, 409, 415)},
            },
        },
    )
    finding = [_path_param("id", "integer")]
    spec.path(
        "/findings",
        operations={
            get: {
                "description": "The findings the caller may see (an office head: their own "
                "office's, whatever the filters say), due first. Unknown filter values: 422.",
                "parameters": [
                    *PAGING,
                    SEARCH,
                    _query("office", "An office code"),
                    _query("country", "ISO 3166 alpha-2 code of the office's country"),
                    _query("section", "A section code of any checklist"),
                    _query("item", "An item code of any checklist"),
                    _query("status", "Finding status", enum=list(FINDING_STATUSES)),
                    _query("severity", "Severity", enum=list(SEVERITIES)),
                    _query("overdue", "1: open or in progress past the due date", enum=["1", "0"]),
                    _query("period", "YYYY-MM, YYYY-Qn or YYYY: opened in it"),
                    _sort(
                        ["due_date", "severity", "status", "item", "office", "opened"],
                        "due_date (an office head: due_date, severity, status, item)",
                    ),
                ],
                "responses": {**_list_ok("Finding"), **_errors(403, 422)},
            }
        },
    )
    spec.path(
        "/findings/bulk",
        operations={
            "post": {
                "description": "Verify several findings (project group; implemented ones only), "
                "set their due date or add a note (auditors and the project group). Each "
                "finding is taken on its own: the answer lists those done and those refused, "
                "each with its reason; nothing is half-done. 422 when the request is not "
                "understood (nothing changes then).",
                "requestBody": _body("FindingBulkInput"),
                "responses": {**_ok("FindingBulkResult"), **_errors(403, 422)},
            }
        },
    )
    spec.path(
        "/findings/{id}",
        operations={
            get: {"parameters": finding, "responses": {**_ok("Finding"), **_errors(403, 404)}},
            "patch": {
                "parameters": finding,
                "description": 'Auditors: {"recommendations": {kk, ru, en}}',
                "responses": {**_ok("Finding"), **_errors(403, 404, 422)},
            },
        },
    )
    for action, schema in (
        ("response", "FindingResponseInput"),
        ("dispute", None),
        ("verify", "FindingVerifyInput"),
        ("merge", None),
    ):
        operation = {
            "parameters": finding,
            "responses": {**_ok("Finding"), **_errors(403, 404, 409, 422)},
        }
        if schema:
            operation["requestBody"] = _body(schema)
        spec.path(f"/findings/{{id}}/{action}", operations={"post": operation})
    spec.path(
        "/findings/{id}/evidence",
        operations={
            "post": {
                "parameters": finding,
                "requestBody": multipart,
                "responses": {**_ok("Evidence", status="201"), **_errors(403, 404, 413, 415, 422)},
            }
        },
    )
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document

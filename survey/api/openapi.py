"""The OpenAPI document, generated from the marshmallow schemas."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

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
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
]


def _ok(schema: str, many: bool = False, status: str = "200") -> dict[str, Any]:
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{schema}"}
    body = {"type": "array", "items": ref} if many else ref
    return {status: {"description": "OK", "content": {"application/json": {"schema": body}}}}


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
        operations={get: {"parameters": PAGING, "responses": {**_ok("Office", True), **_errors()}}},
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
                    {"name": "office", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {**_ok("VisitSummary", True), **_errors(422)},
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
        "/scores",
        operations={
            get: {
                "parameters": [*PERIOD, *PAGING],
                "responses": {**_ok("RankingRow", True), **_errors(403, 422)},
            }
        },
    )
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
                "parameters": [
                    *PAGING,
                    {"name": "office", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {**_ok("Finding", True), **_errors(403, 422)},
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

"""The OpenAPI document, built from the route table: each rule of the API blueprint, with the
contract its view declares (contract.py) and the marshmallow schemas it names (schemas.py).

Nothing here lists operations: a route is in the document because it exists, and a route
whose view declares no contract stops the document from being built.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from werkzeug.routing import Rule

from ..visits.schemas import StrictBool, StrictInt
from .contract import OPERATIONS, Operation
from .schemas import ErrorSchema

PREFIX = "/api/v1"
CONVERTER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
# Path parameters by the rule's name: what the converters do not say, and the name in the
# document where it differs (the document's names predate the routes').
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "uuid": {"format": "uuid", "description": "The visit's uuid"},
    "evidence_uuid": {"format": "uuid", "name": "evidence"},
    "finding_id": {"name": "id"},
    "upload_id": {"name": "id"},
    "code": {"description": "An office code"},
    "slug": {"description": "A checklist slug"},
}
HEADERS: dict[str, dict[str, Any]] = {  # request and answer headers, by name
    "X-Total-Count": {"description": "Rows in the whole list", "schema": {"type": "integer"}},
    "Link": {"description": '<…>; rel="next" while there is more', "schema": {"type": "string"}},
    "Content-Disposition": {
        "description": 'attachment; filename="adaldyq-<what>-<period>-<lang>.<ext>"',
        "schema": {"type": "string"},
    },
    "Tus-Resumable": {"description": "The tus version", "schema": {"type": "string"}},
    "Tus-Version": {"description": "Versions served", "schema": {"type": "string"}},
    "Tus-Extension": {"description": "Extensions served", "schema": {"type": "string"}},
    "Tus-Max-Size": {"description": "Largest upload, in bytes", "schema": {"type": "integer"}},
    "Upload-Length": {"description": "The whole file, in bytes", "schema": {"type": "integer"}},
    "Upload-Offset": {"description": "Bytes received so far", "schema": {"type": "integer"}},
    "Location": {"description": "The new upload's URL", "schema": {"type": "string"}},
}
REQUIRED_HEADERS = {"Upload-Length", "Upload-Offset"}  # when a request names them


def _path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """The rule as an OpenAPI path, and its path parameters as its converters define them."""
    parameters, names = [], {}
    for converter, arguments, name in CONVERTER.findall(rule.rule):
        schema: dict[str, Any] = {"type": "string"}
        if converter == "int":  # survey.setup.BoundedInt: a database integer
            schema = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
        elif converter == "any":
            schema["enum"] = [a.strip() for a in arguments.split(",")]
        extra = dict(PATH_PARAMETERS.get(name, {}))
        names[name] = extra.pop("name", name)
        parameter = {"name": names[name], "in": "path", "required": True}
        if "description" in extra:
            parameter["description"] = extra.pop("description")
        parameters.append({**parameter, "schema": {**schema, **extra}})
    path = CONVERTER.sub(lambda m: "{" + names[m.group(3)] + "}", rule.rule)
    return path.removeprefix(PREFIX), parameters


def _methods(rule: Rule) -> list[str]:
    """The methods a view serves: not HEAD beside GET, nor Flask's automatic OPTIONS."""
    methods = set(rule.methods or ())
    if "GET" in methods:
        methods.discard("HEAD")
    if getattr(rule, "provide_automatic_options", False):
        methods.discard("OPTIONS")
    return sorted(methods)


def _headers(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: HEADERS[name] for name in names}


def _content(op: Operation) -> dict[str, Any]:
    if op.media is not None:
        return {media: {"schema": dict(schema)} for media, schema in op.media.items()}
    if op.answer is None:
        return {}
    schema: Any = op.answer
    if op.many:
        schema = {"type": "array", "items": op.answer}
    return {"application/json": {"schema": schema}}


def _responses(op: Operation) -> dict[str, Any]:
    headers = _headers(op.answer_headers + (("X-Total-Count", "Link") if op.many else ()))
    responses: dict[str, Any] = {}
    for status in op.status:
        answer: dict[str, Any] = {"description": "Done" if status == 204 else "OK"}
        if status != 204 and (content := _content(op)):
            answer["content"] = content
        if headers:
            answer["headers"] = headers
        responses[str(status)] = answer
    refusal = {"application/json": {"schema": ErrorSchema}}
    codes = op.errors if op.public else (*op.errors, 401, 429)
    for code in sorted(set(codes)):
        responses[str(code)] = {"description": "Refused", "content": refusal}
    return responses


def _operation(view: Any, op: Operation, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """One operation of the document: the view's docstring, parameters, body, answers."""
    summary, _, description = (inspect.getdoc(view) or "").partition("\n\n")
    parameters = [
        *parameters,
        *(
            {"name": n, "in": "header", "required": n in REQUIRED_HEADERS, **HEADERS[n]}
            for n in op.headers
        ),
    ]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    operation: dict[str, Any] = {
        "summary": " ".join(summary.split()),
        "parameters": parameters,
        "responses": _responses(op),
    }
    if description:
        operation["description"] = description
    content = {}
    if op.form is not None:
        content["multipart/form-data"] = {"schema": op.form}
    if isinstance(op.body, Mapping):  # bytes, e.g. a tus PATCH
        content.update({media: {"schema": dict(schema)} for media, schema in op.body.items()})
    elif op.body is not None:
        content["application/json"] = {"schema": op.body}
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    if op.public:
        operation["security"] = []
    return operation


def build_spec(app: Flask, blueprint: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the blueprint's routes, as served at /api/v1/openapi.json."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Adaldyq API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[plugin],
        servers=[{"url": PREFIX}],
        security=[{"bearer": []}],
        info={
            "description": "Mystery-shopper visits of consular offices, their evidence, "
            'scores and findings. Errors: {"error": {"code", "message", "fields"}}.'
        },
    )
    plugin.map_to_openapi_type(StrictBool, "boolean", None)
    plugin.map_to_openapi_type(StrictInt, "integer", None)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] != blueprint:
            continue
        view = app.view_functions[rule.endpoint]
        if view not in OPERATIONS:
            raise LookupError(f"{rule.endpoint} declares no contract (survey/api/contract.py)")
        path, parameters = _path(rule)
        for method in _methods(rule):
            paths.setdefault(path, {})[method.lower()] = _operation(
                view, OPERATIONS[view], parameters
            )
    for path in sorted(paths):
        spec.path(path, operations=paths[path])
    return spec.to_dict()

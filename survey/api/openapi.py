"""The OpenAPI document, built from the route table: each rule of the API blueprint with the
contract its view declares (contract.py) and the schemas it names. Nothing here lists
operations: a route is documented because it exists, and one without a contract is an error.
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
HEADERS = {  # request and answer headers: (type, description)
    "X-Total-Count": ("integer", "Rows in the whole list"),
    "Link": ("string", '<…>; rel="next" while there is more'),
    "Content-Disposition": (
        "string",
        'attachment; filename="adaldyq-<what>-<period>-<lang>.<ext>"',
    ),
    "Tus-Resumable": ("string", "The tus version"),
    "Tus-Version": ("string", "Versions served"),
    "Tus-Extension": ("string", "Extensions served"),
    "Tus-Max-Size": ("integer", "Largest upload, in bytes"),
    "Upload-Length": ("integer", "The whole file, in bytes"),
    "Upload-Offset": ("integer", "Bytes received so far"),
    "Location": ("string", "The new upload's URL"),
}
REQUIRED_HEADERS = {"Upload-Length", "Upload-Offset"}  # when a request names them


def _header(header: str, /, **extra: Any) -> dict[str, Any]:
    kind, description = HEADERS[header]
    return {"description": description, "schema": {"type": kind}, **extra}


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
    automatic = {"HEAD"} if "GET" in methods else set()
    automatic |= {"OPTIONS"} if getattr(rule, "provide_automatic_options", False) else set()
    return sorted(methods - automatic)


def _content(op: Operation) -> dict[str, Any]:
    if op.media is not None:
        return {media: {"schema": dict(schema)} for media, schema in op.media.items()}
    if op.answer is None:
        return {}
    schema = {"type": "array", "items": op.answer} if op.many else op.answer
    return {"application/json": {"schema": schema}}


def _responses(op: Operation) -> dict[str, Any]:
    names = op.answer_headers + (("X-Total-Count", "Link") if op.many else ())
    headers = {name: _header(name) for name in names}
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
    parameters = parameters + [
        _header(n, name=n, required=n in REQUIRED_HEADERS, **{"in": "header"}) for n in op.headers
    ]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    operation: dict[str, Any] = {
        "operationId": view.__name__,
        "summary": " ".join(summary.split()),
        "parameters": parameters,
        "responses": _responses(op),
    }
    if description:
        operation["description"] = description
    content: dict[str, Any] = {}
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
            operation = _operation(view, OPERATIONS[view], parameters)
            paths.setdefault(path, {})[method.lower()] = operation
    for path in sorted(paths):
        spec.path(path, operations=paths[path])
    return spec.to_dict()

"""One contract per endpoint, declared on its view: what it takes and what it answers.

The view returns an object (a model, a service's dict, a list, or for a list a `Fetch`); the
answer's schema, cut to what the caller may see (`ApiSchema.for_viewer`), dumps it, and the
OpenAPI document (openapi.py) is written from the same declarations. A view that answers
something else (a file, a tus answer) returns a Response, which passes untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import jsonify, request, stream_with_context, url_for
from marshmallow import Schema
from werkzeug.wrappers import Response

from ..auth.access import api_user, authenticated
from ..common.paging import API_MAX_LIMIT, Page, api_window
from ..extensions import db
from .schemas import ApiSchema

View = Callable[..., Any]
# A list endpoint's rows for the given query arguments: one page of objects to dump.
Fetch = Callable[[Mapping[str, str]], Page[Any]]


@dataclass(frozen=True)
class Operation:
    """What one endpoint takes and answers (each a marshmallow schema class, or none).

    answer: the JSON body of its 2xx answers; status: their codes (the first is the
    default); many: a list (limit/offset, X-Total-Count, Link); media: {media type: JSON
    schema} of an answer that is not dumped (files, this document); body: the JSON request
    body (or {media type: JSON schema} for bytes); form: a multipart body; query: the query
    parameters; headers, answer_headers: names in openapi.HEADERS; errors: refusals besides
    401 and 429 (a call without a valid token); public: no token needed.
    """

    answer: type[ApiSchema] | None = None
    status: tuple[int, ...] = (200,)
    many: bool = False
    media: Mapping[str, Mapping[str, Any]] | None = None
    body: type[Schema] | Mapping[str, Mapping[str, Any]] | None = None
    form: type[Schema] | None = None
    query: type[Schema] | None = None
    headers: tuple[str, ...] = ()
    answer_headers: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    public: bool = False


# Every documented view (the function the blueprint registered) and its contract.
OPERATIONS: dict[Callable[..., Any], Operation] = {}


def contract(answer: type[ApiSchema] | None = None, **declared: Any) -> Callable[[View], View]:
    """Declare a view's contract (the fields of Operation): the caller must show a token unless
    it is public (auth/access.authenticated), and the answer is dumped by its schema."""
    operation = Operation(answer, **declared)

    def decorate(view: View) -> View:
        guarded = view if operation.public else authenticated(view)

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = guarded(*args, **kwargs)
            if isinstance(result, Response) or operation.answer is None:
                return result
            schema = operation.answer.for_viewer(api_user())
            if operation.many:
                return _listing(result, schema)
            body, status = result if isinstance(result, tuple) else (result, operation.status[0])
            return jsonify(schema.dump(body)), status

        OPERATIONS[wrapper] = operation
        return wrapper

    return decorate


def _sliced(rows: list[Any]) -> Fetch:
    def fetch(args: Mapping[str, str]) -> Page[Any]:
        window = api_window(args)
        end = None if window.limit is None else window.offset + window.limit
        return Page(rows[window.offset : end], len(rows), window.offset, window.limit)

    return fetch


def _page(page: Page[Any], schema: Schema) -> Response:
    """One page as a JSON array, with `X-Total-Count` and, when there is more,
    `Link: <…>; rel="next"` (DESIGN §9)."""
    response = jsonify(schema.dump(page.items, many=True))
    response.headers["X-Total-Count"] = str(page.total)
    if page.has_next:
        limit = page.limit if page.limit is not None else API_MAX_LIMIT
        args: dict[str, Any] = {**request.args, "offset": page.next_offset, "limit": limit}
        target = url_for(request.endpoint or "api.openapi", _external=True, **args)
        response.headers["Link"] = f'<{target}>; rel="next"'
    return response


def _listing(rows: list[Any] | Fetch, schema: Schema) -> Response:
    """A list: one page when `limit` or `offset` is given; else the whole list (DESIGN §7),
    fetched and written API_MAX_LIMIT rows at a time, so even a national list never sits in
    memory whole. A plain list is sliced here; a Fetch pages in SQL."""
    fetch = _sliced(rows) if isinstance(rows, list) else rows
    if "limit" in request.args or "offset" in request.args:  # fetch checks every argument
        return _page(fetch(request.args), schema)
    first = fetch({**request.args.to_dict(), "offset": "0", "limit": str(API_MAX_LIMIT)})
    if not first.has_next:
        return _page(first, schema)

    def chunks() -> Iterator[str]:
        page, offset = first, 0
        yield "["
        while True:
            body = json.dumps(schema.dump(page.items, many=True), ensure_ascii=False)[1:-1]
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

"""Errors in the shape each audience reads: JSON for /api, a translated page for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .domain.messages import render

T = TypeVar("T")


class ServiceError(Exception):
    """A refusal a service decides (validation, conflict, permission); views only translate it."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class InvalidInput(ServiceError):
    status, code = 422, "invalid"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class Conflict(ServiceError):
    status, code = 409, "conflict"


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You do not have access to this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with what is already stored."),
        413: _("The request is too large."),
        415: _("This type of content is not accepted."),
        422: _("Some fields need attention."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again."),
    }


def translate_fields(fields: Any) -> Any:
    """Render every message in a nested fields dict in the request's language."""
    if isinstance(fields, dict):
        return {str(k): translate_fields(v) for k, v in fields.items()}
    if isinstance(fields, list | tuple):
        return [translate_fields(v) for v in fields]
    return render(fields, _)


def listing_or_problems(find: Callable[[], T]) -> tuple[T | None, dict[str, Any]]:
    """A list page's rows and the problems of its query: (find(), {}), or (None, the
    translated fields) when find raises InvalidInput. The page answers 422 with problems."""
    try:
        return find(), {}
    except InvalidInput as exc:
        return None, translate_fields(exc.fields)


def json_error(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response, int]:
    body = {"error": {"code": code, "message": message, "fields": translate_fields(fields or {})}}
    return jsonify(body), status


def _wants_json() -> bool:
    """The API, and a page's script that asks for JSON (the visit page's uploads send
    `Accept: application/json`): an error then says why in JSON, not as an HTML page the
    script cannot read (issue 15: "The file was not attached" without a reason)."""
    if request.path.startswith("/api/"):
        return True
    accepted = request.accept_mimetypes
    return accepted.best_match(["text/html", "application/json"]) == "application/json"


def register(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> ResponseReturnValue:
        message = render(exc.message, _)
        if _wants_json():
            return json_error(exc.status, exc.code, message, exc.fields)
        return render_template("error.html", status=exc.status, message=message), exc.status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ResponseReturnValue:
        message = _("The form has expired or was not sent from this site. Please try again.")
        if _wants_json():
            return json_error(400, "csrf", message)
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        message = _messages().get(status, exc.name)
        if _wants_json():
            code = exc.name.lower().replace(" ", "_")
            response, status = json_error(status, code, message)
            if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
                response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
            return response, status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, HTTPException):
            return _http(exc)
        app.logger.exception("Unhandled error")
        message = _messages()[500]
        if _wants_json():
            return json_error(500, "server_error", message)
        return render_template("error.html", status=500, message=message), 500

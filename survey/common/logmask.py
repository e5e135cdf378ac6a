"""Keep the tokens of one-time links out of logs and out of the Referer header.

A link `/invite/<token>` or `/password/reset/<token>` opens an account to whoever holds it, so
it must not be written to a log file anyone can read later. Three places would otherwise keep
it: gunicorn's access log (the request line and the Referer of the next page), the app's own
log (an exception logged while such a request runs), and the Referer a browser sends when the
page links elsewhere. Query values of parameters named like `token` are masked as well.

gunicorn uses `MaskingLogger` through the project's gunicorn.conf.py (`logger_class`);
create_app calls `install` for the rest.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, request
from gunicorn.glogging import Logger as GunicornLogger

MASK = "***"
KEPT = {"set-password"}  # the token-less address the reset page moves to (not a secret)
_SEPARATOR = r"(?:/|%2F)"
# /invite/<token>, /password/reset/<token>, also percent-encoded (inside a `next=` value).
_PATH_TOKEN = re.compile(
    rf"(?i)({_SEPARATOR}(?:invite|password{_SEPARATOR}reset){_SEPARATOR})"
    r"((?:(?!%2F|%3F|%23|%26)[^/?#&\s\"';])+)"
)
# token=…, reset_token=…, csrf_token=… in a query string, also percent-encoded.
_QUERY_TOKEN = re.compile(
    r"(?i)((?:^|[?&;]|%3F|%26)[\w.\-]*token(?:=|%3D))((?:(?!%26)[^&#\s\"';])*)"
)


def _mask_path(match: re.Match[str]) -> str:
    token = match.group(2)
    return match.group(1) + (token if token in KEPT else MASK)


def mask(text: str) -> str:
    """text with every link token and `…token=` query value replaced by `***`."""
    return _QUERY_TOKEN.sub(lambda m: m.group(1) + MASK, _PATH_TOKEN.sub(_mask_path, text))


def behind_a_link(path: str) -> bool:
    """Whether a request path is a one-time link's page (with its token or the kept marker)."""
    return _PATH_TOKEN.search(path) is not None


class TokenFilter(logging.Filter):
    """Masks tokens in a record's message, traceback and stack before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


TOKEN_FILTER = TokenFilter()


class MaskingLogger(GunicornLogger):
    """gunicorn's logger with every access-log atom masked (request line, path, query,
    Referer, any header or environ value), and its error log filtered the same way."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(TOKEN_FILTER)  # e.g. "Error handling request /invite/…"

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        found = super().atoms(resp, req, environ, request_time)
        return {key: mask(v) if isinstance(v, str) else v for key, v in found.items()}


def no_referrer_on_token_pages(response: Response) -> Response:
    """A page whose address holds a token tells the browser to send no Referer from it."""
    if behind_a_link(request.path):
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def install(app: Flask) -> None:
    """Mask tokens in the app's log and the development server's, and send no Referer."""
    for logger in (app.logger, logging.getLogger("werkzeug")):
        logger.addFilter(TOKEN_FILTER)
        for handler in logger.handlers:
            handler.addFilter(TOKEN_FILTER)  # records of child loggers reach these too
    app.after_request(no_referrer_on_token_pages)

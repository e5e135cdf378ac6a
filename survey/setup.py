"""The steps create_app takes, one function each (cookiecutter-flask's register_* list)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import flask_babel
from flask import Flask, g, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from . import cli, errors, offline, security, templating
from .account.views import bp as account_bp
from .admin.views import bp as admin_bp
from .api.views import bp as api_bp
from .assets import bp as assets_bp
from .assignments.views import bp as assignments_bp
from .auth.models import User
from .auth.views import bp as auth_bp
from .common import logmask
from .config import LOCALES
from .evidence.intake import SurveyRequest, clean_scratch
from .evidence.views import bp as evidence_bp
from .evidence.views import raise_upload_limit
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from .findings.views import bp as findings_bp
from .home.views import bp as home_bp
from .reports.views import bp as reports_bp
from .review.views import bp as review_bp
from .visits.views import bp as visits_bp

MODEL_MODULES = (
    "survey.offices.models",
    "survey.auth.models",
    "survey.checklists.models",
    "survey.visits.models",
    "survey.findings.models",
    "survey.assignments.models",
    "survey.evidence.models",
    "survey.audit.models",
)


def select_locale() -> str:
    """The user's choice, then the language switch (cookie), then Accept-Language."""
    forced = g.get("locale")
    if forced in LOCALES:
        return forced
    user = current_user
    if user and user.is_authenticated and getattr(user, "locale", None) in LOCALES:
        return user.locale
    cookie = request.cookies.get("lang")
    if cookie in LOCALES:
        return cookie
    return request.accept_languages.best_match(LOCALES) or LOCALES[0]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, a busy timeout and foreign keys, so several workers can share one SQLite file."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN IMMEDIATE: a writer takes the lock up front instead of failing half-way."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    if user is None or not user.active or session.get("epoch") != user.session_epoch:
        return None  # a cookie from before the last sign-out is dead
    return user


def _unauthorized() -> ResponseReturnValue:
    """Pages send people to sign in; background calls (autosave, the queue) get a 401."""
    background = request.headers.get("X-Autosave") or request.headers.get("X-Queue")
    if background or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": {"code": "unauthorized", "message": "", "fields": {}}}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register_extensions(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(app.root_path) / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    # Decide the locale afresh for each request, even when an app context outlives requests
    # (the CLI, tests); Flask-Babel caches it on g.
    app.before_request(flask_babel.refresh)
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
        event.listen(Engine, "begin", _sqlite_begin)


def register_models() -> None:
    """Import every model so Alembic and create_all see the whole schema."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


class BoundedInt(IntegerConverter):
    """An id in a URL fits a database integer; a longer number is simply not found."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    for blueprint in (
        auth_bp,
        home_bp,
        visits_bp,
        assignments_bp,
        assets_bp,
        evidence_bp,
        review_bp,
        findings_bp,
        reports_bp,
        admin_bp,
        account_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_security(app: Flask) -> None:
    app.request_class = SurveyRequest
    app.before_request(raise_upload_limit)
    # Before CSRF: the other account's token would pass.
    app.before_request(offline.refuse_another_account)
    app.before_request(security.protect_csrf)
    app.after_request(offline.name_the_account)
    app.teardown_request(clean_scratch)
    app.after_request(security.security_headers)
    logmask.install(app)  # no link token in a log line or a Referer


def register_proxy(app: Flask) -> None:
    """Read the client's address and scheme from the proxies in front (docs/deploy.md §6).

    With SURVEY_TRUSTED_PROXIES=N, werkzeug's ProxyFix takes the N-th X-Forwarded-For and
    X-Forwarded-Proto values from the right, which those proxies set; with 0 (the default)
    both headers are ignored, so a client cannot choose the address its failures count to.
    X-Forwarded-Host is never trusted: nginx passes Host itself.
    """
    trusted = int(app.config.get("TRUSTED_PROXIES", 0))
    if trusted < 0:
        raise ValueError("SURVEY_TRUSTED_PROXIES must be 0 or more")
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]


def register_errors(app: Flask) -> None:
    errors.register(app)


def register_cli(app: Flask) -> None:
    cli.register(app)


def register_templates(app: Flask) -> None:
    templating.register(app)

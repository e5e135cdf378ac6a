"""Fixtures shared by the suite (after flaskr's tests/conftest.py).

Integration tests run twice: on SQLite and on a real PostgreSQL server that the run starts.
The schema comes from the migrations, once per database; each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from survey import create_app
from survey.extensions import db
from tests.pgserver import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"  # real photos, kept in the repository
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _config(url: str, tmp: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "MEDIA_ROOT": str(tmp / "media"),
        "CHECKLISTS_DIR": str(ROOT / "checklists"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        "RATELIMIT_ENABLED": False,  # test_security turns it on where it is the point
    }


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    if not server.available:
        if os.environ.get("SURVEY_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries not found (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed here")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database of each kind, made once per run."""
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'test.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("adaldyq_test")
    app = create_app(_config(url, tmp))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    The app fixture keeps one app context open so tests can use the database directly; Flask
    then reuses it for requests, and Flask-Login / Flask-Babel would carry the signed-in user
    and the locale from one request (or one client) to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        g.__dict__.clear()
        return super().open(*args, **kwargs)


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(_config(database_url, tmp_path))
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


class _Inbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        import email
        import email.policy
        import threading

        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.arrived = threading.Condition()
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with inbox.arrived:
                    inbox.messages.append(message)
                    inbox.arrived.notify_all()
                return "250 OK"

        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def wait_for(self, address: str, timeout: float = 10):  # type: ignore[no-untyped-def]
        with self.arrived:
            found = self.arrived.wait_for(
                lambda: any(m["To"] == address for m in self.messages), timeout=timeout
            )
            assert found, f"no mail to {address}; got {[m['To'] for m in self.messages]}"
            return next(m for m in self.messages if m["To"] == address)

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[_Inbox]:
    inbox = _Inbox()
    yield inbox
    inbox.stop()

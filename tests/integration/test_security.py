"""Production defaults: throttled failures, the audit chain, backups that restore."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from survey import create_app
from survey.audit.models import AuditLog
from survey.audit.services import verify
from survey.evidence.models import Evidence
from survey.extensions import db, limiter
from survey.visits.models import Visit
from tests.conftest import _config
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers


def test_repeated_failed_logins_and_bad_tokens_answer_429(database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("counting failures does not depend on the database")
    app = create_app(
        {
            **_config(database_url, tmp_path),
            "RATELIMIT_ENABLED": True,
            "LOGIN_FAILURE_LIMIT": "3 per minute",
            "TOKEN_FAILURE_LIMIT": "3 per minute",
        }
    )
    with app.app_context():
        limiter.reset()  # counts live in memory for the whole process
        # A caller address of its own (TEST-NET, only a WSGI value), so counts left by other
        # apps in this process for 127.0.0.1 do not mix in.
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
        page = client.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        codes = [
            client.post(
                "/login", data={"email": "x@example.kz", "password": "wrong!", "csrf_token": token}
            ).status_code
            for _ in range(5)
        ]
        assert codes[:3] == [401, 401, 401] and codes[-1] == 429
        bad = [
            client.get("/api/v1/offices", headers={"Authorization": "Bearer nope"}).status_code
            for _ in range(5)
        ]
        assert bad[:3] == [401, 401, 401] and bad[-1] == 429
        db.session.remove()
        db.engine.dispose()


def test_audit_chain_records_and_detects_tampering(app, client, tmp_path, runner):
    make_office()
    load_mini(tmp_path)
    vol, aud = make_user("volunteer"), make_user("auditor")
    body = visit_body(submit=True)
    post_visit(client, vol, body)
    client.post(
        f"/api/v1/visits/{body['uuid']}/review", json={"decision": "approve"}, headers=aud.headers
    )
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    client.post(
        "/login", data={"email": vol.email, "password": "wrong password", "csrf_token": token}
    )
    actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert {"user.created", "visit.approve", "login.failed"} <= set(actions)
    assert verify() == []
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(
        text("UPDATE audit_log SET details = :d WHERE action = 'visit.approve'"),
        {"d": '{"visit": "someone else"}'},
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "changed" in result.output
    db.session.execute(text("DELETE FROM audit_log WHERE action = 'visit.approve'"))
    db.session.commit()
    assert any("removed" in p for p in verify())


def test_backup_and_restore_into_an_empty_instance(app, client, runner, tmp_path, database_url):
    make_office()
    load_mini(tmp_path)
    vol, aud = make_user("volunteer"), make_user("auditor")
    body = visit_body(submit=True)
    post_visit(client, vol, dict(body, submit=False))
    client.post(
        f"/api/v1/visits/{body['uuid']}/evidence",
        data={"file": (io.BytesIO(makers.jpeg_with_secrets()), "a.jpg")},
        headers=vol.headers,
        content_type="multipart/form-data",
    )
    post_visit(client, vol, body)
    client.post(
        f"/api/v1/visits/{body['uuid']}/review", json={"decision": "approve"}, headers=aud.headers
    )
    before = client.get(f"/api/v1/visits/{body['uuid']}", headers=aud.headers).json
    target = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    assert (target / "manifest.json").exists()
    # Restore into the same database after emptying it (an empty, migrated instance).
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    media = Path(app.config["MEDIA_ROOT"])
    import shutil

    shutil.rmtree(media, ignore_errors=True)
    result = runner.invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Visit.id))) == 1
    assert db.session.scalar(select(func.count(Evidence.id))) == 1
    after = client.get(f"/api/v1/visits/{body['uuid']}", headers=aud.headers).json
    assert after == before
    original = client.get(after["evidence"][0]["files"]["original"], headers=aud.headers)
    assert original.status_code == 200 and original.data == makers.jpeg_with_secrets()
    assert verify() == []
    again = runner.invoke(args=["restore", str(target)])
    assert again.exit_code == 1 and "not empty" in again.output
    # A changed file in the backup is refused before anything is written.
    victim = next((target / "media").rglob("*.jpg"))
    victim.write_bytes(b"tampered")
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    refused = runner.invoke(args=["restore", str(target)])
    assert refused.exit_code == 1 and "SHA-256" in refused.output
    assert db.session.scalar(select(func.count(Visit.id))) == 0


@pytest.mark.parametrize("header", ["Strict-Transport-Security"])
def test_hsts_only_behind_tls(client, header):
    assert header not in client.get("/login").headers
    assert header in client.get("/login", base_url="https://example.org").headers

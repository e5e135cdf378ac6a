"""Every route of the app, tried by every role, against the table of DESIGN §5.

The table must name every rule in app.url_map: a new route without an entry fails the test, so
no page, API call or file can ship without a decision on who may use it.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime

import pytest
from sqlalchemy import select

from survey.auth.models import Invitation, User
from survey.checklists.models import Checklist
from survey.extensions import db
from survey.findings.models import Finding
from survey.offices.models import Office
from tests.factories import PASSWORD, load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

ROLES = ("volunteer", "auditor", "office_head", "project_group", "admin", "anonymous")
FIELD = {"volunteer", "auditor"}
READ_ALL = {"auditor", "project_group"}
ANY = set(ROLES) - {"anonymous"}
NOBODY: set[str] = set()
DENIED = {401, 403, 404}

# (endpoint, method) -> [(url template, roles allowed, body kind)]
TABLE: dict[tuple[str, str], list[tuple[str, set[str], str | None]]] = {
    ("home.index", "GET"): [("/", ANY, None)],
    ("home.help_page", "GET"): [("/help", set(ROLES), None)],
    ("home.device", "GET"): [("/device", {"volunteer", "auditor"}, None)],
    ("auth.login", "GET"): [("/login", set(ROLES), None)],
    ("auth.login", "POST"): [("/login", set(ROLES), "form")],
    ("auth.logout", "POST"): [("/logout", ANY, "form")],
    ("auth.language", "POST"): [("/language", set(ROLES), "form")],
    ("static", "GET"): [("/static/css/app.css", set(ROLES), None)],
    ("assets.asset", "GET"): [("/assets/0/css/app.css", set(ROLES), None)],
    ("api.openapi", "GET"): [("/api/v1/openapi.json", set(ROLES), None)],
    ("api.offices", "GET"): [("/api/v1/offices", ANY, None)],
    ("api.checklists", "GET"): [("/api/v1/checklists", ANY, None)],
    ("api.checklist", "GET"): [("/api/v1/checklists/mini/1", ANY, None)],
    ("api.visits", "GET"): [("/api/v1/visits", ANY - {"office_head"}, None)],
    ("api.create_visit", "POST"): [("/api/v1/visits", FIELD, "new_visit")],
    ("api.visit", "GET"): [
        (
            "/api/v1/visits/{approved}",
            {"volunteer", "auditor", "project_group"},  # an office head: 404 (DESIGN §5)
            None,
        ),
        ("/api/v1/visits/{draft}", {"volunteer"}, None),
    ],
    ("api.review", "POST"): [("/api/v1/visits/{submitted}/review", {"auditor"}, "approve")],
    ("api.add_evidence", "POST"): [("/api/v1/visits/{draft}/evidence", {"volunteer"}, "file")],
    ("api.delete_evidence", "DELETE"): [
        ("/api/v1/visits/{draft}/evidence/{draft_ev}", {"volunteer"}, None)
    ],
    ("api.tus_options", "OPTIONS"): [("/api/v1/uploads", set(ROLES), None)],
    ("api.tus_create", "POST"): [("/api/v1/uploads", FIELD, "tus")],
    ("api.tus_head", "HEAD"): [("/api/v1/uploads/{upload}", {"volunteer"}, None)],
    ("api.tus_patch", "PATCH"): [("/api/v1/uploads/{upload}", {"volunteer"}, "tus_patch")],
    ("api.office_scores", "GET"): [
        ("/api/v1/offices/tr-istanbul-cg/scores", READ_ALL | {"office_head"}, None)
    ],
    ("api.scores", "GET"): [("/api/v1/scores", READ_ALL | {"office_head"}, None)],
    ("api.kpis", "GET"): [
        ("/api/v1/kpis", READ_ALL | {"office_head"}, None),
        ("/api/v1/kpis?period=2026-10&office=tr-istanbul-cg", READ_ALL | {"office_head"}, None),
        ("/api/v1/kpis?office=de-berlin-emb", READ_ALL, None),
    ],
    ("api.findings", "GET"): [("/api/v1/findings", READ_ALL | {"office_head"}, None)],
    ("api.finding", "GET"): [("/api/v1/findings/{finding}", READ_ALL | {"office_head"}, None)],
    ("api.finding_edit", "PATCH"): [("/api/v1/findings/{finding}", {"auditor"}, "recs")],
    ("api.finding_response", "POST"): [
        ("/api/v1/findings/{finding}/response", {"office_head"}, "respond")
    ],
    ("api.finding_dispute", "POST"): [
        ("/api/v1/findings/{finding}/dispute", {"office_head"}, "respond")
    ],
    ("api.finding_proof", "POST"): [
        ("/api/v1/findings/{finding}/evidence", {"office_head"}, "file")
    ],
    ("api.finding_verify", "POST"): [
        ("/api/v1/findings/{implemented}/verify", {"project_group"}, "verify")
    ],
    ("api.finding_merge", "POST"): [("/api/v1/findings/{finding}/merge", {"auditor"}, "merge")],
    # Several findings at once (issue 13): without ids or action the allowed roles get 422.
    ("api.findings_bulk", "POST"): [("/api/v1/findings/bulk", READ_ALL, "verify")],
    ("evidence.file", "GET"): [
        (
            "/evidence/{approved_ev}/display",
            {"volunteer", "auditor", "office_head", "project_group"},
            None,
        ),
        ("/evidence/{approved_ev}/original", READ_ALL, None),
        ("/evidence/{draft_ev}/thumb", {"volunteer"}, None),
    ],
    ("evidence.upload", "POST"): [("/visits/{draft}/evidence", {"volunteer"}, "form_file")],
    ("evidence.remove", "POST"): [
        ("/visits/{draft}/evidence/{draft_ev}/remove", {"volunteer"}, "form")
    ],
    ("visits.start", "GET"): [("/visits/new", FIELD, None)],
    ("visits.start", "POST"): [("/visits/new", FIELD, "form")],
    ("visits.section", "GET"): [("/visits/{draft}/sections/1", {"volunteer"}, None)],
    ("visits.section", "POST"): [("/visits/{draft}/sections/1", {"volunteer"}, "form")],
    ("visits.check", "GET"): [("/visits/{draft}/check", {"volunteer"}, None)],
    ("visits.blank_section", "GET"): [("/visits/blank/{checklist_id}/sections/1", FIELD, None)],
    ("visits.blank_check", "GET"): [("/visits/blank/{checklist_id}/check", FIELD, None)],
    ("visits.submit", "POST"): [("/visits/{draft}/submit", {"volunteer"}, "form")],
    ("visits.detail", "GET"): [
        ("/visits/{approved}", {"volunteer", "auditor", "project_group"}, None)
    ],
    ("visits.index", "GET"): [("/visits", READ_ALL, None)],
    ("review.index", "GET"): [("/review", {"auditor"}, None)],
    ("review.decide", "POST"): [("/visits/{submitted}/decision", {"auditor"}, "form")],
    ("review.office_evidence", "POST"): [
        ("/visits/{approved}/office-evidence", {"auditor"}, "form")
    ],
    ("assignments.index", "GET"): [("/assignments", READ_ALL, None)],
    ("assignments.new", "GET"): [("/assignments/new", {"auditor"}, None)],
    ("assignments.new", "POST"): [("/assignments/new", {"auditor"}, "form")],
    ("findings.index", "GET"): [("/findings", READ_ALL | {"office_head"}, None)],
    ("findings.detail", "GET"): [("/findings/{finding}", READ_ALL | {"office_head"}, None)],
    ("findings.respond_page", "POST"): [("/findings/{finding}/respond", {"office_head"}, "form")],
    ("findings.dispute_page", "POST"): [("/findings/{finding}/dispute", {"office_head"}, "form")],
    ("findings.verify_page", "POST"): [
        ("/findings/{implemented}/verify", {"project_group"}, "form")
    ],
    ("findings.edit_page", "POST"): [("/findings/{finding}/edit", {"auditor"}, "form")],
    ("findings.merge_page", "POST"): [("/findings/{finding}/merge", {"auditor"}, "form")],
    ("findings.bulk_page", "POST"): [("/findings/bulk", READ_ALL, "form")],
    ("findings.programme", "GET"): [("/programme", {"project_group"}, None)],
    ("reports.dashboard", "GET"): [("/dashboard", READ_ALL, None)],
    ("reports.office", "GET"): [
        ("/offices/tr-istanbul-cg", READ_ALL | {"office_head"}, None),
        ("/offices/de-berlin-emb", READ_ALL, None),
    ],
    ("reports.public", "GET"): [("/public", set(ROLES), None)],
    ("assets.service_worker", "GET"): [("/sw.js", set(ROLES), None)],
    ("assets.offline", "GET"): [("/offline", set(ROLES), None)],
    ("api.export_visits", "GET"): [("/api/v1/exports/visits.csv", {"project_group"}, None)],
    ("api.export_answers", "GET"): [("/api/v1/exports/answers.csv", {"project_group"}, None)],
    ("api.export_summary", "GET"): [("/api/v1/exports/summary.xlsx", {"project_group"}, None)],
    ("api.export_report", "GET"): [("/api/v1/exports/report.pdf", {"project_group"}, None)],
    ("api.export_infographic", "GET"): [
        ("/api/v1/exports/infographic.svg", {"project_group"}, None)
    ],
    ("auth.accept_invitation", "GET"): [("/invite/not-a-real-token", set(ROLES), None)],
    ("auth.accept_invitation", "POST"): [("/invite/not-a-real-token", set(ROLES), "form")],
    ("admin.index", "GET"): [("/admin", {"admin"}, None)],
    ("admin.users", "GET"): [("/admin/users", {"admin"}, None)],
    ("admin.invite", "GET"): [("/admin/users/invite", {"admin"}, None)],
    ("admin.invite", "POST"): [("/admin/users/invite", {"admin"}, "form")],
    ("admin.user", "GET"): [("/admin/users/{volunteer_id}", {"admin"}, None)],
    ("admin.user", "POST"): [("/admin/users/{volunteer_id}", {"admin"}, "form")],
    ("admin.set_active", "POST"): [("/admin/users/{volunteer_id}/active", {"admin"}, "form")],
    ("admin.revoke", "POST"): [("/admin/invitations/{invitation}/revoke", {"admin"}, "form")],
    ("admin.send_reset", "POST"): [("/admin/users/{volunteer_id}/reset", {"admin"}, "form")],
    ("account.forgot", "GET"): [("/password/forgot", set(ROLES), None)],
    ("account.forgot", "POST"): [("/password/forgot", set(ROLES), "form")],
    ("account.reset", "GET"): [("/password/reset/not-a-real-token", set(ROLES), None)],
    ("account.reset", "POST"): [("/password/reset/not-a-real-token", set(ROLES), "form")],
    ("account.change_password", "GET"): [("/account/password", ANY, None)],
    ("account.change_password", "POST"): [("/account/password", ANY, "form")],
    ("admin.offices", "GET"): [("/admin/offices", {"admin"}, None)],
    ("admin.office", "GET"): [
        ("/admin/offices/new", {"admin"}, None),
        ("/admin/offices/tr-istanbul-cg", {"admin"}, None),
    ],
    ("admin.office", "POST"): [
        ("/admin/offices/new", {"admin"}, "form"),
        ("/admin/offices/{office_code}", {"admin"}, "form"),
    ],
    ("admin.import_csv", "POST"): [("/admin/offices/import", {"admin"}, "form")],
    ("admin.checklists", "GET"): [("/admin/checklists", {"admin"}, None)],
    ("admin.checklists", "POST"): [("/admin/checklists", {"admin"}, "form")],
}
# Public pages and self-service ones answer everybody; "allowed" there means not refused.
OPEN = {
    ("auth.login", "GET"),
    ("auth.login", "POST"),
    ("auth.language", "POST"),
    ("static", "GET"),
    ("assets.asset", "GET"),
    ("api.openapi", "GET"),
    ("api.tus_options", "OPTIONS"),
    ("auth.accept_invitation", "GET"),  # a bad link is a 404 for everybody
    ("auth.accept_invitation", "POST"),
    ("account.forgot", "GET"),
    ("account.forgot", "POST"),
    ("account.reset", "GET"),  # a bad link is a 404 for everybody
    ("account.reset", "POST"),
}


def _rules(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"} or rule.methods & {"HEAD"} or {"OPTIONS"}
        for method in sorted(methods):
            yield rule.endpoint, method


def test_every_route_has_an_entry(app):
    missing = sorted(set(_rules(app)) - set(TABLE))
    assert missing == [], f"routes with no access decision: {missing}"


@pytest.fixture
def world(app, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    people = {
        "volunteer": make_user("volunteer"),
        "auditor": make_user("auditor"),
        "office_head": make_user("office_head", office="tr-istanbul-cg"),
        "project_group": make_user("project_group"),
        "admin": make_user("admin"),
    }
    return people


def _build(app, people):  # type: ignore[no-untyped-def]
    """A fresh set of objects for one request: visits in every state, evidence, findings."""
    client = app.test_client()
    vol, aud = people["volunteer"], people["auditor"]
    ids = {}
    approved = visit_body()
    approved["answers"]["ramp"] = {"value": "no"}
    made = post_visit(client, vol, approved)
    assert made.status_code == 201, made.text
    ev = client.post(
        f"/api/v1/visits/{approved['uuid']}/evidence",
        data={"file": (io.BytesIO(makers.webp()), "a.webp"), "item": "ramp"},
        headers=vol.headers,
        content_type="multipart/form-data",
    )
    assert ev.status_code == 201, (ev.status_code, ev.text, approved)
    ev = ev.json["uuid"]
    post_visit(client, vol, dict(approved, submit=True))
    client.post(
        f"/api/v1/visits/{approved['uuid']}/review",
        json={"decision": "approve"},
        headers=aud.headers,
    )
    submitted = visit_body(submit=True)
    post_visit(client, vol, submitted)
    draft = visit_body()
    post_visit(client, vol, draft)
    draft_ev = client.post(
        f"/api/v1/visits/{draft['uuid']}/evidence",
        data={"file": (io.BytesIO(makers.png_with_text()), "b.png")},
        headers=vol.headers,
        content_type="multipart/form-data",
    ).json["uuid"]
    findings = db.session.scalars(select(Finding).order_by(Finding.id)).all()
    head = people["office_head"]
    implemented = findings[-1].id
    client.post(
        f"/api/v1/findings/{implemented}/response",
        json={"text": "done", "status": "implemented"},
        headers=head.headers,
    )
    upload = client.post("/api/v1/uploads", headers={**vol.headers, "Upload-Length": "10"})
    invitation = Invitation(
        token_hash=uuid.uuid4().hex,
        email=f"{uuid.uuid4().hex[:8]}@example.kz",
        display_name="x",
        role="volunteer",
        expires_at=datetime(2100, 1, 1),
        revoked=False,
    )
    target = User(  # an account for the admin to change or switch off, fresh each time
        email=f"{uuid.uuid4().hex[:8]}@example.kz",
        display_name="y",
        role="volunteer",
        password_hash="-",
    )
    office = Office(  # one for the admin to edit (a POST without "active" closes it)
        code=f"x-{uuid.uuid4().hex[:8]}",
        kind="embassy",
        country="DE",
        city="x",
        name_kk="x",
        name_ru="x",
        name_en="x",
        timezone="UTC",
        active=True,
    )
    db.session.add_all([invitation, target, office])
    db.session.commit()
    ids.update(
        approved=approved["uuid"],
        submitted=submitted["uuid"],
        draft=draft["uuid"],
        approved_ev=ev,
        draft_ev=draft_ev,
        finding=findings[0].id,
        implemented=implemented,
        upload=upload.headers["Location"].rsplit("/", 1)[-1],
        invitation=invitation.id,
        volunteer_id=target.id,
        office_code=office.code,
        checklist_id=db.session.scalar(select(Checklist.id)),
    )
    return ids


def _session(app, email):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def _token(client):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    if page.status_code == 302:
        page = client.get("/")
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    return found.group(1) if found else ""


def _body(kind, ids, csrf):  # type: ignore[no-untyped-def]
    if kind is None:
        return {}
    if kind == "form":
        return {
            "data": {
                "csrf_token": csrf,
                "text": "x",
                "decision": "approve",
                "into": str(ids.get("finding", "")),
            }
        }
    if kind == "form_file":
        return {
            "data": {"csrf_token": csrf, "file": (io.BytesIO(makers.webp()), "c.webp")},
            "content_type": "multipart/form-data",
        }
    if kind == "file":
        return {
            "data": {"file": (io.BytesIO(makers.webp()), "c.webp")},
            "content_type": "multipart/form-data",
        }
    if kind == "tus":
        return {"headers": {"Upload-Length": "10"}}
    if kind == "tus_patch":
        return {
            "data": b"0123456789",
            "headers": {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        }
    if kind == "new_visit":
        return {"json": visit_body()}
    json_bodies = {
        "approve": {"decision": "approve"},
        "recs": {"recommendations": {"kk": "а", "ru": "б", "en": "c"}},
        "respond": {"text": "We are on it", "status": "in_progress"},
        "verify": {"decision": "verified", "note": "ok"},
        "merge": {"into": ids["finding"]},
    }
    return {"json": json_bodies[kind]}


def test_each_role_against_each_route(app, world):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("who may use a route does not depend on the database")
    failures = []
    for (endpoint, method), cases in TABLE.items():
        for template, allowed, kind in cases:
            for role in ROLES:
                ids = _build(app, world) if method != "GET" or "{" in template else {}
                url = template.format(**ids) if ids else template
                if role == "anonymous":
                    client, headers = app.test_client(), {}
                elif url.startswith("/api/") or url.startswith("/evidence/"):
                    client, headers = app.test_client(), world[role].headers
                else:
                    client, headers = _session(app, world[role].email), {}
                extra = _body(kind, ids, _token(client) if not url.startswith("/api/") else "")
                headers = {**headers, **extra.pop("headers", {})}
                resp = client.open(url, method=method, headers=headers, **extra)
                location = resp.headers.get("Location", "")
                # Flask-Login sends a stranger to /login?next=...; other redirects are answers.
                refused = (resp.status_code in DENIED and (endpoint, method) not in OPEN) or (
                    resp.status_code == 302 and "/login" in location and "next=" in location
                )
                ok = resp.status_code < 500 and (refused != (role in allowed))
                if not ok:
                    failures.append((endpoint, method, url, role, resp.status_code, location))
    assert failures == [], "\n".join(map(str, failures))

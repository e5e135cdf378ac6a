"""The visit on a phone, through the server-rendered pages (no JavaScript needed)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.assignments.models import Assignment
from survey.checklists.models import Checklist
from survey.extensions import db
from survey.visits.models import Answer, Visit
from tests.factories import csrf_of, load_mini, make_office, make_user, sign_in

EN = {"Accept-Language": "en"}


def _login(client, email):  # type: ignore[no-untyped-def]
    assert sign_in(client, email).status_code == 302


@pytest.fixture
def world(app, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    return {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
    }


def _start(client, office="tr-istanbul-cg"):  # type: ignore[no-untyped-def]
    page = client.get("/visits/new", headers=EN)
    assert page.status_code == 200
    resp = client.post(
        "/visits/new",
        data={
            "csrf_token": csrf_of(page.text),
            "office": office,
            "checklist": "mini:1",
            "visited_at": "2026-03-05T10:30",
        },
        headers=EN,
    )
    assert resp.status_code == 302, resp.text
    match = re.search(r"/visits/([0-9a-f-]{36})/sections/1$", resp.headers["Location"])
    assert match
    return match.group(1)


def _section(client, uuid, number, data, go="next", headers=None):  # type: ignore[no-untyped-def]
    page = client.get(f"/visits/{uuid}/sections/{number}", headers=EN)
    body = {"csrf_token": csrf_of(page.text), "go": go, **data}
    return client.post(
        f"/visits/{uuid}/sections/{number}", data=body, headers={**EN, **(headers or {})}
    )


def test_start_renders_every_kind_with_native_controls(client, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    visit = db.session.scalar(select(Visit).where(Visit.uuid == uuid))
    assert visit.status == "draft" and visit.visited_at.hour == 7  # 10:30 in Istanbul is 07:30 UTC
    first = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    assert "Section 1 of 2" in first
    assert '<fieldset class="item' in first and "<legend>Ramp" in first
    assert 'type="radio"' in first and "Not applicable" in first
    second = client.get(f"/visits/{uuid}/sections/2", headers=EN).text
    assert second.count('type="radio"') == 5 + 2 + 3  # scale 1..5, bribe yes/no, 3 options
    assert 'inputmode="decimal"' in second and "Value, min" in second
    assert "<textarea" in second and "(required)" in second
    kk = client.get(f"/visits/{uuid}/sections/1", headers={"Accept-Language": "kk"}).text
    assert "<legend>Пандус" in kk


def test_save_and_continue_then_resume_on_another_device(client, app, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    resp = _section(client, uuid, 1, {"ramp": "yes", "braille": "no", "ramp__comment": "Side door"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/visits/{uuid}/sections/2"
    )
    resp = _section(client, uuid, 2, {"courtesy": "4", "wait": "12,5", "bribe": "no"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/visits/{uuid}/check")
    other = app.test_client()  # a second phone
    _login(other, world["vol"].email)
    page = other.get(f"/visits/{uuid}/sections/2", headers=EN).text
    assert 'value="12.5"' in page
    assert re.search(r'id="courtesy-3"[^>]*checked|checked[^>]*id="courtesy-3"', page)
    answers = {a.item_code: a for a in db.session.scalars(select(Answer))}
    assert answers["wait"].value == 12.5 and answers["ramp"].comment == "Side door"


def test_bad_answer_is_shown_and_nothing_saved(client, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    resp = _section(client, uuid, 2, {"courtesy": "9", "wait": "lots"})
    assert resp.status_code == 422
    assert 'class="error-summary"' in resp.text and 'href="#item-courtesy"' in resp.text
    assert "Give a number." in resp.text
    # The summary joins question and problem with a dash: no "…?: Give a number" (issue 15).
    assert 'href="#item-wait">Wait — Give a number.</a>' in resp.text
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_autosave_answers_json(client, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    ok = _section(client, uuid, 1, {"ramp": "na"}, headers={"X-Autosave": "1"})
    assert ok.status_code == 200 and ok.json == {"saved": True}
    bad = _section(client, uuid, 2, {"courtesy": "0"}, headers={"X-Autosave": "1"})
    assert bad.status_code == 422 and "courtesy" in bad.json["fields"]


def auditor_view(app, world, uuid):  # type: ignore[no-untyped-def]
    auditor = app.test_client()
    _login(auditor, world["aud"].email)
    return auditor.get(f"/visits/{uuid}", headers=EN).text


def test_check_submit_and_what_each_role_sees(client, app, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    _section(client, uuid, 1, {"ramp": "yes"})
    check = client.get(f"/visits/{uuid}/check", headers=EN)
    assert "Some answers are still needed" in check.text
    for code in ("courtesy", "wait", "bribe"):
        assert f"/visits/{uuid}/sections/2#item-{code}" in check.text
    refused = client.post(
        f"/visits/{uuid}/submit", data={"csrf_token": csrf_of(check.text)}, headers=EN
    )
    assert refused.status_code == 422 and "The visit was not sent" in refused.text
    _section(client, uuid, 2, {"courtesy": "5", "wait": "10", "bribe": "no"})
    sent = client.post(
        f"/visits/{uuid}/submit", data={"csrf_token": csrf_of(check.text)}, headers=EN
    )
    assert sent.status_code == 302
    again = client.post(
        f"/visits/{uuid}/submit", data={"csrf_token": csrf_of(check.text)}, headers=EN
    )
    assert again.status_code == 302  # a second press is harmless
    mine = client.get(f"/visits/{uuid}", headers=EN).text
    assert "Sent for review" in mine and "Score" not in mine
    # A receipt on the page the volunteer lands on, however the visit was sent (a form, the
    # page's script, the offline queue): when, and a reference to quote (issue 15).
    assert f"reference {uuid[:8].upper()}" in mine and "Thank you. The visit was sent on" in mine
    assert "Thank you. The visit was sent on" not in auditor_view(app, world, uuid)
    auditor = app.test_client()
    _login(auditor, world["aud"].email)
    listed = auditor.get("/visits", headers=EN).text
    assert f"/visits/{uuid}" in listed
    seen = auditor.get(f"/visits/{uuid}", headers=EN).text
    assert "Score: 100.0" in seen and "Volunteer: V-" in seen
    assert client.get(f"/visits/{uuid}/sections/1").status_code == 302  # frozen now


def test_returned_visit_shows_note_and_can_be_sent_again(client, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    _section(client, uuid, 1, {"ramp": "yes"})
    _section(client, uuid, 2, {"courtesy": "5", "wait": "10", "bribe": "no"})
    page = client.get(f"/visits/{uuid}/check")
    client.post(f"/visits/{uuid}/submit", data={"csrf_token": csrf_of(page.text)})
    client.post(
        f"/api/v1/visits/{uuid}/review",
        json={"decision": "return", "note": "Wait time?"},
        headers=world["aud"].headers,
    )
    home = client.get("/", headers=EN).text
    assert "Returned for correction" in home and "Wait time?" in home
    section = client.get(f"/visits/{uuid}/sections/2", headers=EN).text
    assert "Wait time?" in section
    _section(client, uuid, 2, {"courtesy": "5", "wait": "20", "bribe": "no"})
    page = client.get(f"/visits/{uuid}/check")
    assert (
        client.post(f"/visits/{uuid}/submit", data={"csrf_token": csrf_of(page.text)}).status_code
        == 302
    )
    assert db.session.scalar(select(Visit.status).where(Visit.uuid == uuid)) == "submitted"


def test_pages_are_for_their_roles_only(client, app, world):
    _login(client, world["vol"].email)
    uuid = _start(client)
    assert client.get("/assignments").status_code == 403
    assert client.get("/visits").status_code == 403
    other = app.test_client()
    stranger = make_user("volunteer")
    _login(other, stranger.email)
    assert other.get(f"/visits/{uuid}/sections/1").status_code == 404
    assert other.get(f"/visits/{uuid}").status_code == 404
    head = app.test_client()
    _login(head, world["head"].email)
    # An office head sees no visit page at all, not even the form to start one (DESIGN §5).
    assert head.get("/visits/new").status_code == 404
    assert head.get(f"/visits/{uuid}").status_code == 404
    anon = app.test_client()
    assert anon.get("/visits/new").status_code == 302


def test_assignments_plan_and_twice_in_a_row(client, app, world):
    _login(client, world["aud"].email)
    page = client.get("/assignments/new", headers=EN)
    from survey.checklists.models import Checklist

    checklist_id = db.session.scalar(select(Checklist.id))
    data = {
        "csrf_token": csrf_of(page.text),
        "volunteer": str(world["vol"].user_id),
        "office": "tr-istanbul-cg",
        "checklist": str(checklist_id),
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-10",
    }
    assert client.post("/assignments/new", data=data, headers=EN).status_code == 302
    again = client.post("/assignments/new", data=data, headers=EN)
    assert again.status_code == 422 and "last visit was to this office" in again.text
    backwards = dict(data, office="de-berlin-emb", ends_on="2026-02-01")
    resp = client.post("/assignments/new", data=backwards, headers=EN)
    assert resp.status_code == 422 and "cannot be before the first" in resp.text
    listing = client.get("/assignments", headers=EN).text
    assert "Not made yet" in listing or "Overdue" in listing
    volunteer = app.test_client()
    _login(volunteer, world["vol"].email)
    home = volunteer.get("/", headers=EN).text
    assignment = db.session.scalar(select(Assignment))
    assert f"/visits/new?assignment={assignment.id}" in home
    start = volunteer.get(f"/visits/new?assignment={assignment.id}", headers=EN)
    resp = volunteer.post(
        f"/visits/new?assignment={assignment.id}",
        data={
            "csrf_token": csrf_of(start.text),
            "office": "tr-istanbul-cg",
            "checklist": "mini:1",
            "visited_at": "2026-03-02T11:00",
        },
        headers=EN,
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).visit is not None


def test_text_is_compressed_and_assets_fingerprinted(client, world):
    page = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers.get("Content-Encoding") in ("br", "gzip")
    html = client.get("/login").text
    icon = re.search(r'href="(/assets/[0-9a-f]{12}/icons/favicon\.svg)"', html)
    assert icon
    asset = client.get(icon.group(1))
    assert asset.status_code == 200
    assert (
        "immutable" in asset.headers["Cache-Control"]
        and "max-age=31536000" in asset.headers["Cache-Control"]
    )


def test_the_stylesheet_is_inline_and_allowed_by_its_hash_only(client, world):
    """Issue 15 (slow 3G): no render-blocking stylesheet; the CSP allows exactly this <style>
    by its SHA-256, never 'unsafe-inline', on every page."""
    import base64
    import hashlib

    pages = [client.get("/login", headers=EN)]
    _login(client, world["vol"].email)
    uuid = _start(client)
    for url in ("/", f"/visits/{uuid}/sections/1", "/help", "/nowhere"):
        pages.append(client.get(url, headers=EN))
    for resp in pages:
        url = resp.request.path
        styles = re.findall(r"<style>(.*?)</style>", resp.text, re.S)
        assert len(styles) == 1 and "--accent" in styles[0], url
        assert 'rel="stylesheet"' not in resp.text, url
        digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
        style_src = re.search(r"style-src ([^;]+)", resp.headers["Content-Security-Policy"])
        assert style_src.group(1).split() == ["'self'", f"'sha256-{digest}'"], url


def test_a_pages_modules_share_one_prefix_so_each_loads_once(client, world):
    """A module imports its neighbours by relative URL: under another prefix it would load a
    second copy of the sync queue, and the same file would be uploaded twice."""
    _login(client, world["vol"].email)
    uuid = _start(client)
    html = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    modules = re.findall(r'<script type="module" src="(/assets/[0-9a-f]{12}/js/)(\w+\.js)"', html)
    assert {name for _, name in modules} >= {"offline.js", "autosave.js", "evidence.js"}
    assert len({prefix for prefix, _ in modules}) == 1
    prefix = modules[0][0]
    for _, name in modules:
        source = client.get(prefix + name).text
        for neighbour in re.findall(r'from "\./(\w+\.js)"', source):
            assert client.get(prefix + neighbour).status_code == 200


def test_a_visit_started_on_a_phone_offline_keeps_its_uuid_once(client, world):
    """The phone sends "Begin the visit" later, with the uuid it made; a resend changes nothing."""
    _login(client, world["vol"].email)
    page = client.get("/visits/new", headers=EN)
    blank = re.search(r'data-precache="([^"]+)"', page.text).group(1).split()
    assert blank[0].startswith("/visits/blank/") and blank[-1].endswith("/check")
    first = client.get(blank[0], headers=EN)
    assert first.status_code == 200 and "00000000-0000-4000-8000-000000000000" in first.text
    assert client.get(blank[-1], headers=EN).status_code == 200
    phone_uuid = "5b0e8a1c-3f4d-4e6a-9b7c-2d1e0f9a8b7c"
    body = {
        "csrf_token": csrf_of(page.text),
        "office": "tr-istanbul-cg",
        "checklist": "mini:1",
        "visited_at": "2026-03-05T10:30",
        "uuid": phone_uuid,
    }
    for _ in range(2):
        sent = client.post("/visits/new", data=body, headers=EN)
        assert sent.status_code == 302 and sent.headers["Location"].endswith(
            f"/visits/{phone_uuid}/sections/1"
        )
    assert db.session.scalar(select(func.count(Visit.id))) == 1
    assert db.session.scalar(select(Visit.uuid)) == phone_uuid
    assert client.get("/visits/blank/999999/sections/1", headers=EN).status_code == 404


def test_the_check_page_shows_comments_and_files_before_sending(client, world):
    """Issue 15: what the volunteer wrote and attached, item by item, with a way back to it."""
    import io

    from tests.media import makers

    _login(client, world["vol"].email)
    uuid = _start(client)
    _section(client, uuid, 1, {"ramp": "no", "ramp__comment": "The ramp is blocked by chairs"})
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    client.post(
        f"/visits/{uuid}/evidence",
        data={
            "csrf_token": csrf_of(page),
            "item": "ramp",
            "file": (io.BytesIO(makers.jpeg_with_secrets()), "ramp.jpg"),
        },
        headers={**EN, "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    check = client.get(f"/visits/{uuid}/check", headers=EN).text
    ramp = check[check.index("<dt>Ramp</dt>") : check.index("</div>", check.index("<dt>Ramp</dt>"))]
    assert "Your comment: The ramp is blocked by chairs" in ramp
    assert 'alt="Photo 1"' in ramp and "/thumb" in ramp
    assert f'href="/visits/{uuid}/sections/1#item-ramp">Change' in ramp


def test_whole_minutes_are_enforced_on_the_page_and_in_the_api(client, app, world):
    """Issue 15: the shipped checklist's help says "round to whole minutes"; 42,5 was stored as
    42.5. Now the page and the API refuse it, in the user's language, and save nothing."""
    from pathlib import Path

    from survey.checklists.services import load_paths
    from tests.factories import post_visit, visit_body

    load_paths([Path(app.config["CHECKLISTS_DIR"])])
    spec = db.session.scalar(
        select(Checklist)
        .where(Checklist.slug == "consular-visit")
        .order_by(Checklist.version.desc())
    ).spec
    number = next(
        i for i, s in enumerate(spec.sections, 1) if any(x.code == "wait_minutes" for x in s.items)
    )
    _login(client, world["vol"].email)
    page = client.get("/visits/new", headers=EN)
    resp = client.post(
        "/visits/new",
        data={
            "csrf_token": csrf_of(page.text),
            "office": "tr-istanbul-cg",
            "checklist": f"consular-visit:{spec.version}",
            "visited_at": "2026-03-05T10:30",
        },
        headers=EN,
    )
    uuid = re.search(r"/visits/([0-9a-f-]{36})/", resp.headers["Location"]).group(1)
    form = client.get(f"/visits/{uuid}/sections/{number}", headers=EN).text
    assert re.search(
        r'id="wait_minutes"[^>]*inputmode="numeric"|inputmode="numeric"[^>]*id="wait_minutes"', form
    )
    kk = {"Accept-Language": "kk"}
    resp = _section(client, uuid, number, {"wait_minutes": "42,5"}, headers=kk)
    assert resp.status_code == 422 and "бүтін сан енгізіңіз" in resp.text
    for typed in ("-5", "1e18", "1000000000000000000", "42 5", "١٢"):  # the review's tries
        for extra in ({}, {"X-Autosave": "1"}):
            resp = _section(client, uuid, number, {"wait_minutes": typed}, headers=extra)
            assert resp.status_code == 422, (typed, extra)
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert client.get(f"/visits/{uuid}/sections/{number}").status_code == 200
    assert _section(client, uuid, number, {"wait_minutes": "42"}).status_code == 302
    stored = db.session.scalar(select(Answer).where(Answer.item_code == "wait_minutes"))
    assert stored.value == 42 and isinstance(stored.value, int)

    body = visit_body(
        checklist={"slug": "consular-visit", "version": spec.version},
        answers={"wait_minutes": {"value": 42.5}},
    )
    refused = post_visit(client, world["vol"], body)
    assert refused.status_code == 422
    problems = refused.json["error"]["fields"]["answers"]
    assert problems == {"wait_minutes": ["0 немесе одан үлкен бүтін сан енгізіңіз."]}  # kk account
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1  # only the first

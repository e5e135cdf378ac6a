"""Lists that hold a national programme (issue 13): findings paged in SQL, filtered, searched
in any language, sorted; and acted on several at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from survey.audit.models import AuditLog
from survey.checklists.models import Checklist
from survey.domain import disclosure
from survey.extensions import db
from survey.findings.models import Finding, FindingEvent, FindingObservation
from survey.offices.models import Office
from survey.visits.models import Visit
from tests.factories import csrf_of, load_mini, make_user, sign_in

EN = {"Accept-Language": "en"}
TODAY = date.today()
ITEMS = ("ramp", "braille", "courtesy", "wait", "bribe", "booking", "notes")
SECTION_OF = {
    "ramp": "access",
    "braille": "access",
    **dict.fromkeys(("courtesy", "wait", "bribe", "booking", "notes"), "service"),
}
STATUSES = ("open", "in_progress", "implemented", "verified")
SEVERITIES = ("critical", "major", "minor")
OFFICES = (
    (
        "tr-istanbul-cg",
        "TR",
        "consulate_general",
        "Istanbul",
        "Қазақстан Республикасының Стамбұлдағы Бас консулдығы",
        "Генеральное консульство Республики Казахстан в Стамбуле",
        "Consulate General of the Republic of Kazakhstan in Istanbul",
    ),
    (
        "de-berlin-emb",
        "DE",
        "embassy",
        "Berlin",
        "Қазақстан Республикасының Германиядағы Елшілігі",
        "Посольство Республики Казахстан в Германии",
        "Embassy of the Republic of Kazakhstan in Germany",
    ),
    (
        "ru-moscow-emb",
        "RU",
        "embassy",
        "Moscow",
        "Қазақстан Республикасының Ресейдегі Елшілігі",
        "Посольство Республики Казахстан в Российской Федерации",
        "Embassy of the Republic of Kazakhstan in the Russian Federation",
    ),
)
TOTAL = 130


def _offices() -> dict[str, Office]:
    made = {}
    for code, country, kind, city, kk, ru, en in OFFICES:
        office = Office(
            code=code,
            kind=kind,
            country=country,
            city=city,
            name_kk=kk,
            name_ru=ru,
            name_en=en,
            timezone="UTC",
            active=True,
        )
        db.session.add(office)
        made[code] = office
    db.session.commit()
    return made


@pytest.fixture
def world(app, tmp_path):  # type: ignore[no-untyped-def]
    """130 findings over three offices, every item, status and severity, due dates around
    today (with ties) and opened from November 2025 on; the people who read them."""
    load_mini(tmp_path)
    offices = _offices()
    people = {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "group": make_user("project_group"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
        "admin": make_user("admin"),
    }
    checklist = db.session.scalar(select(Checklist))
    visits = {}
    for code, office in offices.items():
        visit = Visit(
            uuid=str(uuid.uuid4()),
            office_id=office.id,
            checklist_id=checklist.id,
            volunteer_id=people["vol"].user_id,
            visited_at=datetime(2026, 1, 5, 9),
            visited_on=date(2026, 1, 5),
            status="approved",
        )
        db.session.add(visit)
        visits[code] = visit
    db.session.flush()
    rows = []
    for i in range(TOTAL):
        code = OFFICES[i % 3][0]
        finding = Finding(
            visit_id=visits[code].id,
            office_id=offices[code].id,
            item_code=ITEMS[i % 7],
            severity=SEVERITIES[(i // 2) % 3],
            status=STATUSES[(i // 3) % 4],
            recommendation={"en": f"Fix {i}", "kk": f"Түзет {i}", "ru": f"Исправить {i}"},
            due_date=TODAY + timedelta(days=(i * 7) % 90 - 45),
            created_at=datetime(2025, 11, 1, 12) + timedelta(days=i),
        )
        rows.append(finding)
    db.session.add_all(rows)
    db.session.flush()
    for finding in rows:
        db.session.add(
            FindingObservation(
                finding_id=finding.id,
                visit_id=finding.visit_id,
                result="fail",
                visited_on=date(2026, 1, 5),
            )
        )
    db.session.commit()
    facts = [
        {
            "id": f.id,
            "office": next(c for c, o in offices.items() if o.id == f.office_id),
            "item": f.item_code,
            "severity": f.severity,
            "status": f.status,
            "due_date": f.due_date,
            "created": f.created_at,
        }
        for f in rows
    ]
    return {**people, "facts": facts, "offices": offices}


def _ids(client, account, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    resp = client.get(f"/api/v1/findings?limit=200&{query}", headers=account.headers)
    assert resp.status_code == 200, (query, resp.text)
    return [f["id"] for f in resp.json]


def _expected(world, keep) -> list[int]:  # type: ignore[no-untyped-def]
    """Ids of the facts kept, in the lists' default order: due date, then id."""
    kept = [f for f in world["facts"] if keep(f)]
    return [f["id"] for f in sorted(kept, key=lambda f: (f["due_date"], f["id"]))]


def test_api_pages_in_sql_with_total_and_next_link(client, world):
    group = world["group"]
    first = client.get("/api/v1/findings?limit=50", headers=group.headers)
    assert first.status_code == 200 and len(first.json) == 50
    assert first.headers["X-Total-Count"] == str(TOTAL)
    link = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"])
    assert link, first.headers["Link"]
    target = urlsplit(link.group(1))
    assert target.path == "/api/v1/findings"
    assert parse_qs(target.query) == {"limit": ["50"], "offset": ["50"]}
    second = client.get(f"{target.path}?{target.query}", headers=group.headers)
    last = client.get("/api/v1/findings?limit=50&offset=100", headers=group.headers)
    assert len(last.json) == TOTAL - 100 and "Link" not in last.headers
    every = [f["id"] for f in first.json + second.json + last.json]
    assert every == _expected(world, lambda f: True)  # no row twice, none missing
    beyond = client.get("/api/v1/findings?limit=50&offset=500", headers=group.headers)
    assert beyond.status_code == 200 and beyond.json == []
    assert beyond.headers["X-Total-Count"] == str(TOTAL) and "Link" not in beyond.headers
    whole = client.get("/api/v1/findings", headers=group.headers)  # DESIGN §7: whole list
    assert len(whole.json) == TOTAL and whole.headers["X-Total-Count"] == str(TOTAL)
    count_only = client.get("/api/v1/findings?limit=0", headers=group.headers)
    assert count_only.json == [] and count_only.headers["X-Total-Count"] == str(TOTAL)
    assert "Link" not in count_only.headers  # a next link to itself would loop a client forever


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "limit"),
        ("limit=-1", "limit"),
        ("offset=x", "offset"),
        ("status=closed", "status"),
        ("severity=huge", "severity"),
        ("item=nope", "item"),
        ("section=nope", "section"),
        ("overdue=maybe", "overdue"),
        ("period=2026-13", "period"),
        ("office=nowhere", "office"),
        ("country=TUR", "country"),
        ("sort=colour", "sort"),
        ("sort=-", "sort"),
        (f"q={'x' * 101}", "q"),
    ],
)
def test_unknown_filter_values_answer_422_with_fields(client, world, query, field):
    resp = client.get(f"/api/v1/findings?{query}", headers=world["aud"].headers)
    assert resp.status_code == 422, resp.text
    assert field in resp.json["error"]["fields"]


def test_every_problem_is_reported_at_once(client, world):
    resp = client.get(
        "/api/v1/findings?status=x&severity=y&sort=z&limit=999", headers=world["aud"].headers
    )
    assert set(resp.json["error"]["fields"]) == {"status", "severity", "sort", "limit"}


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("office=de-berlin-emb", lambda f: f["office"] == "de-berlin-emb"),
        ("country=tr", lambda f: f["office"] == "tr-istanbul-cg"),
        ("section=access", lambda f: SECTION_OF[f["item"]] == "access"),
        ("item=wait", lambda f: f["item"] == "wait"),
        ("status=implemented", lambda f: f["status"] == "implemented"),
        ("severity=critical", lambda f: f["severity"] == "critical"),
        (
            "overdue=1",
            lambda f: f["status"] in ("open", "in_progress") and f["due_date"] < TODAY,
        ),
        ("period=2025-12", lambda f: f["created"].strftime("%Y-%m") == "2025-12"),
        ("period=2026-Q1", lambda f: date(2026, 1, 1) <= f["created"].date() <= date(2026, 3, 31)),
        (
            "status=open&severity=critical&country=DE",
            lambda f: (
                f["status"] == "open"
                and f["severity"] == "critical"
                and f["office"] == "de-berlin-emb"
            ),
        ),
    ],
)
def test_each_filter(client, world, query, keep):
    expected = _expected(world, keep)
    assert expected, "the world should hold some of these"
    assert _ids(client, world["group"], query) == expected


@pytest.mark.parametrize(
    ("words", "offices"),
    [
        ("Стамбұлдағы", {"tr-istanbul-cg"}),  # kk
        ("СТАМБУЛЕ", {"tr-istanbul-cg"}),  # ru, upper case: SQLite's LOWER would not fold it
        ("istanbul", {"tr-istanbul-cg"}),  # en, lower case
        ("İSTANBUL", {"tr-istanbul-cg"}),  # Turkish capital dotted I
        ("германиядағы", {"de-berlin-emb"}),
        ("Посольство Германии", {"de-berlin-emb"}),  # every word must match
        ("посольство", {"de-berlin-emb", "ru-moscow-emb"}),
        ("ЕЛШІЛІГІ", {"de-berlin-emb", "ru-moscow-emb"}),
        ("de-berlin", {"de-berlin-emb"}),  # the code
        ("Republic of Kazakhstan", {"tr-istanbul-cg", "de-berlin-emb", "ru-moscow-emb"}),
        ("100%_", set()),  # LIKE's wildcards are plain characters here
        ("Париж", set()),
    ],
)
def test_search_by_office_name_in_any_language(client, world, words, offices):
    found = _ids(client, world["aud"], f"q={words}")
    assert found == _expected(world, lambda f: f["office"] in offices)


def test_sorting_by_columns_with_a_unique_tiebreaker(client, world):
    facts = {f["id"]: f for f in world["facts"]}
    aud = world["aud"]
    down = _ids(client, aud, "sort=-due_date")
    assert down == sorted(facts, key=lambda i: (facts[i]["due_date"], i), reverse=True)
    by_severity = _ids(client, aud, "sort=severity")
    assert by_severity == sorted(facts, key=lambda i: (facts[i]["severity"], i))
    by_status = _ids(client, aud, "sort=status")  # as a finding lives them, not alphabetical
    assert by_status == sorted(facts, key=lambda i: (STATUSES.index(facts[i]["status"]), i))
    by_office = _ids(client, aud, "sort=-office")
    assert by_office == sorted(facts, key=lambda i: (facts[i]["office"], i), reverse=True)
    assert _ids(client, aud, "sort=item") == sorted(facts, key=lambda i: (facts[i]["item"], i))
    opened = _ids(client, aud, "sort=-opened")
    assert opened == sorted(facts, key=lambda i: (facts[i]["created"], i), reverse=True)
    # Pages of a sorted list join up exactly.
    pages = [
        client.get(f"/api/v1/findings?sort=-due_date&limit=40&offset={o}", headers=aud.headers)
        for o in (0, 40, 80, 120)
    ]
    assert [f["id"] for p in pages for f in p.json] == down


@contextmanager
def _counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_page_is_a_few_queries_whatever_its_length(client, world):
    group, head = world["group"], world["head"]
    for account in (group, head):
        with _counted() as small:
            client.get("/api/v1/findings?limit=2", headers=account.headers)
        with _counted() as large:
            client.get("/api/v1/findings?limit=50", headers=account.headers)
        assert len(large) == len(small) and len(large) < 25, large
    browser = client.application.test_client()
    sign_in(browser, world["aud"].email)
    with _counted() as page:
        assert browser.get("/findings", headers=EN).status_code == 200
    with _counted() as short:
        assert (
            browser.get("/findings?office=ru-moscow-emb&item=ramp", headers=EN).status_code == 200
        )
    assert len(page) <= len(short) + 2 and len(page) < 30, page


def test_an_office_head_sees_their_office_only_and_the_allow_list(client, world):
    head = world["head"]
    own = _expected(world, lambda f: f["office"] == "tr-istanbul-cg")
    assert _ids(client, head) == own
    assert _ids(client, head, "office=de-berlin-emb") == []
    assert _ids(client, head, "q=Германии") == []
    assert _ids(client, head, "country=DE") == []
    resp = client.get("/api/v1/findings?limit=5&status=open", headers=head.headers)
    assert resp.headers["X-Total-Count"] == str(
        len(_expected(world, lambda f: f["office"] == "tr-istanbul-cg" and f["status"] == "open"))
    )
    for finding in resp.json:
        assert set(finding) <= set(disclosure.FINDING), set(finding) - set(disclosure.FINDING)
        assert "visit" not in finding and all(
            set(o) == {"month", "result"} for o in finding["observations"]
        )
    # Sorting only by what the head is shown.
    assert client.get("/api/v1/findings?sort=opened", headers=head.headers).status_code == 422
    assert client.get("/api/v1/findings?sort=office", headers=head.headers).status_code == 422
    page = client.application.test_client()
    sign_in(page, head.email)
    html = page.get("/findings?status=open", headers=EN).text
    assert "Germany" not in html and "Berlin" not in html and "de-berlin-emb" not in html
    assert 'name="ids"' not in html  # no bulk actions for the office
    shown = set(map(int, re.findall(r'href="/findings/(\d+)"', html)))
    assert shown and shown <= set(own)
    assert client.get("/api/v1/findings", headers=world["vol"].headers).status_code == 403


def test_the_findings_page_filters_sorts_and_pages_without_javascript(app, world):
    browser = app.test_client()
    sign_in(browser, world["aud"].email)
    first = browser.get("/findings", headers=EN)
    assert first.status_code == 200
    html = first.text
    assert f"1–50 of {TOTAL}" in html and "Page 1 of 3" in html
    assert 'rel="next" href="/findings?page=2"' in html and 'rel="prev"' not in html
    assert html.count('name="ids"') == 50
    # Column headers are links that sort, keeping the filters.
    filtered = browser.get("/findings?status=open&sort=-due_date", headers=EN).text
    assert 'href="/findings?status=open&amp;sort=due_date"' in filtered  # the other way round
    assert 'aria-sort="descending"' in filtered
    assert 'href="/findings?status=open&amp;sort=severity"' in filtered
    third = browser.get("/findings?page=3", headers=EN).text
    assert f"101–{TOTAL} of {TOTAL}" in third and "Page 3 of 3" in third
    assert 'rel="prev" href="/findings?page=2"' in third and 'rel="next"' not in third
    beyond = browser.get("/findings?page=9", headers=EN)
    assert beyond.status_code == 200 and "past the end of the list" in beyond.text
    assert 'href="/findings?page=3"' in beyond.text  # the last page
    assert "Page 9 of" not in beyond.text
    nothing = browser.get("/findings?q=zzzz&page=5", headers=EN).text  # an empty list, page 5
    assert "past the end of the list" in nothing and "Page 5 of 1" not in nothing
    assert 'rel="prev"' not in nothing
    bad = browser.get("/findings?page=0&status=closed", headers=EN)
    assert bad.status_code == 422
    assert "Give a page number from 1." in bad.text and "Must be one of:" in bad.text
    searched = browser.get("/findings?q=СТАМБУЛЕ", headers=EN).text
    assert "Consulate General of the Republic of Kazakhstan in Istanbul" in searched
    assert "Germany" not in searched.split("<table", 1)[1]
    kk = browser.get("/findings?sort=colour", headers={"Accept-Language": "kk"})
    assert kk.status_code == 422 and "sort" in kk.text


def _implemented(world, **extra: Any) -> Finding:  # type: ignore[no-untyped-def]
    finding = db.session.scalar(
        select(Finding)
        .where(Finding.status == "implemented")
        .order_by(Finding.id)
        .offset(extra.pop("nth", 0))
    )
    finding.implemented_at = datetime(2026, 2, 1)
    for key, value in extra.items():
        setattr(finding, key, value)
    db.session.commit()
    return finding


def test_bulk_verify_reports_each_finding_and_records_each_change(client, world):
    ready = _implemented(world)
    recheck = _implemented(world, nth=1, recheck_required=True)
    still_open = db.session.scalar(select(Finding).where(Finding.status == "open"))
    ids = [ready.id, recheck.id, still_open.id, 999_999, ready.id]
    resp = client.post(
        "/api/v1/findings/bulk",
        json={"ids": ids, "action": "verify", "note": "Checked on the photo"},
        headers={**world["group"].headers, **EN},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json
    assert body["action"] == "verify" and body["done"] == [ready.id]
    refused = {r["id"]: r["message"] for r in body["refused"]}
    assert refused == {
        recheck.id: "A visit approved after the fix must pass this item first.",
        still_open.id: "Only an implemented finding can be verified or reopened.",
        999_999: "No such finding.",
    }
    db.session.expire_all()
    assert db.session.get(Finding, ready.id).status == "verified"
    assert db.session.get(Finding, recheck.id).status == "implemented"
    assert db.session.get(Finding, still_open.id).status == "open"
    event_rows = db.session.scalars(
        select(FindingEvent).where(FindingEvent.action == "verified")
    ).all()
    assert [(e.finding_id, e.text) for e in event_rows] == [(ready.id, "Checked on the photo")]
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "finding.verified"))
    assert [a.details["finding"] for a in audit] == [ready.id]


def test_bulk_due_date_and_note_for_auditors_and_the_project_group(client, world):
    aud, group = world["aud"], world["group"]
    verified = db.session.scalar(select(Finding).where(Finding.status == "verified"))
    open_ones = db.session.scalars(
        select(Finding).where(Finding.status == "open").order_by(Finding.id).limit(3)
    ).all()
    new_due = TODAY + timedelta(days=60)
    resp = client.post(
        "/api/v1/findings/bulk",
        json={
            "ids": [f.id for f in open_ones] + [verified.id],
            "action": "due_date",
            "due_date": new_due.isoformat(),
        },
        headers={**aud.headers, **EN},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json["done"] == [f.id for f in open_ones]
    assert resp.json["refused"] == [
        {"id": verified.id, "message": "A verified finding has no due date to change."}
    ]
    db.session.expire_all()
    assert all(db.session.get(Finding, f.id).due_date == new_due for f in open_ones)
    changes = db.session.scalars(select(FindingEvent).where(FindingEvent.action == "due_date"))
    assert all(new_due.isoformat() in (e.text or "") for e in changes)
    note = client.post(
        "/api/v1/findings/bulk",
        json={"ids": [open_ones[0].id, verified.id], "action": "note", "note": "Raised with MFA"},
        headers=group.headers,
    )
    assert note.status_code == 200 and note.json["done"] == [open_ones[0].id, verified.id]
    notes = db.session.scalars(select(FindingEvent).where(FindingEvent.action == "note")).all()
    assert {(e.finding_id, e.text) for e in notes} == {
        (open_ones[0].id, "Raised with MFA"),
        (verified.id, "Raised with MFA"),
    }
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "finding.note"))


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("aud", {"ids": [1], "action": "verify"}, 403, None),  # only the project group
        ("head", {"ids": [1], "action": "note", "note": "x"}, 403, None),
        ("vol", {"ids": [1], "action": "note", "note": "x"}, 403, None),
        ("group", {"ids": [1], "action": "delete"}, 422, "action"),
        ("group", {"ids": [], "action": "note", "note": "x"}, 422, "ids"),
        ("group", {"ids": ["a"], "action": "note", "note": "x"}, 422, "ids"),
        ("group", {"ids": [True], "action": "note", "note": "x"}, 422, "ids"),
        ("group", {"ids": list(range(1, 202)), "action": "note", "note": "x"}, 422, "ids"),
        ("group", {"ids": [1], "action": "note"}, 422, "note"),
        ("aud", {"ids": [1], "action": "due_date", "due_date": "2000-01-01"}, 422, "due_date"),
        ("aud", {"ids": [1], "action": "due_date", "due_date": "soon"}, 422, "due_date"),
    ],
)
def test_bulk_refusals_change_nothing(client, world, who, body, status, field):
    before = db.session.scalar(select(FindingEvent.id).order_by(FindingEvent.id.desc()).limit(1))
    resp = client.post("/api/v1/findings/bulk", json=body, headers=world[who].headers)
    assert resp.status_code == status, resp.text
    if field:
        assert field in resp.json["error"]["fields"]
    after = db.session.scalar(select(FindingEvent.id).order_by(FindingEvent.id.desc()).limit(1))
    assert after == before


def test_bulk_from_the_page_says_what_was_done_and_what_not(app, world):
    ready = _implemented(world)
    still_open = db.session.scalar(select(Finding).where(Finding.status == "open"))
    browser = app.test_client()
    sign_in(browser, world["group"].email)
    listing = browser.get("/findings?status=implemented", headers=EN).text
    assert f'value="{ready.id}"' in listing and 'name="action" value="verify"' in listing
    form = {
        "csrf_token": csrf_of(listing),
        "ids": [str(ready.id), str(still_open.id)],
        "action": "verify",
        "next": "/findings?status=implemented",
    }
    done = browser.post("/findings/bulk", data=form, headers=EN)
    assert done.status_code == 302 and done.headers["Location"] == "/findings?status=implemented"
    after = browser.get(done.headers["Location"], headers=EN).text
    assert f"Verified: #{ready.id}." in after
    assert (
        f"Not done for #{still_open.id}: Only an implemented finding can be verified or reopened."
        in after
    )
    # An address elsewhere is not followed; a form without its CSRF token is refused.
    away = browser.post(
        "/findings/bulk", data={**form, "next": "https://evil.example/findings"}, headers=EN
    )
    assert away.headers["Location"] == "/findings"
    assert browser.post("/findings/bulk", data={**form, "csrf_token": ""}).status_code == 400
    # The auditor has no "verify" choice on the page; a note needs words.
    auditor = app.test_client()
    sign_in(auditor, world["aud"].email)
    page = auditor.get("/findings", headers=EN).text
    assert 'value="verify"' not in page and 'value="due_date"' in page
    empty = auditor.post(
        "/findings/bulk",
        data={"csrf_token": csrf_of(page), "ids": [str(still_open.id)], "action": "note"},
        headers=EN,
    )
    assert empty.status_code == 302
    assert "Write a few words." in auditor.get("/findings", headers=EN).text


def test_the_search_column_follows_every_change_of_an_office(client, world):
    from survey.admin.services import save_office
    from survey.auth.models import User

    berlin = world["offices"]["de-berlin-emb"]
    admin_user = db.session.get(User, world["admin"].user_id)
    values = {
        "kind": "embassy",
        "country": "DE",
        "city": "Bonn",
        "name_kk": "Бонндағы елшілік",
        "name_ru": "ПОСОЛЬСТВО В БОННЕ",
        "name_en": "Embassy in Bonn",
        "timezone": "Europe/Berlin",
        "active": True,
    }
    save_office(admin_user, values, berlin.code)
    assert _ids(client, world["aud"], "q=германии") == []
    found = _ids(client, world["aud"], "q=бонне")
    assert found == _expected(world, lambda f: f["office"] == "de-berlin-emb")


def test_pages_far_down_read_their_keys_first_and_stay_the_same(client, world, monkeypatch):
    """Past DEEP_OFFSET a page takes its keys from the index, then its rows: same answer."""
    from survey.common import paging

    aud = world["aud"]
    before = {q: _ids(client, aud, q) for q in ("", "sort=-office", "status=open&sort=item")}
    monkeypatch.setattr(paging, "DEEP_OFFSET", 20)
    for query, whole in before.items():
        pages = [
            client.get(f"/api/v1/findings?limit=30&offset={o}&{query}", headers=aud.headers)
            for o in range(0, TOTAL, 30)
        ]
        assert [f["id"] for p in pages for f in p.json] == whole, query
    browser = client.application.test_client()
    sign_in(browser, aud.email)
    html = browser.get("/findings?page=2&sort=-due_date", headers=EN).text
    shown = [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]
    assert shown == _ids(client, aud, "sort=-due_date")[50:100]


def test_a_list_without_limit_is_whole_however_long(app, client, tmp_path):
    """DESIGN §7: lists are whole unless limit/offset are given; a long one is written in
    pages of 200 (never held whole), still one JSON array, with its total."""
    db.session.add_all(
        Office(
            code=f"bulk-{n:04d}",
            kind="embassy",
            country="DE",
            city="x",
            name_kk=f"k{n}",
            name_ru=f"r{n}",
            name_en=f"e{n}",
            timezone="UTC",
            active=True,
        )
        for n in range(451)
    )
    db.session.commit()
    group = make_user("project_group")
    whole = client.get("/api/v1/offices", headers=group.headers)
    assert whole.status_code == 200 and whole.headers["X-Total-Count"] == "451"
    codes = [o["code"] for o in whole.json]
    assert len(codes) == len(set(codes)) == 451 and "Link" not in whole.headers
    page = client.get("/api/v1/offices?limit=200&offset=400", headers=group.headers)
    assert len(page.json) == 51 and "Link" not in page.headers

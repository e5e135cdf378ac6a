"""The recommendation KPIs (issue 13): the worked example of docs/scoring.md, built finding by
finding with its history, checked figure by figure for a month, a quarter and all time, per
office and overall, through the service, the API and every page and export that shows them.

The example's findings are written directly (their dates are in the past); the last tests walk
findings through the real services today and check the same service against a brute-force
reading of the events.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from survey.domain import periods
from survey.domain.kpis import Kpis
from survey.extensions import db
from survey.findings.kpis import (
    all_time_kpis,
    kpis_by_office,
    period_kpis,
    programme,
    today_utc,
)
from survey.findings.models import Finding, FindingEvent
from survey.offices.models import Office
from survey.visits.models import Visit
from tests.factories import load_mini, make_office, make_user, post_visit, sign_in, visit_body

A, B = "tr-istanbul-cg", "de-berlin-emb"
EN = {"Accept-Language": "en"}
PASSING = {
    "ramp": {"value": "yes"},
    "braille": {"value": "yes"},
    "courtesy": {"value": 5},
    "wait": {"value": 10},
    "bribe": {"value": "no"},
    "booking": {"value": "online"},
}


def at(text: str) -> datetime:
    """ "08-03 09:00" -> 2026-08-03 09:00 (naive UTC, as the database keeps it)."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M")


def day(text: str) -> date:
    return at(f"{text} 00:00").date()


# docs/scoring.md, "Worked example": (name, office, item, opened, due, history, extra).
# history: (instant, action, status moved to); a None status is an event that is no change.
EXAMPLE: list[tuple[str, str, str, str, str, list[tuple[str, str, str | None]], dict[str, Any]]] = [
    (
        "F1",
        A,
        "ramp",
        "07-20 10:00",
        "08-19",
        [
            ("07-25 10:00", "response", "in_progress"),
            ("08-03 10:00", "merged_in", "in_progress"),
            ("08-04 10:00", "response", "implemented"),
            ("08-10 10:00", "verified", "verified"),
        ],
        {},
    ),
    (
        "F2",
        A,
        "braille",
        "08-03 09:00",
        "09-02",
        [("08-13 21:00", "response", "implemented"), ("09-05 09:00", "verified", "verified")],
        {},
    ),
    (
        "F3",
        A,
        "wait",
        "08-10 12:00",
        "09-09",
        [
            ("08-20 12:00", "response", "implemented"),
            ("08-25 08:00", "reopened_by_visit", "open"),
            ("09-01 08:00", "response", "in_progress"),
            ("09-22 12:00", "response", "implemented"),
        ],
        {},
    ),
    (
        "F4",
        A,
        "courtesy",
        "08-20 08:00",
        "08-28",
        [
            ("09-03 08:00", "response", "in_progress"),
            ("09-20 08:00", "response", "in_progress"),  # an answer, no change of status
            ("09-25 08:00", "edited", None),  # no status at all
        ],
        {},
    ),
    (
        "F5",
        B,
        "ramp",
        "08-05 14:00",
        "09-04",
        [("08-25 14:00", "response", "implemented"), ("09-02 10:00", "reopened", "open")],
        {},
    ),
    (
        "F6",
        B,
        "bribe",
        "08-28 10:00",
        "09-27",
        [("09-10 10:00", "response", "implemented")],
        {"recurrence_of": "F7"},
    ),
    (
        "F7",
        B,
        "bribe",
        "06-01 10:00",
        "07-01",
        [("07-01 10:00", "response", "implemented"), ("07-10 10:00", "verified", "verified")],
        {},
    ),
    ("F8", B, "wait", "09-15 10:00", "10-15", [], {}),
    ("F9", A, "booking", "05-10 10:00", "06-09", [], {}),
    (
        "F10",
        A,
        "ramp",
        "08-02 10:00",
        "09-01",
        [("08-03 10:00", "merged", "open")],
        {"merged_into": "F1"},
    ),
    (
        "F11",
        B,
        "courtesy",
        "10-05 09:00",
        "11-04",
        [("10-25 09:00", "response", "implemented")],
        {},
    ),
]


def figures(
    opened: int,
    implemented: int,
    verified: int,
    reopened: int,
    overdue: int,
    median: float | None,
    recurrences: int,
) -> dict[str, Any]:
    """The nine figures of GET /api/v1/kpis from the counts docs/scoring.md works out."""
    return {
        "opened": opened,
        "implemented": implemented,
        "verified": verified,
        "reopened": reopened,
        "overdue": overdue,
        "share_implemented": implemented / opened if opened else None,
        "share_verified": verified / opened if opened else None,
        "median_days_to_fix": median,
        "recurrence_rate": recurrences / opened if opened else None,
    }


# Hand-computed in docs/scoring.md: period -> scope (None: every office) -> figures.
EXPECTED: dict[str, dict[str | None, dict[str, Any]]] = {
    "2026-08": {
        None: figures(5, 2, 0, 1, 2, 15.25, 1),
        A: figures(3, 1, 0, 1, 2, 10.5, 0),
        B: figures(2, 1, 0, 0, 0, 20.0, 1),
    },
    "2026-09": {
        None: figures(1, 0, 0, 1, 3, None, 0),
        A: figures(0, 0, 0, 0, 2, None, 0),
        B: figures(1, 0, 0, 1, 1, None, 0),
    },
    "2026-Q3": {
        None: figures(7, 4, 2, 2, 3, 14.0, 1),
        A: figures(4, 3, 2, 1, 2, 15.0, 0),
        B: figures(3, 1, 0, 1, 1, 13.0, 1),
    },
    "all": {
        None: figures(10, 6, 3, 2, 4, 17.5, 1),
        A: figures(5, 3, 2, 1, 2, 15.0, 0),
        B: figures(5, 3, 1, 1, 2, 20.0, 1),
    },
}
PERIODS = {
    "2026-08": periods.month(2026, 8),
    "2026-09": periods.month(2026, 9),
    "2026-Q3": periods.quarter(2026, 3),
}


def _approved_visit(client, people, office: str) -> int:  # type: ignore[no-untyped-def]
    """An approved visit that passes every item (so it opens no finding of its own)."""
    body = visit_body(office=office, submit=True, answers=dict(PASSING))
    assert post_visit(client, people["vol"], body).status_code == 201
    done = client.post(
        f"/api/v1/visits/{body['uuid']}/review",
        json={"decision": "approve"},
        headers=people["aud"].headers,
    )
    assert done.status_code == 200, done.text
    return db.session.scalar(select(Visit.id).where(Visit.uuid == body["uuid"]))


def _write_example(visits: dict[str, int], offices: dict[str, int], actors: dict[str, int]) -> None:
    """The findings and events of EXAMPLE, as the services would have written them."""
    made: dict[str, Finding] = {}
    for name, office, item, opened, due, history, extra in sorted(EXAMPLE, key=lambda f: f[3]):
        status, fixed, verified = "open", None, None
        finding = Finding(
            visit_id=visits[office],
            office_id=offices[office],
            item_code=item,
            severity="minor",
            status="open",
            recommendation={},
            due_date=day(due),
            created_at=at(opened),
            updated_at=at(opened),
            recurrence_of_id=made[extra["recurrence_of"]].id if "recurrence_of" in extra else None,
        )
        db.session.add(finding)
        db.session.flush()
        events = [
            FindingEvent(
                finding_id=finding.id,
                at=at(opened),
                action="created",
                from_status=None,
                to_status="open",
                actor_id=actors["auditor"],
            )
        ]
        for when, action, to in history:
            by = actors["project_group" if action in ("verified", "reopened") else "office_head"]
            events.append(
                FindingEvent(
                    finding_id=finding.id,
                    at=at(when),
                    action=action,
                    from_status=None if to is None else status,
                    to_status=to,
                    actor_id=None if action == "reopened_by_visit" else by,
                    visit_id=visits[office] if action == "reopened_by_visit" else None,
                )
            )
            if to is not None:
                if to == "implemented" and status != "implemented":
                    fixed = at(when)
                if to == "open":
                    fixed = None
                if to == "verified":
                    verified = at(when)
                status = to
        db.session.add_all(events)
        finding.status, finding.implemented_at, finding.verified_at = status, fixed, verified
        if "merged_into" in extra:
            finding.merged_into_id = made[extra["merged_into"]].id
        made[name] = finding
    db.session.commit()


@pytest.fixture
def example(app, client, tmp_path):  # type: ignore[no-untyped-def]
    make_office(A)
    make_office(B, "Europe/Berlin")
    load_mini(tmp_path)
    people = {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "group": make_user("project_group"),
        "head": make_user("office_head", office=A),
        "admin": make_user("admin"),
    }
    visits = {office: _approved_visit(client, people, office) for office in (A, B)}
    assert db.session.scalar(select(Finding.id)) is None  # the visits passed everything
    offices = {code: oid for code, oid in db.session.execute(select(Office.code, Office.id))}
    actors = {
        "auditor": people["aud"].user_id,
        "office_head": people["head"].user_id,
        "project_group": people["group"].user_id,
    }
    _write_example(visits, offices, actors)
    return {**people, "offices": offices}


def _same(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    for key, value in want.items():
        if value is None or isinstance(value, int):
            assert got[key] == value, (where, key, got[key], value)
        else:
            assert got[key] == pytest.approx(value), (where, key, got[key], value)


@pytest.mark.parametrize("period", ["2026-08", "2026-09", "2026-Q3"])
@pytest.mark.parametrize("scope", [None, A, B])
def test_the_worked_example_through_the_api(client, example, period, scope):
    query = f"/api/v1/kpis?period={period}" + (f"&office={scope}" if scope else "")
    resp = client.get(query, headers=example["group"].headers)
    assert resp.status_code == 200, resp.text
    body = resp.json
    assert body["period"] == period and body["office"] == scope
    _same(body, EXPECTED[period][scope], f"{period} {scope}")
    assert set(body) == {"period", "office", *EXPECTED[period][scope]}
    every = client.get(f"{query}&all_time=1", headers=example["group"].headers).json
    _same(every["all_time"], EXPECTED["all"][scope], f"all time {scope}")
    assert {k: v for k, v in every.items() if k != "all_time"} == body


def test_the_worked_example_through_the_service(app, example):
    ids = example["offices"]
    for code, period in PERIODS.items():
        _same(period_kpis(period).as_json(), EXPECTED[code][None], code)
        by_office = kpis_by_office(period)
        for office in (A, B):
            _same(by_office[ids[office]].as_json(), EXPECTED[code][office], f"{code} {office}")
            alone = period_kpis(period, office_ids=[ids[office]])
            assert alone == by_office[ids[office]]
    _same(all_time_kpis().as_json(), EXPECTED["all"][None], "all time")
    for office in (A, B):
        _same(all_time_kpis(office_ids=[ids[office]]).as_json(), EXPECTED["all"][office], office)
    # The same figures seen from a later day: an ended period never changes.
    later = date.today() + timedelta(days=400)
    assert period_kpis(PERIODS["2026-08"], today=later) == period_kpis(PERIODS["2026-08"])
    table = programme(PERIODS["2026-Q3"], "en")
    assert [row.office for row in table.rows] == [A, B]  # 75 % before 33.3 %
    assert table.by_code[B].all_time == all_time_kpis(office_ids=[ids[B]])


def test_events_without_their_former_status_are_looked_up(app, example):
    """Overdue at a period's end is corrected from the events since, by whether each moved a
    finding between unresolved and resolved; an event that does not say what it moved from
    (rows written by hand, or by another tool) makes the service look the status up."""
    db.session.execute(update(FindingEvent).values(from_status=None))
    db.session.commit()
    ids = example["offices"]
    for code, period in PERIODS.items():
        _same(period_kpis(period).as_json(), EXPECTED[code][None], f"{code}, unknown from")
        by_office = kpis_by_office(period)
        for office in (A, B):
            _same(by_office[ids[office]].as_json(), EXPECTED[code][office], f"{code} {office}")


def test_a_period_still_running_ends_today(app, example):
    """Seen on 26 August, August so far: F3's reopening (25 August) counted, and nothing
    overdue that was not due before the 26th."""
    so_far = period_kpis(PERIODS["2026-08"], today=date(2026, 8, 26))
    assert (so_far.opened, so_far.implemented, so_far.reopened) == (4, 2, 1)  # F2, F3, F4, F5
    assert so_far.overdue == 1  # F9; F4 is due on the 28th
    assert so_far.median_days_to_fix == pytest.approx(15.25)


def test_who_may_ask(client, example):
    head, group = example["head"], example["group"]
    own = client.get("/api/v1/kpis?period=2026-08", headers=head.headers)
    assert own.status_code == 200 and own.json["office"] == A
    _same(own.json, EXPECTED["2026-08"][A], "head")
    other = client.get(f"/api/v1/kpis?period=2026-08&office={B}", headers=head.headers)
    assert other.status_code == 403
    assert client.get(f"/api/v1/kpis?office={A}", headers=head.headers).status_code == 200
    for who in ("vol", "admin"):
        assert client.get("/api/v1/kpis", headers=example[who].headers).status_code == 403
    assert client.get("/api/v1/kpis", headers=example["aud"].headers).status_code == 200
    assert client.get("/api/v1/kpis?office=nowhere", headers=group.headers).status_code == 404
    bad = client.get("/api/v1/kpis?period=2026-13", headers=group.headers)
    assert bad.status_code == 422 and "period" in bad.json["error"]["fields"]
    bad = client.get("/api/v1/kpis?all_time=maybe", headers=group.headers)
    assert bad.status_code == 422 and "all_time" in bad.json["error"]["fields"]
    mine = client.get("/api/v1/kpis?period=2026-08&all_time=1", headers=head.headers).json
    _same(mine["all_time"], EXPECTED["all"][A], "head, all time")
    default = client.get("/api/v1/kpis", headers=group.headers).json
    today = today_utc()
    last = periods.month(today.year, today.month).previous()
    assert default["period"] == f"{last.start:%Y-%m}"
    lone = client.get("/api/v1/kpis?from=2026-08-01", headers=group.headers).json
    assert lone["period"] == f"2026-08-01/{today.isoformat()}"


def test_a_period_not_begun_is_refused_everywhere(app, client, example):
    """A future month has no figures: counting today's backlog under its name would mislead."""
    group = example["group"]
    future = periods.month(today_utc().year + 1, 1)
    code = f"{future.start:%Y-%m}"
    for url in (f"/api/v1/kpis?period={code}", f"/api/v1/exports/report.pdf?period={code}"):
        for lang, words in (("en", "has not begun"), ("ru", "ещё не начался")):
            got = client.get(url, headers={**group.headers, "Accept-Language": lang})
            assert got.status_code == 422, (url, got.status_code)
            assert words in got.json["error"]["fields"]["period"][0]
    browser = app.test_client()
    sign_in(browser, group.email)
    page = browser.get(f"/programme?kind=month&value={code}", headers=EN)
    assert page.status_code == 422 and "has not begun" in page.text
    running = client.get(f"/api/v1/kpis?period={today_utc().year}", headers=group.headers)
    assert running.status_code == 200  # begun, still running: counted up to today


def _page(app, email: str, url: str) -> str:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    sign_in(browser, email)
    page = browser.get(url, headers=EN)
    assert page.status_code == 200, (url, page.status_code)
    return re.sub(r"\s+", " ", page.text)


def test_the_pages_show_the_same_numbers(app, client, example):
    group = example["group"].email
    programme_page = _page(app, group, "/programme?kind=month&value=2026-08")
    assert "Recommendations implemented: 40.0 % of 5" in programme_page
    assert "<td>15.3</td>" in programme_page  # 15.25 days, rounded half up
    assert "<td>33.3</td>" in programme_page and "<td>50.0</td>" in programme_page  # A, B
    quarter = _page(app, group, "/programme?kind=quarter&value=2026-Q3")
    assert "Recommendations implemented: 57.1 % of 7" in quarter
    assert "<td>6 (60.0 %)</td>" in quarter  # all time, beside it
    board = _page(app, group, "/dashboard?kind=month&value=2026-08")
    assert "Recommendations implemented: 40.0 % of 5" in board
    office = _page(app, group, f"/offices/{A}")
    assert "<td>3 (60.0 %)</td>" in office and "<td>2 (40.0 %)</td>" in office  # A, all time
    public = client.get("/public?quarter=2026-Q3", headers=EN).text
    assert "Recommendations implemented: 57.1 % of 7" in public


def test_the_head_page_shows_its_quarter_and_all_time(app, client, example):
    head = example["head"]
    page = _page(app, head.email, f"/offices/{A}")
    quarter = periods.completed_quarters(date.today(), date(2026, 3, 5), limit=8)[0]
    figures = client.get(
        f"/api/v1/kpis?period={periods.quarter_code(quarter)}", headers=head.headers
    ).json
    share = figures["share_implemented"]
    shown = "–" if share is None else f"{share * 100:.1f}"
    assert f"<td>{figures['implemented']} ({shown} %)</td>" in page
    assert "<td>5</td>" in page and "<td>3 (60.0 %)</td>" in page  # all time


def _pdf_text(client, group, period: str) -> str:  # type: ignore[no-untyped-def]
    resp = client.get(f"/api/v1/exports/report.pdf?period={period}&lang=en", headers=group.headers)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f"adaldyq-report-{period}-en.pdf" in resp.headers["Content-Disposition"]
    pages = PdfReader(io.BytesIO(resp.data)).pages
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in pages))


def _row(text: str, label: str) -> list[str]:
    """The values after a row's label in the report's comparison table."""
    found = re.search(re.escape(label) + r" ([^\n]+)", text)
    assert found, (label, text[:3000])
    return found.group(1).split()


def test_the_monthly_reports_of_two_months_differ_and_are_right(client, example):
    group = example["group"]
    august, september = (_pdf_text(client, group, p) for p in ("2026-08", "2026-09"))
    # August, beside July (F1 opened, in progress at July's end; F9 overdue).
    assert _row(august, "Recommendations opened") == ["5", "1", "+4"]
    assert _row(august, "Of these, implemented by the period's end") == ["2", "0", "+2"]
    assert _row(august, "Implemented, %") == ["40.0", "0.0", "+40.0"]
    assert _row(august, "Reopened during the period") == ["1", "0", "+1"]
    assert _row(august, "Overdue at the period's end") == ["2", "1", "+1"]
    assert _row(august, "Median days to fix") == ["15.3", "–", "–"]
    facts = " ".join(august.split())  # the boxes at the top wrap their words
    assert "40.0 % of the recommendations opened in the period (5) implemented" in facts
    assert "2 overdue findings at the period's end" in facts
    # September, beside August.
    assert _row(september, "Recommendations opened") == ["1", "5", "−4"]  # U+2212
    assert _row(september, "Implemented, %") == ["0.0", "40.0", "−40.0"]
    assert _row(september, "Reopened during the period") == ["1", "1", "0"]
    assert _row(september, "Overdue at the period's end") == ["3", "2", "+1"]
    facts = " ".join(september.split())
    assert "0.0 % of the recommendations opened in the period (1) implemented" in facts
    # The offices with the most open findings at September's end: A (F4, F9), B (F5, F8).
    most = september[september.index("most open findings") :]
    assert re.search(rf"{B} en 2 1\n{A} en 2 2", most), most  # a tie: by code


def test_the_summary_workbook(client, example):
    resp = client.get(
        "/api/v1/exports/summary.xlsx?period=2026-08&lang=en", headers=example["group"].headers
    )
    book = load_workbook(io.BytesIO(resp.data), read_only=True)
    rows = list(book["Recommendations"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [B, A, None]  # by name, then all offices
    assert [r[0] for r in rows] == [f"{B} en", f"{A} en", "All offices"]
    total = rows[-1]
    assert total[2:9] == (5, 2, pytest.approx(0.4), 0, pytest.approx(0.0), 1, 2)
    assert total[9] == pytest.approx(15.3) and total[10] == pytest.approx(0.2)
    findings = list(book["Findings"].iter_rows(min_row=2, values_only=True))
    assert len(findings) == 5  # the five opened in August
    assert sorted(r[5] for r in findings) == ["Implemented", "Implemented", "Open", "Open", "Open"]


def test_findings_walked_through_the_services_today(app, client, tmp_path):
    """Today's month so far, from findings the real services opened, answered, verified and
    reopened: the service reads their events as they are written."""
    make_office()
    load_mini(tmp_path)
    vol, aud = make_user("volunteer"), make_user("auditor")
    head, group = make_user("office_head", office=A), make_user("project_group")
    body = visit_body(submit=True)
    body["answers"]["ramp"] = {"value": "no"}
    post_visit(client, vol, body)
    review = {"decision": "approve"}
    client.post(f"/api/v1/visits/{body['uuid']}/review", json=review, headers=aud.headers)
    found = {f.item_code: f.id for f in db.session.scalars(select(Finding))}
    assert set(found) == {"ramp", "braille", "courtesy", "wait", "booking"}

    def act(item: str, what: str, payload: dict[str, Any], who: Any) -> None:
        url = f"/api/v1/findings/{found[item]}/{what}"
        assert client.post(url, json=payload, headers=who.headers).status_code == 200

    done = {"text": "Done", "status": "implemented"}
    for item in ("ramp", "wait", "braille"):
        act(item, "response", done, head)
    act("ramp", "verify", {"decision": "verified"}, group)
    act("wait", "verify", {"decision": "reopened", "note": "Not done"}, group)
    act("courtesy", "response", {"text": "Soon", "status": "in_progress"}, head)
    yesterday = date.today() - timedelta(days=1)
    db.session.execute(
        update(Finding).where(Finding.id == found["booking"]).values(due_date=yesterday)
    )
    db.session.commit()
    today = date.today()
    month = f"{today:%Y-%m}"
    got = client.get(f"/api/v1/kpis?period={month}&all_time=1", headers=group.headers).json
    assert (got["opened"], got["implemented"], got["verified"]) == (5, 2, 1)
    assert (got["reopened"], got["overdue"], got["recurrence_rate"]) == (1, 1, 0.0)
    assert got["share_implemented"] == pytest.approx(0.4)
    assert 0 <= got["median_days_to_fix"] < 0.01  # fixed within the test's seconds
    assert {k: v for k, v in got["all_time"].items() if k != "median_days_to_fix"} == {
        k: v for k, v in got.items() if k in got["all_time"] and k != "median_days_to_fix"
    }


def _reference(period: periods.Period, today: date) -> Kpis:
    """The definitions of docs/scoring.md read off every event in Python, one finding at a
    time (the slow way the service avoids)."""
    from survey.domain.kpis import window

    w = window(period, today)
    events: dict[int, list[FindingEvent]] = {}
    for event in db.session.scalars(
        select(FindingEvent).order_by(FindingEvent.at, FindingEvent.id)
    ):
        events.setdefault(event.finding_id, []).append(event)
    counts = dict.fromkeys(("opened", "implemented", "verified", "reopened", "overdue"), 0)
    counts["recurrences"], days = 0, []
    for f in db.session.scalars(select(Finding).where(Finding.merged_into_id.is_(None))):
        mine = events.get(f.id, [])
        changes = [e for e in mine if e.to_status is not None and e.at < w.end]
        status = changes[-1].to_status if changes else "open"
        if any(
            w.start <= e.at < w.end
            and e.action in ("reopened", "reopened_by_visit")
            and e.to_status == "open"
            for e in mine
        ):
            counts["reopened"] += 1
        if f.created_at < w.end and status in ("open", "in_progress") and f.due_date < w.as_of:
            counts["overdue"] += 1
        if not w.start <= f.created_at < w.end:
            continue
        counts["opened"] += 1
        counts["recurrences"] += f.recurrence_of_id is not None
        if status in ("implemented", "verified"):
            counts["implemented"] += 1
            counts["verified"] += status == "verified"
            fixes = [
                e.at
                for e in changes
                if e.to_status == "implemented" and e.from_status != "implemented"
            ]
            if fixes:
                days.append((fixes[-1] - f.created_at).total_seconds() / 86400)
    days.sort()
    median = (days[(len(days) - 1) // 2] + days[len(days) // 2]) / 2 if days else None
    return Kpis(**counts, median_days_to_fix=median)


def test_the_service_agrees_with_every_event_of_the_demo(app):
    """The demo's five months of findings, replayed through the rules: for each month, each
    quarter and all time, the SQL figures equal the definitions applied event by event."""
    from survey.checklists.services import load_paths
    from survey.demo.services import seed_demo
    from tests.conftest import ROOT

    load_paths([ROOT / "checklists"])
    seed_demo(seed=3)
    today = today_utc()
    month = periods.month(today.year, today.month)
    spans = [periods.Period(periods.EARLIEST, today)]
    for _ in range(7):
        spans += [month, periods.quarter_of(month.start)]
        month = month.previous()
    for period in spans:
        got, want = period_kpis(period, today=today), _reference(period, today)
        assert got.median_days_to_fix == pytest.approx(want.median_days_to_fix), period
        assert replace(got, median_days_to_fix=None) == replace(want, median_days_to_fix=None)
    assert period_kpis(spans[0], today=today).opened > 100

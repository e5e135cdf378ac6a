"""The other lists of issue 13, paged, filtered, searched and sorted in SQL: visits, the
review queue (its proof flags computed in SQL agree with the visit page's), assignments,
people and offices. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import textwrap
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from survey.assignments.models import Assignment
from survey.auth.models import User
from survey.auth.services import create_user
from survey.checklists.models import Checklist
from survey.checklists.services import load_paths
from survey.evidence.models import Evidence
from survey.extensions import db
from survey.offices.models import Office
from survey.review.services import FLAGS, find_queue, proof_flags
from survey.visits.models import Visit
from tests.factories import PASSWORD, load_mini, make_user, sign_in

EN = {"Accept-Language": "en"}
TODAY = date.today()
PROOF = textwrap.dedent(
    """\
    slug: proof
    version: 1
    title: {kk: "Дәлел", ru: "Доказательство", en: "Proof"}
    sections:
      - code: access
        title: {kk: "Қолжетімділік", ru: "Доступность", en: "Access"}
        items:
          - code: ramp
            kind: yesno
            evidence: required
            text: {kk: "Пандус", ru: "Пандус", en: "Ramp"}
          - code: braille
            kind: yesno
            evidence: required
            text: {kk: "Брайль", ru: "Брайль", en: "Braille"}
          - {code: courtesy, kind: yesno, text: {kk: "Сыпайылық", ru: "Вежливость", en: "Courtesy"}}
    """
)


def _office(code: str, country: str, kk: str, ru: str, en: str, active: bool = True) -> Office:
    office = Office(
        code=code,
        kind="embassy" if code.endswith("emb") else "consulate_general",
        country=country,
        city=code.split("-")[1].title(),
        name_kk=kk,
        name_ru=ru,
        name_en=en,
        timezone="UTC",
        active=active,
    )
    db.session.add(office)
    return office


@pytest.fixture
def world(app, tmp_path: Path):  # type: ignore[no-untyped-def]
    load_mini(tmp_path)
    (tmp_path / "proof.yaml").write_text(PROOF, encoding="utf-8")
    load_paths([tmp_path / "proof.yaml"])
    offices = {
        "tr": _office(
            "tr-istanbul-cg",
            "TR",
            "Стамбұлдағы Бас консулдық",
            "Генеральное консульство в Стамбуле",
            "Consulate General in Istanbul",
        ),
        "de": _office(
            "de-berlin-emb",
            "DE",
            "Германиядағы Елшілік",
            "Посольство в Германии",
            "Embassy in Germany",
        ),
        "fr": _office(
            "fr-paris-emb",
            "FR",
            "Франциядағы Елшілік",
            "Посольство во Франции",
            "Embassy in France",
            active=False,
        ),
    }
    db.session.commit()
    people = {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "group": make_user("project_group"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
        "admin": make_user("admin"),
    }
    return {**people, "offices": offices}


def _visit(world, office: str, status: str, day: date, checklist: str = "mini", **extra):  # type: ignore[no-untyped-def]
    cid = db.session.scalar(select(Checklist.id).where(Checklist.slug == checklist))
    visit = Visit(
        uuid=str(uuid.uuid4()),
        office_id=world["offices"][office].id,
        checklist_id=cid,
        volunteer_id=extra.pop("volunteer", world["vol"].user_id),
        visited_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=10),
        visited_on=day,
        status=status,
        **extra,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def _evidence(visit: Visit, item: str | None, **extra) -> Evidence:  # type: ignore[no-untyped-def]
    sha = uuid.uuid4().hex * 2
    evidence = Evidence(
        uuid=str(uuid.uuid4()),
        visit_id=visit.id,
        item_code=item,
        kind="photo",
        sha256=sha,
        size=10,
        content_type="image/jpeg",
        original_key=f"o/{sha}",
        display_key=f"d/{sha}",
        display_type="image/jpeg",
        thumb_key=f"t/{sha}",
        flags=extra.pop("flags", []),
        captured_on=extra.pop("captured_on", visit.visited_on),
        **extra,
    )
    db.session.add(evidence)
    return evidence


def _uuids(resp) -> list[str]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text
    return [v["uuid"] for v in resp.json]


def test_visits_page_in_sql_and_filter(client, world):
    made = []
    for n in range(60):
        office = ("tr", "de", "fr")[n % 3]
        status = ("approved", "submitted", "rejected")[n % 3 if n < 30 else 0]
        made.append(_visit(world, office, status, date(2026, 1, 1) + timedelta(days=n)))
    db.session.commit()
    aud = world["aud"]
    newest = [v.uuid for v in sorted(made, key=lambda v: (v.visited_at, v.id), reverse=True)]
    first = client.get("/api/v1/visits?limit=25", headers=aud.headers)
    assert _uuids(first) == newest[:25] and first.headers["X-Total-Count"] == "60"
    assert 'rel="next"' in first.headers["Link"] and "offset=25" in first.headers["Link"]
    rest = client.get("/api/v1/visits?limit=50&offset=25", headers=aud.headers)
    assert _uuids(rest) == newest[25:] and "Link" not in rest.headers

    def expect(keep) -> list[str]:  # type: ignore[no-untyped-def]
        return [u for u in newest if keep(next(v for v in made if v.uuid == u))]

    tr = world["offices"]["tr"].id
    cases = {
        "status=approved": lambda v: v.status == "approved",
        "office=de-berlin-emb": lambda v: v.office_id == world["offices"]["de"].id,
        "country=tr": lambda v: v.office_id == tr,
        "q=СТАМБУЛЕ": lambda v: v.office_id == tr,
        "q=франциядағы": lambda v: v.office_id == world["offices"]["fr"].id,
        "period=2026-02": lambda v: v.visited_on.month == 2,
        "status=submitted&country=DE": lambda v: (
            v.status == "submitted" and v.office_id == world["offices"]["de"].id
        ),
        "checklist=mini": lambda v: True,
    }
    for query, keep in cases.items():
        resp = client.get(f"/api/v1/visits?limit=200&{query}", headers=aud.headers)
        assert _uuids(resp) == expect(keep), query
    oldest = client.get("/api/v1/visits?limit=200&sort=visited", headers=aud.headers)
    assert _uuids(oldest) == newest[::-1]
    for query in ("status=lost", "period=2026-Q5", "sort=score", "checklist=nope", "office=x"):
        resp = client.get(f"/api/v1/visits?{query}", headers=aud.headers)
        assert resp.status_code == 422, query
    assert client.get("/api/v1/visits", headers=world["head"].headers).status_code == 404
    mine = client.get("/api/v1/visits?limit=5", headers=world["vol"].headers)
    assert mine.headers["X-Total-Count"] == "60"  # the volunteer's own
    other = make_user("volunteer")
    assert client.get("/api/v1/visits", headers=other.headers).json == []


def test_visits_page_without_javascript(app, world):
    for n in range(55):
        _visit(world, "tr" if n % 2 else "de", "submitted", date(2026, 1, 1) + timedelta(days=n))
    _visit(world, "de", "approved", date(2026, 3, 1))
    db.session.commit()
    browser = app.test_client()
    sign_in(browser, world["group"].email)
    page = browser.get("/visits", headers=EN)  # sent for review, by default
    assert page.status_code == 200
    assert "1–50 of 55" in page.text and 'rel="next" href="/visits?page=2"' in page.text
    both = browser.get("/visits?status=all&q=germany", headers=EN).text
    assert "1–29 of 29" in both
    assert 'href="/visits?status=all&amp;q=germany&amp;sort=office"' in both
    bad = browser.get("/visits?period=someday", headers=EN)
    assert bad.status_code == 422 and 'href="#period"' in bad.text


def test_queue_flags_in_sql_agree_with_the_visit_page(app, client, world):
    day = date(2026, 2, 10)
    submitted = datetime(2026, 2, 11, 12)
    slow = {"created_at": submitted - timedelta(hours=2), "submitted_at": submitted}
    fast = {"created_at": submitted - timedelta(minutes=2), "submitted_at": submitted}
    far = _visit(world, "tr", "submitted", day, "proof", **slow)
    _evidence(far, "ramp", captured_on=day + timedelta(days=3))
    _evidence(far, "braille")
    near = _visit(world, "tr", "submitted", day, "proof", **slow)  # one day off is not far
    _evidence(near, "ramp", captured_on=day - timedelta(days=1))
    _evidence(near, "braille")
    reused = _visit(world, "de", "submitted", day, "proof", **slow)
    _evidence(reused, "ramp", flags=["reused"])
    _evidence(reused, "braille")
    missing = _visit(world, "de", "submitted", day, "proof", **slow)
    _evidence(missing, "ramp")
    _evidence(missing, None)  # a photo of the whole visit does not stand for an item
    hasty = _visit(world, "fr", "submitted", day, "proof", **fast)
    _evidence(hasty, "ramp")
    _evidence(hasty, "braille")
    clean = _visit(world, "tr", "submitted", day, "mini", **slow)
    everything = _visit(world, "tr", "submitted", day, "proof", **fast)
    _evidence(everything, "ramp", captured_on=day - timedelta(days=5), flags=["reused"])
    _visit(world, "tr", "approved", day, "proof", **fast)  # not in the queue
    db.session.commit()
    queued = [far, near, reused, missing, hasty, clean, everything]
    auditor = db.session.get(User, world["aud"].user_id)
    with app.test_request_context():
        truth = {v.id: proof_flags(v) for v in queued}
        for flag in FLAGS:
            listing, flags = find_queue(auditor, {"flag": flag})
            assert {v.id for v in listing.page.items} == {
                v for v, fl in truth.items() if flag in fl
            }, flag
            assert all(flags[v.id] == truth[v.id] for v in listing.page.items)
        listing, _flags = find_queue(auditor, {})
        assert [v.id for v in listing.page.items] == [v.id for v in queued]  # sent, then id
        assert truth[clean.id] == [] and len(truth[everything.id]) == 4
    browser = app.test_client()
    sign_in(browser, world["aud"].email)
    page = browser.get("/review?flag=reused&q=германии", headers=EN).text
    assert f"/visits/{reused.uuid}" in page and f"/visits/{everything.uuid}" not in page
    assert "A photo is also used in another visit" in page
    by_office = browser.get("/review?sort=-office", headers=EN).text
    order = re.findall(r'href="/visits/([0-9a-f-]{36})"', by_office)
    istanbul = [everything.uuid, clean.uuid, near.uuid, far.uuid]  # tr-…, then id, descending
    assert order == [*istanbul, hasty.uuid, missing.uuid, reused.uuid]
    assert browser.get("/review?flag=odd", headers=EN).status_code == 422


def test_assignments_by_state_office_and_volunteer(app, world):
    aud = db.session.get(User, world["aud"].user_id)
    other = create_user("walker@example.kz", PASSWORD, "volunteer", name="Арман")
    cid = db.session.scalar(select(Checklist.id).where(Checklist.slug == "mini"))
    vol = db.session.get(User, world["vol"].user_id)

    def plan(who: User, office: str, ends: date, visit: Visit | None = None) -> Assignment:
        row = Assignment(
            volunteer_id=who.id,
            office_id=world["offices"][office].id,
            checklist_id=cid,
            starts_on=ends - timedelta(days=7),
            ends_on=ends,
            created_by_id=aud.id,
            visit_id=visit.id if visit else None,
        )
        db.session.add(row)
        return row

    future = TODAY + timedelta(days=10)
    pending = plan(vol, "tr", future)
    overdue = plan(other, "de", TODAY - timedelta(days=3))
    started = plan(vol, "de", future, _visit(world, "de", "draft", TODAY))
    done = plan(other, "tr", TODAY - timedelta(days=1), _visit(world, "tr", "submitted", TODAY))
    db.session.commit()
    browser = app.test_client()
    sign_in(browser, world["aud"].email)

    def shown(query: str) -> set[int]:
        html = browser.get(f"/assignments?{query}", headers=EN).text
        rows = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
        found = set()
        for a in (pending, overdue, started, done):
            volunteer = db.session.get(User, a.volunteer_id)
            office = db.session.get(Office, a.office_id)
            if re.search(
                rf"{re.escape(volunteer.display_name)}</strong> \({volunteer.pseudonym}\)</td>\s*"
                rf"<td>{re.escape(office.name_en)}</td>",
                rows,
            ):
                found.add(a.id)
        return found

    assert shown("") == {pending.id, overdue.id, started.id}  # not made yet, by default
    assert shown("status=all") == {pending.id, overdue.id, started.id, done.id}
    assert shown("show=all") == shown("status=all")  # the address of earlier versions
    assert shown("status=overdue") == {overdue.id}
    assert shown("status=started") == {started.id}
    assert shown("status=done") == {done.id}
    assert shown(f"status=all&volunteer={other.pseudonym.lower()}") == {overdue.id, done.id}
    assert shown("status=all&q=ГЕРМАНИИ") == {overdue.id, started.id}
    assert shown("status=all&office=tr-istanbul-cg") == {pending.id, done.id}
    bad = browser.get("/assignments?volunteer=V-NONE&status=soon", headers=EN)
    assert bad.status_code == 422 and "No volunteer has this pseudonym." in bad.text


def test_people_for_the_admin_search_in_any_alphabet(app, world):
    create_user("asel@example.kz", PASSWORD, "volunteer", name="Әсел Нұрланқызы")
    create_user("yerlan@example.kz", PASSWORD, "auditor", name="Ерлан Сейітов")
    switched = create_user("old@example.kz", PASSWORD, "volunteer", name="Old Timer")
    switched.active = False
    for n in range(55):
        create_user(f"v{n:02d}@example.kz", PASSWORD, "volunteer", name=f"Volunteer {n:02d}")
    db.session.commit()
    browser = app.test_client()
    sign_in(browser, world["admin"].email)
    everyone = browser.get("/admin/users", headers=EN).text
    total = db.session.query(User).count()
    assert f"1–50 of {total}" in everyone and 'rel="next"' in everyone
    found = browser.get("/admin/users?q=ӘСЕЛ", headers=EN).text  # upper-case Kazakh
    assert "Әсел Нұрланқызы" in found and "1–1 of 1" in found
    assert "Ерлан" in browser.get("/admin/users?q=ерлан", headers=EN).text
    auditors = browser.get("/admin/users?role=auditor&sort=name", headers=EN).text
    assert "Ерлан Сейітов" in auditors and "Әсел" not in auditors
    off = browser.get("/admin/users?active=0", headers=EN).text
    assert "Old Timer" in off and "1–1 of 1" in off
    assert browser.get("/admin/users?role=king", headers=EN).status_code == 422


def test_offices_for_everyone_in_the_api_and_for_the_admin(app, client, world):
    for n in range(60):
        _office(f"xx-city{n:02d}-cg", "XX", f"Қала {n}", f"Город {n}", f"City {n}")
    db.session.commit()
    vol = world["vol"]
    first = client.get("/api/v1/offices?limit=50", headers=vol.headers)
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "63"
    assert [o["code"] for o in first.json] == sorted(o["code"] for o in first.json)
    assert "offset=50" in first.headers["Link"]
    assert [
        o["code"] for o in client.get("/api/v1/offices?q=германии", headers=vol.headers).json
    ] == ["de-berlin-emb"]
    closed = client.get("/api/v1/offices?active=0", headers=vol.headers).json
    assert [o["code"] for o in closed] == ["fr-paris-emb"]
    embassies = client.get("/api/v1/offices?kind=embassy&sort=-code", headers=vol.headers).json
    assert [o["code"] for o in embassies] == ["fr-paris-emb", "de-berlin-emb"]
    assert len(client.get("/api/v1/offices?country=xx", headers=vol.headers).json) == 60
    assert len(client.get("/api/v1/offices", headers=vol.headers).json) == 63  # whole
    for query in ("kind=castle", "active=maybe", "sort=size", "limit=500"):
        assert client.get(f"/api/v1/offices?{query}", headers=vol.headers).status_code == 422
    browser = app.test_client()
    sign_in(browser, world["admin"].email)
    page = browser.get("/admin/offices?page=2", headers=EN).text
    assert "51–63 of 63" in page and 'rel="prev" href="/admin/offices"' in page
    assert "Embassy in France" in browser.get("/admin/offices?q=ФРАНЦИИ", headers=EN).text
    assert browser.get("/admin/offices?kind=castle", headers=EN).status_code == 422

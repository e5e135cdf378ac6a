"""The volunteer stays anonymous (issue 12): what an office head, the public and every file can
tell about a visit.

An office head crawls every page, API path and file there is, following every link: each JSON
answer must hold only the keys of the allow-list below (DESIGN §5 and §9, written out here on
purpose rather than imported, so the test checks the contract and not the code), and no time
finer than a month may appear where it could date a visit.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from babel.dates import format_date
from sqlalchemy import select

from survey.auth.models import User
from survey.evidence.models import Evidence
from survey.extensions import db
from survey.findings.models import Finding
from tests.factories import (
    load_mini,
    make_office,
    make_user,
    post_visit,
    sign_in,
    visit_body,
)
from tests.media import makers

HREF = re.compile(r'(?:href|src|action)="([^"#]+)"')
NAME = "Айгерім Құпияқызы"
OWN_WORDS = "Мен Айгерім, телефоным +7 701 555 44 33"
COMMENT = "I, Aigerim, saw no ramp"
OTHER_OFFICE = ("de-berlin-emb", "Berlin")

# The allow-list of DESIGN §9. None: a leaf value; a dict: these keys only ("*": any key);
# a one-element list: a list of that shape.
EVIDENCE = {"uuid": None, "kind": None, "item": None, "files": {"display": None, "thumb": None}}
EVENT = {"on": None, "action": None, "from": None, "to": None, "text": None, "by": None}
FINDING = {
    "id": None,
    "office": None,
    "item": None,
    "item_text": None,
    "section": None,
    "severity": None,
    "status": None,
    "recommendation": None,
    "due_date": None,
    "observations": [{"month": None, "result": None}],
    "evidence": [EVIDENCE],
    "responses": [EVENT],
    "history": [EVENT],
}
FIGURES = {
    "office": None,
    "period": None,
    "n": None,
    "score": None,
    "score_ci": None,
    "critical": None,
    "sections": {"*": {"score": None, "n": None}},
    "items": {
        "*": {
            "pass": None,
            "fail": None,
            "partial": None,
            "na": None,
            "rate": None,
            "rate_ci": None,
        }
    },
    "findings": {
        "open": None,
        "in_progress": None,
        "implemented": None,
        "verified": None,
        "overdue": None,
    },
}
RANKED = {k: FIGURES[k] for k in ("office", "period", "n", "score", "score_ci", "critical")}
KPI_FIGURES = {
    k: None
    for k in (
        "opened",
        "implemented",
        "verified",
        "reopened",
        "overdue",
        "share_implemented",
        "share_verified",
        "median_days_to_fix",
        "recurrence_rate",
    )
}
KPIS = {"period": None, "office": None, **KPI_FIGURES, "all_time": KPI_FIGURES}
OFFICE = {
    "code": None,
    "kind": None,
    "country": None,
    "city": None,
    "name": {"kk": None, "ru": None, "en": None},
    "timezone": None,
    "active": None,
}
CHECKLIST = {"slug": None, "version": None, "title": {"kk": None, "ru": None, "en": None}}
CHECKLIST["sha256"] = None
# JSON endpoints a head may read, by path pattern, and the shape of their answer.
SHAPES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"/api/v1/findings"), [FINDING]),
    (re.compile(r"/api/v1/findings/\d+"), FINDING),
    (re.compile(r"/api/v1/offices"), [OFFICE]),
    (re.compile(r"/api/v1/offices/[a-z0-9-]+/scores"), FIGURES),
    (re.compile(r"/api/v1/scores"), [RANKED]),
    (re.compile(r"/api/v1/kpis"), KPIS),
    (re.compile(r"/api/v1/checklists"), [CHECKLIST]),
]
# The checklist definition and the API's description hold no visit data at all.
NO_VISIT_DATA = re.compile(r"/api/v1/(checklists/[a-z0-9-]+/\d+|openapi\.json)")
# Full dates may stand only where they are the programme's own deadlines and actions.
DATE_KEYS = {"due_date", "on"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CLOCK = re.compile(r"(?<![\d.:])\d{1,2}:\d{2}(?![\d])")


def last_complete_quarter(today: date) -> tuple[date, date]:
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def _shape_problems(value: Any, shape: Any, path: str) -> list[str]:
    if shape is None:
        if isinstance(value, dict):
            return [f"{path}: an object where a plain value is allowed"]
        return []
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [
            p for i, v in enumerate(value) for p in _shape_problems(v, shape[0], f"{path}[{i}]")
        ]
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    problems = []
    for key, inner in value.items():
        allowed = shape.get(key, shape.get("*", "missing"))
        if allowed == "missing":
            problems.append(f"{path}.{key}: not on the allow-list")
        else:
            problems.extend(_shape_problems(inner, allowed, f"{path}.{key}"))
    return problems


def _time_problems(value: Any, path: str, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _time_problems(v, f"{path}.{k}", k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _time_problems(v, f"{path}[{i}]", key)]
    if isinstance(value, str):
        if "T" in value and ISO_DATE.search(value) and CLOCK.search(value):
            return [f"{path}: a time of day ({value})"]
        if ISO_DATE.search(value) and key not in DATE_KEYS:
            return [f"{path}: a day ({value})"]
    return []


def _day_spellings(days: list[date]) -> list[str]:
    """Every way a page may write these days: ISO and each locale's short, medium and long."""
    out = []
    for day in days:
        out.append(day.isoformat())
        for locale in ("kk", "ru", "en"):
            for fmt in ("short", "medium", "long"):
                out.append(format_date(day, fmt, locale=locale))
    return out


@pytest.fixture
def world(app, client, tmp_path):  # type: ignore[no-untyped-def]
    """Three approved visits to the head's office in the last complete quarter, one in this
    quarter, one to another office; evidence on failed and passed items; a proof from the head.
    """
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    vol = make_user("volunteer", email="aigerim.secret@example.kz")
    volunteer = db.session.get(User, vol.user_id)
    volunteer.display_name = NAME
    db.session.commit()
    aud = make_user("auditor")
    head = make_user("office_head", office="tr-istanbul-cg", email="head@example.kz")
    start, _end = last_complete_quarter(date.today())
    visit_days = [
        start + timedelta(days=16),
        start + timedelta(days=40),
        start + timedelta(days=70),
    ]
    visits: list[tuple[str, str, date]] = [(d.isoformat(), "tr-istanbul-cg", d) for d in visit_days]
    today = date.today()
    visits.append((today.isoformat(), "tr-istanbul-cg", today))
    visits.append((visit_days[0].isoformat(), "de-berlin-emb", visit_days[0]))
    uuids, shown, hidden, originals = [], [], [], []
    for n, (day, office, _d) in enumerate(visits):
        body = visit_body(office=office, visited_at=f"{day}T10:4{n}:00")
        body["answers"]["ramp"] = {"value": "no", "comment": COMMENT}
        body["answers"]["notes"] = {"value": OWN_WORDS}
        assert post_visit(client, vol, body).status_code == 201
        exif_day = day.replace("-", ":")
        files = [
            (
                "ramp",
                makers.jpeg_with_secrets(when=f"{exif_day} 10:1{n}:00", colour=(n * 40, 9, 9)),
            ),
            ("bribe", makers.png_with_text()),
            (None, makers.webp()),
        ]
        if n == 0:
            files.append(("ramp", makers.heic_with_secrets()))
        for item, data in files:
            sent = {"file": (io.BytesIO(data), "IMG_0001.jpg")}
            if item:
                sent["item"] = item
            made = client.post(
                f"/api/v1/visits/{body['uuid']}/evidence",
                data=sent,
                headers=vol.headers,
                content_type="multipart/form-data",
            )
            assert made.status_code == 201, made.text
            ev = db.session.scalar(select(Evidence).where(Evidence.uuid == made.json["uuid"]))
            originals.append(ev.sha256)
            mine = office == "tr-istanbul-cg"
            (shown if item == "ramp" and mine else hidden).append(ev.uuid)
        assert post_visit(client, vol, dict(body, submit=True)).status_code == 200
        decided = client.post(
            f"/api/v1/visits/{body['uuid']}/review",
            json={"decision": "approve"},
            headers=aud.headers,
        )
        assert decided.status_code == 200, decided.text
        uuids.append(body["uuid"])
    ours = db.session.scalars(
        select(Finding).join(Finding.office).where(Finding.item_code == "ramp")
    ).all()
    finding = next(f for f in ours if f.office.code == "tr-istanbul-cg")
    proof = client.post(
        f"/api/v1/findings/{finding.id}/evidence",
        data={"file": (io.BytesIO(makers.jpeg_with_secrets(colour=(1, 200, 1))), "fix.jpg")},
        headers=head.headers,
        content_type="multipart/form-data",
    )
    assert proof.status_code == 201, proof.text
    shown.append(proof.json["uuid"])
    return {
        "volunteer": volunteer,
        "vol": vol,
        "aud": aud,
        "head": head,
        "visits": uuids,
        # Days of the visits in the ended quarter: weeks before their approval, whose date a
        # head may see (it opens the findings); so no page may show these days.
        "visit_days": visit_days,
        "shown": shown,
        "hidden": hidden,
        "originals": originals,
        "findings": [f.id for f in db.session.scalars(select(Finding))],
    }


def test_office_head_gets_404_for_every_visit(app, client, world):
    head = world["head"]
    for uuid in world["visits"]:
        assert client.get(f"/api/v1/visits/{uuid}", headers=head.headers).status_code == 404
    assert client.get("/api/v1/visits", headers=head.headers).status_code == 404
    browser = app.test_client()
    sign_in(browser, head.email)
    for uuid in world["visits"]:
        page = browser.get(f"/visits/{uuid}")
        assert page.status_code == 404
        assert OWN_WORDS not in page.text
    assert browser.get("/visits").status_code == 404


def _seeds(app, world) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route of the app with each value its parameters can take here."""
    values = {
        "uuid": world["visits"] + world["shown"] + world["hidden"],
        "variant": ["display", "thumb", "original"],
        "finding_id": [str(i) for i in world["findings"]],
        "code": ["tr-istanbul-cg", "de-berlin-emb"],
        "slug": ["mini"],
        "version": ["1"],
        "number": ["1"],
        "checklist_id": ["1"],
        "user_id": [str(world["vol"].user_id)],
        "token": ["not-a-token"],
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "assets.asset"):
            continue
        expanded = [rule.rule]
        for arg in rule.arguments:
            choices = values.get(arg, ["x"])
            expanded = [
                u.replace(f"<{arg}>", v).replace(f"<int:{arg}>", v).replace(f"<path:{arg}>", v)
                for u in expanded
                for v in choices
            ]
        urls.extend(expanded)
    urls += [f"/evidence/{u}/{v}" for u in world["shown"] for v in ("display", "thumb")]
    return urls


def _crawl(client, headers, world, start):  # type: ignore[no-untyped-def]
    """Fetch every URL reachable from start; yield (url, response) for each answer."""
    queue, seen = list(start), set()
    while queue:
        url = queue.pop()
        if url in seen or len(seen) > 3000:
            continue
        seen.add(url)
        resp = client.get(url, headers=headers)
        yield url, resp
        if resp.status_code != 200:
            continue
        if resp.mimetype == "text/html":
            links = HREF.findall(resp.text)
        elif resp.mimetype == "application/json":
            text = resp.get_data(as_text=True)
            links = re.findall(r'"(/(?:api/v1|evidence|findings|offices)/[^"]+)"', text)
            links += [f"/api/v1/findings/{i}" for i in re.findall(r'"id": ?(\d+)', text)]
        else:
            links = []
        for link in links:
            parts = urlsplit(urljoin(url, link.replace("&amp;", "&")))
            if parts.netloc or parts.path.startswith(("/logout", "/static", "/assets")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def test_office_head_crawl_finds_only_the_allow_list(app, world):
    head = world["head"]
    volunteer = world["volunteer"]
    secrets = [
        NAME,
        volunteer.email,
        volunteer.pseudonym,
        "Aigerim",
        "Айгерім",
        COMMENT,
        "de-berlin-emb",
        "Berlin",
        makers.SECRET,
        makers.SERIAL,
        "heic",
        "heif",
        *world["originals"],
        *world["visits"],
        *world["hidden"],
    ]
    visit_days = _day_spellings(world["visit_days"])
    browser = app.test_client()
    sign_in(browser, head.email)
    problems: list[str] = []
    files_seen: set[str] = set()
    json_seen: set[str] = set()
    pages_seen = 0
    for via, client, headers in (
        ("session", browser, {}),
        ("token", app.test_client(), head.headers),
    ):
        start = ["/", "/findings", "/api/v1/findings", "/api/v1/scores", *_seeds(app, world)]
        for url, resp in _crawl(client, headers, world, start):
            if resp.status_code >= 500:
                problems.append(f"{via} {url}: {resp.status_code}")
            if resp.status_code != 200:
                continue
            path = urlsplit(url).path
            body = resp.get_data()
            # The office directory is no secret (the public page lists every office).
            directory = path == "/api/v1/offices"
            for secret in [s for s in secrets if not (directory and s in OTHER_OFFICE)]:
                if secret and secret.encode() in body:
                    problems.append(f"{via} {url}: shows {secret!r}")
            if resp.mimetype == "application/json":
                json_seen.add(path)
                if NO_VISIT_DATA.fullmatch(path):
                    continue
                shapes = [s for pattern, s in SHAPES if pattern.fullmatch(path)]
                if not shapes:
                    problems.append(f"{via} {url}: JSON from a path not on the allow-list")
                    continue
                problems += [f"{via} {url}: {p}" for p in _shape_problems(resp.json, shapes[0], "")]
                problems += [f"{via} {url}: {p}" for p in _time_problems(resp.json, "")]
            elif resp.mimetype == "text/html":
                pages_seen += 1
                text = resp.text
                if CLOCK.search(re.sub(r"<[^>]+>", " ", text)):
                    problems.append(f"{via} {url}: a time of day: {CLOCK.search(text)}")
                for day in visit_days:
                    if day in text:
                        problems.append(f"{via} {url}: the day of a visit ({day})")
            elif resp.mimetype.startswith(("image/", "video/")):
                uuid = path.split("/")[2]
                files_seen.add(uuid)
                if uuid not in world["shown"] or path.endswith("/original"):
                    problems.append(f"{via} {url}: a file the office was not shown")
                for header in ("Last-Modified", "ETag"):
                    if header in resp.headers:
                        problems.append(f"{via} {url}: {header} {resp.headers[header]}")
    assert problems == [], "\n".join(sorted(set(problems)))
    # The crawl really reached what a head is meant to see.
    assert set(world["shown"]) <= files_seen
    assert {"/api/v1/findings", "/api/v1/scores"} <= json_seen
    assert any(p.startswith("/api/v1/findings/") for p in json_seen)
    assert pages_seen >= 5


def test_hidden_evidence_and_originals_are_not_served_to_the_head(client, world):
    head = world["head"]
    for uuid in world["hidden"]:
        for variant in ("display", "thumb"):
            assert (
                client.get(f"/evidence/{uuid}/{variant}", headers=head.headers).status_code == 404
            )
    for uuid in world["shown"]:
        assert client.get(f"/evidence/{uuid}/original", headers=head.headers).status_code in (
            403,
            404,
        )
        assert client.get(f"/evidence/{uuid}/display", headers=head.headers).status_code == 200


def test_head_figures_only_by_complete_quarter_with_three_visits(client, world):
    head = world["head"]
    start, end = last_complete_quarter(date.today())
    quarter = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    url = "/api/v1/offices/tr-istanbul-cg/scores"
    figures = client.get(url, headers=head.headers)
    assert figures.status_code == 200, figures.text
    assert figures.json["period"] == quarter and figures.json["n"] == 3
    assert figures.json["score"] is not None
    same = client.get(f"{url}?period={quarter}", headers=head.headers).json
    assert same == figures.json
    same = client.get(f"{url}?from={start}&to={end}", headers=head.headers).json
    assert same == figures.json
    # Any other span could be differenced against the quarter: refused.
    for query in (
        f"from={start}&to={end - timedelta(days=1)}",
        f"from={start + timedelta(days=1)}&to={end}",
        f"from={start}",
        f"period={date.today():%Y-%m}",
        f"period={date.today().year}",
        f"period={date.today().year}-Q{(date.today().month - 1) // 3 + 1}",  # not over yet
    ):
        refused = client.get(f"{url}?{query}", headers=head.headers)
        assert refused.status_code == 422, (query, refused.text)
        assert "period" in refused.json["error"]["fields"]
    # An earlier quarter with no visits: n = 0 and nothing else to see.
    year, q = start.year, (start.month - 1) // 3 + 1
    earlier = f"{year - 1}-Q{q}"
    empty = client.get(f"{url}?period={earlier}", headers=head.headers).json
    assert empty["n"] == 0 and empty["score"] is None and empty["items"] == {}
    # Auditors keep every span.
    aud = world["aud"]
    assert client.get(f"{url}?from={start}", headers=aud.headers).status_code == 200


def test_a_head_sees_no_score_from_fewer_than_three_visits(app, client, world):
    """Move one of the three visits out of the quarter: n = 2, and every figure is withheld."""
    from survey.visits.models import Visit

    moved = db.session.scalar(select(Visit).where(Visit.uuid == world["visits"][2]))
    moved.visited_on = moved.visited_on.replace(year=moved.visited_on.year - 3)
    db.session.commit()
    head = world["head"]
    figures = client.get("/api/v1/offices/tr-istanbul-cg/scores", headers=head.headers).json
    assert figures["n"] == 2
    assert figures["score"] is None and figures["score_ci"] is None and figures["critical"] is None
    assert all(s["score"] is None for s in figures["sections"].values())
    assert all(i["rate"] is None and i["fail"] is None for i in figures["items"].values())
    ranked = client.get("/api/v1/scores", headers=head.headers).json
    assert [r["score"] for r in ranked] == [None]
    browser = app.test_client()
    sign_in(browser, head.email)
    home = browser.get("/")
    assert home.status_code == 200
    # The page says why there is no score rather than showing one.
    assert "3" in home.text


def test_evidence_json_for_volunteers_holds_no_metadata(client, world):
    vol = world["vol"]
    body = visit_body()
    post_visit(client, vol, body)
    made = client.post(
        f"/api/v1/visits/{body['uuid']}/evidence",
        data={"file": (io.BytesIO(makers.heic_with_secrets()), "IMG_0002.HEIC"), "item": "ramp"},
        headers=vol.headers,
        content_type="multipart/form-data",
    )
    assert made.status_code == 201
    assert set(made.json) == {"uuid", "kind", "item", "files"}
    assert set(made.json["files"]) == {"display", "thumb"}
    seen = client.get(f"/api/v1/visits/{body['uuid']}", headers=vol.headers).json
    assert [set(e) for e in seen["evidence"]] == [{"uuid", "kind", "item", "files"}]
    # Auditors and the project group keep the whole entry.
    aud = world["aud"]
    full = client.get(f"/api/v1/visits/{world['visits'][0]}", headers=aud.headers).json
    assert {"sha256", "size", "content_type", "captured_at", "flags"} <= set(full["evidence"][0])


def test_evidence_files_say_nothing_about_when(client, world):
    """No Last-Modified, no ETag from the upload instant, never kept in a cache; Range works."""
    for who, uuid in (("head", world["shown"][0]), ("aud", world["hidden"][0])):
        account = world[who]
        for variant in ("display", "thumb"):
            resp = client.get(f"/evidence/{uuid}/{variant}", headers=account.headers)
            assert resp.status_code == 200
            assert "Last-Modified" not in resp.headers
            assert "ETag" not in resp.headers
            assert resp.headers["Cache-Control"] == "private, no-store"
            ranged = client.get(
                f"/evidence/{uuid}/{variant}", headers={**account.headers, "Range": "bytes=0-9"}
            )
            assert ranged.status_code == 206 and len(ranged.data) == 10
            assert "Last-Modified" not in ranged.headers
            # Nor can the upload instant be found by asking "modified since…?" (bisection).
            for since in ("Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 2100 00:00:00 GMT"):
                asked = client.get(
                    f"/evidence/{uuid}/{variant}",
                    headers={**account.headers, "If-Modified-Since": since},
                )
                assert asked.status_code == 200


def test_public_page_offers_quarters_and_refuses_free_dates(app, client, world):
    assert client.get("/public?from=2026-01-01&to=2026-03-31").status_code == 400
    assert client.get("/public?to=2026-03-31").status_code == 400
    assert client.get("/public?quarter=2026-Q5").status_code == 400
    this_quarter = f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}"
    assert client.get(f"/public?quarter={this_quarter}").status_code == 400  # not over yet
    page = client.get("/public", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    offered = re.findall(r'<option value="(\d{4}-Q[1-4])"', page.text)
    assert offered, page.text
    start, _end = last_complete_quarter(date.today())
    default = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    assert offered[0] == default
    assert "tr-istanbul-cg en" in page.text  # three approved visits in the default quarter
    for quarter in offered:
        shown = client.get(f"/public?quarter={quarter}", headers={"Accept-Language": "en"})
        assert shown.status_code == 200
        for row in re.findall(r"<tr><th scope=\"row\">[^<]+</th><td>(\d+)</td>", shown.text):
            assert int(row) >= 3, (quarter, row)
        assert "de-berlin-emb en" not in shown.text  # one visit: never shown

"""An office head follows every link and API answer they can reach: nothing identifies the
volunteer (name, e-mail, pseudonym, own words), and nothing of another office shows."""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin, urlsplit

from survey.auth.models import User
from survey.extensions import db
from tests.factories import PASSWORD, load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

HREF = re.compile(r'(?:href|src)="([^"#]+)"')


def test_head_cannot_reach_anything_identifying(app, client, tmp_path):
    make_office()
    make_office("de-berlin-emb", "Europe/Berlin")
    load_mini(tmp_path)
    vol = make_user("volunteer", email="aigerim.secret@example.kz")
    volunteer = db.session.get(User, vol.user_id)
    volunteer.display_name = "Айгерім Құпияқызы"
    db.session.commit()
    aud = make_user("auditor")
    head = make_user("office_head", office="tr-istanbul-cg", email="head@example.kz")
    for office in ("tr-istanbul-cg", "de-berlin-emb"):
        body = visit_body(office=office)
        body["answers"]["ramp"] = {"value": "no", "comment": "I, Aigerim, saw no ramp"}
        post_visit(client, vol, body)
        client.post(
            f"/api/v1/visits/{body['uuid']}/evidence",
            data={"file": (io.BytesIO(makers.jpeg_with_secrets()), "me.jpg"), "item": "ramp"},
            headers=vol.headers,
            content_type="multipart/form-data",
        )
        post_visit(client, vol, dict(body, submit=True))
        client.post(
            f"/api/v1/visits/{body['uuid']}/review",
            json={"decision": "approve"},
            headers=aud.headers,
        )
    secrets = [
        volunteer.display_name,
        volunteer.email,
        volunteer.pseudonym,
        "Aigerim",
        "de-berlin-emb",
        "Berlin",
        makers.SECRET,
        makers.SERIAL,
    ]

    browser = app.test_client()
    page = browser.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    browser.post("/login", data={"email": head.email, "password": PASSWORD, "csrf_token": token})
    seen: set[str] = set()
    queue = ["/", "/api/v1/findings", "/api/v1/visits", "/api/v1/scores"]
    fetched = 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        resp = browser.get(url)
        if resp.status_code != 200:
            continue
        fetched += 1
        body = resp.get_data()
        for secret in secrets:
            assert secret.encode() not in body, (url, secret)
        if resp.mimetype == "text/html":
            links = HREF.findall(resp.text)
        elif resp.mimetype == "application/json":
            text = resp.get_data(as_text=True)
            links = re.findall(r'"(/(?:api/v1|evidence)/[^"]+)"', text)
            links += [f"/api/v1/findings/{i}" for i in re.findall(r'"id": ?(\d+)', text)]
            links += [
                f"/api/v1/visits/{u}" for u in re.findall(r'"visit": ?"([0-9a-f-]{36})"', text)
            ]
        else:
            links = []
        for link in links:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.netloc or parts.path.startswith(("/logout", "/static", "/assets")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert fetched >= 8  # home, findings pages and API answers, visit, evidence files
    assert any(u.startswith("/findings/") for u in seen)
    assert any(u.startswith("/evidence/") for u in seen)

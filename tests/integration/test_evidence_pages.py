"""Evidence from the visit pages, without JavaScript: attach with the answers, remove, refuse."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from survey.evidence.models import Evidence
from survey.extensions import db
from tests.factories import csrf_of
from tests.integration.test_visit_pages import EN, _login, _start, world  # noqa: F401
from tests.media import makers


def _post_section(client, uuid, number, data):  # type: ignore[no-untyped-def]
    page = client.get(f"/visits/{uuid}/sections/{number}", headers=EN)
    body = {"csrf_token": csrf_of(page.text), "go": "next", **data}
    return client.post(
        f"/visits/{uuid}/sections/{number}",
        data=body,
        headers=EN,
        content_type="multipart/form-data",
    )


def test_attach_with_answers_then_remove(client, world):  # noqa: F811
    _login(client, world["vol"].email)
    uuid = _start(client)
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    inputs = re.findall(r'<input[^>]*type="file"[^>]*>', page)
    assert inputs and all('accept="image/*,video/*"' in i for i in inputs)
    # No `capture`: phones then offer the camera and the library, so a photo taken earlier,
    # discreetly, with the camera app can be attached (DESIGN §8, issue 15).
    assert not [i for i in inputs if re.search(r"\scapture\b", i)]
    check = client.get(f"/visits/{uuid}/check", headers=EN)
    whole = re.findall(r'<input[^>]*type="file"[^>]*>', check.text)
    assert check.status_code == 200 and whole  # the whole-visit evidence input
    assert not [i for i in whole if re.search(r"\scapture\b", i)]
    assert 'enctype="multipart/form-data"' in page
    resp = _post_section(
        client,
        uuid,
        1,
        {"ramp": "yes", "file__ramp": (io.BytesIO(makers.jpeg_with_secrets()), "ramp.jpg")},
    )
    assert resp.status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.item_code == "ramp"
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    assert f"/evidence/{evidence.uuid}/thumb" in page
    thumb = client.get(f"/evidence/{evidence.uuid}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    # "Remove" asks first (issue 15): a discreet photo often cannot be taken again.
    resp = _post_section(client, uuid, 1, {"ramp": "yes", "remove": evidence.uuid})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/sections/1?remove={evidence.uuid}")
    assert db.session.scalar(select(func.count(Evidence.id))) == 1  # not yet
    asking = client.get(resp.headers["Location"], headers=EN).text
    assert "Remove this file from the visit?" in asking and 'name="remove_confirmed"' in asking
    assert 'href="/visits/' in asking and "No, keep it" in asking
    resp = _post_section(client, uuid, 1, {"ramp": "yes", "remove_confirmed": evidence.uuid})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/sections/1")
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_enter_in_a_field_saves_and_never_removes_a_photo(app, client, world):  # noqa: F811
    """The issue 15 review: the first submit button of a section was a photo's "Remove", so
    Enter (a keypad's Go) in any field removed the photo. The form's default is now "Save and
    continue": the first submit button inside the form."""
    _login(client, world["vol"].email)
    uuid = _start(client)
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    form = page[page.index('<form method="post" class="checklist"') :]
    first = re.search(r'<button[^>]*type="submit"[^>]*>', form).group(0)
    assert "data-default" in first and "name=" not in first  # no "go": the server goes on
    photo = ("file__ramp", (io.BytesIO(makers.jpeg_with_secrets()), "ramp.jpg"))
    assert _post_section(client, uuid, 1, {"ramp": "yes", photo[0]: photo[1]}).status_code == 302
    resp = _post_section(client, uuid, 1, {"ramp": "no"})  # as Enter posts it: no button named
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/sections/2")
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


def test_refused_file_is_shown_at_its_item(app, client, world):  # noqa: F811
    _login(client, world["vol"].email)
    uuid = _start(client)
    resp = _post_section(
        client,
        uuid,
        1,
        {"ramp": "yes", "file__ramp": (io.BytesIO(b"<html>not a photo</html>"), "ramp.jpg")},
    )
    assert resp.status_code == 422
    assert 'href="#item-ramp"' in resp.text and "JPEG, PNG" in resp.text
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    media = Path(app.config["MEDIA_ROOT"])
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_whole_visit_evidence_from_the_check_page(client, world):  # noqa: F811
    _login(client, world["vol"].email)
    uuid = _start(client)
    check = client.get(f"/visits/{uuid}/check", headers=EN)
    resp = client.post(
        f"/visits/{uuid}/evidence",
        data={
            "csrf_token": csrf_of(check.text),
            "next": f"/visits/{uuid}/check",
            "file": (io.BytesIO(makers.webp()), "hall.webp"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/check")
    evidence = db.session.scalar(select(Evidence))
    assert evidence.item_code is None
    assert f"/evidence/{evidence.uuid}/thumb" in client.get(f"/visits/{uuid}/check").text
    # Without the CSRF token nothing is accepted.
    bare = client.post(
        f"/visits/{uuid}/evidence",
        data={"file": (io.BytesIO(makers.webp()), "x.webp")},
        content_type="multipart/form-data",
    )
    assert bare.status_code == 400


def test_a_refused_file_says_why_to_the_page_script(client, world):  # noqa: F811
    """The section page's script uploads with Accept: application/json: a refusal comes back
    as JSON with its reason in the user's language, never as an HTML page it cannot read."""
    _login(client, world["vol"].email)
    uuid = _start(client)
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    cases = {
        "notes.txt": (b"just some text, not a photo", 415, "not a photo or video"),
        "photo.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 64, 422, "damaged"),
        "empty.jpg": (b"", 422, ""),
    }
    for name, (content, status, words) in cases.items():
        resp = client.post(
            f"/visits/{uuid}/evidence",
            data={"csrf_token": token, "item": "ramp", "file": (io.BytesIO(content), name)},
            headers={**EN, "Accept": "application/json"},
            content_type="multipart/form-data",
        )
        if name == "empty.jpg" and resp.status_code == 201:
            continue  # an empty part is no file: nothing attached, nothing refused
        assert resp.status_code == status, (name, resp.status_code)
        assert resp.is_json and words in resp.json["error"]["message"], resp.json
    ru = client.post(
        f"/visits/{uuid}/evidence",
        data={"csrf_token": token, "item": "ramp", "file": (io.BytesIO(b"text"), "a.txt")},
        headers={"Accept-Language": "ru", "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert ru.status_code == 415 and "фото" in ru.json["error"]["message"].lower()
    # A browser's own form post still gets a page (no JavaScript): back with the reason.
    html = client.post(
        f"/visits/{uuid}/evidence",
        data={"csrf_token": token, "item": "ramp", "file": (io.BytesIO(b"text"), "a.txt")},
        headers={**EN, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        content_type="multipart/form-data",
    )
    assert html.status_code == 302


def test_a_video_thumbnail_carries_a_play_mark(client, world):  # noqa: F811
    from tests.media import makers

    _login(client, world["vol"].email)
    uuid = _start(client)
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    for name, content in (
        ("clip.mp4", makers.video_with_location("mp4")),
        ("a.jpg", makers.jpeg_with_secrets()),
    ):
        sent = client.post(
            f"/visits/{uuid}/evidence",
            data={"csrf_token": token, "item": "ramp", "file": (io.BytesIO(content), name)},
            headers={**EN, "Accept": "application/json"},
            content_type="multipart/form-data",
        )
        assert sent.status_code == 201, sent.json
    page = client.get(f"/visits/{uuid}/sections/1", headers=EN).text
    items = re.findall(r'<li( class="video")?><img[^>]*alt="([^"]+)"', page)
    assert sorted(items) == [("", "Photo 2"), (' class="video"', "Video 1")]

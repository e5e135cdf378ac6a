"""Evidence through the API: accepted types, refusals, privacy, roles, repeats, flags, tus."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from survey.evidence.models import Evidence
from survey.extensions import db
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers

# Real camera and phone files, kept in the repository (tests/samples/photos/README.md says
# where they come from), so this test runs in every clean clone.
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "photos"
LEAKS = (makers.SECRET.encode(), makers.SERIAL.encode(), b"43.2220", b"Canon EOS", b"iPhone")


@pytest.fixture
def world(app, client, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    load_mini(tmp_path)
    accounts = {
        "vol": make_user("volunteer"),
        "vol2": make_user("volunteer"),
        "aud": make_user("auditor"),
        "group": make_user("project_group"),
        "head": make_user("office_head", office="tr-istanbul-cg"),
    }
    body = visit_body()
    assert post_visit(client, accounts["vol"], body).status_code == 201
    accounts["visit"] = body
    return accounts


def _upload(client, account, visit_uuid, data, name="x.bin", **fields):  # type: ignore[no-untyped-def]
    form = {"file": (io.BytesIO(data), name), **fields}
    return client.post(
        f"/api/v1/visits/{visit_uuid}/evidence",
        data=form,
        headers={**account.headers, "Accept-Language": "en"},
        content_type="multipart/form-data",
    )


def _media_files(app) -> list[Path]:  # type: ignore[no-untyped-def]
    root = Path(app.config["MEDIA_ROOT"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _fetch(client, account, url):  # type: ignore[no-untyped-def]
    return client.get(url, headers=account.headers)


def _stored(uuid: str) -> Evidence:
    """The row behind an entry: what reviewers are shown of it (the sender sees less)."""
    row = db.session.scalar(select(Evidence).where(Evidence.uuid == uuid))
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("maker", "kind", "ctype"),
    [
        (makers.jpeg_with_secrets, "photo", "image/jpeg"),
        (makers.png_with_text, "photo", "image/png"),
        (makers.webp, "photo", "image/webp"),
        (makers.heic_with_secrets, "photo", "image/heic"),
        (lambda: makers.video_with_location("mp4"), "video", "video/mp4"),
        (lambda: makers.video_with_location("mov"), "video", "video/quicktime"),
        (lambda: makers.video_with_location("webm", "libvpx"), "video", "video/webm"),
    ],
)
def test_accepted_types_and_nothing_identifying_survives(client, world, maker, kind, ctype):
    data = maker()
    resp = _upload(
        client, world["vol"], world["visit"]["uuid"], data, name="whatever.dat", item="ramp"
    )
    assert resp.status_code == 201, resp.json
    entry = resp.json
    assert entry["kind"] == kind and entry["item"] == "ramp"
    # The sender is told no hash, size, type or capture time: a shared phone keeps JSON.
    assert set(entry) == {"uuid", "kind", "item", "files"}
    row = _stored(entry["uuid"])
    assert row.content_type == ctype and row.size == len(data)
    import hashlib

    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert set(entry["files"]) == {"display", "thumb"}  # no original for the volunteer
    for variant in ("display", "thumb"):
        got = _fetch(client, world["vol"], entry["files"][variant])
        assert got.status_code == 200
        for secret in LEAKS:
            assert secret not in got.data, (variant, secret)
        if variant == "thumb" or kind == "photo":
            image = Image.open(io.BytesIO(got.data))
            assert dict(image.getexif()) == {}
            assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info)
    if kind == "photo" and ctype in ("image/jpeg", "image/heic"):
        assert row.captured_at == "2026-03-05T10:15:00+03:00"
    if kind == "video":
        assert row.captured_at.startswith("2026-03-05T07:30:00")


def test_original_is_for_auditors_only(client, world):
    data = makers.jpeg_with_secrets()
    entry = _upload(client, world["vol"], world["visit"]["uuid"], data).json
    ev = entry["uuid"]
    original = f"/evidence/{ev}/original"
    assert _fetch(client, world["vol"], original).status_code == 403
    assert _fetch(client, world["aud"], original).status_code == 404  # a draft is the author's
    post_visit(client, world["vol"], dict(world["visit"], submit=True))
    got = _fetch(client, world["aud"], original)
    assert got.status_code == 200 and got.data == data
    assert "attachment" in got.headers["Content-Disposition"]
    seen = client.get(f"/api/v1/visits/{world['visit']['uuid']}", headers=world["aud"].headers).json
    assert "original" in seen["evidence"][0]["files"]
    assert _fetch(client, world["vol2"], f"/evidence/{ev}/display").status_code == 404
    assert client.get(f"/evidence/{ev}/display").status_code == 401
    assert (
        _fetch(client, world["head"], f"/evidence/{ev}/display").status_code == 404
    )  # not approved


def test_office_head_gets_derivatives_the_auditor_shows(client, world):
    """By default the office sees what was attached to a failed item, and nothing else;
    the auditor can change that at review and after."""
    visit = dict(world["visit"])
    visit["answers"] = dict(visit["answers"], ramp={"value": "no"})  # fails; courtesy passes
    assert post_visit(client, world["vol"], visit).status_code == 200
    failed = _upload(client, world["vol"], visit["uuid"], makers.jpeg_with_secrets(), item="ramp")
    passed = _upload(client, world["vol"], visit["uuid"], makers.webp(), item="bribe")
    whole = _upload(client, world["vol"], visit["uuid"], makers.png_with_text())
    failed, passed, whole = (r.json["uuid"] for r in (failed, passed, whole))
    assert post_visit(client, world["vol"], dict(visit, submit=True)).status_code == 200
    for ev in (failed, passed, whole):
        assert _fetch(client, world["head"], f"/evidence/{ev}/display").status_code == 404
    client.post(
        f"/api/v1/visits/{visit['uuid']}/review",
        json={"decision": "approve"},
        headers=world["aud"].headers,
    )
    head = world["head"]
    assert _fetch(client, head, f"/evidence/{failed}/display").status_code == 200
    assert _fetch(client, head, f"/evidence/{failed}/original").status_code == 403
    assert _fetch(client, head, f"/evidence/{passed}/display").status_code == 404
    assert _fetch(client, head, f"/evidence/{whole}/thumb").status_code == 404
    findings = client.get("/api/v1/findings", headers=head.headers).json
    ramp = next(f for f in findings if f["item"] == "ramp")
    assert [e["uuid"] for e in ramp["evidence"]] == [failed]
    assert set(ramp["evidence"][0]["files"]) == {"display", "thumb"}


def test_auditor_chooses_what_the_office_sees(app, client, world):
    visit = dict(world["visit"])
    visit["answers"] = dict(visit["answers"], ramp={"value": "no"})
    post_visit(client, world["vol"], visit)
    face = _upload(client, world["vol"], visit["uuid"], makers.jpeg_with_secrets(), item="ramp")
    good = _upload(client, world["vol"], visit["uuid"], makers.webp(), item="bribe")
    face, good = face.json["uuid"], good.json["uuid"]
    post_visit(client, world["vol"], dict(visit, submit=True))
    wrong = client.post(
        f"/api/v1/visits/{visit['uuid']}/review",
        json={"decision": "approve", "office_evidence": [str(uuid.uuid4())]},
        headers=world["aud"].headers,
    )
    assert wrong.status_code == 422 and "office_evidence" in wrong.json["error"]["fields"]
    assert _stored(face).office_visible is None  # nothing decided by a refused review
    done = client.post(
        f"/api/v1/visits/{visit['uuid']}/review",
        json={"decision": "approve", "office_evidence": [good]},
        headers=world["aud"].headers,
    )
    assert done.status_code == 200
    shown = {e["uuid"]: e["shown_to_office"] for e in done.json["evidence"]}
    assert shown == {face: False, good: True}
    head = world["head"]
    assert _fetch(client, head, f"/evidence/{face}/display").status_code == 404
    assert _fetch(client, head, f"/evidence/{good}/display").status_code == 200
    # After approval, from the visit page (no JavaScript): show the first one after all.
    from tests.factories import csrf_of, sign_in

    auditor = app.test_client()
    sign_in(auditor, world["aud"].email)
    page = auditor.get(f"/visits/{visit['uuid']}", headers={"Accept-Language": "en"})
    assert "What the office sees" in page.text
    saved = auditor.post(
        f"/visits/{visit['uuid']}/office-evidence",
        data={"csrf_token": csrf_of(page.text), "office_evidence": [face]},
    )
    assert saved.status_code == 302
    assert _fetch(client, head, f"/evidence/{face}/display").status_code == 200
    assert _fetch(client, head, f"/evidence/{good}/display").status_code == 404


def test_serving_headers_and_range(client, world):
    video = makers.video_with_location("mp4", frames=30)
    ev = _upload(client, world["vol"], world["visit"]["uuid"], video).json["uuid"]
    url = f"/evidence/{ev}/display"
    full = _fetch(client, world["vol"], url)
    assert full.headers["Content-Type"] == "video/mp4"
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    assert full.headers["Cache-Control"].startswith("private")
    assert full.headers["Content-Disposition"].startswith("inline")
    assert full.headers.get("Accept-Ranges") == "bytes"
    part = client.get(url, headers={**world["vol"].headers, "Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    assert part.headers["Content-Range"].startswith("bytes 0-99/")


@pytest.mark.parametrize("name", ["html", "svg", "pdf", "zip", "exe"])
def test_types_we_do_not_take_are_415_and_leave_nothing(app, client, world, name):
    data, filename = makers.not_media()[name]
    resp = _upload(client, world["vol"], world["visit"]["uuid"], data, name=filename)
    assert resp.status_code == 415
    assert "JPEG" in resp.json["error"]["message"]
    assert _media_files(app) == []
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert client.get("/api/v1/offices", headers=world["vol"].headers).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (makers.truncated_jpeg(), "damaged"),
        (makers.broken_mp4(), "damaged"),
        (makers.decompression_bomb(), "megapixels"),
    ],
)
def test_broken_or_bomb_is_422_and_leaves_nothing(app, client, world, data, message):
    resp = _upload(client, world["vol"], world["visit"]["uuid"], data, name="x.jpg")
    assert resp.status_code == 422, resp.json
    assert message in resp.json["error"]["message"]
    assert _media_files(app) == []
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_over_the_limits_is_413(app, client, world):
    app.config["EVIDENCE_PHOTO_MAX"] = 20_000
    resp = _upload(
        client, world["vol"], world["visit"]["uuid"], makers.jpeg_with_secrets((1600, 1200))
    )
    assert resp.status_code == 413 and "larger than" in resp.json["error"]["message"]
    app.config["EVIDENCE_VIDEO_MAX"] = 50_000
    resp = _upload(client, world["vol"], world["visit"]["uuid"], b"\x00" * 60_000_00)
    assert resp.status_code == 413
    assert _media_files(app) == []
    assert client.get("/api/v1/offices", headers=world["vol"].headers).status_code == 200


def test_refused_messages_are_translated(client, world):
    resp = client.post(
        f"/api/v1/visits/{world['visit']['uuid']}/evidence",
        data={"file": (io.BytesIO(b"%PDF-1.4"), "a.jpg")},
        headers={**world["vol"].headers, "Accept-Language": "kk"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 415 and "JPEG" in resp.json["error"]["message"]
    assert "This file is not" not in resp.json["error"]["message"]


def test_repeats_by_uuid(client, world):
    data = makers.jpeg_with_secrets()
    ev = str(uuid.uuid4())
    first = _upload(client, world["vol"], world["visit"]["uuid"], data, uuid=ev)
    again = _upload(client, world["vol"], world["visit"]["uuid"], data, uuid=ev)
    assert first.status_code == 201 and again.status_code == 200 and again.json == first.json
    other = _upload(client, world["vol"], world["visit"]["uuid"], makers.webp(), uuid=ev)
    assert other.status_code == 409
    second_visit = visit_body()
    post_visit(client, world["vol"], second_visit)
    assert _upload(client, world["vol"], second_visit["uuid"], data, uuid=ev).status_code == 409
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


def test_evidence_ids_that_hold_a_time_are_refused(app, client, world):
    """Version 1, 6 and 7 UUIDs carry the moment (and v1/v6 the phone's MAC address); an
    office head sees evidence ids, so only random (version 4) ones are taken."""
    data = makers.webp()
    v7 = uuid.UUID(int=(uuid.uuid4().int & ~(0xF << 76)) | (7 << 76))
    for made in (uuid.uuid1(), v7):
        refused = _upload(client, world["vol"], world["visit"]["uuid"], data, uuid=str(made))
        assert refused.status_code == 422 and "uuid" in refused.json["error"]["fields"]
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert _media_files(app) == []


def test_only_own_editable_visits_take_evidence(client, world):
    data = makers.jpeg_with_secrets()
    assert _upload(client, world["vol2"], world["visit"]["uuid"], data).status_code == 404
    assert (
        _upload(client, world["vol"], world["visit"]["uuid"], data, item="ghost").status_code == 422
    )
    post_visit(client, world["vol"], dict(world["visit"], submit=True))
    assert _upload(client, world["vol"], world["visit"]["uuid"], data).status_code == 409


def test_flags_capture_far_and_reused(client, world):
    """Flags are for reviewers: an auditor sees them once the visits are sent."""
    old = makers.jpeg_with_secrets(when="2019:01:01 09:00:00")
    first = _upload(client, world["vol"], world["visit"]["uuid"], old).json
    assert "flags" not in first  # the sender is not told
    other_visit = visit_body(visited_at="2019-01-01T12:00:00+03:00")
    post_visit(client, world["vol2"], other_visit)
    _upload(client, world["vol2"], other_visit["uuid"], old)
    near = makers.resaved(old)
    third = visit_body(visited_at="2019-01-01T12:00:00+03:00")
    post_visit(client, world["vol2"], third)
    _upload(client, world["vol2"], third["uuid"], near)
    for account, body in ((world["vol"], world["visit"]), (world["vol2"], other_visit)):
        post_visit(client, account, dict(body, submit=True))
    post_visit(client, world["vol2"], dict(third, submit=True))

    def flags(body):  # type: ignore[no-untyped-def]
        seen = client.get(f"/api/v1/visits/{body['uuid']}", headers=world["aud"].headers).json
        return set(seen["evidence"][0]["flags"])

    assert flags(world["visit"]) == {"capture_far_from_visit", "reused"}
    assert flags(other_visit) == {"reused"}  # same bytes elsewhere; the date fits this visit
    assert "reused" in flags(third)  # a near-identical picture


def test_remove_while_draft(app, client, world):
    ev = _upload(client, world["vol"], world["visit"]["uuid"], makers.webp()).json["uuid"]
    resp = client.delete(
        f"/api/v1/visits/{world['visit']['uuid']}/evidence/{ev}", headers=world["vol"].headers
    )
    assert resp.status_code == 204
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert _media_files(app) == []


def test_tus_resumable_upload_then_attach(client, world):
    data = makers.video_with_location("mov", frames=20)
    h = world["vol"].headers | {"Tus-Resumable": "1.0.0"}
    options = client.options("/api/v1/uploads")
    assert (
        options.headers["Tus-Version"] == "1.0.0" and "creation" in options.headers["Tus-Extension"]
    )
    created = client.post("/api/v1/uploads", headers=h | {"Upload-Length": str(len(data))})
    assert created.status_code == 201
    location = created.headers["Location"]
    half = len(data) // 2
    patch = {"Content-Type": "application/offset+octet-stream"}
    r1 = client.patch(location, data=data[:half], headers=h | patch | {"Upload-Offset": "0"})
    assert r1.status_code == 204 and r1.headers["Upload-Offset"] == str(half)
    stale = client.patch(location, data=data[half:], headers=h | patch | {"Upload-Offset": "0"})
    assert stale.status_code == 409
    head = client.head(location, headers=h)
    assert head.headers["Upload-Offset"] == str(half)
    wrong = client.patch(
        location, data=b"x", headers=h | {"Content-Type": "text/plain", "Upload-Offset": str(half)}
    )
    assert wrong.status_code == 415
    r2 = client.patch(location, data=data[half:], headers=h | patch | {"Upload-Offset": str(half)})
    assert r2.headers["Upload-Offset"] == str(len(data))
    upload_id = location.rsplit("/", 1)[-1]
    attached = client.post(
        f"/api/v1/visits/{world['visit']['uuid']}/evidence",
        data={"upload": upload_id, "item": "ramp"},
        headers=world["vol"].headers,
    )
    assert attached.status_code == 201, attached.json
    import hashlib

    assert _stored(attached.json["uuid"]).sha256 == hashlib.sha256(data).hexdigest()
    assert client.head(location, headers=h).status_code == 404  # consumed
    stranger = client.head(location, headers=world["vol2"].headers)
    assert stranger.status_code == 404


def test_real_camera_and_phone_files(client, world):
    """Every EXIF orientation comes back upright; GPS and iPhone metadata do not survive."""
    from survey.domain.media import hamming
    from survey.evidence.images import dhash

    upright: dict[str, tuple[tuple[int, int], int]] = {}
    for shape in ("landscape", "portrait"):
        for n in range(1, 9):
            data = (SAMPLES / "orientation" / f"{shape}_{n}.jpg").read_bytes()
            entry = _upload(client, world["vol"], world["visit"]["uuid"], data).json
            shown = Image.open(
                io.BytesIO(_fetch(client, world["vol"], entry["files"]["display"]).data)
            )
            key = f"{shape}_{n}"
            upright[key] = (shown.size, dhash(shown))
        reference_size, reference_hash = upright[f"{shape}_1"]
        assert (reference_size[0] > reference_size[1]) == (shape == "landscape")
        for n in range(2, 9):
            size, phash = upright[f"{shape}_{n}"]
            assert size == reference_size, (shape, n)
            assert hamming(phash, reference_hash) <= 8, (shape, n)
    for path in [*(SAMPLES / "gps").glob("*.jpg"), *(SAMPLES / "phones").glob("*")]:
        data = path.read_bytes()
        resp = _upload(client, world["vol"], world["visit"]["uuid"], data, name=path.name)
        assert resp.status_code in (201, 422), (path.name, resp.status_code)
        if resp.status_code == 201:
            shown = _fetch(client, world["vol"], resp.json["files"]["display"]).data
            image = Image.open(io.BytesIO(shown))
            assert dict(image.getexif()) == {}, path.name
            assert max(image.size) <= 2048
    heic = db.session.scalars(select(Evidence).where(Evidence.content_type == "image/heic")).all()
    assert len(heic) == 2 and all(e.captured_at for e in heic)


def test_truncated_photo_refused_even_after_weasyprint_loaded(client, world):
    """WeasyPrint switches Pillow to accept truncated images when imported; we still refuse."""
    import weasyprint  # noqa: F401

    resp = _upload(client, world["vol"], world["visit"]["uuid"], makers.truncated_jpeg())
    assert resp.status_code == 422

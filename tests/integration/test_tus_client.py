"""The resumable upload endpoint with tuspy, the Python tus client: chunked, cut, resumed."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from survey.common.time import utcnow
from survey.evidence.models import Evidence, Upload
from survey.evidence.tus import expire_abandoned
from survey.extensions import db
from tests.factories import load_mini, make_office, make_user, post_visit, visit_body
from tests.media import makers


@pytest.fixture
def served(app):  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_tuspy_upload_cut_and_resumed(app, client, served, tmp_path):
    from tusclient import client as tus_client

    if db.engine.dialect.name != "sqlite":
        pytest.skip("one database is enough for the wire protocol")
    make_office()
    load_mini(tmp_path)
    vol = make_user("volunteer")
    body = visit_body()
    post_visit(client, vol, body)
    data = makers.video_with_location("mp4", frames=60)
    db.session.commit()  # end this thread's transaction: the server runs in another thread
    db.session.close()
    tus = tus_client.TusClient(f"{served}/api/v1/uploads", headers=vol.headers)
    first = tus.uploader(file_stream=io.BytesIO(data), chunk_size=1024)
    first.upload(stop_at=len(data) // 2)  # the connection drops half-way
    url = first.url
    upload_id = url.rsplit("/", 1)[-1]
    assert db.session.get(Upload, upload_id).offset == first.offset >= len(data) // 2
    db.session.commit()  # release SQLite's lock before the server thread needs it
    db.session.close()
    resumed = tus.uploader(file_stream=io.BytesIO(data), chunk_size=4096, url=url)
    assert resumed.get_offset() == first.offset  # the server says where to go on from
    resumed.upload()
    assert db.session.get(Upload, upload_id).offset == len(data)
    db.session.commit()
    db.session.close()
    attached = client.post(
        f"/api/v1/visits/{body['uuid']}/evidence",
        json={"upload": upload_id, "item": "ramp"},
        headers=vol.headers,
    )
    assert attached.status_code == 201, attached.json
    stored = db.session.scalar(
        select(Evidence.sha256).where(Evidence.uuid == attached.json["uuid"])
    )
    assert stored == hashlib.sha256(data).hexdigest()


def test_abandoned_uploads_expire(app, client, tmp_path):
    make_office()
    vol = make_user("volunteer")
    created = client.post("/api/v1/uploads", headers={**vol.headers, "Upload-Length": "100"})
    upload_id = created.headers["Location"].rsplit("/", 1)[-1]
    upload = db.session.get(Upload, upload_id)
    upload.created_at = utcnow() - timedelta(hours=100)
    db.session.commit()
    assert expire_abandoned() == 1
    assert db.session.scalar(select(Upload)) is None
    assert client.head(f"/api/v1/uploads/{upload_id}", headers=vol.headers).status_code == 404

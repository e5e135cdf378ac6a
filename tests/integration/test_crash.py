"""Kill the whole server with SIGKILL in the middle of a storm of submissions: after a restart
every acknowledged visit and file is there, once, and nothing is left that no row points at."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import CHECKLIST_SLUG, CHECKLIST_VERSION
from tests.e2e.test_offline import Server
from tests.factories import visit_body
from tests.media import makers

pytestmark = pytest.mark.e2e  # a real server in its own processes
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _request(
    port: int,
    method: str,
    path: str,
    token: str,
    body: bytes = b"",
    content_type: str = "application/json",
    timeout: float = 10,
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(
        method,
        path,
        body=body or None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    response = conn.getresponse()
    return response.status, response.read()


def _multipart(data: bytes, ev_uuid: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="uuid"\r\n\r\n{ev_uuid}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def test_sigkill_during_a_storm_loses_nothing_acknowledged(tmp_path):
    server = Server(tmp_path)
    # An auditor's own visits: reviewers are shown each file's SHA-256, volunteers are not.
    token = server.prepare("storm@example.kz", role="auditor")

    def start() -> subprocess.Popen[bytes]:
        return server.gunicorn()

    process = start()
    acknowledged_visits: list[str] = []
    acknowledged_files: dict[str, str] = {}
    stop = threading.Event()
    lock = threading.Lock()

    def phone(seed: int) -> None:
        while not stop.is_set():
            body = visit_body()
            body["checklist"] = {"slug": CHECKLIST_SLUG, "version": CHECKLIST_VERSION}
            body["answers"] = {}
            try:
                status, _ = _request(
                    server.port, "POST", "/api/v1/visits", token, json.dumps(body).encode()
                )
                if status == 201:
                    with lock:
                        acknowledged_visits.append(body["uuid"])
                    photo = makers.jpeg_with_secrets(colour=(seed * 20 % 255, 80, 40))
                    ev = str(uuid.uuid4())
                    payload, ctype = _multipart(photo, ev)
                    status, _ = _request(
                        server.port,
                        "POST",
                        f"/api/v1/visits/{body['uuid']}/evidence",
                        token,
                        payload,
                        ctype,
                    )
                    if status == 201:
                        with lock:
                            acknowledged_files[ev] = hashlib.sha256(photo).hexdigest()
            except OSError:
                return

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    os.killpg(process.pid, signal.SIGKILL)  # master and workers, mid-request
    process.wait()
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged_visits) > 5 and acknowledged_files

    server.cli("media", "clean")  # as ExecStartPre would, before serving again
    process = start()
    try:
        status, body = _request(server.port, "GET", "/api/v1/visits", token)
        stored = [v["uuid"] for v in json.loads(body)]
        assert len(stored) == len(set(stored))  # no duplicates
        assert set(acknowledged_visits) <= set(stored)  # nothing acknowledged was lost
        media = Path(server.env["SURVEY_MEDIA_ROOT"])
        seen_files = set()
        seen_sums = set()
        for visit_uuid in stored:
            _, body = _request(server.port, "GET", f"/api/v1/visits/{visit_uuid}", token)
            for entry in json.loads(body)["evidence"]:
                seen_files.add(entry["uuid"])
                seen_sums.add(entry["sha256"])
                if entry["uuid"] in acknowledged_files:
                    assert entry["sha256"] == acknowledged_files[entry["uuid"]]
                status, data = _request(server.port, "GET", entry["files"]["display"], token)
                assert status == 200 and data[:3] == b"\xff\xd8\xff"
        assert set(acknowledged_files) <= seen_files
        originals = [p for p in (media / "originals").rglob("*") if p.is_file()]
        # Content-addressed: one file per distinct photo, and none that no row points at.
        assert {p.stem for p in originals} == seen_sums
        assert not [p for p in (media / "tmp").iterdir() if p.is_file()]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()

"""Evidence benchmarks (results go to docs/performance.md by hand).

1. Ingesting a 12-megapixel JPEG (hash, type check, upright metadata-free display and thumb)
   against one plain full decode of the same file by Pillow, side by side.
2. Uploading a 1 GB video over HTTP to a real server process: how much its memory grows.

    .venv/bin/python bench/evidence.py [--skip-video] [--video-mb 1024]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def display_p3() -> bytes:
    """The "Display P3" colour profile of a real iPhone photo (tests/samples)."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(ROOT / "tests" / "samples" / "photos" / "phones" / "IMG_5195.HEIC") as image:
        return bytes(image.info["icc_profile"])


def make_jpeg(
    path: Path, size: tuple[int, int] = (4000, 3000), orientation: int = 6, icc: bytes = b""
) -> None:
    """A camera-like 12 MP JPEG: smooth shading with fine noise (so it does not compress away);
    with icc, tagged with that colour profile as iPhones tag theirs."""
    from PIL import Image, ImageFilter

    rng = random.Random(1)
    noise = Image.frombytes(
        "L", (size[0] // 4, size[1] // 4), rng.randbytes(size[0] * size[1] // 16)
    )
    noise = noise.resize(size).filter(ImageFilter.GaussianBlur(1))
    shade = Image.linear_gradient("L").resize(size)
    extra = {"icc_profile": icc} if icc else {}
    Image.merge("RGB", (noise, shade, noise.point(lambda v: 255 - v))).save(
        path, "JPEG", quality=92, exif=_exif(orientation), **extra
    )


def _exif(orientation: int):  # type: ignore[no-untyped-def]
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = "2026:03:05 10:15:00"
    return exif


def _photo_worker(conn, path: Path, task: str) -> None:  # type: ignore[no-untyped-def]
    """Run one task again and again on request, reporting milliseconds and page faults."""
    import resource

    from PIL import Image

    from survey.domain.media import sniff
    from survey.evidence.images import process_photo

    def plain_decode() -> None:
        with Image.open(path) as image:
            image.load()

    def ingest() -> None:
        digest = hashlib.sha256()  # as intake does while the bytes arrive
        with path.open("rb") as fh:
            head = fh.read(64)
            digest.update(head)
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
        assert sniff(head) is not None
        result = process_photo(
            path, path.parent, max_pixels=120_000_000, display_max=2048, thumb_max=320
        )
        result.display.unlink()
        result.thumb.unlink()

    run = plain_decode if task == "decode" else ingest
    while conn.recv():
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        run()
        elapsed = (time.perf_counter() - start) * 1000
        conn.send((elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults))


def bench_photo(repeat: int, orientation: int, icc: bytes = b"") -> None:
    """Decode and ingest side by side, turn about, each in its own process.

    One process would let each task inherit the memory the other just freed: a decode that
    follows a turned ingest takes thousands fewer page faults and looks 30 % faster. A server
    worker runs ingests back to back, and a plain decode runs in a process that decodes, so
    each gets its own process; the runs alternate so both see the same machine.
    """
    import multiprocessing

    tmp = Path(tempfile.mkdtemp(prefix="adaldyq-bench-"))
    path = tmp / "camera.jpg"
    make_jpeg(path, orientation=orientation, icc=icc)
    context = multiprocessing.get_context("spawn")
    workers = {}
    for task in ("decode", "ingest"):
        parent, child = context.Pipe()
        process = context.Process(target=_photo_worker, args=(child, path, task))
        process.start()
        workers[task] = (parent, process)
    results: dict[str, list[tuple[float, int]]] = {"decode": [], "ingest": []}
    try:
        for round_ in range(repeat + 2):  # the first two rounds warm each process up
            for task, (conn, _) in workers.items():
                conn.send(True)
                outcome = conn.recv()
                if round_ >= 2:
                    results[task].append(outcome)
    finally:
        for conn, process in workers.values():
            conn.send(False)
            process.join()
    decode = statistics.median(ms for ms, _ in results["decode"])
    ingest = statistics.median(ms for ms, _ in results["ingest"])
    size_mb = path.stat().st_size / 1e6
    profile = ", Display P3 profile (converted to sRGB)" if icc else ""
    print(
        f"12 MP JPEG ({size_mb:.1f} MB, EXIF orientation {orientation}{profile}), "
        f"{repeat} runs each:"
    )
    for label, task in (
        ("plain full decode (Pillow)", "decode"),
        ("ingest (hash, check, upright display + thumb, no metadata)", "ingest"),
    ):
        runs = results[task]
        print(
            f"  {label}: median {statistics.median(ms for ms, _ in runs):5.1f} ms, "
            f"{statistics.median(f for _, f in runs):6.0f} page faults"
        )
    print(f"  ratio ingest / decode: {ingest / decode:.2f}")


def make_video(path: Path, megabytes: int) -> None:
    """An MPEG-4 MOV of noisy 1080p frames at a very high bit rate: big, quick to make."""
    import av

    rng = random.Random(7)
    planes = [rng.randbytes(1920 * 1080) for _ in range(8)]
    with av.open(str(path), "w", format="mov") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        stream.bit_rate = 400_000_000
        stream.codec_context.qmin = stream.codec_context.qmax = 1
        frame = av.VideoFrame(1920, 1080, "yuv420p")
        index = 0
        while path.exists() is False or path.stat().st_size < megabytes * 1024 * 1024:
            frame.planes[0].update(planes[index % len(planes)])
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
            index += 1
        for packet in stream.encode():
            out.mux(packet)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def bench_video(megabytes: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="adaldyq-bench-video-"))
    video = tmp / "big.mov"
    start = time.perf_counter()
    make_video(video, megabytes)
    print(
        f"made a {video.stat().st_size / 2**20:.0f} MiB video "
        f"in {time.perf_counter() - start:.0f} s"
    )
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "SURVEY_MEDIA_ROOT": str(tmp / "media"),
        "SURVEY_SECRET_KEY": "bench",
        "SURVEY_VIDEO_MAX_BYTES": str(4 * 2**30),
    }
    survey = str(Path(sys.executable).with_name("survey"))
    subprocess.run([survey, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([survey, "checklists", "load"], env=env, check=True, capture_output=True)
    code = (
        "from survey import create_app\n"
        "from survey.extensions import db\n"
        "from survey.auth.services import create_user, issue_token\n"
        "from survey.offices.models import Office\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.session.add(Office(code='o', kind='embassy', country='TR', city='A', name_kk='a',"
        " name_ru='a', name_en='a', timezone='UTC', active=True))\n"
        "    u = create_user('v@bench.kz', 'bench password', 'volunteer')\n"
        "    print(issue_token(u)); db.session.commit()\n"
    )
    token = (
        subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-w",
            "1",
            "--timeout",
            "600",
            "-b",
            f"127.0.0.1:{port}",
            "survey:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        visit = (
            '{"uuid": "11111111-1111-4111-8111-111111111111", "office": "o", '
            '"checklist": {"slug": "consular-visit", "version": 1}, '
            '"visited_at": "2026-03-05T10:00:00+00:00", "answers": {}}'
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        conn.request("POST", "/api/v1/visits", body=visit, headers=headers)
        assert conn.getresponse().read() and True
        worker = int(
            subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()[0]
        )
        before = _rss_kb(worker, "VmRSS:")
        boundary = "benchboundary7d2"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.mov"\r\nContent-Type: video/quicktime\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + video.stat().st_size + len(tail)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        conn.putrequest("POST", "/api/v1/visits/11111111-1111-4111-8111-111111111111/evidence")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        start = time.perf_counter()
        conn.send(head)
        with video.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                conn.send(chunk)
        conn.send(tail)
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        peak = _rss_kb(worker, "VmHWM:")
        print(f"upload answered {response.status} in {elapsed:.0f} s ({body[:60]!r}...)")
        print(
            f"server worker memory: {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB "
            f"during; growth {(peak - before) / 1024:.0f} MiB"
        )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--video-mb", type=int, default=1024)
    args = parser.parse_args()
    bench_photo(args.repeat, orientation=1)  # held level: no turn needed
    bench_photo(args.repeat, orientation=6)  # held upright: the pixels must be turned
    bench_photo(args.repeat, orientation=1, icc=display_p3())  # an iPhone's colours
    if not args.skip_video:
        bench_video(args.video_mb)


if __name__ == "__main__":
    main()

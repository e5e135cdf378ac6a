"""`make run` stays quiet (issue 15): building the package lists no "Package would be ignored"
warning (about 500 lines that buried the demo logins), and its templates are still shipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_building_the_package_warns_of_nothing_and_ships_the_templates(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "would be ignored" not in done.stdout + done.stderr
    assert (tmp_path / "survey" / "templates" / "base.html").is_file()
    assert (tmp_path / "survey" / "visits" / "templates" / "visits" / "section.html").is_file()
    assert list((tmp_path / "survey" / "translations" / "kk").rglob("messages.po"))

"""survey/domain/ holds the rules and nothing else: no Flask, SQLAlchemy or Pillow."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "survey" / "domain"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "PIL", "pillow_heif", "werkzeug", "survey.")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: must stay inside domain/
                assert not (node.module or "").startswith("."), path
                if node.level > 1:
                    names.append("survey." + (node.module or ""))
                continue
            names.append(node.module or "")
    return names


def test_domain_imports_no_framework() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 5
    offenders = {
        f.name: name
        for f in files
        for name in _imports(f)
        if any(name == bad.rstrip("._") or name.startswith(bad) for bad in FORBIDDEN)
    }
    assert offenders == {}


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from flask import g\nimport sqlalchemy.orm\nfrom .. import extensions\n")
    assert _imports(bad) == ["flask", "sqlalchemy.orm", "survey."]

"""Adaldyq: mystery-shopper field surveys of consular offices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.cli import FlaskGroup

from . import setup
from .config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; tests pass config to override settings (flaskr's pattern)."""
    app = Flask(__name__, instance_relative_config=True, static_folder="../static")
    app.config.update(load_config(Path(app.instance_path), Path(app.root_path)))
    if config:
        app.config.update(config)
    setup.register_extensions(app)
    setup.register_models()
    setup.register_blueprints(app)
    setup.register_security(app)
    setup.register_proxy(app)
    setup.register_errors(app)
    setup.register_cli(app)
    setup.register_templates(app)
    return app


def main() -> None:
    """Console script entry point: `survey ...` (DESIGN §7), a FlaskGroup over create_app."""
    FlaskGroup(create_app=create_app, help="Adaldyq command line.").main()

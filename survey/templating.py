"""What every template may use: the locale, the language list, labels and local formats."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import format_decimal, gettext

from .assets import inline_stylesheet
from .common.l10n import (
    LANGUAGES,
    country_name,
    current_locale,
    day_label,
    finding_action_labels,
    finding_status_labels,
    localized,
    moment_label,
    month_label,
    observation_labels,
    office_kind_labels,
    one_decimal,
    quarter_label,
    role_labels,
    severity_labels,
    signed,
    status_labels,
)
from .domain import answer_kinds
from .domain.spec import Item
from .offline import offline_namespace


def answer_text(item: Item, value: Any) -> str:
    """An answer as a person reads it, in the page's language (its kind's display)."""
    return answer_kinds.answer_text(item, value, current_locale(), gettext)


@lru_cache(maxsize=256)
def _fingerprint(paths: tuple[tuple[str, float], ...]) -> str:
    digest = hashlib.sha256()
    for path, _mtime in paths:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes())
    return digest.hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A URL that changes with the file's content, so it can be cached for a year.

    JavaScript modules share one fingerprint over all of them: a module imports its neighbours
    by relative URL, so every module of a page must live under the same prefix. Otherwise a
    page holds two copies of one module (two sync queues sending the same file twice), and an
    unchanged importer keeps a stale neighbour cached for a year.
    """
    folder = Path(current_app.static_folder or "static")
    path = folder / filename
    group = sorted(path.parent.glob("*.js")) if path.suffix == ".js" else [path]
    try:
        digest = _fingerprint(tuple((str(p), p.stat().st_mtime) for p in group))
    except OSError:
        return url_for("static", filename=filename)
    return url_for("assets.asset", digest=digest, filename=filename)


def masked_email(email: str) -> str:
    """ "a…3@example.kz": enough for its owner to know it, little for anyone looking on."""
    name, _at, domain = email.partition("@")
    shown = name[0] + "…" + name[-1] if len(name) > 2 else name[:1] + "…"
    return f"{shown}@{domain}"


def list_url(**changes: Any) -> str:
    """The current list's address with some query parameters changed; None removes one
    (sort and page links keep the filters)."""
    args = request.args.to_dict(flat=True)
    for key, value in changes.items():
        args[key] = "" if value is None else str(value)
    kept: dict[str, Any] = {key: value for key, value in args.items() if value != ""}
    return url_for(request.endpoint or "home.index", **{**(request.view_args or {}), **kept})


def register(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_locale": current_locale(),
            "languages": LANGUAGES,
            "today": date.today(),
            "offline_account": offline_namespace(),
        }

    app.jinja_env.filters["localized"] = localized
    app.jinja_env.filters["one_decimal"] = one_decimal
    app.jinja_env.filters["signed"] = signed
    app.jinja_env.filters["whole"] = lambda n: format_decimal(n, format="#,##0")
    app.jinja_env.filters["date"] = day_label
    app.jinja_env.filters["month"] = month_label
    app.jinja_env.filters["masked_email"] = masked_email
    app.jinja_env.filters["isodate"] = lambda text: (
        day_label(date.fromisoformat(text)) if text else ""
    )
    app.jinja_env.filters["datetime_local"] = moment_label
    app.jinja_env.globals.update(
        answer_text=answer_text,
        asset_url=asset_url,
        inline_stylesheet=inline_stylesheet,
        list_url=list_url,
        role_label=lambda role: role_labels().get(role, role),
        status_label=lambda status: status_labels().get(status, status),
        finding_status_label=lambda s: finding_status_labels().get(s, s or ""),
        office_kind_label=lambda k: office_kind_labels().get(k, k),
        severity_label=lambda s: severity_labels().get(s, s),
        finding_action_label=lambda s: finding_action_labels().get(s, s),
        quarter_label=quarter_label,
        country_name=country_name,
        observation_label=lambda r: observation_labels().get(r, r),
    )

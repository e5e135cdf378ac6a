"""Settings read from SURVEY_* environment variables, so one build runs anywhere."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

LOCALES = ("kk", "ru", "en")
DEFAULT_LOCALE = "kk"


def _kept_key(instance_path: Path, variable: str, filename: str) -> str:
    """The key in the environment variable, else one made once and kept in the instance folder
    (mode 0600), so it survives a restart without a key in the repository.

    SURVEY_SECRET_KEY signs sessions; SURVEY_AUDIT_KEY signs the audit chain
    (survey/audit/services.py) — set that one in production from a secret kept away from the
    database and its backups, or the chain is only as safe as this folder.
    """
    env = os.environ.get(variable)
    if env:
        return env
    key_file = instance_path / filename
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(instance_path: Path, root_path: Path) -> dict[str, Any]:
    """Defaults, overridden by the environment; tests override further through create_app."""
    env = os.environ
    project_root = root_path.parent
    return {
        "SECRET_KEY": _kept_key(instance_path, "SURVEY_SECRET_KEY", "secret_key"),
        "SQLALCHEMY_DATABASE_URI": env.get(
            "SURVEY_DATABASE_URL", f"sqlite:///{instance_path / 'survey.db'}"
        ),
        "MEDIA_ROOT": env.get("SURVEY_MEDIA_ROOT", str(project_root / "media")),
        "CHECKLISTS_DIR": env.get("SURVEY_CHECKLISTS_DIR", str(project_root / "checklists")),
        "MAX_CONTENT_LENGTH": int(env.get("SURVEY_MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SURVEY_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": DEFAULT_LOCALE,
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LOGIN_ATTEMPTS_PER_WINDOW": int(env.get("SURVEY_LOGIN_ATTEMPTS", 10)),
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
        ],
        "EVIDENCE_PHOTO_MAX": int(env.get("SURVEY_PHOTO_MAX_BYTES", 25 * 1024 * 1024)),
        "EVIDENCE_VIDEO_MAX": int(env.get("SURVEY_VIDEO_MAX_BYTES", 500 * 1024 * 1024)),
        "EVIDENCE_MAX_PIXELS": int(env.get("SURVEY_PHOTO_MAX_PIXELS", 120_000_000)),
        "EVIDENCE_DISPLAY_MAX": 2048,
        "EVIDENCE_THUMB_MAX": 320,
        "STORAGE": env.get("SURVEY_STORAGE", "local"),
        "REVIEW_FAST_MINUTES": int(env.get("SURVEY_REVIEW_FAST_MINUTES", 5)),
        "SMTP_HOST": env.get("SURVEY_SMTP_HOST", ""),
        "SMTP_PORT": int(env.get("SURVEY_SMTP_PORT", 25)),
        "SMTP_USER": env.get("SURVEY_SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SURVEY_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env.get("SURVEY_SMTP_STARTTLS", "0") == "1",
        "SMTP_FROM": env.get("SURVEY_SMTP_FROM", "Adaldyq <no-reply@localhost>"),
        "PUBLIC_URL": env.get("SURVEY_PUBLIC_URL", ""),
        "UPLOAD_EXPIRY_HOURS": int(env.get("SURVEY_UPLOAD_EXPIRY_HOURS", 72)),
        "INVITE_EXPIRY_HOURS": int(env.get("SURVEY_INVITE_EXPIRY_HOURS", 72)),
        "RESET_EXPIRY_HOURS": int(env.get("SURVEY_RESET_EXPIRY_HOURS", 2)),
        # How long a browser that opened a reset link may use it (the link itself lasts longer).
        "RESET_SESSION_MINUTES": int(env.get("SURVEY_RESET_SESSION_MINUTES", 15)),
        "RESET_MAILS_PER_HOUR": int(env.get("SURVEY_RESET_MAILS_PER_HOUR", 3)),
        "RESET_REQUEST_LIMIT": env.get("SURVEY_RESET_REQUEST_LIMIT", "20 per hour"),
        "RESET_ANSWER_SECONDS": 0.3,  # the forgot form answers in this time, known address or not
        "PASSWORD_CHANGE_LIMIT": env.get("SURVEY_PASSWORD_CHANGE_LIMIT", "10 per 5 minutes"),
        "RATELIMIT_STORAGE_URI": env.get("SURVEY_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Failure throttles (survey/throttle.py, docs/decisions.md "Throttling (issue 12)"),
        # in the notation of the `limits` package, several joined by ";".
        "LOGIN_FAILURE_LIMIT": env.get("SURVEY_LOGIN_FAILURE_LIMIT", "10 per 5 minutes"),
        "ACCOUNT_FAILURE_LIMIT": env.get("SURVEY_ACCOUNT_FAILURE_LIMIT", "10 per 15 minutes"),
        "TOKEN_FAILURE_LIMIT": env.get("SURVEY_TOKEN_FAILURE_LIMIT", "20 per 5 minutes"),
        # Proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none).
        "TRUSTED_PROXIES": int(env.get("SURVEY_TRUSTED_PROXIES", 0)),
        "FINDING_DUE_DAYS": int(env.get("SURVEY_FINDING_DUE_DAYS", 30)),
        # Keys the audit chain (HMAC-SHA256); kept outside the database (issue 17).
        "AUDIT_KEY": _kept_key(instance_path, "SURVEY_AUDIT_KEY", "audit_key"),
    }

"""Email notifications, in each recipient's language; off unless SMTP is configured.

Sent after the change is committed; a mail server that fails is logged, never the user's problem.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any, Protocol

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from .config import LOCALES


class Recipient(Protocol):
    """A user, or an invitation that has no user yet."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def locale(self) -> str | None: ...


def enabled() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def send(user: Recipient, subject: str, template: str, **context: object) -> bool:
    """Render subject and body in the user's language and send; True when handed over."""
    if not enabled() or not user.email:
        return False
    cfg = current_app.config
    locale = user.locale if user.locale in LOCALES else cfg["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = EmailMessage()
        message["Subject"] = _(subject)
        message["From"] = cfg["SMTP_FROM"]
        message["To"] = user.email
        message.set_content(render_template(f"mail/{template}.txt", user=user, **context))
    try:
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("mail to user %s failed", user.id)
        return False
    return True


def link(endpoint: str, **values: Any) -> str:
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return base + url_for(endpoint, **values)

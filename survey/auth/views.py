"""Sign in and out, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..audit import services as audit
from ..config import LOCALES
from ..extensions import db, limiter
from ..security import failed, login_failure_limit
from .forms import LoginForm
from .services import authenticate

bp = Blueprint("auth", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot bounce anyone elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_failure_limit, methods=["POST"], deduct_when=failed)
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()  # a new session at every sign-in: no fixation
            session["epoch"] = user.session_epoch
            login_user(user)
            audit.record("login", user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        audit.record("login.failed", None, email=(form.email.data or "")[:254])
        db.session.commit()
        failed = True
    status = 200 if not (form.errors or failed) else 422 if form.errors else 401
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    audit.record("logout", current_user)
    current_user.session_epoch += 1  # this and every other copy of the cookie stop working
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Response:
    """Remember the chosen language in a cookie, and on the account when signed in."""
    lang = request.form.get("lang")
    target = _safe_next(request.form.get("next"))
    response = redirect(target)
    if lang in LOCALES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response

"""Sign in and out, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask_babel
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from .. import throttle
from ..audit import services as audit
from ..config import LOCALES
from ..errors import InvalidInput, NotFound, translate_fields
from ..extensions import db
from . import invitations
from .forms import AcceptInvitationForm, LoginForm
from .models import User
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
def login() -> str | Response | tuple[str, int]:
    """Sign in; failures are throttled per address and per account typed (survey/throttle.py)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        email = form.email.data or ""
        throttle.check_sign_in(email)  # 429 before the password is even looked at
        user = authenticate(email, form.password.data or "")
        if user is not None:
            throttle.forgive_account(email)
            _sign_in(user)
            audit.record("login", user)
            db.session.commit()
            response = redirect(_safe_next(request.args.get("next")))
            throttle.remember_device(response, email)
            return response
        throttle.sign_in_failed(email)
        audit.record("login.failed", None, email=email[:254])
        db.session.commit()
        failed = True
    status = 200 if not (form.errors or failed) else 422 if form.errors else 401
    return render_template("auth/login.html", form=form, failed=failed), status


def _sign_in(user: User) -> None:
    session.clear()  # a new session at every sign-in: no fixation
    session["epoch"] = user.session_epoch
    login_user(user)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    """The one-time link from an admin: choose a password, and the account exists."""
    try:
        invitation = invitations.open_invitation(token)
    except NotFound as exc:
        return _invitation_gone(exc)
    if invitation.locale in LOCALES and request.cookies.get("lang") not in LOCALES:
        # The language the admin chose for the invitation, unless the invitee has chosen one
        # with the language switch (issue 15).
        g.locale = invitation.locale
        flask_babel.refresh()
    form = AcceptInvitationForm(data={"name": invitation.display_name})
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(
                token, form.password.data or "", form.confirm.data or "", form.name.data or ""
            )
        except NotFound as exc:
            return _invitation_gone(exc)
        except InvalidInput as exc:
            errors = translate_fields(exc.fields)
        else:
            _sign_in(user)
            audit.record("login", user)
            db.session.commit()
            flash(_("Welcome. Your account is ready."), "success")
            return redirect(url_for("home.index"))
    status = 422 if (form.errors or errors) else 200
    return render_template(
        "auth/accept.html", form=form, errors=errors, invitation=invitation
    ), status


def _invitation_gone(exc: NotFound) -> tuple[str, int]:
    return render_template("link_gone.html", heading=_("Invitation"), message=exc.message), 404


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

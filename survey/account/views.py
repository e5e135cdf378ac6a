"""Forgetting, resetting and changing a password (DESIGN §9 "Accounts").

The reset link's token leaves the address bar at once (as Django does): opening
`/password/reset/<token>` keeps the token's key in the session and moves to
`/password/reset/set-password`, so the browser's history holds no working token. A form sent
straight to the link's address works too. These pages send `Referrer-Policy: no-referrer`
(survey/common/logmask.py), and their tokens are masked in every log.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from .. import notify, throttle
from ..audit import services as audit
from ..auth.models import User
from ..errors import InvalidInput, NotFound, translate_fields
from ..extensions import db, limiter
from . import services
from .forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm

bp = Blueprint("account", __name__, template_folder="templates")
MARKER = "set-password"  # stands for the token kept in the session
SESSION_KEY = "password_reset"

Page = str | Response | tuple[str, int]


def reset_request_limit() -> str:
    """Forgot-form posts allowed per address (IP) and window, e.g. "20 per hour"."""
    return str(current_app.config["RESET_REQUEST_LIMIT"])


def change_limit() -> str:
    """Refused password changes allowed per account and window, e.g. "10 per 5 minutes"."""
    return str(current_app.config["PASSWORD_CHANGE_LIMIT"])


def _per_account() -> str:
    if current_user.is_authenticated:
        return f"password-change:{current_user.get_id()}"
    return request.remote_addr or "-"


def _refused(response: Response) -> bool:
    return response.status_code == 422


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(reset_request_limit, methods=["POST"])
def forgot() -> Page:
    """The same answer, in about the same time, whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        services.request_reset(form.email.data or "")
        _not_before(started + current_app.config["RESET_ANSWER_SECONDS"])
        return render_template("account/forgot_sent.html")
    status = 422 if form.errors else 200
    return render_template("account/forgot.html", form=form, mail=notify.enabled()), status


def _not_before(moment: float) -> None:
    """Wait until moment (time.monotonic seconds), so every answer leaves at the same time."""
    left = moment - time.monotonic()
    if left > 0:
        time.sleep(left)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Page:
    """Choose a new password through a one-time link; a link that does not work is a 404."""
    if token != MARKER:
        key = services.reset_key(token)
        if request.method == "GET":
            return _keep_in_session(key)
    else:
        key = _kept_key()
    try:
        link = services.open_reset(key)
    except NotFound as exc:
        return _gone(exc)
    form = ResetPasswordForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            user = services.complete_reset(key, form.password.data or "", form.confirm.data or "")
        except NotFound as exc:
            return _gone(exc)
        except InvalidInput as exc:
            errors = translate_fields(exc.fields)
        else:
            throttle.forgive_account(user.email)  # the link proved who they are
            _sign_in(user)
            flash(_("Your new password is set. You are signed out everywhere else."), "success")
            return redirect(url_for("home.index"))
    status = 422 if (form.errors or errors) else 200
    page = render_template("account/reset.html", form=form, errors=errors, person=link.user)
    return page, status


def _keep_in_session(key: str) -> Page:
    try:
        services.open_reset(key)
    except NotFound as exc:
        return _gone(exc)
    session[SESSION_KEY] = {"key": key, "at": int(time.time())}
    return redirect(url_for("account.reset", token=MARKER))


def _kept_key() -> str:
    """The link's key this browser opened, for RESET_SESSION_MINUTES after it did.

    Not for the link's whole life: on a shared browser, the page left in the history must not
    let the next person choose the owner's password an hour later.
    """
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("at"), int):
        return ""
    window = current_app.config["RESET_SESSION_MINUTES"] * 60
    if time.time() - kept["at"] > window:
        session.pop(SESSION_KEY, None)
        return ""
    return str(kept.get("key", ""))


def _gone(exc: NotFound) -> tuple[str, int]:
    session.pop(SESSION_KEY, None)
    return render_template(
        "link_gone.html",
        heading=_("Choose a new password"),
        message=exc.message,
        retry=url_for("account.forgot"),
    ), 404


def _sign_in(user: User) -> None:
    """A fresh session for the new password (as at sign-in: no fixation), audited."""
    session.clear()
    session["epoch"] = user.session_epoch
    login_user(user)
    audit.record("login", user)
    db.session.commit()


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(change_limit, methods=["POST"], key_func=_per_account, deduct_when=_refused)
def change_password() -> Page:
    """Change one's own password: every other session ends, this one goes on."""
    form = ChangePasswordForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current.data or "",
                form.password.data or "",
                form.confirm.data or "",
            )
        except InvalidInput as exc:
            errors = translate_fields(exc.fields)
        else:
            session["epoch"] = current_user.session_epoch  # keep this session alive
            flash(_("Your password was changed. You are signed out everywhere else."), "success")
            return redirect(url_for("home.index"))
    status = 422 if (form.errors or errors) else 200
    return render_template("account/change.html", form=form, errors=errors), status

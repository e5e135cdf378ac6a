"""Admin pages: people (invitations, roles, switching off), offices and checklists.

Views parse the request, call a service and render; every page is for admins only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from .. import notify
from ..account import services as account
from ..auth import invitations
from ..auth.models import ROLES
from ..checklists.services import ChecklistProblems, list_checklists, load_upload
from ..common.filters import country_choices
from ..common.l10n import LANGUAGES, current_locale, office_kind_labels, role_labels
from ..common.time import utcnow
from ..domain.messages import N_
from ..errors import InvalidInput, ServiceError, listing_or_problems, translate_fields
from ..extensions import login_manager
from ..offices.models import OFFICE_KINDS
from ..offices.services import find_offices, get_office, import_offices, list_offices
from . import services
from .forms import InviteForm, OfficeForm, RoleForm, UploadForm

T = TypeVar("T")

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.before_request
def _admins_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "admin":
        abort(403)
    return None


def _role_choices(form: InviteForm | RoleForm) -> None:
    labels = role_labels()
    form.role.choices = [SelectChoice(r, labels[r]) for r in ROLES]
    form.office.choices = [SelectChoice("", _("No office"))] + [
        SelectChoice(o.code, o.name(current_locale())) for o in list_offices()
    ]


@bp.get("")
def index() -> Response:
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users() -> tuple[str, int]:
    """People, 50 a page: search by name, e-mail or pseudonym, filter by role and access."""
    listing, problems = listing_or_problems(lambda: services.find_users(request.args))
    labels = role_labels()
    return render_template(
        "admin/users.html",
        listing=listing,
        problems=problems,
        roles=[(r, str(labels[r])) for r in ROLES],
        filtered=any(k not in ("sort", "page") for k in request.args),
        invitations=invitations.recent_invitations(),
        now=utcnow(),
    ), (422 if problems else 200)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite() -> str | tuple[str, int]:
    form = InviteForm()
    _role_choices(form)
    form.locale.choices = [SelectChoice(code, label) for code, label in LANGUAGES]
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            invitation, token = invitations.create_invitation(
                current_user,
                email=form.email.data or "",
                role=form.role.data or "",
                name=form.name.data or "",
                office_code=form.office.data or None,
                locale=form.locale.data,
            )
        except InvalidInput as exc:
            errors = translate_fields(exc.fields)
        else:
            mailed = notify.send(
                invitation,
                N_("You are invited to Adaldyq"),
                "invitation",
                link=notify.link("auth.accept_invitation", token=token),
                expires_at=invitation.expires_at,
            )
            link = url_for("auth.accept_invitation", token=token, _external=True)
            return render_template(
                "admin/invited.html", invitation=invitation, link=link, mailed=mailed
            ), 201
    status = 422 if (form.errors or errors) else 200
    return render_template("admin/invite.html", form=form, errors=errors), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> str | Response | tuple[str, int]:
    person = _or_404(services.get_user, user_id)
    form = RoleForm(
        data={"role": person.role, "office": person.office.code if person.office else ""}
    )
    _role_choices(form)
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            services.change_role(current_user, user_id, form.role.data or "", form.office.data)
        except ServiceError as exc:
            errors = translate_fields(exc.fields) or {"role": [str(exc.message)]}
        else:
            flash(_("The account was changed."), "success")
            return redirect(url_for("admin.users"))
    status = 422 if (form.errors or errors) else 200
    return render_template("admin/user.html", person=person, form=form, errors=errors), status


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int) -> Response:
    try:
        person = services.set_active(current_user, user_id, request.form.get("active") == "1")
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "error")
    else:
        flash(
            _("%(name)s can sign in again.", name=person.display_name)
            if person.active
            else _("%(name)s can no longer sign in.", name=person.display_name),
            "success",
        )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset")
def send_reset(user_id: int) -> str | Response | tuple[str, int]:
    """A link to choose a new password: e-mailed, or shown once when it could not be."""
    try:
        issued = account.send_reset_by_admin(current_user, user_id)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    if issued.mailed:
        flash(
            _("We emailed a link to choose a new password to %(email)s.", email=issued.user.email),
            "success",
        )
        return redirect(url_for("admin.user", user_id=user_id))
    return render_template("admin/reset_link.html", issued=issued, mail=notify.enabled()), 201


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke(invitation_id: int) -> Response:
    _or_404(invitations.revoke_invitation, current_user, invitation_id)
    flash(_("The invitation was withdrawn."), "success")
    return redirect(url_for("admin.users"))


@bp.get("/offices")
def offices() -> tuple[str, int]:
    """Offices, 50 a page: search by any name or code, filter by country, kind and state."""
    return _offices_page(UploadForm(), {})


def _offices_page(form: UploadForm, problems: dict[str, list[str]]) -> tuple[str, int]:
    listing, wrong = listing_or_problems(
        lambda: find_offices(request.args, locale=current_locale())
    )
    labels = office_kind_labels()
    return render_template(
        "admin/offices.html",
        listing=listing,
        form=form,
        problems=problems,
        filter_problems=wrong,
        kinds=[(k, str(labels[k])) for k in OFFICE_KINDS],
        countries=country_choices(),
        filtered=any(k not in ("sort", "page") for k in request.args),
    ), (422 if (wrong or problems) else 200)


def _office_form(form: OfficeForm) -> None:
    labels = office_kind_labels()
    form.kind.choices = [SelectChoice(k, labels[k]) for k in OFFICE_KINDS]


@bp.route("/offices/new", methods=["GET", "POST"])
@bp.route("/offices/<code>", methods=["GET", "POST"])
def office(code: str | None = None) -> str | Response | tuple[str, int]:
    existing = get_office(code) if code else None
    if code and existing is None:
        abort(404)
    form = OfficeForm(obj=existing, data=None if existing else {"active": True, "timezone": "UTC"})
    _office_form(form)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            saved = services.save_office(current_user, form.data, code)
        except InvalidInput as exc:
            problems = translate_fields(exc.fields).get("office", [])
        else:
            flash(_("The office %(code)s was saved.", code=saved.code), "success")
            return redirect(url_for("admin.offices"))
    status = 422 if (form.errors or problems) else 200
    return render_template(
        "admin/office.html", form=form, office=existing, problems=problems
    ), status


@bp.post("/offices/import")
def import_csv() -> str | Response | tuple[str, int]:
    form = UploadForm()
    problems: dict[str, list[str]] = {}
    if form.validate_on_submit() and form.file.data:
        try:
            text = form.file.data.read().decode("utf-8")
            result = import_offices(text, actor=current_user)
        except UnicodeDecodeError:
            problems = {"file": [_("Save the file as UTF-8 text and try again.")]}
        except InvalidInput as exc:
            problems = translate_fields(exc.fields) or {"file": [str(exc.message)]}
        else:
            flash(
                _(
                    "Offices created: %(new)s, updated: %(old)s.",
                    new=result.created,
                    old=result.updated,
                ),
                "success",
            )
            return redirect(url_for("admin.offices"))
    else:
        problems = {"file": [_("Choose a CSV file.")]}
    return _offices_page(form, problems)[0], 422


@bp.route("/checklists", methods=["GET", "POST"])
def checklists() -> str | Response | tuple[str, int]:
    form = UploadForm()
    problems: list[str] = []
    checked = None
    if request.method == "POST":
        if not (form.validate_on_submit() and form.file.data):
            problems = [_("Choose a checklist file (YAML).")]
        else:
            upload = form.file.data
            dry_run = request.form.get("action") != "load"
            try:
                result = load_upload(
                    upload.filename or "checklist.yaml",
                    upload.read(),
                    dry_run=dry_run,
                    actor=current_user,
                )
            except ChecklistProblems as exc:
                problems = [p.format(_) for p in exc.problems]
            else:
                if dry_run:
                    checked = result
                else:
                    flash(_("Checklists loaded: %(n)s.", n=len(result.loaded)), "success")
                    return redirect(url_for("admin.checklists"))
    status = 422 if problems else 200
    return render_template(
        "admin/checklists.html",
        checklists=list_checklists(),
        usage=services.checklist_usage(),
        form=form,
        problems=problems,
        checked=checked,
    ), status


def _or_404(fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(*args)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        raise

"""The signed-in start page: who you are and where to go next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index() -> str:
    return render_template("home/index.html", user=current_user)

"""Who is calling: a Bearer token, or the signed-in session of the web pages (the API and
the upload endpoints share this one check)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from .. import throttle
from ..errors import ServiceError
from ..security import bearer_token
from .models import User
from .services import user_for_token

F = TypeVar("F", bound=Callable[..., Any])


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


def api_user() -> User:
    return g.api_user


def authenticated(view: F) -> F:
    """Resolve the caller (a Bearer token, else the session), or answer 401.

    Only a call without a valid caller is counted against its address, and only such a call
    is refused (429) once the address is over SURVEY_TOKEN_FAILURE_LIMIT (issue 12).
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        user = user_for_token(token) if token else None
        if user is None and token is None and current_user.is_authenticated:
            user = current_user._get_current_object()
        if user is None:
            throttle.bad_credentials()
            raise Unauthorized(_("A valid API token is needed: Authorization: Bearer <token>."))
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

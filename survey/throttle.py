"""Failure throttles that cannot be turned against other people (issue 12).

Only refusals are counted (a wrong password, a bad or missing API credential), and only a
request that would itself be counted is refused: a valid token or session always goes through.
Counts live in Flask-Limiter's storage with its strategy (RATELIMIT_STORAGE_URI,
RATELIMIT_STRATEGY), so every worker shares them when that storage is shared, and
RATELIMIT_ENABLED = False switches them off. The rules are in docs/decisions.md.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from flask import abort, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse_many
from werkzeug.wrappers import Response

from .auth.services import normalise_email
from .extensions import limiter

NAMESPACE = "adaldyq-failures"
DEVICE_COOKIE = "adq_device"
DEVICE_ACCOUNTS = 5


@dataclass(frozen=True)
class FailureThrottle:
    """Failures counted per key (an address, an account) under one scope.

    `setting` names the config key that holds the limit, read at each use, in the notation
    of the `limits` package: "10 per 5 minutes", several joined by ";".
    """

    scope: str
    setting: str

    def over(self, key: str) -> bool:
        """True when `key` has used up one of the limits: its next attempt is refused."""
        return _enabled() and any(
            not limiter.limiter.test(item, *self._identifiers(key)) for item in self._limits()
        )

    def fail(self, key: str) -> None:
        """Count one failure for `key` against every limit."""
        if _enabled():
            for item in self._limits():
                limiter.limiter.hit(item, *self._identifiers(key))

    def forgive(self, key: str) -> None:
        """Forget the failures of `key` (after a proof it is the owner, e.g. a sign-in)."""
        if _enabled():
            for item in self._limits():
                limiter.limiter.clear(item, *self._identifiers(key))

    def _limits(self) -> list[RateLimitItem]:
        return parse_many(str(current_app.config[self.setting]))

    def _identifiers(self, key: str) -> tuple[str, ...]:
        prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "")
        return (*([prefix] if prefix else []), NAMESPACE, self.scope, key)


def _enabled() -> bool:
    """RATELIMIT_ENABLED of this app (Flask-Limiter's switch; the tests turn it off)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


SIGN_IN_BY_ADDRESS = FailureThrottle("login-address", "LOGIN_FAILURE_LIMIT")
SIGN_IN_BY_ACCOUNT = FailureThrottle("login-account", "ACCOUNT_FAILURE_LIMIT")
SIGN_IN_BY_DEVICE = FailureThrottle("login-device", "ACCOUNT_FAILURE_LIMIT")
API_BY_ADDRESS = FailureThrottle("api-address", "TOKEN_FAILURE_LIMIT")


def client_address() -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For when SURVEY_TRUSTED_PROXIES > 0.

    An IPv6 address counts as its /64: one subscriber gets a whole /64 and could otherwise
    take a fresh address for every guess (RFC 6177).
    """
    address = request.remote_addr or "unknown"
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            return address
    return address


def account_key(email: str) -> str:
    """The account typed, normalised as sign-in does, whether or not it exists.

    Hashed (SHA-256, 128 bits kept) so the shared store holds no e-mail addresses and every
    key has the same length, however long the typed text.
    """
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def check_sign_in(email: str) -> None:
    """Refuse (429) a sign-in when its address or the account typed is over its limit.

    A right password is refused too while throttled (OWASP Authentication Cheat Sheet):
    otherwise the throttle would not slow guessing down at all. But the account's own limit
    does not apply on a device where that account has signed in before (OWASP's "device
    cookie"): a stranger who fails on purpose from many addresses cannot lock its owner out.
    """
    if SIGN_IN_BY_ADDRESS.over(client_address()):
        abort(429)
    device = _this_device(email)
    if device is not None:  # its own count: a stolen phone still may not guess at leisure
        if SIGN_IN_BY_DEVICE.over(device):
            abort(429)
    elif SIGN_IN_BY_ACCOUNT.over(account_key(email)):
        abort(429)


def _device_key(email: str) -> str:
    """The account as the device cookie names it: keyed by the app's secret, so the cookie of
    a shared phone does not tell which addresses signed in on it."""
    secret = str(current_app.secret_key or "").encode()
    message = f"known-device:{normalise_email(email)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def _known_accounts() -> list[str]:
    raw = request.cookies.get(DEVICE_COOKIE, "")
    try:
        keys = _device_signer().loads(raw) if raw else []
    except BadSignature:
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _this_device(email: str) -> str | None:
    """A key for (this device, this account) when the account signed in here before, else
    None; the device is told apart by its signed cookie, which no one else can make."""
    if _device_key(email) not in _known_accounts():
        return None
    raw = request.cookies.get(DEVICE_COOKIE, "")
    return hashlib.sha256(f"{raw}|{_device_key(email)}".encode()).hexdigest()[:32]


def remember_device(response: Response, email: str) -> None:
    """After a successful sign-in: this device is known for this account (a year, 5 at most)."""
    keys = [_device_key(email), *(k for k in _known_accounts() if k != _device_key(email))]
    response.set_cookie(
        DEVICE_COOKIE,
        _device_signer().dumps(keys[:DEVICE_ACCOUNTS]),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def _device_signer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key or ""), salt="known-device")


def sign_in_failed(email: str) -> None:
    """Count a wrong password against the address and the account typed (and, on a device
    the account knows, against that device)."""
    SIGN_IN_BY_ADDRESS.fail(client_address())
    SIGN_IN_BY_ACCOUNT.fail(account_key(email))
    device = _this_device(email)
    if device is not None:
        SIGN_IN_BY_DEVICE.fail(device)


def forgive_account(email: str) -> None:
    """Clear the account's failures once its owner has proved who they are.

    Called on a successful sign-in; a password reset may call it too. The address count is
    left alone, so signing in to one's own account cannot hide guessing at others.
    """
    SIGN_IN_BY_ACCOUNT.forgive(account_key(email))


def bad_credentials() -> None:
    """Count an API call without a valid token or session; 429 once the address is over."""
    address = client_address()
    if API_BY_ADDRESS.over(address):
        abort(429)
    API_BY_ADDRESS.fail(address)

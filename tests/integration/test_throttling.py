"""Throttles that cannot be turned against other people (issue 12).

Behind nginx every client reaches the app from 127.0.0.1; the app reads the client's address
from X-Forwarded-For only when SURVEY_TRUSTED_PROXIES says a proxy is there. Failed sign-ins
count per address and per account; bad API credentials count per address, and only requests
that would be counted are refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey import create_app
from survey.extensions import db, limiter
from tests.conftest import FreshGlobalsClient, _config, _empty_tables
from tests.factories import PASSWORD, Account, make_user

PROXY = "127.0.0.1"  # nginx on the same machine, as in docs/deploy.md
WRONG = "not the password"

MakeApp = Callable[..., Flask]


def _address() -> str:
    """A fresh TEST-NET-3 address (RFC 5737), so counts of other tests never mix in."""
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Any) -> Iterator[MakeApp]:
    """An app with throttling on (the suite switches it off), over empty tables."""
    if not database_url.startswith("sqlite"):
        pytest.skip("counting failures does not depend on the database")
    contexts = []

    def make(**settings: Any) -> Flask:
        app = create_app({**_config(database_url, tmp_path), "RATELIMIT_ENABLED": True, **settings})
        app.test_client_class = FreshGlobalsClient
        context = app.app_context()
        context.push()
        contexts.append(context)
        _empty_tables()
        limiter.reset()  # counts live in process memory
        return app

    yield make
    db.session.remove()
    _empty_tables()
    db.engine.dispose()
    for context in reversed(contexts):
        context.pop()


def _client(app: Flask, forwarded_for: str | None, remote: str = PROXY) -> FlaskClient:
    """A client as the app sees it through the proxy: REMOTE_ADDR is the proxy's."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    if forwarded_for is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def _sign_in(client: FlaskClient, email: str, password: str) -> int:
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=data).status_code


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_one_address_behind_the_proxy_does_not_lock_out_the_others(make_app: MakeApp) -> None:
    app = make_app(
        TRUSTED_PROXIES=1,
        LOGIN_FAILURE_LIMIT="3 per minute",
        ACCOUNT_FAILURE_LIMIT="5 per minute",
    )
    victims = [make_user("volunteer") for _ in range(3)]
    bystander = make_user("auditor")
    attacker = _client(app, _address())
    codes = [_sign_in(attacker, victims[i % 3].email, WRONG) for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    # Over its limit, the address is refused even with a right password.
    assert _sign_in(attacker, victims[0].email, PASSWORD) == 429
    attacker.set_cookie("lang", "en")
    token = _csrf(attacker, "/login")
    data = {"email": victims[0].email, "password": WRONG, "csrf_token": token}
    page = attacker.post("/login", data=data)
    assert page.status_code == 429 and "Too many attempts" in page.text
    # Everyone else comes through the same proxy, from their own address.
    assert _sign_in(_client(app, _address()), bystander.email, PASSWORD) == 302
    # An attacked account under its own limit still opens for its owner.
    assert _sign_in(_client(app, _address()), victims[0].email, PASSWORD) == 302


def test_failures_on_one_account_from_many_addresses_throttle_that_account(
    make_app: MakeApp,
) -> None:
    app = make_app(
        TRUSTED_PROXIES=1,
        LOGIN_FAILURE_LIMIT="3 per minute",
        ACCOUNT_FAILURE_LIMIT="3 per minute",
    )
    victim, other = make_user("volunteer"), make_user("volunteer")
    typed = [victim.email, victim.email.upper(), victim.email]  # one account, normalised
    assert [_sign_in(_client(app, _address()), email, WRONG) for email in typed] == [401] * 3
    # The account is over its limit: refused from any address, a right password included.
    assert _sign_in(_client(app, _address()), victim.email, WRONG) == 429
    assert _sign_in(_client(app, _address()), victim.email, PASSWORD) == 429
    # Other accounts are not affected.
    assert _sign_in(_client(app, _address()), other.email, PASSWORD) == 302


def test_an_unknown_account_is_throttled_like_a_real_one(make_app: MakeApp) -> None:
    """A probe cannot tell whether an address has an account from when 429 starts."""
    app = make_app(
        TRUSTED_PROXIES=1,
        LOGIN_FAILURE_LIMIT="10 per minute",
        ACCOUNT_FAILURE_LIMIT="2 per minute",
    )
    real = make_user("volunteer")
    for email in (real.email, "nobody-here@example.kz"):
        codes = [_sign_in(_client(app, _address()), email, WRONG) for _ in range(3)]
        assert codes == [401, 401, 429], email


def test_without_trusted_proxies_a_spoofed_forwarded_for_is_ignored(make_app: MakeApp) -> None:
    app = make_app(
        TRUSTED_PROXIES=0,
        LOGIN_FAILURE_LIMIT="3 per minute",
        ACCOUNT_FAILURE_LIMIT="100 per minute",
    )
    accounts = [make_user("volunteer") for _ in range(4)]
    remote = _address()
    codes = [
        _sign_in(_client(app, _address(), remote=remote), account.email, WRONG)
        for account in accounts
    ]
    assert codes == [401, 401, 401, 429]
    bad = [
        _client(app, _address(), remote=remote).get("/api/v1/offices", headers=_bearer("nope"))
        for _ in range(2)
    ]
    assert all(response.status_code == 401 for response in bad)  # the API counts apart
    # Without a trusted proxy, X-Forwarded-Proto does not make a request HTTPS either.
    response = _client(app, None, remote=remote).get(
        "/login", headers={"X-Forwarded-Proto": "https"}
    )
    assert "Strict-Transport-Security" not in response.headers


def test_the_trusted_proxy_says_which_requests_came_over_https(make_app: MakeApp) -> None:
    app = make_app(TRUSTED_PROXIES=1)
    response = _client(app, _address()).get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_bad_tokens_never_refuse_a_valid_token_or_session(make_app: MakeApp) -> None:
    app = make_app(TRUSTED_PROXIES=1, TOKEN_FAILURE_LIMIT="20 per 5 minutes")
    volunteer: Account = make_user("volunteer")
    address = _address()
    caller = _client(app, address)
    bad = [
        caller.get("/api/v1/offices", headers=_bearer("adq_wrong")).status_code for _ in range(30)
    ]
    assert bad[:20] == [401] * 20 and set(bad[20:]) == {429}
    # The same address with a valid token, or a signed-in session, is served.
    assert caller.get("/api/v1/offices", headers=_bearer(volunteer.token)).status_code == 200
    phone = _client(app, address)
    assert _sign_in(phone, volunteer.email, PASSWORD) == 302
    assert phone.get("/api/v1/offices").status_code == 200
    assert phone.get("/api/v1/visits").status_code == 200
    # The evidence files use the same check: a miss is 404, not 429, for a valid caller.
    missing = f"/evidence/{uuid.uuid4()}/thumb"
    assert phone.get(missing).status_code == 404
    assert caller.get(missing, headers=_bearer(volunteer.token)).status_code == 404
    # Bad credentials from that address keep getting 429, with or without a token,
    # on the API and on the evidence files alike; the message is the translated one.
    refused = caller.get("/api/v1/offices", headers=_bearer("adq_wrong"))
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert refused.json["error"]["message"]
    assert _client(app, address).get("/api/v1/visits").status_code == 429
    assert caller.get(missing, headers=_bearer("adq_wrong")).status_code == 429
    # Another address is not affected by this one's bad tokens.
    assert _client(app, _address()).get("/api/v1/offices").status_code == 401


def test_bad_tokens_on_evidence_files_are_counted_too(make_app: MakeApp) -> None:
    app = make_app(TRUSTED_PROXIES=1, TOKEN_FAILURE_LIMIT="3 per minute")
    caller = _client(app, _address())
    missing = f"/evidence/{uuid.uuid4()}/display"
    codes = [caller.get(missing, headers=_bearer("adq_wrong")).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_signing_in_clears_the_account_count_but_not_the_address_count(make_app: MakeApp) -> None:
    app = make_app(
        TRUSTED_PROXIES=1,
        LOGIN_FAILURE_LIMIT="6 per minute",
        ACCOUNT_FAILURE_LIMIT="3 per minute",
    )
    owner, other = make_user("volunteer"), make_user("volunteer")
    phone = _client(app, _address())
    assert [_sign_in(phone, owner.email, WRONG) for _ in range(2)] == [401, 401]
    assert _sign_in(phone, owner.email, PASSWORD) == 302
    assert phone.post("/logout", data={"csrf_token": _csrf(phone)}).status_code == 302
    # The account starts afresh: 3 more failures before its 429 ...
    assert [_sign_in(phone, owner.email, WRONG) for _ in range(4)] == [401, 401, 401, 429]
    # ... while the address keeps all 5 of its failures (limit 6).
    assert [_sign_in(phone, other.email, WRONG) for _ in range(2)] == [401, 429]


def _csrf(client: FlaskClient, path: str = "/visits") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def test_a_stranger_cannot_lock_an_account_out_of_the_device_it_uses(make_app: MakeApp) -> None:
    """Failing on purpose from many addresses locks the account for new devices only: its owner,
    on a phone where they signed in before, still gets in with the right password."""
    app = make_app(TRUSTED_PROXIES=1, ACCOUNT_FAILURE_LIMIT="3 per minute")
    owner = make_user("auditor")
    phone = _client(app, _address())
    assert _sign_in(phone, owner.email, PASSWORD) == 302  # the owner's own phone, once
    phone.post("/logout", data={"csrf_token": _csrf(phone, "/")})
    for _ in range(4):  # a stranger, from a new address each time
        _sign_in(_client(app, _address()), owner.email, WRONG)
    assert _sign_in(_client(app, _address()), owner.email, PASSWORD) == 429  # a new device
    forged = _client(app, _address())
    forged.set_cookie("adq_device", "W10.forged-signature")
    assert _sign_in(forged, owner.email, PASSWORD) == 429  # a cookie no one signed
    assert _sign_in(phone, owner.email, PASSWORD) == 302  # the owner's phone


def test_an_ipv6_subscriber_counts_as_one_address(make_app: MakeApp) -> None:
    """One /64 is one subscriber: a new address from it for every guess changes nothing."""
    app = make_app(TRUSTED_PROXIES=1, LOGIN_FAILURE_LIMIT="3 per minute")
    prefix = f"2001:db8:{uuid.uuid4().int % 65535:x}:1"
    codes = [
        _sign_in(_client(app, f"{prefix}::{n:x}"), f"x{n}@example.kz", WRONG) for n in range(1, 6)
    ]
    assert codes[:3] == [401, 401, 401] and codes[-1] == 429
    elsewhere = f"2001:db8:{uuid.uuid4().int % 65535:x}:2::1"
    assert _sign_in(_client(app, elsewhere), "y@example.kz", WRONG) == 401

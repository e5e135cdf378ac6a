"""Sign in, sign out, CSRF, the language switch and the security headers."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_office, make_user


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def account(app):  # type: ignore[no-untyped-def]
    make_office()
    return make_user("volunteer", email="aigerim@example.kz")


def test_login_page_renders_in_each_language(client):
    for lang, title in (("kk", "Кіру"), ("ru", "Войти"), ("en", "Sign in")):
        page = client.get("/login", headers={"Accept-Language": lang})
        assert page.status_code == 200
        assert f'lang="{lang}"' in page.text
        assert title in page.text


def test_sign_in_and_out(client, account):
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={"email": "Aigerim@Example.kz", "password": PASSWORD, "csrf_token": _token(page.text)},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/")
    home = client.get("/")
    assert home.status_code == 200 and account.email.split("@")[0] in home.text
    out = client.post("/logout", data={"csrf_token": _token(home.text)})
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error(client, account):
    page = client.get("/login", headers={"Accept-Language": "en"})
    resp = client.post(
        "/login",
        data={"email": account.email, "password": "wrong one!", "csrf_token": _token(page.text)},
        headers={"Accept-Language": "en"},
    )
    assert resp.status_code == 401
    assert "The email or password is not right." in resp.text
    assert client.get("/").status_code == 302


def test_empty_form_lists_errors_at_top(client):
    page = client.get("/login", headers={"Accept-Language": "en"})
    resp = client.post(
        "/login", data={"csrf_token": _token(page.text)}, headers={"Accept-Language": "en"}
    )
    assert resp.status_code == 422
    assert 'class="error-summary"' in resp.text
    assert 'href="#email"' in resp.text and 'href="#password"' in resp.text


def test_post_without_csrf_is_400(client, account):
    resp = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert resp.status_code == 400


def test_next_only_goes_to_this_site(client, account):
    page = client.get("/login?next=https://evil.example/")
    resp = client.post(
        "/login?next=https://evil.example/",
        data={"email": account.email, "password": PASSWORD, "csrf_token": _token(page.text)},
    )
    assert resp.headers["Location"] == "/"


def test_language_switch_sets_cookie_and_wins_over_browser(client):
    page = client.get("/login", headers={"Accept-Language": "en"})
    resp = client.post(
        "/language", data={"lang": "kk", "next": "/login", "csrf_token": _token(page.text)}
    )
    assert resp.status_code == 302
    again = client.get("/login", headers={"Accept-Language": "en"})
    assert 'lang="kk"' in again.text


def test_user_choice_wins_over_cookie(client, account, app):
    from survey.auth.models import User
    from survey.extensions import db

    user = db.session.get(User, account.user_id)
    user.locale = "ru"
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": account.email, "password": PASSWORD, "csrf_token": _token(page.text)},
    )
    assert 'lang="ru"' in client.get("/").text


def test_security_headers_on_every_response(client):
    for url in ("/login", "/api/v1/openapi.json", "/nowhere"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        script = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script and "*" not in script
        assert "frame-ancestors 'none'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"]


def test_session_cookie_is_httponly_and_samesite(client, account):
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={"email": account.email, "password": PASSWORD, "csrf_token": _token(page.text)},
    )
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_errors_have_the_documented_shape(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert set(resp.json["error"]) == {"code", "message", "fields"}


def test_openapi_document_lists_the_api(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").json
    validate(doc)
    assert doc["openapi"].startswith("3.")
    for path in (
        "/offices",
        "/checklists",
        "/visits",
        "/visits/{uuid}",
        "/visits/{uuid}/review",
        "/offices/{code}/scores",
        "/scores",
        "/findings",
        "/findings/{id}",
        "/findings/{id}/response",
        "/findings/{id}/verify",
        "/visits/{uuid}/evidence",
        "/uploads",
    ):
        assert path in doc["paths"]
    assert "Visit" in doc["components"]["schemas"]


def test_a_copied_session_cookie_dies_at_sign_out(app, client, account):
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": account.email, "password": PASSWORD, "csrf_token": _token(page.text)},
    )
    stolen = client.get_cookie("session").value
    home = client.get("/")
    assert home.status_code == 200
    client.post("/logout", data={"csrf_token": _token(home.text)})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302  # back to the sign-in page

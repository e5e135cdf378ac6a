"""Passwords (issue 12): the rules, forgetting one, changing one, an admin's reset link, and no
token in any log line.

Mail goes through a real SMTP server on loopback (the `smtp_server` fixture); the log test runs
the real gunicorn with the project's gunicorn.conf.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.account import services as account
from survey.audit.models import AuditLog
from survey.auth import invitations
from survey.auth.models import PasswordReset, User
from survey.auth.passwords import password_problems
from survey.auth.services import create_user
from survey.errors import InvalidInput
from survey.extensions import db
from tests.factories import PASSWORD, csrf_of, make_office, make_user, sign_in

ROOT = Path(__file__).resolve().parents[2]
EN = {"Accept-Language": "en"}
WEAK = ("1234567890", "password123", "qwertyuiop", "aaaaaaaaaa")
GOOD = (
    "adaldyq-demo-2026",  # printed by `make run` and in the README
    PASSWORD,  # tests/factories.py
    "e2e password 123",  # tests/e2e/conftest.py, and the offline and crash tests
    "a good long one",
    "another one 123",
    "a long enough secret",
    "a long enough password",
)
TOO_EASY = "This password is too common or too easy to guess. Use a few unrelated words."
SENT = "If an account exists for this address, we have sent it a link to choose a new password."
NEW_PASSWORD = "violet tram under snow"
FAST = 0.05  # seconds the forgot form answers in, at least: short, so the tests stay quick


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def _audit_text() -> str:
    rows = db.session.scalars(select(AuditLog)).all()
    return json.dumps([r.details for r in rows], default=str)


def _post(client, url, data, page_url=None):  # type: ignore[no-untyped-def]
    """A form POST carrying the CSRF token of the page at page_url (default: url)."""
    page = client.get(page_url or url, headers=EN, follow_redirects=True)
    return client.post(url, data={"csrf_token": csrf_of(page.text), **data}, headers=EN)


def _forgot(client, email):  # type: ignore[no-untyped-def]
    return _post(client, "/password/forgot", {"email": email})


def _link_in(mail) -> str:  # type: ignore[no-untyped-def]
    body = mail.get_content()
    found = re.search(r"https://adaldyq\.example\.kz(/password/reset/[A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


@pytest.fixture
def mail(app, smtp_server):  # type: ignore[no-untyped-def]
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        PUBLIC_URL="https://adaldyq.example.kz",
        RESET_ANSWER_SECONDS=FAST,
    )
    return smtp_server


@pytest.fixture
def person(app):  # type: ignore[no-untyped-def]
    make_office()
    return make_user("volunteer", email="aigerim@example.kz")


# --- the rules ----------------------------------------------------------------------------


def test_the_password_rule_refuses_guessable_and_keeps_the_known_good(app):
    def messages(password: str, **who: str) -> list[str]:
        with force_locale("en"):
            return [str(p) for p in password_problems(password, **who)]

    for weak in (*WEAK, "aigerim@example.kz", "Aigerim Seitova"):
        assert messages(weak, email="aigerim@example.kz", name="Aigerim Seitova") == [TOO_EASY]
    for good in GOOD:
        assert messages(good, email="volunteer@demo.adaldyq.kz", name="Айгерім") == [], good
    assert messages("short one") == ["Use at least 10 characters."]
    assert messages("x" * 1001) == ["Use at most 1000 characters."]
    long_one = "violet tram under snow " * 43  # 989 characters: only the start is scored
    started = time.perf_counter()
    assert password_problems(long_one[:1000]) == []
    assert time.perf_counter() - started < 1


def test_the_rule_knows_cyrillic_keyboards_names_and_places(app, runner):
    """What people here would type: the Russian layout's "qwerty", "пароль" (gfhjkm on the
    same keys), a name or a city with a year, the programme's name; on every path the CLI
    takes as well. Real phrases in Kazakh or Russian stay fine."""
    weak = (
        "йцукенгшщз",
        "пароль12345",
        "Астана2026!",
        "Qazaqstan123",
        "Kazakhstan2026",
        "adaldyq2026",
        "Гүлнар Гүлнар",
        "Гүлнар2026!!",
    )
    for password in weak:
        assert password_problems(password, email="gulnar@example.kz", name="Гүлнар"), password
    refused = runner.invoke(
        args=["users", "create", "g@example.kz", "--role", "volunteer", "--name", "Гүлнар"],
        input="йцукенгшщз\nйцукенгшщз\n",
    )
    assert refused.exit_code != 0 and db.session.scalar(select(User.id)) is None
    for password in ("Жасыл алма терезе 19", "Қызыл жиде мен ақ бұлт", "синий трамвай под снегом"):
        assert password_problems(password, email="gulnar@example.kz", name="Гүлнар") == []


def test_create_user_and_the_cli_refuse_a_weak_password(app, runner):
    with pytest.raises(InvalidInput) as refused, force_locale("en"):
        create_user("weak@example.kz", "1234567890", "volunteer")
    with force_locale("en"):
        assert [str(m) for m in refused.value.fields["password"]] == [TOO_EASY]
    db.session.rollback()
    result = runner.invoke(
        args=["users", "create", "cli@example.kz", "--role", "auditor"],
        input="qwertyuiop\nqwertyuiop\n",
    )
    assert result.exit_code == 1 and TOO_EASY in result.output
    own = runner.invoke(
        args=["users", "create", "dana.seitova@example.kz", "--role", "auditor"],
        input="dana.seitova@example.kz\ndana.seitova@example.kz\n",
    )
    assert own.exit_code == 1 and TOO_EASY in own.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_an_invitation_refuses_a_weak_password(app, client):
    admin = db.session.get(User, make_user("admin").user_id)
    _, token = invitations.create_invitation(admin, email="new@example.kz", role="volunteer")
    page = _post(client, f"/invite/{token}", {"password": "password123", "confirm": "password123"})
    assert page.status_code == 422 and TOO_EASY in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_the_invitation_page_speaks_the_invitations_language(app, client):
    admin = db.session.get(User, make_user("admin").user_id)
    _, token = invitations.create_invitation(
        admin, email="kk@example.kz", role="volunteer", locale="kk"
    )
    page = client.get(f"/invite/{token}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and '<html lang="kk">' in page.text  # the admin's choice
    client.set_cookie("lang", "ru")  # the invitee chose Russian with the language switch
    chosen = client.get(f"/invite/{token}", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in chosen.text
    _, plain = invitations.create_invitation(admin, email="en@example.kz", role="volunteer")
    other = app.test_client()
    assert (
        '<html lang="en">' in other.get(f"/invite/{plain}", headers={"Accept-Language": "en"}).text
    )


# --- forgetting a password ----------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_mail(app, client, person, mail):
    user = db.session.get(User, person.user_id)
    user.locale = "ru"
    db.session.commit()
    phone = app.test_client()
    assert sign_in(phone, person.email).status_code == 302
    epoch = user.session_epoch

    login = client.get("/login", headers=EN)
    assert 'href="/password/forgot"' in login.text
    answer = _forgot(client, "Aigerim@Example.kz ")
    assert answer.status_code == 200 and SENT in answer.text
    message = mail.wait_for(person.email)
    assert "Здравствуйте" in message.get_content()  # the recipient's language, not the browser's
    link = _link_in(message)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordReset))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in _audit_text()

    opened = client.get(link, headers=EN)  # the token leaves the address bar at once
    assert opened.status_code == 302 and token not in opened.headers["Location"]
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    form = client.get(opened.headers["Location"], headers=EN)
    assert form.status_code == 200 and token not in form.text
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert 'class="error-summary"' not in form.text and 'for="password"' in form.text

    url = opened.headers["Location"]
    weak = _post(client, url, {"password": "1234567890", "confirm": "1234567890"})
    assert (
        weak.status_code == 422 and TOO_EASY in weak.text and 'class="error-summary"' in weak.text
    )
    differ = _post(client, url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    done = _post(client, url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/", headers=EN).status_code == 200  # signed in with the new password

    db.session.expire_all()
    assert db.session.get(User, person.user_id).session_epoch > epoch
    assert phone.get("/").status_code == 302  # every other session ended
    assert sign_in(app.test_client(), person.email).status_code == 401
    assert sign_in(app.test_client(), person.email, NEW_PASSWORD).status_code == 302

    stranger = app.test_client()
    again = stranger.get(link, headers=EN)
    assert again.status_code == 404 and "does not work any more" in again.text
    replay = _post(stranger, link, {"password": "another one 456", "confirm": "another one 456"})
    assert replay.status_code == 404
    assert sign_in(app.test_client(), person.email, NEW_PASSWORD).status_code == 302
    assert {"password.reset_requested", "password.reset"} <= set(_actions())
    assert token not in _audit_text()


def test_an_unknown_or_switched_off_address_gets_the_same_answer_and_no_mail(
    app, client, person, mail
):
    off = make_user("auditor", email="off@example.kz")
    db.session.get(User, off.user_id).active = False
    db.session.commit()
    # Every answer waits until this long after the request came: long enough here that the
    # real work (a token, a mail queued) ends before it even on a loaded CI machine. A first
    # request for another account beforehand does the one-time work (the mail's template,
    # imports) that would otherwise land on the measured one.
    app.config["RESET_ANSWER_SECONDS"] = 1.0
    warm = make_user("auditor", email="warm@example.kz")
    page = client.get("/password/forgot", headers=EN)
    client.post("/password/forgot", data={"email": warm.email, "csrf_token": csrf_of(page.text)})
    mail.wait_for(warm.email)

    timings, pages = {}, {}
    for email in ("nobody@example.kz", "off@example.kz", person.email):
        page = client.get("/password/forgot", headers=EN)
        started = time.perf_counter()
        answer = client.post(
            "/password/forgot",
            data={"email": email, "csrf_token": csrf_of(page.text)},
            headers=EN,
        )
        timings[email] = time.perf_counter() - started
        pages[email] = (answer.status_code, _without_csrf(answer.text))
    assert len(set(pages.values())) == 1 and SENT in pages[person.email][1]
    assert max(timings.values()) - min(timings.values()) < 0.1, timings
    assert min(timings.values()) >= 1.0

    mail.wait_for(person.email)
    time.sleep(0.3)
    assert [m["To"] for m in mail.messages] == [warm.email, person.email]
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 2


def test_a_new_link_replaces_the_old_and_an_expired_one_opens_nothing(app, person):
    user = db.session.get(User, person.user_id)
    _, first = account.issue_reset(user)
    _, second = account.issue_reset(user)
    stranger = app.test_client()
    gone = stranger.get(f"/password/reset/{first}", headers=EN)
    assert gone.status_code == 404 and gone.headers["Referrer-Policy"] == "no-referrer"
    assert stranger.get(f"/password/reset/{second}", headers=EN).status_code == 302

    latest = db.session.scalar(select(PasswordReset).order_by(PasswordReset.id.desc()))
    latest.expires_at -= timedelta(hours=app.config["RESET_EXPIRY_HOURS"])
    db.session.commit()
    expired = app.test_client().get(f"/password/reset/{second}", headers=EN)
    assert expired.status_code == 404
    same = [_without_csrf(p.text).replace(t, "T") for p, t in ((expired, second), (gone, first))]
    assert same[0] == same[1]
    # the page it had already opened stops working too
    assert stranger.get("/password/reset/set-password", headers=EN).status_code == 404
    assert app.test_client().get("/password/reset/set-password").status_code == 404
    assert app.test_client().get("/password/reset/not-a-token").status_code == 404


def test_a_reset_lifts_the_sign_in_lock_of_the_account(database_url, tmp_path):
    """Failed sign-ins from many addresses lock an account (survey/throttle.py); the link
    proves the owner, so the new password works at once."""
    from survey import create_app
    from survey.extensions import limiter
    from tests.conftest import FreshGlobalsClient, _config, _empty_tables

    if not database_url.startswith("sqlite"):
        pytest.skip("counting failures does not depend on the database")
    app = create_app({**_config(database_url, tmp_path), "RATELIMIT_ENABLED": True})
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        _empty_tables()
        limiter.reset()
        person = make_user("volunteer", email="locked@example.kz")

        def attempt(password: str, n: int) -> int:
            browser = app.test_client()
            browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"  # a new address each time
            return sign_in(browser, person.email, password).status_code

        statuses = [attempt("not the password", n) for n in range(1, 30)]
        assert statuses[-1] == 429 and attempt(PASSWORD, 99) == 429  # locked everywhere
        _, token = account.issue_reset(db.session.get(User, person.user_id))
        db.session.commit()
        browser = app.test_client()
        body = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        done = _post(browser, f"/password/reset/{token}", body, "/login")
        assert done.status_code == 302
        assert attempt(NEW_PASSWORD, 100) == 302
        limiter.reset()
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def test_an_opened_link_left_in_a_shared_browser_stops_working(app, person):
    """The next person on the browser finds the page in its history: after
    RESET_SESSION_MINUTES it opens nothing, though the link itself would still work."""
    user = db.session.get(User, person.user_id)
    _, token = account.issue_reset(user)
    db.session.commit()
    browser = app.test_client()
    assert browser.get(f"/password/reset/{token}").status_code == 302
    page = browser.get("/password/reset/set-password", headers=EN)
    assert page.status_code == 200
    assert "aigerim@example.kz" not in page.text and "a…m@example.kz" in page.text
    with browser.session_transaction() as kept:
        opened = kept["password_reset"]
        late = app.config["RESET_SESSION_MINUTES"] * 60 + 1
        kept["password_reset"] = {**opened, "at": opened["at"] - late}
    assert browser.get("/password/reset/set-password", headers=EN).status_code == 404
    assert app.test_client().get(f"/password/reset/{token}").status_code == 302  # still valid


def test_the_forgot_form_cannot_flood_a_mailbox(app, client, person, mail):
    limit = app.config["RESET_MAILS_PER_HOUR"]
    for _ in range(limit + 2):
        answer = _forgot(client, person.email)
        assert answer.status_code == 200 and SENT in answer.text
    deadline = time.monotonic() + 10
    while len(mail.messages) < limit and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert len(mail.messages) == limit
    assert db.session.scalar(select(func.count(PasswordReset.id))) == limit


def test_without_mail_set_up_the_forgot_page_says_to_ask_an_admin(app, client, person):
    page = client.get("/password/forgot", headers=EN)
    assert page.status_code == 200 and "ask an administrator" in page.text
    app.config["RESET_ANSWER_SECONDS"] = FAST
    answer = _forgot(client, person.email)
    assert answer.status_code == 200 and SENT in answer.text
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0  # nothing to deliver


def test_the_forgot_form_checks_its_field(client, mail):
    page = client.get("/password/forgot", headers=EN)
    empty = client.post("/password/forgot", data={"csrf_token": csrf_of(page.text)}, headers=EN)
    assert empty.status_code == 422 and 'class="error-summary"' in empty.text
    assert 'href="#email"' in empty.text


# --- changing a password ------------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions(app, client, person):
    phone = app.test_client()
    assert sign_in(phone, person.email).status_code == 302
    assert sign_in(client, person.email).status_code == 302
    home = client.get("/", headers=EN)
    assert 'href="/account/password"' in home.text

    url = "/account/password"
    page = client.get(url, headers=EN)
    assert page.status_code == 200 and 'for="current"' in page.text
    wrong = _post(
        client,
        url,
        {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "The current password is not right." in wrong.text
    weak = _post(client, url, {"current": PASSWORD, "password": WEAK[1], "confirm": WEAK[1]})
    assert weak.status_code == 422 and TOO_EASY in weak.text
    differ = _post(
        client, url, {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": "other words here"}
    )
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    assert sign_in(app.test_client(), person.email).status_code == 302  # nothing changed yet

    done = _post(
        client, url, {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert client.get("/", headers=EN).status_code == 200  # this session goes on
    assert phone.get("/", headers=EN).status_code == 302  # the others end
    assert sign_in(app.test_client(), person.email).status_code == 401
    assert sign_in(app.test_client(), person.email, NEW_PASSWORD).status_code == 302
    assert _actions().count("password.changed") == 1


def test_changing_the_password_kills_an_open_reset_link(app, client, person):
    _, token = account.issue_reset(db.session.get(User, person.user_id))
    sign_in(client, person.email)
    done = _post(
        client,
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert app.test_client().get(f"/password/reset/{token}").status_code == 404


# --- an admin's reset link ----------------------------------------------------------------


@pytest.fixture
def admin_client(app, person):  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    browser = app.test_client()
    assert sign_in(browser, admin.email).status_code == 302
    return browser


def test_an_admin_sends_a_reset_link_without_mail_set_up(app, admin_client, person):
    url = f"/admin/users/{person.user_id}/reset"
    page = admin_client.get(f"/admin/users/{person.user_id}", headers=EN)
    assert f'action="{url}"' in page.text
    made = _post(admin_client, url, {}, page_url=f"/admin/users/{person.user_id}")
    assert made.status_code == 201 and "No email was sent" in made.text
    link = re.search(r'value="https?://[^/"]+(/password/reset/[^"]+)"', made.text).group(1)
    token = link.rsplit("/", 1)[1]
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "password.reset_issued"))
    assert row.details["user"] == person.user_id and token not in _audit_text()

    browser = app.test_client()
    opened = browser.get(link, headers=EN)
    assert opened.status_code == 302
    url = opened.headers["Location"]
    done = _post(browser, url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert sign_in(app.test_client(), person.email, NEW_PASSWORD).status_code == 302


def test_an_admin_reset_link_is_mailed_when_mail_is_set_up(app, admin_client, person, mail):
    url = f"/admin/users/{person.user_id}/reset"
    made = _post(admin_client, url, {}, page_url=f"/admin/users/{person.user_id}")
    assert made.status_code == 302
    shown = admin_client.get(made.headers["Location"], headers=EN)
    assert "aigerim@example.kz" in shown.text and "/password/reset/" not in shown.text
    link = _link_in(mail.wait_for(person.email))
    assert app.test_client().get(link).status_code == 302


def test_an_admin_cannot_send_a_link_to_a_switched_off_account(app, admin_client, person):
    db.session.get(User, person.user_id).active = False
    db.session.commit()
    url = f"/admin/users/{person.user_id}/reset"
    refused = _post(admin_client, url, {}, page_url=f"/admin/users/{person.user_id}")
    assert refused.status_code == 302
    assert db.session.scalar(select(func.count(PasswordReset.id))) == 0
    page = admin_client.get(refused.headers["Location"], headers=EN)
    assert "switched off" in page.text
    assert _post(admin_client, "/admin/users/99999/reset", {}, "/admin/users").status_code == 404


def test_switching_an_account_off_ends_its_reset_links(app, admin_client, person):
    _, token = account.issue_reset(db.session.get(User, person.user_id))
    db.session.commit()
    user_page = f"/admin/users/{person.user_id}"
    url = f"{user_page}/active"
    assert _post(admin_client, url, {"active": "0"}, user_page).status_code == 302
    assert _post(admin_client, url, {"active": "1"}, user_page).status_code == 302
    assert app.test_client().get(f"/password/reset/{token}").status_code == 404


# --- CSRF on every new form ---------------------------------------------------------------


def test_every_new_form_needs_its_csrf_token(app, client, person):
    _, token = account.issue_reset(db.session.get(User, person.user_id))
    body = {"email": person.email, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/password/forgot", data=body).status_code == 400
    refused = client.post(f"/password/reset/{token}", data=body)
    assert refused.status_code == 400 and refused.headers["Referrer-Policy"] == "no-referrer"
    client.get(f"/password/reset/{token}")
    assert client.post("/password/reset/set-password", data=body).status_code == 400

    admin = make_user("admin")
    sign_in(client, admin.email)
    change = {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/password", data=change).status_code == 400
    assert client.post(f"/admin/users/{person.user_id}/reset").status_code == 400
    assert sign_in(app.test_client(), person.email).status_code == 302  # nothing changed
    assert sign_in(app.test_client(), admin.email).status_code == 302


# --- no token in any log line -------------------------------------------------------------


def test_the_app_log_masks_a_token_in_an_error(app, client, person, caplog, monkeypatch):
    _, token = account.issue_reset(db.session.get(User, person.user_id))

    def broken(key):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"could not open /password/reset/{token} nor /invite/{token}")

    monkeypatch.setattr(account, "open_reset", broken)
    with caplog.at_level("INFO"):
        failed = client.get(f"/password/reset/{token}?token={token}")
        app.logger.warning("seen /invite/%s?x=1&token=%s", token, token)
    assert failed.status_code == 500
    text = "\n".join([r.getMessage() + (r.exc_text or "") for r in caplog.records] + [caplog.text])
    assert "could not open /password/reset/" in text and "seen /invite/" in text
    assert token not in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_carries_no_token(tmp_path):
    """The real gunicorn, started from the project folder as `make run` does."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'log.db'}",
        "SURVEY_MEDIA_ROOT": str(tmp_path / "media"),
        "SURVEY_SECRET_KEY": "log-test",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "survey"), "db", "upgrade"], env=env, check=True, cwd=ROOT)
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "survey:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    invite, reset, referred, query = (secrets.token_urlsafe(32) for _ in range(4))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        requests = [
            (f"/invite/{invite}?x=1", {}),
            (
                f"/password/reset/{reset}",
                {"Referer": f"https://mail.example/invite/{referred}?token={query}&y=2"},
            ),
            (f"/login?token={query}&next=/", {"User-Agent": "phone-test/1.0"}),
        ]
        for path, headers in requests:
            try:
                urllib.request.urlopen(urllib.request.Request(base + path, headers=headers))
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
        deadline = time.monotonic() + 10
        while log.read_text().count("\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=20)
    lines = log.read_text()
    for token in (invite, reset, referred, query):
        assert token not in lines, lines
    assert '"GET /invite/***?x=1 HTTP/1.1" 404' in lines
    assert '"GET /password/reset/*** HTTP/1.1" 404' in lines
    assert "https://mail.example/invite/***?token=***&y=2" in lines
    assert "/login?token=***&next=/" in lines and "phone-test/1.0" in lines

"""The admin pages: invitations by one-time link, switching accounts off, roles, offices and
checklists. Every refusal is translated and changes nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.audit.models import AuditLog
from survey.auth.models import Invitation, User
from survey.checklists.models import Checklist
from survey.extensions import db
from survey.offices.models import Office
from tests.factories import MINI, csrf_of, load_mini, make_office, make_user, sign_in

EN = {"Accept-Language": "en"}


def _post(client, url, data, files=None):  # type: ignore[no-untyped-def]
    """A form POST with the CSRF token the page at url (or the start page) carries."""
    page = client.get(url, headers=EN)
    if page.status_code != 200:
        page = client.get("/", headers=EN, follow_redirects=True)
    body = {"csrf_token": csrf_of(page.text), **data}
    if files:
        body.update(files)
        return client.post(url, data=body, headers=EN, content_type="multipart/form-data")
    return client.post(url, data=body, headers=EN)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


@pytest.fixture
def world(app, client, tmp_path):  # type: ignore[no-untyped-def]
    make_office()
    load_mini(tmp_path)
    admin = make_user("admin")
    assert sign_in(client, admin.email).status_code == 302
    return {"admin": admin}


def _invite(client, **data):  # type: ignore[no-untyped-def]
    form = {"email": "", "name": "", "role": "volunteer", "office": "", "locale": "kk", **data}
    return _post(client, "/admin/users/invite", form)


def _link(page) -> str:  # type: ignore[no-untyped-def]
    assert page.status_code == 201, page.text[:2000]
    return re.search(r'value="https?://[^/"]+(/invite/[^"]+)"', page.text).group(1)


def test_an_invitation_link_makes_one_account_once(app, client, world):
    page = _invite(client, email="Aigerim@Example.kz", name="Айгерім")
    link = _link(page)
    assert "No email was sent" in page.text  # no SMTP here: the admin passes the link on
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "aigerim@example.kz" and invitation.token_hash not in link

    newcomer = app.test_client()
    # The page speaks the invitation's language (kk) unless the invitee picks another with the
    # language switch, as this one does (test_passwords checks the kk page).
    newcomer.set_cookie("lang", "en")
    form = newcomer.get(link, headers=EN)
    assert form.status_code == 200 and "aigerim@example.kz" in form.text
    short = _post(newcomer, link, {"name": "Айгерім", "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    differ = _post(newcomer, link, {"password": "a good long one", "confirm": "a good long two"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    assert db.session.scalar(select(func.count(User.id)).where(User.role == "volunteer")) == 0

    done = _post(
        newcomer,
        link,
        {"name": "Айгерім", "password": "a good long one", "confirm": "a good long one"},
    )
    assert done.status_code == 302
    home = newcomer.get("/", headers=EN)
    assert home.status_code == 200 and "Айгерім" in home.text  # signed in straight away
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.role == "volunteer" and user.pseudonym and user.locale == "kk"

    again = app.test_client().get(link, headers=EN)
    assert again.status_code == 404 and "does not work any more" in again.text
    replay = _post(
        app.test_client(), link, {"password": "another one 123", "confirm": "another one 123"}
    )
    assert replay.status_code == 404
    assert db.session.scalar(select(func.count(User.id))) == 2  # the admin and Aigerim
    assert {"invitation.created", "invitation.accepted", "user.created"} <= set(_actions())
    assert sign_in(app.test_client(), "aigerim@example.kz", "a good long one").status_code == 302


def test_an_expired_or_withdrawn_or_replaced_link_opens_nothing(app, client, world):
    first = _link(_invite(client, email="a@example.kz"))
    second = _link(_invite(client, email="a@example.kz"))  # a new link replaces the old
    stranger = app.test_client()
    assert stranger.get(first, headers=EN).status_code == 404
    assert stranger.get(second, headers=EN).status_code == 200

    latest = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
    latest.expires_at = latest.expires_at - timedelta(hours=73)
    db.session.commit()
    assert stranger.get(second, headers=EN).status_code == 404

    third = _link(_invite(client, email="a@example.kz"))
    newest = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
    withdrawn = _post(client, f"/admin/invitations/{newest.id}/revoke", {})
    assert withdrawn.status_code == 302
    page = stranger.get(third, headers={"Accept-Language": "kk"})
    assert page.status_code == 404 and "Жаңа сілтеме сұраңыз" in page.text
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "a@example.kz")) == 0
    assert "invitation.revoked" in _actions()


def test_bad_invitations_are_refused_and_store_nothing(client, world):
    taken = _invite(client, email=world["admin"].email)
    assert taken.status_code == 422 and "already exists" in taken.text
    headless = _invite(client, email="head@example.kz", role="office_head")
    assert headless.status_code == 422 and "An office head needs an office." in headless.text
    malformed = _invite(client, email="not an email")
    assert malformed.status_code == 422
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    head = _invite(client, email="head@example.kz", role="office_head", office="tr-istanbul-cg")
    assert head.status_code == 201


def test_the_invitation_is_emailed_in_the_chosen_language(app, client, world, smtp_server):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, PUBLIC_URL="https://a.kz")
    page = _invite(client, email="dana@example.kz", name="Дана", locale="kk")
    assert "We emailed the link" in page.text
    mail = smtp_server.wait_for("dana@example.kz")
    body = mail.get_content()
    assert "Сәлеметсіз бе, Дана." in body or "Дана" in body
    assert "https://a.kz" + _link(page) in body


def test_switching_off_ends_sessions_tokens_and_sign_in(app, client, world):
    volunteer = make_user("volunteer")
    phone = app.test_client()
    assert sign_in(phone, volunteer.email).status_code == 302
    api = app.test_client()
    assert api.get("/api/v1/visits", headers=volunteer.headers).status_code == 200

    off = _post(client, f"/admin/users/{volunteer.user_id}/active", {"active": "0"})
    assert off.status_code == 302
    assert phone.get("/", headers=EN).status_code == 302  # signed out on the phone
    assert api.get("/api/v1/visits", headers=volunteer.headers).status_code == 401
    assert sign_in(app.test_client(), volunteer.email).status_code == 401

    on = _post(client, f"/admin/users/{volunteer.user_id}/active", {"active": "1"})
    assert on.status_code == 302
    assert sign_in(app.test_client(), volunteer.email).status_code == 302
    assert api.get("/api/v1/visits", headers=volunteer.headers).status_code == 401  # stays dead
    assert [a for a in _actions() if a.startswith("user.") and a != "user.created"] == [
        "user.deactivated",
        "user.activated",
    ]


def test_an_admin_cannot_lock_themself_out(client, world):
    me = world["admin"].user_id
    _post(client, f"/admin/users/{me}/active", {"active": "0"})
    assert db.session.get(User, me).active
    page = _post(client, f"/admin/users/{me}", {"role": "volunteer", "office": ""})
    assert page.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, me).role == "admin"


def test_a_new_role_applies_at_once(app, client, world):
    volunteer = make_user("volunteer")
    phone = app.test_client()
    sign_in(phone, volunteer.email)
    url = f"/admin/users/{volunteer.user_id}"
    refused = _post(client, url, {"role": "office_head", "office": ""})
    assert refused.status_code == 422 and "An office head needs an office." in refused.text
    db.session.expire_all()
    assert db.session.get(User, volunteer.user_id).role == "volunteer"
    changed = _post(client, url, {"role": "office_head", "office": "tr-istanbul-cg"})
    assert changed.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, volunteer.user_id)
    assert user.role == "office_head" and user.office.code == "tr-istanbul-cg"
    assert phone.get("/", headers=EN).status_code == 302  # the old session ended
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.role_changed"))
    assert row.details["before"]["role"] == "volunteer"
    assert row.details["after"] == {"role": "office_head", "office": "tr-istanbul-cg"}


def test_offices_are_added_and_edited_with_checked_fields(client, world):
    bad = _post(
        client,
        "/admin/offices/new",
        {"code": "Bad Code", "kind": "embassy", "country": "D1", "timezone": "Mars/Base"},
    )
    assert bad.status_code == 422
    assert "code may hold only" in bad.text and "unknown time zone" in bad.text
    assert "two-letter ISO 3166 code" in bad.text
    assert db.session.scalar(select(func.count(Office.id))) == 1
    values = {
        "code": "de-berlin-emb",
        "kind": "embassy",
        "country": "de",
        "city": "Berlin",
        "name_kk": "Берлиндегі елшілік",
        "name_ru": "Посольство в Берлине",
        "name_en": "Embassy in Berlin",
        "timezone": "Europe/Berlin",
        "active": "y",
    }
    assert _post(client, "/admin/offices/new", values).status_code == 302
    twice = _post(client, "/admin/offices/new", values)
    assert twice.status_code == 422 and "appears twice" in twice.text
    edited = _post(
        client,
        "/admin/offices/de-berlin-emb",
        {**values, "code": "other", "city": "Bonn", "active": ""},
    )
    assert edited.status_code == 302
    office = db.session.scalar(select(Office).where(Office.code == "de-berlin-emb"))
    assert office.city == "Bonn" and office.country == "DE" and not office.active
    assert {"office.created", "office.updated"} <= set(_actions())
    assert client.get("/admin/offices/nowhere", headers=EN).status_code == 404


def test_an_office_list_is_imported_whole_or_not_at_all(client, world):
    header = "code,kind,country,city,name_kk,name_ru,name_en\n"
    broken = header + "kz-a,embassy,KZ,Астана,а,а,a\nkz-b,castle,KZ,Алматы,б,б,b\n"
    page = _post(
        client, "/admin/offices/import", {}, {"file": (io.BytesIO(broken.encode()), "offices.csv")}
    )
    assert page.status_code == 422 and "kind must be one of" in page.text
    assert db.session.scalar(select(func.count(Office.id))) == 1
    good = header + "kz-a,embassy,KZ,Астана,а,а,a\n"
    page = _post(
        client,
        "/admin/offices/import",
        {},
        {"file": (io.BytesIO(good.encode("utf-8-sig")), "offices.csv")},
    )
    assert page.status_code == 302 and "offices.imported" in _actions()
    latin1 = _post(
        client,
        "/admin/offices/import",
        {},
        {"file": (io.BytesIO("code\n\xe9".encode("latin-1")), "x.csv")},
    )
    assert latin1.status_code == 422 and "UTF-8" in latin1.text


def test_a_checklist_is_checked_then_loaded_and_never_changed(client, world):
    broken = MINI.replace("version: 1", "version: 2").replace("weight:", "wieght:", 1)
    page = _post(
        client,
        "/admin/checklists",
        {"action": "load"},
        {"file": (io.BytesIO(broken.encode()), "mini-v2.yaml")},
    )
    assert page.status_code == 422 and "mini-v2.yaml" in page.text
    assert db.session.scalar(select(func.count(Checklist.id))) == 1

    v2 = MINI.replace("version: 1", "version: 2")
    checked = _post(
        client,
        "/admin/checklists",
        {"action": "check"},
        {"file": (io.BytesIO(v2.encode()), "mini-v2.yaml")},
    )
    assert checked.status_code == 200 and "mini v2" in checked.text
    assert db.session.scalar(select(func.count(Checklist.id))) == 1  # a check stores nothing
    loaded = _post(
        client,
        "/admin/checklists",
        {"action": "load"},
        {"file": (io.BytesIO(v2.encode()), "mini-v2.yaml")},
    )
    assert loaded.status_code == 302
    assert db.session.scalar(select(func.count(Checklist.id))) == 2
    assert "checklist.loaded" in _actions()

    changed = v2.replace("Ramp", "Slope", 1)
    refused = _post(
        client,
        "/admin/checklists",
        {"action": "load"},
        {"file": (io.BytesIO(changed.encode()), "mini-v2.yaml")},
    )
    assert refused.status_code == 422 and "new version" in refused.text
    nothing = _post(client, "/admin/checklists", {"action": "load"})
    assert nothing.status_code == 422


def test_admin_pages_need_the_token_and_the_role(app, client, world):
    assert client.post("/admin/users/invite", data={"email": "x@example.kz"}).status_code == 400
    for role in ("volunteer", "auditor", "office_head", "project_group"):
        other = app.test_client()
        person = make_user(role, office="tr-istanbul-cg" if role == "office_head" else None)
        sign_in(other, person.email)
        assert other.get("/admin/users", headers=EN).status_code == 403
    assert app.test_client().get("/admin/users").status_code == 302  # to the sign-in page


def test_a_link_claimed_by_another_tab_meanwhile_makes_no_second_account(
    app, client, world, monkeypatch
):
    """The check and the claim are one conditional UPDATE, so a race cannot pass the check."""
    from survey.auth import invitations
    from survey.errors import NotFound

    token = _link(_invite(client, email="race@example.kz")).rsplit("/", 1)[-1]
    invitation = invitations.open_invitation(token)
    invitations.accept_invitation(token, "first tab password", "first tab password")
    monkeypatch.setattr(invitations, "open_invitation", lambda _token: invitation)
    with pytest.raises(NotFound):  # the second tab read the invitation before the first won
        invitations.accept_invitation(token, "second tab pass", "second tab pass")
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "race@example.kz")) == 1
    )

"""Issue 15: a help page for volunteers in three languages, linked where they start."""

from __future__ import annotations

import pytest

from tests.factories import load_mini, make_office, make_user, sign_in


@pytest.mark.parametrize(
    ("lang", "heading", "words"),
    [
        ("kk", "Еріктілерге арналған анықтама", "Қауіп сезсеңіз, кетіңіз"),
        ("ru", "Справка для волонтёров", "Если чувствуете опасность, уходите"),
        ("en", "Help for volunteers", "If you feel unsafe, leave"),
    ],
)
def test_the_help_page_in_each_language(client, lang, heading, words):
    page = client.get("/help", headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text and words in page.text
    assert page.text.count("<h2") >= 4  # look, safety, photos, what happens next


def test_a_volunteer_finds_the_help_where_they_start(app, tmp_path):
    make_office()
    load_mini(tmp_path)
    volunteer = make_user("volunteer")
    browser = app.test_client()
    sign_in(browser, volunteer.email)
    en = {"Accept-Language": "en"}
    for url in ("/", "/visits/new"):
        assert 'href="/help"' in browser.get(url, headers=en).text, url


def test_the_project_groups_home_says_what_awaits_them(app, tmp_path):
    make_office()
    group = make_user("project_group")
    browser = app.test_client()
    sign_in(browser, group.email)
    home = browser.get("/", headers={"Accept-Language": "en"}).text
    assert "Recommendations implemented:" in home  # last month's headline
    assert "Implemented findings waiting for your check: 0" in home
    assert 'href="/findings?status=implemented"' in home and 'href="/dashboard"' in home

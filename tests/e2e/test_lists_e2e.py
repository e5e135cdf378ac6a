"""Lists at a national scale on a 360 px phone, in real Chromium (issue 13).

Without JavaScript: the findings list is filtered (a GET form in a <details>), sorted (column
headers are links), paged (Previous / Next), and acted on several at once (a POST form with
its CSRF token). The same pages, opened in a context with JavaScript, pass axe.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from survey.extensions import db
from tests.e2e.conftest import PASSWORD, axe_violations, migrated_app, new_phone, serve, sign_in

pytestmark = pytest.mark.e2e
OFFICES = (
    (
        "tr-istanbul-cg",
        "TR",
        "Стамбұлдағы Бас консулдық",
        "Генконсульство в Стамбуле",
        "CG Istanbul",
    ),
    ("de-berlin-emb", "DE", "Германиядағы Елшілік", "Посольство в Германии", "Embassy in Germany"),
    ("ru-moscow-emb", "RU", "Ресейдегі Елшілік", "Посольство в России", "Embassy in Russia"),
)
STATUSES = ("open", "in_progress", "implemented", "verified")


@pytest.fixture(scope="module")
def lists_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own (the shared one holds one office): 3 offices, 120 findings."""
    app = migrated_app(tmp_path_factory.mktemp("lists"), "lists")
    with app.app_context():
        from survey.auth.services import create_user
        from survey.checklists.models import Checklist
        from survey.findings.models import Finding
        from survey.offices.models import Office
        from survey.visits.models import Visit

        checklist = db.session.query(Checklist).first()
        codes = list(checklist.spec.items)
        volunteer = create_user("walker@lists.kz", PASSWORD, "volunteer", name="Арман")
        create_user("auditor@lists.kz", PASSWORD, "auditor", name="Нұрлан")
        create_user("group@lists.kz", PASSWORD, "project_group", name="Дана")
        offices = []
        for code, country, kk, ru, en in OFFICES:
            office = Office(
                code=code,
                kind="embassy",
                country=country,
                city=code.split("-")[1].title(),
                name_kk=kk,
                name_ru=ru,
                name_en=en,
                timezone="UTC",
                active=True,
            )
            db.session.add(office)
            offices.append(office)
        db.session.flush()
        for n, office in enumerate(offices):
            visit = Visit(
                uuid=str(uuid.uuid4()),
                office_id=office.id,
                checklist_id=checklist.id,
                volunteer_id=volunteer.id,
                visited_at=datetime(2026, 1, 5 + n, 9),
                visited_on=date(2026, 1, 5 + n),
                status="approved",
            )
            db.session.add(visit)
            db.session.flush()
            for i in range(40):
                db.session.add(
                    Finding(
                        visit_id=visit.id,
                        office_id=office.id,
                        item_code=codes[i % len(codes)],
                        severity=("critical", "major", "minor")[i % 3],
                        status=STATUSES[(i + n) % 4],
                        recommendation={"en": "Fix it", "kk": "Түзету", "ru": "Исправить"},
                        due_date=date.today() + timedelta(days=i - 20),
                        created_at=datetime(2026, 1, 10 + n),
                    )
                )
        db.session.commit()
    url, server = serve(app)
    yield url
    server.shutdown()


def _rows(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("table.list tbody tr").count()


def test_filter_sort_page_and_act_without_javascript_at_360_px(browser, lists_server):
    context = new_phone(browser, locale="en-GB", javascript=False)
    page = context.new_page()
    sign_in(page, lists_server, "group@lists.kz")
    page.goto(f"{lists_server}/findings")
    assert "1–50 of 120" in page.inner_text(".pager") and _rows(page) == 50
    # The filters are folded away until asked for; a tap on the summary opens them.
    assert not page.locator("#status").is_visible()
    page.locator("details.filters summary").click()
    page.select_option("#status", "open")
    page.fill("#q", "ГЕРМАНИИ")  # the Russian name, in capitals
    page.get_by_role("button", name="Show").click()
    assert re.search(r"[?&]status=open", page.url) and "q=" in page.url
    assert _rows(page) == 10 and "1–10 of 10" in page.inner_text(".pager")
    statuses = page.locator("table.list tbody td:nth-child(4)").all_inner_texts()
    assert set(statuses) == {"Open"}
    offices = page.locator("table.list tbody td:nth-child(3)").all_inner_texts()
    assert set(offices) == {"Embassy in Germany"}
    # A column header sorts, and keeps the filters; a second tap turns the order round.
    page.get_by_role("link", name="Due date").click()
    assert "sort=-due_date" in page.url and "status=open" in page.url
    # Pages: Next and Previous, without JavaScript.
    page.goto(f"{lists_server}/findings?severity=critical&sort=-due_date")
    assert "Page 1 of 1" in page.inner_text(".pager")
    page.goto(f"{lists_server}/findings")
    page.get_by_role("link", name="Next page").click()
    assert page.url.endswith("/findings?page=2")
    assert "51–100 of 120" in page.inner_text(".pager") and "Page 2 of 3" in page.inner_text(
        ".pager"
    )
    page.get_by_role("link", name="Next page").click()
    assert "101–120 of 120" in page.inner_text(".pager") and _rows(page) == 20
    assert page.get_by_role("link", name="Next page").count() == 0
    page.get_by_role("link", name="Previous page").click()
    assert page.url.endswith("/findings?page=2")
    # Several at once: verify what can be, and hear about what cannot.
    page.goto(f"{lists_server}/findings?q=Istanbul&sort=status")
    rows = page.locator("table.list tbody tr")
    refused = rows.filter(has_text="Open").first.locator("input[name=ids]")
    refused.check()
    not_fixed = refused.get_attribute("value")
    fixed = rows.filter(has_text="Implemented").locator("input[name=ids]")
    chosen = [fixed.nth(i).get_attribute("value") for i in range(2)]
    fixed.nth(0).check()
    fixed.nth(1).check()
    page.locator("#action-verify").check()
    page.get_by_role("button", name="Apply to the chosen findings").click()
    assert "sort=status" in page.url and "q=Istanbul" in page.url  # back to the same list
    text = page.inner_text("main")
    assert f"Verified: #{chosen[0]}, #{chosen[1]}." in text
    assert f"Not done for #{not_fixed}: Only an implemented" in text
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/findings",
        "/findings?status=open&q=%D0%93%D0%95%D0%A0%D0%9C%D0%90%D0%9D%D0%98%D0%98&sort=-due_date",
        "/findings?page=2",
        "/findings?page=9",
        "/findings?status=closed",
    ],
)
def test_the_same_pages_pass_axe(browser, lists_server, path):
    for lang in ("kk", "en"):
        context = new_phone(browser, locale=lang)
        page = context.new_page()
        sign_in(page, lists_server, "group@lists.kz")
        page.goto(f"{lists_server}{path}")
        page.locator("details.filters summary").click()  # axe sees the form open too
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert axe_violations(page) == [], (lang, path)
        context.close()

"""Issue 14: charts read on a 360 px phone in real Chromium — labels at least 12 px as drawn,
bars in score order, no sideways scrolling, axe clean — on a demo programme's data."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import PASSWORD, axe_violations, migrated_app, new_phone, serve, sign_in

pytestmark = pytest.mark.e2e

# The font size of every text of an SVG as drawn at a given width: its computed size times
# the scale of its transform on screen (rotated month labels included).
MEASURE = """([svg, width]) => {
  const host = document.createElement('div');
  host.style.width = width + 'px';
  host.innerHTML = svg;
  document.body.appendChild(host);
  const el = host.querySelector('svg');
  const [,, w, h] = el.getAttribute('viewBox').split(/\\s+/).map(Number);
  el.setAttribute('width', width);
  el.setAttribute('height', width * h / w);
  return [...el.querySelectorAll('text')]
    .filter((t) => t.textContent.trim())
    .map((t) => {
      const m = t.getScreenCTM();
      const size = parseFloat(getComputedStyle(t).fontSize);
      return [t.textContent.trim(), size * Math.hypot(m.a, m.b)];
    });
}"""


@pytest.fixture(scope="module")
def programme(tmp_path_factory):  # type: ignore[no-untyped-def]
    app = migrated_app(tmp_path_factory.mktemp("charts"), "charts")
    with app.app_context():
        from survey.auth.services import create_user
        from survey.demo.services import seed_demo
        from survey.extensions import db

        seed_demo()  # 16 offices, 10 visits each over the last twelve months
        create_user("charts@e2e.kz", PASSWORD, "project_group", name="Дана")
        db.session.commit()
    url, server = serve(app)
    yield url
    server.shutdown()


def _charts(page) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """(the SVG of each chart on the page, the width it is drawn at in px)."""
    found = []
    for image in page.locator("figure.chart img").all():
        src = image.get_attribute("src")
        assert src.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
        found.append((svg, image.bounding_box()["width"]))
    return found


@pytest.mark.parametrize("locale", ["kk-KZ", "ru-RU"])
def test_charts_are_readable_on_a_phone(browser, programme, locale):
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    context = new_phone(browser, locale=locale, width=360)
    page = context.new_page()
    sign_in(page, programme, "charts@e2e.kz")
    pages = {
        f"/dashboard?from={year_ago}&to={date.today().isoformat()}": 1,
        "/offices/tr-istanbul-cg": 2,  # by month, by section
    }
    for url, count in pages.items():
        page.goto(f"{programme}{url}")
        drawn = _charts(page)
        assert len(drawn) == count, url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        assert axe_violations(page) == [], url
        for svg, width in drawn:
            assert width <= 360
            sizes = page.evaluate(MEASURE, [svg, width])
            assert sizes, url
            small = [(text, round(px, 1)) for text, px in sizes if px < 12]
            assert small == [], (url, small)
        if url.startswith("/dashboard"):
            svg = drawn[0][0]
            scores = [float(t.replace(",", ".")) for t in re.findall(r">\s*(\d{1,3},\d)\s*<", svg)]
            assert len(scores) >= 10 and scores == sorted(scores, reverse=True)
    context.close()


def test_public_chart(browser, programme):
    context = new_phone(browser, locale="kk-KZ")
    page = context.new_page()
    page.goto(f"{programme}/public")
    drawn = _charts(page)
    assert len(drawn) == 1  # offices with at least three visits in the last quarter
    svg, width = drawn[0]
    assert [t for t, px in page.evaluate(MEASURE, [svg, width]) if px < 12] == []
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_public_page_with_its_chart_keeps_the_page_weight_budget(browser, programme):
    """A citizen opens /public on roaming data: the 50 KB budget of DESIGN §8 holds with its
    chart (measured from an empty cache, service workers blocked)."""
    from tests.e2e.test_visit_flow import BUDGET, _transferred

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="kk-KZ", service_workers="block"
    )
    page = context.new_page()
    sizes = _transferred(page)
    page.goto(f"{programme}/public")
    page.wait_for_load_state("networkidle")
    print(f"first load of /public with its chart: {sum(sizes)} bytes transferred")
    assert len(_charts(page)) == 1
    assert 0 < sum(sizes) < BUDGET
    context.close()

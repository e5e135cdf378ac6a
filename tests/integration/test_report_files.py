"""Issue 14: reports people read. Each export opened with a real reader (csv, openpyxl, pypdf,
Pillow) in each language: names not codes, formats, file names, no text cut, hostile names."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import update

from survey.extensions import db
from survey.offices.models import Office
from tests.factories import load_mini, make_user, post_visit, sign_in, visit_body

FORMULA = '=HYPERLINK("http://evil.example/","click")'
NAMES = {  # a formula, and Word's Shift+Enter (U+000B) inside a name
    "tr-istanbul-cg": (FORMULA, "Стамбұлдағы\x0bБас консулдығы", "Генконсульство в Стамбуле"),
    "de-berlin-emb": ("Berlin embassy", "Берлиндегі Елшілік", "Посольство в Берлине"),
}
LANGS = ("kk", "ru", "en")


def _office(code: str, country: str) -> None:
    """An office whose names are stored as given, as by an older release (saving through the
    model now cleans them: test_names_are_cleaned_when_saved)."""
    en, kk, ru = NAMES[code]
    office = Office(code=code, kind="embassy", country=country, city="x", name_kk="-")
    office.name_ru, office.name_en, office.timezone = "-", "-", "Europe/Istanbul"
    db.session.add(office)
    db.session.commit()
    db.session.execute(
        update(Office).where(Office.code == code).values(name_kk=kk, name_ru=ru, name_en=en)
    )
    db.session.commit()


def _offices_with_an_april_visit(client, world, prefix: str, name: str, count: int) -> None:  # type: ignore[no-untyped-def]
    """count more offices (codes prefix-00…, English names from name), one approved visit
    each on 2026-04-03."""
    for n in range(count):
        code = f"{prefix}-{n:02d}"
        NAMES[code] = (name.format(n=f"{n:02d}"), f"Мекеме {n}", f"Учреждение {n}")
        _office(code, "TR")
        body = visit_body(office=code, submit=True, visited_at="2026-04-03T10:00:00+03:00")
        post_visit(client, world["vol"], body)
        client.post(
            f"/api/v1/visits/{body['uuid']}/review",
            json={"decision": "approve"},
            headers=world["aud"].headers,
        )


def _shown(code: str, lang: str) -> str:
    """The name as a reader sees it: control characters gone, one line."""
    name = dict(zip(("en", "kk", "ru"), NAMES[code], strict=True))[lang]
    return " ".join(name.replace("\x0b", " ").split())


def test_names_are_cleaned_when_saved(app):
    office = Office(
        code="x-y", kind="embassy", country="TR", city="A\x0bB", name_kk="Бас\x0bконсулдық"
    )
    office.name_ru, office.name_en = "Генконсульство\r\nв X", "Consulate\x00 General"
    db.session.add(office)
    db.session.commit()
    assert (office.name_kk, office.name_ru, office.name_en, office.city) == (
        "Бас консулдық",
        "Генконсульство в X",
        "Consulate General",
        "A B",
    )


@pytest.fixture
def world(app, client, tmp_path):  # type: ignore[no-untyped-def]
    _office("tr-istanbul-cg", "TR")
    _office("de-berlin-emb", "DE")
    load_mini(tmp_path)
    people = {
        "vol": make_user("volunteer"),
        "aud": make_user("auditor"),
        "group": make_user("project_group"),
    }
    visits = [  # Istanbul: three in March, one in April; Berlin one in April
        ("tr-istanbul-cg", "2026-03-05T10:30:00+03:00", "no", 5),
        ("tr-istanbul-cg", "2026-03-12T11:00:00+03:00", "yes", 2),
        ("tr-istanbul-cg", "2026-03-19T09:15:00+03:00", "no", 4),
        ("tr-istanbul-cg", "2026-04-02T09:15:00+03:00", "yes", 5),
        ("de-berlin-emb", "2026-04-07T14:45:00+02:00", "yes", 3),
    ]
    for office, when, ramp, courtesy in visits:
        body = visit_body(office=office, submit=True, visited_at=when)
        body["answers"]["ramp"] = {"value": ramp}
        body["answers"]["courtesy"] = {"value": courtesy}
        assert post_visit(client, people["vol"], body).status_code in (200, 201)
        review = client.post(
            f"/api/v1/visits/{body['uuid']}/review",
            json={"decision": "approve"},
            headers=people["aud"].headers,
        )
        assert review.status_code == 200
    return people


def _get(client, world, path):  # type: ignore[no-untyped-def]
    resp = client.get(path, headers=world["group"].headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    resp.get_data()  # read it whole, then let go of the file behind it
    resp.close()
    return resp


def _filename(resp) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'filename="?([^";]+)', resp.headers["Content-Disposition"]).group(1)


# --- CSV for machines --------------------------------------------------------------------


def test_csv_columns_are_stable_codes_the_same_in_every_language(client, world):
    bodies = {}
    for lang in LANGS:
        resp = _get(client, world, f"/api/v1/exports/visits.csv?period=2026&lang={lang}")
        assert _filename(resp) == f"adaldyq-visits-2026-{lang}.csv"
        bodies[lang] = resp.data
    assert bodies["kk"] == bodies["ru"] == bodies["en"]  # nothing in it depends on language
    text = bodies["en"].decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "visit",
        "office",
        "country",
        "checklist",
        "version",
        "visited_at",
        "date",
        "score",
        "critical",
    ]
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(records) == 5
    first = records[0]
    assert first["office"] == "tr-istanbul-cg" and first["country"] == "TR"
    assert first["visited_at"] == "2026-03-05T10:30:00+03:00" and first["date"] == "2026-03-05"
    assert re.fullmatch(r"\d{1,3}\.\d{2}", first["score"])  # dot decimal, two places
    assert {r["critical"] for r in records} <= {"true", "false"}
    for record in records:
        api = client.get(f"/api/v1/visits/{record['visit']}", headers=world["group"].headers)
        assert float(record["score"]) == pytest.approx(api.json["score"], abs=0.005)


def test_answers_csv_holds_codes_and_values(client, world):
    resp = _get(client, world, "/api/v1/exports/answers.csv?lang=kk")
    assert _filename(resp) == "adaldyq-answers-all-kk.csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == ["visit", "office", "section", "item", "kind", "value", "score"]
    ramp = [r for r in rows if r["item"] == "ramp"]
    assert {r["value"] for r in ramp} == {"yes", "no"} and {r["section"] for r in ramp} == {
        "access"
    }
    assert {r["kind"] for r in ramp} == {"yesno"}
    assert not [r for r in rows if r["item"] == "notes"]  # free text never leaves


# --- XLSX for people ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "sheet", "country", "section", "item"),
    [
        ("kk", "Мекемелер", "Түркия", "Қолжетімділік", "Пандус"),
        ("ru", "Учреждения", "Турция", "Доступность", "Пандус"),
        ("en", "Offices", "Türkiye", "Access", "Ramp"),
    ],
)
def test_summary_workbook_reads_as_names_in_each_language(
    client, world, lang, sheet, country, section, item
):
    resp = _get(
        client, world, f"/api/v1/exports/summary.xlsx?from=2026-03-01&to=2026-04-30&lang={lang}"
    )
    assert _filename(resp) == f"adaldyq-summary-2026-03-01_2026-04-30-{lang}.xlsx"
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames[0] == sheet
    offices = book.worksheets[0]
    assert offices.freeze_panes == "A2"
    header = [c.value for c in offices[1]]
    assert all(c.font.bold for c in offices[1])
    names = {row[1].value: row for row in offices.iter_rows(min_row=2)}  # code, second column
    istanbul = names["tr-istanbul-cg"]
    expected = _shown("tr-istanbul-cg", lang)
    assert istanbul[0].value == expected  # no control character
    assert istanbul[0].data_type == "s"  # a formula-like name stays text, no apostrophe
    assert istanbul[2].value == country
    score = istanbul[header.index(header[4])]
    assert score.number_format == "0.0" and score.value == round(score.value, 1)
    for index, cell in enumerate(offices[1]):  # every column wide enough for its header
        width = offices.column_dimensions[cell.column_letter].width
        assert width >= len(cell.value), (index, cell.value)
    sections = {row[1].value: row[0].value for row in book.worksheets[1].iter_rows(min_row=2)}
    assert sections["access"] == section
    items = {row[1].value: row for row in book.worksheets[2].iter_rows(min_row=2)}
    assert items["ramp"][0].value == item and items["ramp"][2].value == section
    rate = items["ramp"][7]
    assert rate.number_format == "0.0%" and 0 <= rate.value <= 1
    assert rate.value == round(rate.value, 3)
    visits = list(book.worksheets[3].iter_rows(min_row=2))
    assert len(visits) == 5
    when, day = visits[0][6], visits[0][7]
    assert isinstance(when.value, datetime) and when.value == datetime(2026, 3, 5, 10, 30)
    assert when.is_date and day.is_date and day.value.date() == date(2026, 3, 5)
    assert visits[0][2].value == "tr-istanbul-cg" and visits[0][1].value == expected
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s" and not cell.value.startswith("'")
                    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", cell.value)


def test_a_formula_name_is_text_in_every_sheet(client, world):
    book = load_workbook(
        io.BytesIO(_get(client, world, "/api/v1/exports/summary.xlsx?lang=en").data)
    )
    seen = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value == FORMULA
    ]
    assert len(seen) >= 2  # the Offices and Visits sheets at least
    assert all(cell.data_type == "s" for cell in seen)


# --- PDF for people ----------------------------------------------------------------------


def _pdf(client, world, query):  # type: ignore[no-untyped-def]
    resp = _get(client, world, f"/api/v1/exports/report.pdf?{query}")
    reader = PdfReader(io.BytesIO(resp.data))
    return resp, reader, [page.extract_text() for page in reader.pages]


@pytest.mark.parametrize(
    ("lang", "period", "item", "language"),
    [
        ("kk", "2026 жылғы сәуір", "Пандус", "Қазақша"),
        ("ru", "апрель 2026", "Пандус", "Русский"),
        ("en", "April 2026", "Ramp", "English"),
    ],
)
def test_report_pdf_names_signs_and_title(client, world, lang, period, item, language, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    resp, reader, pages = _pdf(client, world, f"period=2026-04&lang={lang}")
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]  # no missing glyph
    assert _filename(resp) == f"adaldyq-report-2026-04-{lang}.pdf"
    title = reader.metadata.title.replace("\u202f", " ")
    assert period.lower() in title.lower() and language in title
    text = "\n".join(pages)
    assert item in text and "ramp" not in text and "courtesy" not in text
    # April against March: one visit fewer in Istanbul (3 -> 1), Berlin new (0 -> 1).
    assert re.search(r"[−]1\b", text)  # U+2212, the sign of a fall
    assert re.search(r"\+\d", text) or "+" in text
    assert re.search(rf"1 / {len(pages)}", pages[0])


def test_report_rows_never_split_and_headers_repeat(client, world, tmp_path):
    # enough offices for the ranking to run over pages
    _offices_with_an_april_visit(
        client, world, "zz-office", "Office number {n} with a long name", 70
    )
    _resp, _reader, pages = _pdf(client, world, "period=2026-04&lang=en")
    ranked = [p for p in pages if "Office number" in p]
    assert len(ranked) >= 3
    for page in ranked:
        assert "Critical" in page.split("Office number")[0]  # the table's header repeats
        pieces = re.split(r"Office number \d\d with a long name", page)[1:]
        for piece in pieces:  # each row's figures follow its name on the same page
            assert re.search(r"\d", piece), page


@pytest.mark.parametrize("query", ["from=2026-04-01", "to=2026-03-31"])
def test_a_lone_bound_is_honoured_by_the_pdf_and_the_infographic(client, world, query):
    _resp, _reader, pages = _pdf(client, world, f"{query}&lang=en")
    text = " ".join(" ".join(pages).split())
    if query.startswith("from"):
        assert "April 1, 2026 – " in text
        assert "approved visits 2 " in text  # the two April visits only
    else:
        assert "March 5, 2026 – March 31, 2026" in text  # from the first approved visit
        assert "approved visits 3 " in text  # the three March visits only
    svg = _get(client, world, f"/api/v1/exports/infographic.svg?{query}&lang=en").data.decode()
    assert ("April 1, 2026" in svg) if query.startswith("from") else ("March 31, 2026" in svg)


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01",
        "to=9999-12-31",
        "from=0001-01-01&to=9999-12-31",
        "from=2026-05-01&to=2026-04-01",
        "period=1999",
        "from=2026-13-01",
        "from=20260301",
        "to=2026-W10-1",
        "from=2100-12-01",  # a period not begun
        "period=2100-Q4",
    ],
)
@pytest.mark.parametrize(
    "export",
    [
        "report.pdf",
        "infographic.png",
        "infographic.svg",
        "summary.xlsx",
        "visits.csv",
        "answers.csv",
    ],
)
def test_bad_periods_get_422_with_a_message_everywhere(client, world, query, export):
    from survey.audit.models import AuditLog

    before = db.session.query(AuditLog).count()
    resp = client.get(f"/api/v1/exports/{export}?{query}", headers=world["group"].headers)
    assert resp.status_code == 422, (export, query, resp.status_code)
    assert resp.json["error"]["fields"]
    assert db.session.query(AuditLog).count() == before  # no export, nothing recorded


# --- the infographic ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_infographic_fits_every_language_and_plots_every_office(app, client, world, lang):
    from flask_babel import force_locale

    from survey.auth.models import User
    from survey.domain.periods import Period
    from survey.reports import charts
    from survey.reports.pdf import infographic_facts

    with app.test_request_context(), force_locale(lang):
        user = db.session.get(User, world["group"].user_id)
        facts = infographic_facts(user, Period(date(2026, 3, 1), date(2026, 4, 30)), lang)
        with charts._style():
            figure = charts.infographic_figure(facts)
            assert charts.overflowing_texts(figure) == []
    assert len(facts.bars) == 2 == int(facts.facts[0][0])  # every office with a score
    berlin = next(b for b in facts.bars if _shown("de-berlin-emb", lang) in b.label)
    assert berlin.value is None and "3" in berlin.note  # one visit: named, its score withheld
    labels = " ".join(b.label for b in facts.bars)
    for code in ("tr-istanbul-cg", "de-berlin-emb"):
        assert _shown(code, lang) in labels
    assert not re.search(r"\d{4}-\d{2}-\d{2}", facts.title)  # dates as the language writes them
    png = _get(client, world, f"/api/v1/exports/infographic.png?period=2026-Q1&lang={lang}")
    assert _filename(png) == f"adaldyq-infographic-2026-Q1-{lang}.png"
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG" and image.width == 960
    assert "1424" in _get(
        client, world, f"/api/v1/exports/infographic.svg?period=2026-Q1&lang={lang}"
    ).get_data(as_text=True)


# --- pages -------------------------------------------------------------------------------


def test_pages_show_names_not_codes(app, world):
    browser = app.test_client()
    sign_in(browser, world["group"].email)
    kk = {"Accept-Language": "kk"}
    board = browser.get("/dashboard?kind=year&value=2026", headers=kk).text
    assert '<option value="TR">Түркия</option>' in board
    assert '<option value="DE">Германия</option>' in board
    assert ">Қолжетімділік</th>" in board and ">access</th>" not in board
    for url in ("/findings", "/visits"):  # every country filter names countries
        listed = browser.get(url, headers=kk).text
        assert '<option value="TR">Түркия</option>' in listed, url
    assert "Қызмет</th>" in board
    office = browser.get("/offices/de-berlin-emb", headers=kk).text
    assert ">Пандус</th>" in office and ">ramp</th>" not in office
    assert ">Қолжетімділік</th>" in office
    assert office.count('src="data:image/svg+xml;base64,') == 2  # by month, by section
    months = [
        m.replace("\u202f", " ") for m in re.findall(r'<th scope="row">([^<]*)</th><td>', office)
    ]
    assert "2026 жылғы сәуір" in months and "2026-01" not in office  # only months with visits


def test_a_lone_bound_on_the_dashboard_is_honoured(app, world):
    browser = app.test_client()
    sign_in(browser, world["group"].email)
    en = {"Accept-Language": "en"}
    page = browser.get("/dashboard?from=2026-04-01", headers=en)
    assert page.status_code == 200
    assert "Apr 1, 2026 –" in page.text
    assert browser.get("/dashboard?to=1999-12-31", headers=en).status_code == 422


def test_changes_carry_their_sign(app):
    from flask_babel import force_locale

    from survey.templating import signed

    with app.test_request_context(), force_locale("ru"):
        assert [signed(3.94), signed(-2.06), signed(0.04), signed(None)] == [
            "+3,9",
            "\u22122,1",
            "0,0",
            "–",
        ]
        assert [signed(3, 0), signed(-1, 0), signed(0, 0)] == ["+3", "\u22121", "0"]
    with app.test_request_context(), force_locale("en"):
        assert signed(1234.56) == "+1,234.6"


HOSTILE = [
    "Fees $\\frac{1}{$ x",  # matplotlib would typeset or refuse it as mathtext
    "Bad $\\nonexistent$ office and $5 or $6",
    "Noncharacters \ufffe and \uffff inside",
    "A" * 300,  # no space to wrap at
    "Embassy of the Republic of Kazakhstan in the United Kingdom of Great Britain and Northern"
    " Ireland",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_export_cleanly_everywhere(app, client, world, name):
    from xml.etree import ElementTree

    db.session.execute(update(Office).where(Office.code == "tr-istanbul-cg").values(name_en=name))
    db.session.commit()
    shown = " ".join(name.replace("\ufffe", "").replace("\uffff", "").split())
    assert (
        client.get("/public?quarter=2026-Q1", headers={"Accept-Language": "en"}).status_code == 200
    )
    browser = app.test_client()
    sign_in(browser, world["group"].email)
    board = browser.get("/dashboard?kind=quarter&value=2026-Q1", headers={"Accept-Language": "en"})
    assert board.status_code == 200
    query = "period=2026-Q1&lang=en"
    svg = _get(client, world, f"/api/v1/exports/infographic.svg?{query}").get_data(as_text=True)
    texts = "".join(ElementTree.fromstring(svg).itertext())  # noqa: S314 (well-formed: our own)
    assert "".join(shown.split()) in "".join(texts.split())  # the name as written, no maths
    assert _get(client, world, f"/api/v1/exports/infographic.png?{query}").data[:4] == b"\x89PNG"
    book = load_workbook(
        io.BytesIO(_get(client, world, f"/api/v1/exports/summary.xlsx?{query}").data)
    )
    assert shown in [c.value for c in book.worksheets[0]["A"]]
    _resp, reader, _pages = _pdf(client, world, query)
    width = float(reader.pages[0].mediabox.width)
    far: list[float] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: (
                text.strip() and far.append(tm[4] * cm[0] + cm[4])
            )
        )
    assert far and max(far) < width  # nothing printed past the page's right edge


def test_an_infographic_of_long_names_keeps_every_text_on_its_canvas(app):
    from survey.reports import charts

    bars = [charts.Bar(name, 50.0 + n, f"{50 + n},0") for n, name in enumerate(HOSTILE)]
    info = charts.Infographic("Title", [("1", "fact")] * 4, "Caption", bars, "Footer 1424")
    with charts._style():
        assert charts.overflowing_texts(charts.infographic_figure(info)) == []


def test_the_office_head_sees_charts_of_what_the_tables_show(app, world):
    head = make_user("office_head", office="tr-istanbul-cg")
    browser = app.test_client()
    sign_in(browser, head.email)
    page = browser.get("/offices/tr-istanbul-cg?quarter=2026-Q1", headers={"Accept-Language": "kk"})
    assert page.status_code == 200
    assert page.text.count('src="data:image/svg+xml;base64,') == 2  # by quarter, by section
    assert ">Қолжетімділік</th>" in page.text
    # Q2 has one visit in Istanbul: no section scores, so no section chart (the quarter chart
    # still shows Q1's score).
    quiet = browser.get(
        "/offices/tr-istanbul-cg?quarter=2026-Q2", headers={"Accept-Language": "kk"}
    )
    assert quiet.text.count('src="data:image/svg+xml;base64,') == 1


def test_the_dashboard_shows_a_national_ranking_a_page_at_a_time(app, client, world):
    _offices_with_an_april_visit(client, world, "pg-office", "Paged office {n}", 60)
    browser = app.test_client()
    sign_in(browser, world["group"].email)
    en = {"Accept-Language": "en"}
    first = browser.get("/dashboard?kind=month&value=2026-04", headers=en).text
    ranked = re.findall(r'<th scope="row"><a href="/offices/([^"]+)"', first)
    assert len(ranked) == 50 and 'rel="next"' in first
    second = browser.get("/dashboard?kind=month&value=2026-04&page=2", headers=en).text
    rest = re.findall(r'<th scope="row"><a href="/offices/([^"]+)"', second)
    assert len(rest) == 12 and not set(rest) & set(ranked)  # 62 offices with April visits
    back = re.search(r'rel="prev" href="([^"]+)"', second).group(1)
    assert "kind=month" in back and "value=2026-04" in back and "page=" not in back
    assert browser.get("/dashboard?page=x", headers=en).status_code == 422

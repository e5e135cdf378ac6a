"""The answer-kind registry (issue 17): one class per kind, in one table.

Every registered kind implements every hook; the table holds exactly the kinds DESIGN §3
lists; a kind added in a test works from its YAML to its display without another module
edited (tests/integration/test_new_answer_kind.py takes it through the pages); numbers are
read with Babel in the reader's locale.
"""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from marshmallow import fields
from wtforms import Form, RadioField
from wtforms.fields.choices import SelectChoice

from survey.domain import messages as m
from survey.domain.answer_kinds import (
    KINDS,
    AnswerKind,
    Gettext,
    answer_text,
    answer_value_field,
    parse_number,
)
from survey.domain.answers import check_answers
from survey.domain.checklist import parse_source, spec_from_data
from survey.domain.checklist_schema import Num
from survey.domain.messages import Msg
from survey.domain.scoring import score_visit
from survey.domain.spec import Item

ROOT = Path(__file__).resolve().parents[2]
T = "{kk: a, ru: b, en: c}"
DESIGN_KINDS = ("yesno", "scale", "number", "choice", "text")  # DESIGN §3, in its order
SAMPLES = f"""\
- {{code: y, text: {T}, kind: yesno}}
- {{code: s, text: {T}, kind: scale, min: 1, max: 5}}
- {{code: n, text: {T}, kind: number, unit: {T}, pass_if: {{max: 15}}}}
- {{code: c, text: {T}, kind: choice, options: [{{code: a, label: {T}, score: 0.5}}]}}
- {{code: t, text: {T}, kind: text}}
"""
ANSWERS = {"y": "yes", "s": 4, "n": 12.5, "c": "a", "t": "All fine."}


def identity(text: str) -> str:
    return text


def checked(items: str) -> tuple[dict[str, Any] | None, list[str]]:
    head = f"slug: t\nversion: 1\ntitle: {T}\nsections:\n  - code: sec\n    title: {T}\n"
    data, problems = parse_source(head + "    items:\n" + textwrap.indent(items, " " * 6), "t.yaml")
    return data, [f"{p.path}: {p.message}" for p in problems]


def spec_of(items: str) -> Any:
    data, problems = checked(items)
    assert problems == [] and data is not None
    return spec_from_data(data)


# --- The table ----------------------------------------------------------------------------------


def test_the_table_holds_exactly_the_kinds_design_lists():
    documented = re.search(r"kind: \"yesno\" +# (.+)", (ROOT / "docs/checklists.md").read_text())
    assert documented is not None
    assert tuple(documented.group(1).split(" | ")) == DESIGN_KINDS
    assert tuple(KINDS) == DESIGN_KINDS  # the order of "Must be one of: …"
    assert all(kind.code == code for code, kind in KINDS.items())


HOOKS = {
    name for name, value in vars(AnswerKind).items() if callable(value) and not name.startswith("_")
}


def test_every_kind_implements_every_hook():
    """Each hook of each kind runs on an item of that kind and gives what its callers use,
    and each kind declares its keys and API schema; a hook added to AnswerKind must be
    added here too."""
    hooks = {name for name, hook in vars(AnswerKind).items() if callable(hook) and name[0] != "_"}
    assert hooks == {
        "check_spec",
        "normalise_spec",
        "scorable",
        "check",
        "score",
        "display",
        "field",
        "field_value",
        "read",
        "sample",
    }
    spec = spec_of(SAMPLES)
    for item in spec.iter_items():
        kind = KINDS[item.kind]
        assert not type(kind).__abstractmethods__, item.kind
        assert isinstance(type(kind).api_schema, dict) and isinstance(kind.keys, dict)
        assert all(isinstance(f, fields.Field) for f in kind.keys.values())
        assert kind.check_spec(item.data, item.data) == {}
        assert kind.normalise_spec(item.data).items() <= item.data.items()
        assert isinstance(kind.scorable(item), bool)
        value, problem = kind.check(item, ANSWERS[item.code])
        assert problem is None and value == ANSWERS[item.code]
        assert isinstance(kind.check(item, object())[1], Msg)
        score = kind.score(item, value)
        assert score is None or 0 <= score <= 1
        assert (score is not None) <= kind.scorable(item)
        assert kind.display(item, value, "ru", identity)
        form = type("F", (Form,), {"answer": kind.field(item, "ru", identity)})()
        assert 'name="answer"' in form.answer()
        shown = kind.field_value(item, value, "ru")
        assert isinstance(shown, str)
        assert kind.read(item, shown, "ru") == value, item.kind  # shown, read back unchanged
        assert "type" in kind.api_schema
        assert isinstance(kind.exported, bool)
        for quality in (0.0, 0.5, 1.0):  # demo answers are answers the kind accepts
            sampled = kind.sample(item, quality, random.Random(7))
            assert sampled is None or kind.check(item, sampled) == (sampled, None), item.kind


def test_the_api_documents_each_kind():
    schema = answer_value_field()
    assert schema.allow_none
    assert [s["title"] for s in schema.metadata["anyOf"]] == list(DESIGN_KINDS)


# --- A kind added in a test ---------------------------------------------------------------------


class Stars(AnswerKind):
    """A toy kind: 1 to `stars` stars, scored (v - 1) / (stars - 1)."""

    code = "stars"
    keys = {"stars": Num(integer=True, required=True)}
    api_schema = {"type": "integer", "minimum": 1}

    def check_spec(self, data: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
        return {"stars": [Msg(m.NOT_POSITIVE)]} if data.get("stars", 2) < 2 else {}

    def scorable(self, item: Item) -> bool:
        return True

    def check(self, item: Item, value: Any) -> tuple[Any, Msg | None]:
        if isinstance(value, int) and 1 <= value <= item.data["stars"]:
            return value, None
        return None, Msg(m.ANSWER_SCALE, min=1, max=item.data["stars"])

    def score(self, item: Item, value: Any) -> float | None:
        return (value - 1) / (item.data["stars"] - 1)

    def display(self, item: Item, value: Any, locale: str, gettext: Gettext) -> str:
        return "★" * value + "☆" * (item.data["stars"] - value)

    def field(self, item: Item, locale: str, gettext: Gettext) -> Any:
        stars = range(1, item.data["stars"] + 1)
        return RadioField(choices=[SelectChoice(str(n), "★" * n) for n in stars])

    def read(self, item: Item, data: Any, locale: str) -> Any:
        return int(data) if data else None

    def sample(self, item: Item, quality: float, rng: random.Random) -> Any:
        return max(1, round(quality * item.data["stars"]))


@pytest.fixture
def stars(monkeypatch: pytest.MonkeyPatch) -> Stars:
    kind = Stars()
    monkeypatch.setitem(KINDS, "stars", kind)
    return kind


def test_a_new_kind_is_checked_scored_and_shown(stars):
    _data, problems = checked(
        f"- {{code: a, text: {T}, kind: stars, stars: 1}}\n"
        f"- {{code: b, text: {T}, kind: stars, pass: yes}}\n"
        f"- {{code: c, text: {T}, kind: yesno, stars: 5}}\n"
        f"- {{code: d, text: {T}, kind: planets}}\n"
    )
    assert problems == [
        "sections[0].items[0].stars: Must be greater than 0.",
        "sections[0].items[1].pass: Not allowed for an item of kind stars.",
        "sections[0].items[1].stars: This field is required.",
        "sections[0].items[2].stars: Not allowed for an item of kind yesno.",
        "sections[0].items[3].kind: Must be one of: yesno, scale, number, choice, text, stars.",
    ]
    spec = spec_of(f"- {{code: hall, text: {T}, kind: stars, stars: 5, weight: 3}}\n")
    hall = spec.items["hall"]
    assert hall.data == {
        "code": "hall",
        "kind": "stars",
        "text": {"kk": "a", "ru": "b", "en": "c"},
        "weight": 3,
        "required": True,
        "evidence": "optional",
        "stars": 5,
    }
    assert hall.scorable
    answers, problems = check_answers(spec, {"hall": {"value": 9}}, submit=False)
    assert problems == {"hall": ["Give a whole number from 1 to 5."]}
    answers, problems = check_answers(spec, {"hall": {"value": 4}}, submit=True)
    assert problems == {} and answers["hall"].value == 4
    assert score_visit(spec, {"hall": 4}).score == pytest.approx(75.0)
    assert answer_text(hall, 4, "kk", identity) == "★★★★☆"
    assert answer_text(hall, None, "kk", identity) == "Not answered"
    assert [s["title"] for s in answer_value_field().metadata["anyOf"]][-1] == "stars"


def test_a_kind_missing_a_hook_cannot_be_made():
    class Half(AnswerKind):
        code = "half"

    with pytest.raises(TypeError, match="abstract"):
        Half()  # type: ignore[abstract]


# --- Numbers as typed ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
@pytest.mark.parametrize(
    "typed",
    [
        "1_000",  # Python's int() and Decimal() read 1000
        "1e3",  # float() and Decimal() read 1000
        "١٢",  # Arabic-Indic digits: Decimal() reads 12
        "۱۲",  # Extended Arabic-Indic (Persian) digits
        "１２",  # full-width digits
        "Infinity",
        "NaN",
        "42 5",  # not 425
    ],
)
def test_a_number_not_typed_with_digits_0_to_9_is_refused(typed, locale):
    assert parse_number(typed, locale) == typed  # kept as typed: the domain says "Give a number."


@pytest.mark.parametrize(
    ("typed", "locale", "read"),
    [
        ("42,5", "kk", 42.5),
        ("42,5", "ru", 42.5),
        ("42.5", "en", 42.5),
        # The other keyboard's decimal sign, where it cannot be a thousands separator.
        ("42.5", "kk", 42.5),
        ("42.5", "ru", 42.5),
        ("42,5", "en", 42.5),
        ("1,500", "ru", 1.5),
        ("1.500", "ru", "1.500"),  # 1.5, or 1500 as Turkey and Germany write it? Asked
        ("1.000", "kk", "1.000"),
        ("1.500", "en", 1.5),
        ("0,001", "en", 0.001),  # a thousands group never starts with 0
        ("0.250", "kk", 0.25),
        (
            "1 000 000 000 000 000 000 000 000 000 000",
            "kk",
            "1 000 000 000 000 000 000 000 000 000 000",
        ),
        (
            "1,000,000,000,000,000,000,000,000,000,000",
            "en",
            "1,000,000,000,000,000,000,000,000,000,000",
        ),
        ("1 000 000 000 000 000 000 000 000 0", "ru", "1 000 000 000 000 000 000 000 000 0"),
        ("1,500", "en", "1,500"),  # 1500 or 1.5? Asked, not guessed
        ("1,234.5", "en", 1234.5),
        ("1,234,567", "en", 1234567),
        # Spaces between groups of three, in every locale.
        ("1 500", "kk", 1500),
        ("1 500", "en", 1500),
        ("1\u00a0500,5", "ru", 1500.5),
        ("1 500.5", "ru", 1500.5),
        ("1\u202f500", "kk", 1500),
        ("1 50", "ru", "1 50"),
        (" 42 ", "ru", 42),
        ("-3", "en", -3),
        ("1.234,5", "en", "1.234,5"),
        ("1,2.3", "ru", "1,2.3"),
        ("", "kk", None),
        ("  ", "en", None),
    ],
)
def test_a_typed_number_is_read_in_the_readers_locale(typed, locale, read):
    result = parse_number(typed, locale)
    assert result == read and type(result) is type(read)


def test_a_thousands_comma_is_asked_about_not_guessed():
    spec = spec_of(f"- {{code: fee, text: {T}, kind: number}}\n")
    _answers, problems = check_answers(spec, {"fee": {"value": "1,500"}}, submit=False)
    assert problems == {"fee": ["Type 1500 or 1.5: “1,500” could mean either."]}
    _answers, problems = check_answers(spec, {"fee": {"value": "1_000"}}, submit=False)
    assert problems == {"fee": ["Give a number."]}


def test_a_count_reads_an_ambiguous_group_as_thousands():
    """For a whole-number item 1.5 is no answer, so "1.500" and "1,500" can only be 1500."""
    spec = spec_of(f"- {{code: wait, text: {T}, kind: number, whole: true}}\n")
    answers, problems = check_answers(spec, {"wait": {"value": "1.500"}}, submit=False)
    assert problems == {} and answers["wait"].value == 1500

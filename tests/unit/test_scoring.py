"""Tests for DESIGN §4 scoring (survey.domain.scoring) and answer checks (survey.domain.answers).

Worked examples pin the exact numbers; hypothesis checks the properties that must hold for every
checklist: bounded scores, N/A exclusion, weight scaling, the critical cap and monotonicity.
"""

import textwrap

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from survey.domain.answer_kinds import TEXT_MAX
from survey.domain.answers import Answer, check_answers
from survey.domain.checklist import parse_source, spec_from_data
from survey.domain.scoring import item_score, score_visit, weighted_mean

T = "{kk: a, ru: b, en: c}"


def spec_of(text: str):
    data, problems = parse_source(textwrap.dedent(text), "t.yaml")
    assert problems == [], [p.format() for p in problems]
    return spec_from_data(data)


def one_section(items: str, cap: str = "null"):
    """A checklist with one section holding these items (a YAML list at column 0)."""
    head = textwrap.dedent(
        f"""\
        slug: t
        version: 1
        title: {T}
        scoring: {{critical_cap: {cap}}}
        sections:
          - code: s
            title: {T}
            items:
        """
    )
    return spec_of(head + textwrap.indent(textwrap.dedent(items), " " * 6))


ITEMS = one_section(
    f"""\
    - {{code: ramp, text: {T}, kind: yesno}}
    - {{code: bribe_asked, text: {T}, kind: yesno, pass: no}}
    - {{code: courtesy, text: {T}, kind: scale, min: 1, max: 5}}
    - {{code: clarity, text: {T}, kind: scale, min: 0, max: 10}}
    - {{code: wait, text: {T}, kind: number, pass_if: {{min: 1, max: 15}}}}
    - {{code: queue_len, text: {T}, kind: number, pass_if: {{max: 15}}}}
    - {{code: windows, text: {T}, kind: number, pass_if: {{min: 2}}}}
    - {{code: chairs, text: {T}, kind: number}}
    - code: booking
      text: {T}
      kind: choice
      options:
        - {{code: online, label: {T}, score: 1}}
        - {{code: phone, label: {T}, score: 0.5}}
        - {{code: none, label: {T}, score: 0}}
        - {{code: unsure, label: {T}, score: null}}
    - {{code: notes, text: {T}, kind: text}}
    """
).items


# --- Item scores --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("ramp", "yes", 1.0),
        ("ramp", "no", 0.0),
        ("ramp", "na", None),
        ("ramp", None, None),
        ("bribe_asked", "no", 1.0),
        ("bribe_asked", "yes", 0.0),
        ("bribe_asked", "na", None),
        ("courtesy", 1, 0.0),
        ("courtesy", 2, 0.25),
        ("courtesy", 3, 0.5),
        ("courtesy", 5, 1.0),
        ("courtesy", None, None),
        ("clarity", 7, 0.7),
        ("clarity", 0, 0.0),
        ("wait", 1, 1.0),
        ("wait", 15, 1.0),
        ("wait", 8.5, 1.0),
        ("wait", 0.99, 0.0),
        ("wait", 15.01, 0.0),
        ("wait", 0, 0.0),
        ("wait", None, None),
        ("queue_len", 15, 1.0),
        ("queue_len", -3, 1.0),
        ("queue_len", 16, 0.0),
        ("windows", 2, 1.0),
        ("windows", 1000, 1.0),
        ("windows", 1.9, 0.0),
        ("chairs", 7, None),
        ("chairs", 0, None),
        ("booking", "online", 1.0),
        ("booking", "phone", 0.5),
        ("booking", "none", 0.0),
        ("booking", "unsure", None),
        ("booking", None, None),
        ("notes", "All fine.", None),
        ("notes", None, None),
    ],
)
def test_item_score(code, value, expected):
    score = item_score(ITEMS[code], value)
    if expected is None:
        assert score is None
    else:
        assert score == pytest.approx(expected, abs=1e-12)
        assert 0.0 <= score <= 1.0


def test_weighted_mean():
    assert weighted_mean([]) is None
    assert weighted_mean([(1, 0.5)]) == 0.5
    assert weighted_mean([(1, 0.5), (3, 1.0)]) == pytest.approx(0.875)
    assert weighted_mean([(2, 0.0), (2, 0.0)]) == 0.0


# --- Section and visit scores -------------------------------------------------------------------

TWO_SECTIONS = f"""\
slug: t
version: 1
title: {T}
scoring: {{critical_cap: CAP}}
sections:
  - code: access
    title: {T}
    weight: 2
    items:
      - {{code: ramp, text: {T}, kind: yesno, weight: 2}}
      - {{code: braille, text: {T}, kind: yesno}}
      - {{code: courtesy, text: {T}, kind: scale, min: 1, max: 5}}
      - {{code: lift, text: {T}, kind: yesno, weight: 5}}
      - {{code: notes, text: {T}, kind: text, required: false}}
  - code: integrity
    title: {T}
    items:
      - {{code: bribe_asked, text: {T}, kind: yesno, pass: no, critical: true}}
      - {{code: fee_posted, text: {T}, kind: yesno}}
  - code: waiting
    title: {T}
    weight: 4
    items:
      - {{code: chairs, text: {T}, kind: number}}
      - {{code: cooling, text: {T}, kind: yesno}}
"""


def two_sections(cap="null"):
    return spec_of(TWO_SECTIONS.replace("CAP", cap))


GOOD = {
    "ramp": "yes",  # w 2, s 1
    "braille": "no",  # w 1, s 0
    "courtesy": 3,  # w 1, s 0.5
    "lift": "na",  # left out
    "notes": "Clean hall.",  # text: never scored
    "bribe_asked": "no",  # pass is "no": s 1
    "fee_posted": "yes",  # s 1
    "chairs": 12,  # number without pass_if: none
    # cooling unanswered: none, so the waiting section has no score
}


def test_section_and_visit_scores_worked_example():
    result = score_visit(two_sections(), GOOD)
    # access: 100 * (2*1 + 1*0 + 1*0.5) / (2 + 1 + 1) = 62.5
    assert result.sections["access"] == pytest.approx(62.5)
    assert result.sections["integrity"] == pytest.approx(100.0)
    assert result.sections["waiting"] is None
    # visit: (2*62.5 + 1*100) / (2 + 1) = 75; the waiting section (weight 4) is left out.
    assert result.score == pytest.approx(75.0)
    assert result.critical is False
    assert result.failed_critical == ()
    assert result.items == {
        "ramp": 1.0,
        "braille": 0.0,
        "courtesy": 0.5,
        "lift": None,
        "notes": None,
        "bribe_asked": 1.0,
        "fee_posted": 1.0,
        "chairs": None,
        "cooling": None,
    }


def test_a_section_gets_its_score_when_one_item_is_scored():
    result = score_visit(two_sections(), {**GOOD, "cooling": "no"})
    assert result.sections["waiting"] == 0.0
    # (2*62.5 + 1*100 + 4*0) / 7
    assert result.score == pytest.approx(225 / 7)


def test_unanswered_and_na_items_are_left_out_of_the_section():
    result = score_visit(two_sections(), {"ramp": "no", "braille": "na", "lift": None})
    assert result.sections == {"access": 0.0, "integrity": None, "waiting": None}
    assert result.score == 0.0


def test_visit_with_no_score_at_all():
    spec = two_sections()
    for values in [{}, {"lift": "na", "notes": "x", "chairs": 3}, dict.fromkeys(spec.items)]:
        result = score_visit(spec, values)
        assert result.score is None
        assert set(result.sections.values()) == {None}
        assert result.critical is False


def test_failed_critical_item_makes_a_critical_visit_capped_at_critical_cap():
    values = {**GOOD, "bribe_asked": "yes"}
    result = score_visit(two_sections(cap="40"), values)
    # Uncapped: integrity = 50, visit = (2*62.5 + 50) / 3 = 58.33...
    assert result.sections["integrity"] == pytest.approx(50.0)
    assert result.critical is True
    assert result.failed_critical == ("bribe_asked",)
    assert result.score == 40.0


def test_cap_null_means_no_cap():
    result = score_visit(two_sections(cap="null"), {**GOOD, "bribe_asked": "yes"})
    assert result.critical is True
    assert result.score == pytest.approx(175 / 3)


def test_cap_above_the_score_leaves_it_alone():
    result = score_visit(two_sections(cap="90"), {**GOOD, "bribe_asked": "yes"})
    assert result.critical is True
    assert result.score == pytest.approx(175 / 3)


def test_cap_zero():
    result = score_visit(two_sections(cap="0"), {**GOOD, "bribe_asked": "yes"})
    assert result.score == 0.0


def test_cap_does_not_apply_without_a_failed_critical_item():
    capped = score_visit(two_sections(cap="40"), GOOD)
    assert capped.critical is False
    assert capped.score == pytest.approx(75.0)
    # A non-critical item failing does not trigger the cap either.
    failing = score_visit(two_sections(cap="40"), {**GOOD, "fee_posted": "no"})
    assert failing.critical is False
    assert failing.score == pytest.approx((2 * 62.5 + 50) / 3)


def test_critical_item_answered_na_or_unanswered_is_not_a_failure():
    for value in ("na", None):
        result = score_visit(two_sections(cap="40"), {**GOOD, "bribe_asked": value})
        assert result.critical is False
        assert result.failed_critical == ()
        assert result.score == pytest.approx((2 * 62.5 + 100) / 3)


CRITICAL_KINDS = f"""\
- {{code: wait, text: {T}, kind: number, critical: true, pass_if: {{max: 30}}}}
- code: fee
  text: {T}
  kind: choice
  critical: true
  options:
    - {{code: none, label: {T}, score: 1}}
    - {{code: asked, label: {T}, score: 0}}
    - {{code: hinted, label: {T}, score: 0.5}}
- {{code: courtesy, text: {T}, kind: scale, min: 1, max: 5}}
"""


@pytest.mark.parametrize(
    ("values", "failed"),
    [
        ({"wait": 10, "fee": "none"}, ()),
        ({"wait": 45, "fee": "none"}, ("wait",)),
        ({"wait": 10, "fee": "asked"}, ("fee",)),
        ({"wait": 45, "fee": "asked"}, ("wait", "fee")),
        ({"wait": 10, "fee": "hinted"}, ()),
        ({"courtesy": 1}, ()),  # a scale at its minimum scores 0 but is never critical
    ],
)
def test_critical_number_and_choice_items(values, failed):
    result = score_visit(one_section(CRITICAL_KINDS, cap="20"), values)
    assert result.failed_critical == failed
    assert result.critical is bool(failed)
    if failed:
        assert result.score <= 20


def test_scores_travel_unrounded():
    spec = one_section(
        f"""\
        - {{code: a, text: {T}, kind: yesno}}
        - {{code: b, text: {T}, kind: yesno}}
        - {{code: c, text: {T}, kind: yesno}}
        """
    )
    assert score_visit(spec, {"a": "yes", "b": "no", "c": "no"}).score == pytest.approx(
        100 / 3, abs=1e-12
    )


# --- Properties ---------------------------------------------------------------------------------

WEIGHTS = st.one_of(
    st.sampled_from([1, 2, 3, 0.5, 1.5]),
    st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False),
)


@st.composite
def items(draw, code):
    """One item definition (normalised form) and a value for it, possibly None."""
    kind = draw(st.sampled_from(["yesno", "yesno", "scale", "number", "choice", "text"]))
    item = {"code": code, "text": {"kk": "a", "ru": "b", "en": "c"}, "kind": kind}
    if draw(st.booleans()):
        item["weight"] = draw(WEIGHTS)
    value = None
    if kind == "yesno":
        item["pass"] = draw(st.sampled_from(["yes", "no"]))
        item["critical"] = draw(st.booleans())
        value = draw(st.sampled_from([None, "yes", "no", "na"]))
    elif kind == "scale":
        low = draw(st.integers(-3, 5))
        high = low + draw(st.integers(1, 6))
        item["min"], item["max"] = low, high
        value = draw(st.none() | st.integers(low, high))
    elif kind == "number":
        bounds = draw(
            st.sampled_from(
                [None, {"min": 1}, {"max": 15}, {"min": 1, "max": 15}, {"min": 5, "max": 5}]
            )
        )
        if bounds is not None:
            item["pass_if"] = bounds
            item["critical"] = draw(st.booleans())
        value = draw(st.none() | st.integers(-20, 40) | st.floats(-20, 40))
    elif kind == "choice":
        scores = draw(
            st.lists(
                st.none() | st.sampled_from([0, 1, 0.5]) | st.floats(0, 1), min_size=1, max_size=4
            )
        )
        item["options"] = [
            {"code": f"o{n}", "label": {"kk": "a", "ru": "b", "en": "c"}, "score": score}
            for n, score in enumerate(scores)
        ]
        if 0 in scores:
            item["critical"] = draw(st.booleans())
        value = draw(st.none() | st.sampled_from([o["code"] for o in item["options"]]))
    else:
        value = draw(st.none() | st.just("seen"))
    return item, value


@st.composite
def visits(draw):
    """A checklist definition (dict, as written in YAML) and answer values for one visit."""
    sections, values = [], {}
    for s in range(draw(st.integers(1, 4))):
        section_items = []
        for i in range(draw(st.integers(1, 5))):
            item, value = draw(items(f"s{s}_i{i}"))
            section_items.append(item)
            if value is not None:
                values[item["code"]] = value
        section = {"code": f"s{s}", "title": {"kk": "a", "ru": "b", "en": "c"}}
        if draw(st.booleans()):
            section["weight"] = draw(WEIGHTS)
        section["items"] = section_items
        sections.append(section)
    cap = draw(st.none() | st.integers(0, 100) | st.floats(0, 100))
    definition = {
        "slug": "t",
        "version": 1,
        "title": {"kk": "a", "ru": "b", "en": "c"},
        "scoring": {"critical_cap": cap},
        "sections": sections,
    }
    return definition, values


DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def build(definition):
    """Write the definition as YAML and read it back the way a checklist file is read."""
    data, problems = parse_source(
        yaml.dump(definition, Dumper=DUMPER, allow_unicode=True), "t.yaml"
    )
    assert problems == [], [p.format() for p in problems]
    return spec_from_data(data)


def score_of(definition, values):
    return score_visit(build(definition), values)


@settings(max_examples=100, deadline=None)
@given(visits())
def test_visit_and_section_scores_stay_within_0_and_100(visit):
    result = score_of(*visit)
    assert result.score is None or 0.0 <= result.score <= 100.0
    for score in result.sections.values():
        assert score is None or 0.0 <= score <= 100.0
    for score in result.items.values():
        assert score is None or 0.0 <= score <= 1.0
    assert (result.score is None) == all(s is None for s in result.sections.values())


@settings(max_examples=100, deadline=None)
@given(visits(), st.data())
def test_na_answers_on_extra_items_never_change_the_score(visit, data):
    definition, values = visit
    before = score_of(definition, values)
    extended = {**definition, "sections": [dict(s) for s in definition["sections"]]}
    extra_values = dict(values)
    extra = data.draw(st.integers(1, 4))
    for n in range(extra):
        code = f"na_{n}"
        item = {
            "code": code,
            "text": {"kk": "a", "ru": "b", "en": "c"},
            "kind": "yesno",
            "weight": data.draw(WEIGHTS),
            "critical": data.draw(st.booleans()),
        }
        target = data.draw(st.integers(0, len(extended["sections"])))
        if target == len(extended["sections"]):
            extended["sections"].append(
                {
                    "code": f"na_section_{n}",
                    "title": {"kk": "a", "ru": "b", "en": "c"},
                    "weight": data.draw(WEIGHTS),
                    "items": [item],
                }
            )
        else:
            section = extended["sections"][target]
            section["items"] = [*section["items"], item]
        extra_values[code] = "na"
    after = score_of(extended, extra_values)
    assert after.score == before.score
    assert after.critical == before.critical
    for code, score in before.sections.items():
        assert after.sections[code] == score


@settings(max_examples=100, deadline=None)
@given(visits(), st.data())
def test_scaling_the_item_weights_of_a_section_leaves_the_score_unchanged(visit, data):
    definition, values = visit
    before = score_of(definition, values)
    factor = data.draw(st.sampled_from([0.1, 0.5, 2, 3, 7.5, 100]))
    target = data.draw(st.integers(0, len(definition["sections"]) - 1))
    sections = [dict(s) for s in definition["sections"]]
    sections[target]["items"] = [
        {**item, "weight": item.get("weight", 1) * factor} for item in sections[target]["items"]
    ]
    after = score_of({**definition, "sections": sections}, values)
    assert after.score == pytest.approx(before.score)
    assert after.sections == pytest.approx(before.sections)
    assert after.critical == before.critical


@settings(max_examples=100, deadline=None)
@given(visits(), st.sampled_from([0.1, 0.5, 2, 3, 7.5, 100]))
def test_scaling_all_section_weights_leaves_the_score_unchanged(visit, factor):
    definition, values = visit
    before = score_of(definition, values)
    sections = [{**s, "weight": s.get("weight", 1) * factor} for s in definition["sections"]]
    after = score_of({**definition, "sections": sections}, values)
    assert after.score == pytest.approx(before.score)
    assert after.sections == before.sections


@settings(max_examples=100, deadline=None)
@given(visits())
def test_a_failed_critical_item_caps_the_score(visit):
    definition, values = visit
    result = score_of(definition, values)
    cap = definition["scoring"]["critical_cap"]
    if result.failed_critical:
        assert result.critical
        assert result.score is not None  # a failed item has a score, so its section has one
        if cap is not None:
            assert result.score <= cap
    else:
        assert not result.critical
        uncapped = score_of({**definition, "scoring": {"critical_cap": None}}, values)
        assert result.score == uncapped.score


@settings(max_examples=100, deadline=None)
@given(visits(), st.data())
def test_turning_one_yesno_answer_from_fail_to_pass_never_lowers_the_score(visit, data):
    definition, values = visit
    spec = build(definition)
    failing = [
        item
        for item in spec.iter_items()
        if item.kind == "yesno" and values.get(item.code) in ("yes", "no")
        if values[item.code] != item.pass_answer
    ]
    assume(failing)
    item = data.draw(st.sampled_from(failing))
    before = score_visit(spec, values)
    after = score_visit(spec, {**values, item.code: item.pass_answer})
    assert before.score is not None
    assert after.score >= before.score
    assert after.sections[item.section] > before.sections[item.section]


# --- Answers ------------------------------------------------------------------------------------

FORM = one_section(
    f"""\
    - {{code: ramp, text: {T}, kind: yesno}}
    - {{code: entrance, text: {T}, kind: yesno, allow_na: no}}
    - {{code: courtesy, text: {T}, kind: scale, min: 1, max: 5}}
    - {{code: wait, text: {T}, kind: number, pass_if: {{max: 15}}}}
    - code: booking
      text: {T}
      kind: choice
      options:
        - {{code: online, label: {T}, score: 1}}
        - {{code: phone, label: {T}, score: 0.5}}
    - {{code: notes, text: {T}, kind: text, required: false}}
    - {{code: photo_board, text: {T}, kind: yesno, required: false}}
    """
)

COMPLETE = {
    "ramp": {"value": "na"},
    "entrance": {"value": "yes"},
    "courtesy": {"value": 4},
    "wait": {"value": 12.5},
    "booking": {"value": "online", "comment": "Booked on the portal."},
}


def test_complete_answers_pass_on_submit():
    answers, problems = check_answers(FORM, COMPLETE, submit=True)
    assert problems == {}
    assert answers == {
        "ramp": Answer("na", None),
        "entrance": Answer("yes", None),
        "courtesy": Answer(4, None),
        "wait": Answer(12.5, None),
        "booking": Answer("online", "Booked on the portal."),
    }


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("ramp", "maybe", "Answer yes, no or na."),
        ("ramp", "YES", "Answer yes, no or na."),
        ("ramp", True, "Answer yes, no or na."),
        ("ramp", 1, "Answer yes, no or na."),
        ("entrance", "na", "Answer yes or no: “Not applicable” is not allowed for this item."),
        ("courtesy", "4", "Give a whole number from 1 to 5."),
        ("courtesy", True, "Give a whole number from 1 to 5."),
        ("courtesy", 2.5, "Give a whole number from 1 to 5."),
        ("courtesy", 0, "Give a whole number from 1 to 5."),
        ("courtesy", 6, "Give a whole number from 1 to 5."),
        ("courtesy", float("nan"), "Give a whole number from 1 to 5."),
        ("wait", "12", "Give a number."),
        ("wait", True, "Give a number."),
        ("wait", False, "Give a number."),
        ("wait", float("inf"), "Give a number."),
        ("wait", [12], "Give a number."),
        ("booking", "walk_in", "Choose one of: online, phone."),
        ("booking", 1, "Choose one of: online, phone."),
        ("notes", 42, "Give text."),
        ("notes", "x" * (TEXT_MAX + 1), "Use at most 5000 characters."),
    ],
)
def test_a_wrong_value_is_refused_under_its_item_code(code, value, message):
    answers, problems = check_answers(FORM, {code: {"value": value}}, submit=False)
    assert problems == {code: [message]}
    assert code not in answers


def test_values_that_are_accepted_as_given_or_normalised():
    answers, problems = check_answers(
        FORM,
        {
            "courtesy": {"value": 5.0},
            "wait": {"value": -3},
            "notes": {"value": "  " + "x" * (TEXT_MAX - 4) + "  "},
            "photo_board": {"value": "no"},
        },
        submit=False,
    )
    assert problems == {}
    assert answers["courtesy"].value == 5
    assert isinstance(answers["courtesy"].value, int)
    assert answers["wait"].value == -3
    assert answers["notes"].value == "x" * (TEXT_MAX - 4)
    assert answers["photo_board"].value == "no"


def test_text_of_exactly_the_limit_is_accepted():
    answers, problems = check_answers(FORM, {"notes": {"value": "y" * TEXT_MAX}}, submit=False)
    assert problems == {}
    assert len(answers["notes"].value) == TEXT_MAX


def test_unknown_item_code_is_refused():
    answers, problems = check_answers(FORM, {**COMPLETE, "ramps": {"value": "yes"}}, submit=False)
    assert problems == {"ramps": ["There is no item ramps in this checklist."]}
    assert "ramps" not in answers
    assert set(answers) == set(COMPLETE)


def test_answer_shape_is_checked():
    answers, problems = check_answers(
        FORM,
        {
            "ramp": "yes",
            "entrance": {"value": "yes", "photo": "x.jpg"},
            "courtesy": {"value": 3, "comment": 7},
            "wait": {"value": 1, "comment": "c" * 2001},
        },
        submit=False,
    )
    assert problems == {
        "ramp": ["An answer must be an object with value and comment."],
        "entrance": ["Unknown key photo: an answer has only value and comment."],
        "courtesy": ["A comment must be text."],
        "wait": ["Use at most 2000 characters."],
    }
    assert answers == {}


def test_answers_must_be_a_mapping():
    assert check_answers(FORM, ["ramp"], submit=False) == (
        {},
        {"": ["Must be a mapping of keys to values."]},
    )


def test_several_problems_are_reported_together():
    _, problems = check_answers(
        FORM,
        {"ramp": {"value": "maybe"}, "courtesy": {"value": 9}, "nope": {"value": 1}},
        submit=False,
    )
    assert set(problems) == {"ramp", "courtesy", "nope"}


def test_submit_reports_every_required_item_without_a_value():
    answers, problems = check_answers(
        FORM,
        {"ramp": {"value": "na"}, "courtesy": {"value": None, "comment": "Did not speak."}},
        submit=True,
    )
    required = "This item must be answered before the visit is submitted."
    assert problems == {
        "entrance": [required],
        "courtesy": [required],
        "wait": [required],
        "booking": [required],
    }
    assert answers["ramp"] == Answer("na", None)


def test_a_draft_may_leave_required_items_unanswered():
    answers, problems = check_answers(FORM, {"ramp": {"value": "yes"}}, submit=False)
    assert problems == {}
    assert answers == {"ramp": Answer("yes", None)}


def test_no_answers_at_all():
    assert check_answers(FORM, None, submit=False) == ({}, {})
    _, problems = check_answers(FORM, {}, submit=True)
    assert set(problems) == {"ramp", "entrance", "courtesy", "wait", "booking"}


def test_na_counts_as_an_answer_and_optional_items_may_be_missing():
    _, problems = check_answers(FORM, COMPLETE, submit=True)
    assert problems == {}
    assert "notes" not in COMPLETE
    assert "photo_board" not in COMPLETE


def test_a_blank_text_is_no_answer():
    answers, problems = check_answers(
        FORM, {"notes": {"value": "   \n "}, "ramp": {"value": "yes"}}, submit=False
    )
    assert problems == {}
    assert "notes" not in answers


def test_a_required_item_with_a_wrong_value_is_reported_once():
    _, problems = check_answers(FORM, {**COMPLETE, "entrance": {"value": "na"}}, submit=True)
    assert problems == {
        "entrance": ["Answer yes or no: “Not applicable” is not allowed for this item."]
    }


def test_null_value_with_a_comment_keeps_the_comment():
    answers, problems = check_answers(
        FORM,
        {"photo_board": {"value": None, "comment": "  Board hidden behind a door.  "}},
        submit=False,
    )
    assert problems == {}
    assert answers == {"photo_board": Answer(None, "Board hidden behind a door.")}


def test_null_value_without_a_comment_is_dropped():
    answers, problems = check_answers(
        FORM,
        {"photo_board": {"value": None}, "notes": {"value": None, "comment": "   "}},
        submit=False,
    )
    assert (answers, problems) == ({}, {})


def test_checked_answers_score_as_expected():
    answers, problems = check_answers(FORM, COMPLETE, submit=True)
    assert problems == {}
    result = score_visit(FORM, {code: a.value for code, a in answers.items()})
    # ramp na (out); entrance 1; courtesy (4-1)/4 = 0.75; wait 12.5 <= 15: 1; booking 1.
    assert result.score == pytest.approx(100 * 3.75 / 4)


MINUTES = one_section(
    f"""\
    - {{code: wait_minutes, text: {T}, kind: number, whole: true, pass_if: {{max: 20}}}}
    """
)


@pytest.mark.parametrize("value", [42.5, 0.1, -3.25, -5, -1])
def test_a_whole_number_item_refuses_a_fraction(value):
    """Issue 15: the help says "round to whole minutes", and 42,5 was stored as 42.5."""
    answers, problems = check_answers(MINUTES, {"wait_minutes": {"value": value}}, submit=False)
    assert problems == {"wait_minutes": ["Give a whole number, 0 or more."]}
    assert "wait_minutes" not in answers


def test_a_whole_number_item_keeps_whole_numbers_as_integers():
    answers, problems = check_answers(MINUTES, {"wait_minutes": {"value": 42.0}}, submit=False)
    assert problems == {}
    assert answers["wait_minutes"].value == 42 and isinstance(answers["wait_minutes"].value, int)
    answers, _ = check_answers(FORM, {"wait": {"value": 42.5}}, submit=False)
    assert answers["wait"].value == 42.5  # without `whole`, a fraction stays allowed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**400, "Give a number."),  # math.isfinite would overflow: a 500 before
        (1e300, "Give a number."),
        (1e18, "Give a number."),
        (2_000_000, "Give a number between -1000000 and 1000000."),
        (-1_000_001, "Give a number between -1000000 and 1000000."),
    ],
)
def test_an_absurd_number_is_refused_not_stored(value, message):
    """Found by the issue 15 review: 1e18 was stored, then every page of the visit was a 500."""
    for spec, code in ((FORM, "wait"), (MINUTES, "wait_minutes")):
        answers, problems = check_answers(spec, {code: {"value": value}}, submit=False)
        assert problems == {code: [message]} and code not in answers


def test_the_largest_number_is_kept():
    answers, problems = check_answers(FORM, {"wait": {"value": 1_000_000}}, submit=False)
    assert problems == {} and answers["wait"].value == 1_000_000

"""Tests for checklist definitions (DESIGN §3): survey.domain.checklist, checklist_schema, yamlload.

Fixtures are small YAML documents written inline, the way KoboToolbox formpack's tests keep each
form next to the assertions about it. A definition is refused as a whole: every problem of a file
comes back at once, as `file: path: message`, and no data.
"""

import textwrap
from pathlib import Path

import pytest

from survey.domain.checklist import (
    ChecklistSpec,
    Problem,
    expand_paths,
    parse_source,
    read_files,
    spec_from_data,
)
from survey.domain.yamlload import load_yaml

ROOT = Path(__file__).resolve().parents[2]
REAL_CHECKLIST = ROOT / "checklists" / "consular-visit.yaml"
LANGS = {"kk", "ru", "en"}

# A valid checklist around one section; the items under test are indented into it.
HEADER = textwrap.dedent(
    """\
    slug: demo
    version: 1
    title: {kk: Тексеру, ru: Проверка, en: Check}
    sections:
      - code: access
        title: {kk: Қолжетімділік, ru: Доступность, en: Access}
        items:
    """
)


def with_items(items: str) -> str:
    """The header checklist with these items (a YAML list) in its only section."""
    return HEADER + textwrap.indent(textwrap.dedent(items), " " * 6)


def parse(text: str):
    return parse_source(text, "c.yaml")


def valid(text: str) -> dict:
    data, problems = parse(text)
    assert problems == []
    assert data is not None
    return data


def refused(text: str) -> list[str]:
    """The formatted problems of a definition that must be refused as a whole."""
    data, problems = parse(text)
    assert data is None, "a refused definition must not come back as data"
    assert problems, "a refused definition must say why"
    return [p.format() for p in problems]


def paths(text: str) -> list[str]:
    return [line.split(": ")[1] for line in refused(text)]


def only_item(data: dict) -> dict:
    [section] = data["sections"]
    [item] = section["items"]
    return item


# --- Valid definitions and defaults ------------------------------------------------------------


def test_minimal_yesno_item_gets_every_default():
    data = valid(
        with_items(
            """\
            - code: ramp
              text: {kk: Пандус бар ма, ru: Есть ли пандус, en: Is there a ramp}
              kind: yesno
            """
        )
    )
    assert only_item(data) == {
        "code": "ramp",
        "kind": "yesno",
        "text": {"kk": "Пандус бар ма", "ru": "Есть ли пандус", "en": "Is there a ramp"},
        "weight": 1,
        "required": True,
        "evidence": "optional",
        "critical": False,
        "pass": "yes",
        "allow_na": True,
    }
    assert data["sections"][0]["weight"] == 1
    assert data["scoring"] == {"critical_cap": None}


def test_minimal_scale_item():
    item = only_item(
        valid(
            with_items(
                """\
                - code: courtesy
                  text: {kk: Сыпайылық, ru: Вежливость, en: Courtesy}
                  kind: scale
                  min: 1
                  max: 5
                """
            )
        )
    )
    assert item == {
        "code": "courtesy",
        "kind": "scale",
        "text": {"kk": "Сыпайылық", "ru": "Вежливость", "en": "Courtesy"},
        "weight": 1,
        "required": True,
        "evidence": "optional",
        "min": 1,
        "max": 5,
    }


def test_minimal_number_item_and_one_with_unit_and_pass_if():
    data = valid(
        with_items(
            """\
            - code: chairs
              text: {kk: Орындықтар, ru: Стулья, en: Chairs}
              kind: number
            - code: wait_minutes
              text: {kk: Күту, ru: Ожидание, en: Wait}
              kind: number
              unit: {kk: мин, ru: мин, en: min}
              pass_if: {max: 15}
              critical: true
            """
        )
    )
    bare, full = data["sections"][0]["items"]
    assert bare == {
        "code": "chairs",
        "kind": "number",
        "text": {"kk": "Орындықтар", "ru": "Стулья", "en": "Chairs"},
        "weight": 1,
        "required": True,
        "evidence": "optional",
        "critical": False,
    }
    assert full["unit"] == {"kk": "мин", "ru": "мин", "en": "min"}
    assert full["pass_if"] == {"max": 15}
    assert full["critical"] is True


def test_minimal_choice_item_keeps_options_with_null_score():
    item = only_item(
        valid(
            with_items(
                """\
                - code: booking
                  text: {kk: Жазылу, ru: Запись, en: Booking}
                  kind: choice
                  options:
                    - code: online
                      label: {kk: Онлайн, ru: Онлайн, en: Online}
                      score: 1
                    - code: phone
                      label: {kk: Телефон, ru: Телефон, en: Phone}
                      score: 0.5
                    - code: unknown
                      label: {kk: Білмеймін, ru: Не знаю, en: Don't know}
                      score: null
                """
            )
        )
    )
    assert item["critical"] is False
    assert [(o["code"], o["score"]) for o in item["options"]] == [
        ("online", 1),
        ("phone", 0.5),
        ("unknown", None),
    ]
    assert item["options"][2]["label"]["en"] == "Don't know"


def test_minimal_text_item_has_no_critical_key():
    item = only_item(
        valid(
            with_items(
                """\
                - code: notes
                  text: {kk: Ескертпе, ru: Заметки, en: Notes}
                  kind: text
                  required: false
                  evidence: none
                """
            )
        )
    )
    assert item == {
        "code": "notes",
        "kind": "text",
        "text": {"kk": "Ескертпе", "ru": "Заметки", "en": "Notes"},
        "weight": 1,
        "required": False,
        "evidence": "none",
    }


def test_spec_model_reflects_the_definition():
    spec = spec_from_data(
        valid(
            with_items(
                """\
                - code: ramp
                  text: {kk: a, ru: b, en: c}
                  help: {kk: d, ru: e, en: f}
                  kind: yesno
                  pass: no
                  weight: 2
                - code: wait
                  text: {kk: a, ru: b, en: c}
                  kind: number
                  pass_if: {min: 1, max: 15}
                """
            )
        )
    )
    assert isinstance(spec, ChecklistSpec)
    assert (spec.slug, spec.version, spec.critical_cap) == ("demo", 1, None)
    ramp, wait = spec.iter_items()
    assert (ramp.section, ramp.pass_answer, ramp.weight) == ("access", "no", 2)
    assert ramp.help == {"kk": "d", "ru": "e", "en": "f"}
    assert (wait.pass_min, wait.pass_max, wait.has_pass_if, wait.scorable) == (1, 15, True, True)
    assert set(spec.items) == {"ramp", "wait"}


# --- YAML 1.1 words -----------------------------------------------------------------------------


def test_unquoted_yes_and_no_read_as_strings_where_a_string_is_expected():
    data = valid(
        with_items(
            """\
            - code: bribe_asked
              text: {kk: a, ru: b, en: c}
              kind: yesno
              pass: no
            - code: answered
              text: {kk: a, ru: b, en: c}
              kind: yesno
              pass: yes
            - code: outcome
              text: {kk: a, ru: b, en: c}
              kind: choice
              options:
                - {code: yes, label: {kk: Иә, ru: Да, en: Yes}, score: 1}
                - {code: no, label: {kk: Жоқ, ru: Нет, en: No}, score: 0}
            """
        )
    )
    bribe, answered, outcome = data["sections"][0]["items"]
    assert bribe["pass"] == "no"
    assert answered["pass"] == "yes"
    assert [o["code"] for o in outcome["options"]] == ["yes", "no"]
    assert outcome["options"][1]["label"]["en"] == "No"


def test_loader_keeps_yaml_1_1_words_as_strings_but_reads_true_false():
    assert load_yaml("a: yes\nb: no\nc: on\nd: off\ne: true\nf: False\n") == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": True,
        "f": False,
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [("no", False), ("false", False), ("off", False), ("yes", True), ("true", True)],
)
def test_boolean_keys_accept_yes_no_words(written, expected):
    item = only_item(
        valid(
            with_items(
                f"""\
                - code: ramp
                  text: {{kk: a, ru: b, en: c}}
                  kind: yesno
                  allow_na: {written}
                  required: {written}
                  critical: {written}
                """
            )
        )
    )
    assert item["allow_na"] is expected
    assert item["required"] is expected
    assert item["critical"] is expected


def test_a_boolean_key_refuses_other_words():
    assert refused(
        with_items(
            """\
            - code: ramp
              text: {kk: a, ru: b, en: c}
              kind: yesno
              required: sometimes
            """
        )
    ) == ["c.yaml: sections[0].items[0].required: Must be true or false."]


# --- Paths and messages -------------------------------------------------------------------------

TWO_SECTIONS = textwrap.dedent(
    """\
    slug: demo
    version: 1
    title: {kk: a, ru: b, en: c}
    sections:
      - code: first
        title: {kk: a, ru: b, en: c}
        items:
          - {code: a1, text: {kk: a, ru: b, en: c}, kind: yesno}
      - code: second
        title: {kk: a, ru: b, en: c}
        items:
          - {code: b1, text: {kk: a, ru: b, en: c}, kind: yesno}
          - {code: b2, text: {kk: a, ru: b, en: c}, kind: yesno}
          - {code: b3, text: {kk: a, ru: b, en: c}, kind: yesno}
          - {code: b4, text: {kk: a, ru: b, en: c}, kind: yesno, weight: WEIGHT}
    """
)


def test_problem_path_points_into_the_second_section():
    valid(TWO_SECTIONS.replace("WEIGHT", "3"))
    assert refused(TWO_SECTIONS.replace("WEIGHT", "0")) == [
        "c.yaml: sections[1].items[3].weight: Must be greater than 0."
    ]


def test_problem_format_is_file_path_message():
    assert Problem("c.yaml", "slug", "Bad.").format() == "c.yaml: slug: Bad."


TOP = textwrap.dedent(
    """\
    slug: SLUG
    version: VERSION
    title: {kk: a, ru: b, en: c}
    scoring: {critical_cap: CAP}
    sections:
      - code: s
        title: {kk: a, ru: b, en: c}
        items:
          - {code: i, text: {kk: a, ru: b, en: c}, kind: yesno}
    """
)


def top(slug="demo", version="1", cap="null"):
    return TOP.replace("SLUG", slug).replace("VERSION", version).replace("CAP", cap)


def test_top_template_is_valid():
    assert valid(top(cap="40"))["scoring"] == {"critical_cap": 40}


@pytest.mark.parametrize("slug", ["Consular", "consular_visit", "consular visit", '""'])
def test_bad_slug(slug):
    assert paths(top(slug=slug)) == ["slug"]


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("0", "Must be greater than 0."),
        ("-1", "Must be greater than 0."),
        ("1.5", "Must be a whole number."),
        ('"1"', "Must be a number."),
        ("true", "Must be a number."),
        ("null", "This field may not be empty."),
    ],
)
def test_version_must_be_a_positive_integer(version, message):
    assert refused(top(version=version)) == [f"c.yaml: version: {message}"]


@pytest.mark.parametrize("cap", ["101", "-1", '"x"', "true"])
def test_critical_cap_outside_0_to_100(cap):
    assert refused(top(cap=cap)) == [
        "c.yaml: scoring.critical_cap: Must be a number from 0 to 100, or null."
    ]


@pytest.mark.parametrize("cap", ["0", "100", "62.5"])
def test_critical_cap_bounds_are_allowed(cap):
    assert valid(top(cap=cap))["scoring"]["critical_cap"] == float(cap)


def test_scoring_may_be_omitted_or_null():
    assert valid(top().replace("scoring: {critical_cap: null}\n", ""))["scoring"] == {
        "critical_cap": None
    }
    assert valid(top().replace("{critical_cap: null}", "null"))["scoring"] == {"critical_cap": None}


def test_missing_language_extra_language_and_empty_string():
    lines = refused(
        with_items(
            """\
            - code: ramp
              text: {kk: Пандус, en: Ramp}
              kind: yesno
            - code: braille
              text: {kk: a, ru: b, en: c, de: d}
              kind: yesno
            - code: tactile
              text: {kk: a, ru: "  ", en: c}
              kind: yesno
            - code: queue
              text: {kk: a, ru: b, en: ""}
              kind: yesno
            """
        )
    )
    assert lines == [
        "c.yaml: sections[0].items[0].text.ru: The ru text is missing.",
        "c.yaml: sections[0].items[1].text.de: Unknown language de: use kk, ru and en.",
        "c.yaml: sections[0].items[2].text.ru: Must not be empty.",
        "c.yaml: sections[0].items[3].text.en: Must not be empty.",
    ]


def test_languages_are_checked_in_every_text():
    lines = refused(
        textwrap.dedent(
            """\
            slug: demo
            version: 1
            title: {kk: a, ru: b}
            sections:
              - code: s
                title: {ru: b, en: c}
                items:
                  - code: i
                    text: {kk: a, ru: b, en: c}
                    help: {kk: a, ru: b, en: ""}
                    kind: choice
                    options:
                      - {code: o, label: {kk: a, ru: b, en: c, fr: d}, score: 1}
            """
        )
    )
    assert lines == [
        "c.yaml: sections[0].items[0].help.en: Must not be empty.",
        "c.yaml: sections[0].items[0].options[0].label.fr: Unknown language fr: use kk, ru and en.",
        "c.yaml: sections[0].title.kk: The kk text is missing.",
        "c.yaml: title.en: The en text is missing.",
    ]


def test_unknown_top_level_key():
    assert refused(top() + "author: someone\n") == ["c.yaml: author: Unknown key (a typo?)."]


def test_unknown_item_key_such_as_a_typo():
    assert refused(
        with_items(
            """\
            - code: ramp
              text: {kk: a, ru: b, en: c}
              kind: yesno
              requried: false
            """
        )
    ) == ["c.yaml: sections[0].items[0].requried: Unknown key (a typo?)."]


@pytest.mark.parametrize(
    ("kind_lines", "key"),
    [
        ("kind: yesno\n  min: 1", "min"),
        ("kind: scale\n  min: 1\n  max: 5\n  pass: yes", "pass"),
        ("kind: number\n  options: [{code: a, label: {kk: a, ru: b, en: c}, score: 1}]", "options"),
        ("kind: scale\n  min: 1\n  max: 5\n  critical: true", "critical"),
        ("kind: text\n  critical: false", "critical"),
        ("kind: choice\n  options: [{code: a, label: {kk: a, ru: b, en: c}, score: 0}]\n  unit: "
         "{kk: a, ru: b, en: c}", "unit"),
        ("kind: number\n  allow_na: true", "allow_na"),
    ],
)  # fmt: skip
def test_a_key_of_another_kind_is_refused(kind_lines, key):
    kind = kind_lines.split("\n")[0].split(": ")[1]
    text = with_items(f"- code: item\n  text: {{kk: a, ru: b, en: c}}\n  {kind_lines}\n")
    assert refused(text) == [
        f"c.yaml: sections[0].items[0].{key}: Not allowed for an item of kind {kind}."
    ]


def test_scale_needs_min_and_max():
    assert refused(
        with_items(
            """\
            - code: courtesy
              text: {kk: a, ru: b, en: c}
              kind: scale
            """
        )
    ) == [
        "c.yaml: sections[0].items[0].max: This field is required.",
        "c.yaml: sections[0].items[0].min: This field is required.",
    ]


@pytest.mark.parametrize(("low", "high"), [(3, 3), (5, 1)])
def test_scale_min_must_be_below_max(low, high):
    assert refused(
        with_items(
            f"""\
            - code: courtesy
              text: {{kk: a, ru: b, en: c}}
              kind: scale
              min: {low}
              max: {high}
            """
        )
    ) == ["c.yaml: sections[0].items[0].max: min must be less than max."]


def test_scale_bounds_must_be_whole_numbers():
    assert paths(
        with_items(
            """\
            - code: courtesy
              text: {kk: a, ru: b, en: c}
              kind: scale
              min: 0.5
              max: 5
            """
        )
    ) == ["sections[0].items[0].min"]


@pytest.mark.parametrize(
    ("pass_if", "message"),
    [("{}", "Give min, max or both."), ("{min: 5, max: 1}", "min must not be greater than max.")],
)
def test_number_pass_if_rules(pass_if, message):
    assert refused(
        with_items(
            f"""\
            - code: wait
              text: {{kk: a, ru: b, en: c}}
              kind: number
              pass_if: {pass_if}
            """
        )
    ) == [f"c.yaml: sections[0].items[0].pass_if: {message}"]


def test_number_pass_if_with_equal_bounds_is_allowed():
    item = only_item(
        valid(
            with_items(
                """\
                - code: windows
                  text: {kk: a, ru: b, en: c}
                  kind: number
                  pass_if: {min: 2, max: 2}
                """
            )
        )
    )
    assert item["pass_if"] == {"min": 2, "max": 2}


def test_choice_without_options_and_with_an_empty_list():
    assert refused(
        with_items(
            """\
            - code: booking
              text: {kk: a, ru: b, en: c}
              kind: choice
            - code: outcome
              text: {kk: a, ru: b, en: c}
              kind: choice
              options: []
            """
        )
    ) == [
        "c.yaml: sections[0].items[0].options: This field is required.",
        "c.yaml: sections[0].items[1].options: Must list at least one entry.",
    ]


def test_option_score_range_presence_and_unique_codes():
    lines = refused(
        with_items(
            """\
            - code: booking
              text: {kk: a, ru: b, en: c}
              kind: choice
              options:
                - {code: online, label: {kk: a, ru: b, en: c}, score: 1.5}
                - {code: phone, label: {kk: a, ru: b, en: c}, score: -0.1}
                - {code: mail, label: {kk: a, ru: b, en: c}}
                - {code: walk_in, label: {kk: a, ru: b, en: c}, score: 0}
                - {code: online, label: {kk: a, ru: b, en: c}, score: 1}
            """
        )
    )
    assert lines == [
        "c.yaml: sections[0].items[0].options[0].score: Must be a number from 0 to 1, or null.",
        "c.yaml: sections[0].items[0].options[1].score: Must be a number from 0 to 1, or null.",
        "c.yaml: sections[0].items[0].options[2].score: This field is required.",
        "c.yaml: sections[0].items[0].options[4].code: "
        "Option code online is used more than once in the item.",
    ]


def test_duplicate_section_codes():
    text = TWO_SECTIONS.replace("WEIGHT", "1").replace("code: second", "code: first")
    assert refused(text) == ["c.yaml: sections[1].code: Section code first is used more than once."]


def test_duplicate_item_codes_across_two_sections():
    text = TWO_SECTIONS.replace("WEIGHT", "1").replace("code: b3", "code: a1")
    assert refused(text) == [
        "c.yaml: sections[1].items[2].code: Item code a1 is used more than once in the checklist."
    ]


@pytest.mark.parametrize("code", ["Ramp", "ramp-1", "ramp 1", "пандус", '""'])
def test_bad_item_code(code):
    assert refused(
        with_items(
            f"""\
            - code: {code}
              text: {{kk: a, ru: b, en: c}}
              kind: yesno
            """
        )
    ) == [
        "c.yaml: sections[0].items[0].code: "
        "Use only lower-case Latin letters, digits and underscores."
    ]


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("0", "Must be greater than 0."),
        ("-2", "Must be greater than 0."),
        ('"2"', "Must be a number."),
    ],
)
def test_item_and_section_weight_must_be_positive_numbers(weight, message):
    item_text = with_items(
        f"""\
        - code: ramp
          text: {{kk: a, ru: b, en: c}}
          kind: yesno
          weight: {weight}
        """
    )
    assert refused(item_text) == [f"c.yaml: sections[0].items[0].weight: {message}"]
    section_text = with_items("- {code: ramp, text: {kk: a, ru: b, en: c}, kind: yesno}\n").replace(
        "    items:", f"    weight: {weight}\n    items:"
    )
    assert refused(section_text) == [f"c.yaml: sections[0].weight: {message}"]


def test_fractional_weights_are_allowed():
    data = valid(TWO_SECTIONS.replace("WEIGHT", "0.5"))
    assert data["sections"][1]["items"][3]["weight"] == 0.5


def test_critical_number_without_pass_if_can_never_fail():
    assert refused(
        with_items(
            """\
            - code: wait
              text: {kk: a, ru: b, en: c}
              kind: number
              critical: true
            """
        )
    ) == [
        "c.yaml: sections[0].items[0].critical: "
        "A critical number item needs pass_if, or it can never fail."
    ]


def test_critical_choice_without_a_zero_option_can_never_fail():
    text = with_items(
        """\
        - code: fee
          text: {kk: a, ru: b, en: c}
          kind: choice
          critical: true
          options:
            - {code: none, label: {kk: a, ru: b, en: c}, score: 1}
            - {code: tip, label: {kk: a, ru: b, en: c}, score: ZERO}
            - {code: unsure, label: {kk: a, ru: b, en: c}, score: null}
        """
    )
    assert refused(text.replace("ZERO", "0.1")) == [
        "c.yaml: sections[0].items[0].critical: "
        "A critical choice item needs an option scored 0, or it can never fail."
    ]
    assert only_item(valid(text.replace("ZERO", "0")))["critical"] is True


@pytest.mark.parametrize("evidence", ["mandatory", "photo", "Required", "null"])
def test_evidence_outside_the_four_values(evidence):
    text = with_items(
        f"""\
        - code: ramp
          text: {{kk: a, ru: b, en: c}}
          kind: yesno
          evidence: {evidence}
        """
    )
    assert paths(text) == ["sections[0].items[0].evidence"]


@pytest.mark.parametrize("evidence", ["none", "optional", "recommended", "required"])
def test_each_evidence_value_is_kept(evidence):
    text = with_items(
        f"""\
        - code: ramp
          text: {{kk: a, ru: b, en: c}}
          kind: yesno
          evidence: {evidence}
        """
    )
    assert only_item(valid(text))["evidence"] == evidence


@pytest.mark.parametrize("kind", ["date", "Yesno", "photo", "true"])
def test_kind_outside_the_five(kind):
    assert refused(
        with_items(
            f"""\
            - code: ramp
              text: {{kk: a, ru: b, en: c}}
              kind: {kind}
            """
        )
    ) == ["c.yaml: sections[0].items[0].kind: Must be one of: yesno, scale, number, choice, text."]


def test_item_without_kind_or_text():
    assert refused(with_items("- code: ramp\n")) == [
        "c.yaml: sections[0].items[0].kind: This field is required.",
        "c.yaml: sections[0].items[0].text: This field is required.",
    ]


def test_empty_sections_list():
    text = top().split("sections:")[0] + "sections: []\n"
    assert refused(text) == ["c.yaml: sections: Must list at least one entry."]


def test_missing_top_level_keys():
    assert refused("slug: demo\n") == [
        "c.yaml: sections: This field is required.",
        "c.yaml: title: This field is required.",
        "c.yaml: version: This field is required.",
    ]


def test_section_with_no_items():
    assert refused(HEADER.replace("items:", "items: []")) == [
        "c.yaml: sections[0].items: Must list at least one entry."
    ]
    assert refused(HEADER.replace("    items:\n", "")) == [
        "c.yaml: sections[0].items: This field is required."
    ]


# --- YAML-level problems ------------------------------------------------------------------------


def test_yaml_syntax_error_reports_its_line():
    text = textwrap.dedent(
        """\
        slug: demo
        version: 1
          title: {kk: a, ru: b, en: c}
        """
    )
    [line] = refused(text)
    assert line.startswith("c.yaml: line 3: YAML syntax error: ")


def test_unclosed_flow_mapping_is_a_syntax_error():
    [line] = refused(with_items("- {code: ramp, kind: yesno\n"))
    assert "YAML syntax error" in line
    assert line.startswith("c.yaml: line ")


def test_duplicate_yaml_key_reports_the_line_of_the_repeat():
    text = with_items(
        """\
        - code: ramp
          text: {kk: a, ru: b, en: c}
          kind: yesno
          weight: 2
          weight: 3
        """
    )
    assert refused(text) == ["c.yaml: line 12: Key weight is given twice."]


def test_duplicate_language_inside_a_flow_mapping():
    assert refused(top().replace("{kk: a, ru: b, en: c}", "{kk: a, ru: b, en: c, kk: d}", 1)) == [
        "c.yaml: line 3: Key kk is given twice."
    ]


@pytest.mark.parametrize("text", ["- slug: demo\n- version: 1\n", "consular-visit\n", "42\n", ""])
def test_a_document_that_is_not_a_mapping(text):
    assert refused(text) == [
        "c.yaml: document: "
        "The file must hold one checklist: a mapping with slug, version and sections."
    ]


def test_two_yaml_documents_in_one_file_are_refused():
    [line] = refused(top() + "---\n" + top())
    assert "YAML syntax error" in line


def test_an_unhashable_key_is_a_problem_with_its_line_not_a_crash():
    # A flow sequence or mapping used as a key: reported, not a TypeError out of the loader.
    assert refused(with_items("- [ramp]: yes\n")) == [
        "c.yaml: line 8: YAML syntax error: found unhashable key."
    ]
    assert refused(top() + "? {a: 1}\n: x\n") == [
        "c.yaml: line 10: YAML syntax error: found unhashable key."
    ]


# --- All problems at once -----------------------------------------------------------------------


def test_every_problem_of_a_file_is_reported_at_once():
    text = textwrap.dedent(
        """\
        slug: Consular Visit
        version: 0
        title: {kk: Бару, ru: Посещение, en: Visit}
        sections:
          - code: access
            title: {kk: a, ru: b, en: c}
            items:
              - code: ramp
                text: {kk: a, ru: b}
                kind: yesno
                requried: true
          - code: service
            title: {kk: a, ru: b, en: c}
            items:
              - code: courtesy
                text: {kk: a, ru: b, en: c}
                kind: scale
                min: 5
                max: 1
              - code: ramp
                text: {kk: a, ru: b, en: c}
                kind: yesno
        """
    )
    data, problems = parse(text)
    assert data is None
    # Six distinct mistakes in four places of the file: six problems, in one report.
    assert [p.format() for p in problems] == [
        "c.yaml: sections[0].items[0].requried: Unknown key (a typo?).",
        "c.yaml: sections[0].items[0].text.en: The en text is missing.",
        "c.yaml: sections[1].items[0].max: min must be less than max.",
        "c.yaml: sections[1].items[1].code: "
        "Item code ramp is used more than once in the checklist.",
        "c.yaml: slug: Use only lower-case Latin letters, digits and hyphens.",
        "c.yaml: version: Must be greater than 0.",
    ]
    assert all(p.file == "c.yaml" for p in problems)


def test_problems_come_in_document_order_of_indices():
    items = "".join(
        f"- {{code: i{n}, text: {{kk: a, ru: b, en: c}}, kind: yesno, weight: 0}}\n"
        for n in range(12)
    )
    assert paths(with_items(items)) == [f"sections[0].items[{n}].weight" for n in range(12)]


# --- "Changed" means the parsed definition differs ----------------------------------------------

BLOCK_STYLE = textwrap.dedent(
    """\
    # Demo checklist, block style, with comments and explicit defaults.
    slug: "demo"
    version: 1
    title:
      kk: "Тексеру"
      ru: "Проверка"
      en: "Check"
    scoring:
      critical_cap: 40   # a failed critical item caps the score
    sections:
      - code: "access"
        title:
          kk: "Қолжетімділік"
          ru: "Доступность"
          en: "Access"
        weight: 1
        items:
          - code: "ramp"
            text:
              kk: "Пандус бар ма?"
              ru: "Есть ли пандус?"
              en: "Is there a ramp?"
            kind: "yesno"
            pass: "yes"
            allow_na: true
            weight: 2
            required: true
            evidence: "optional"
          - code: "wait"
            text:
              kk: "Күту"
              ru: "Ожидание"
              en: "Wait"
            kind: "number"
            pass_if:
              max: 15
            critical: true
    """
)

FLOW_STYLE = textwrap.dedent(
    """\
    sections:
    - items:
      - {kind: yesno, weight: 2, code: ramp,
         text: {en: "Is there a ramp?", ru: 'Есть ли пандус?', kk: "Пандус бар ма?"}}
      - {critical: true, pass_if: {max: 15}, kind: number, code: wait,
         text: {en: Wait,   ru: Ожидание,  kk: Күту}}
      title: {en: Access, kk: Қолжетімділік, ru: Доступность}
      code: access
    title: {en: Check, ru: Проверка, kk: Тексеру}
    version:   1
    slug: demo
    scoring: {critical_cap: 40}
    """
)


def test_spacing_comments_key_order_and_style_do_not_change_the_definition():
    assert valid(BLOCK_STYLE) == valid(FLOW_STYLE)
    assert spec_from_data(valid(BLOCK_STYLE)) == spec_from_data(valid(FLOW_STYLE))


def test_a_changed_weight_changes_the_definition():
    changed = BLOCK_STYLE.replace("weight: 2", "weight: 3")
    assert valid(changed) != valid(BLOCK_STYLE)
    assert spec_from_data(valid(changed)) != spec_from_data(valid(BLOCK_STYLE))


def test_a_changed_word_changes_the_definition():
    assert valid(BLOCK_STYLE.replace('en: "Wait"', 'en: "Waiting"')) != valid(BLOCK_STYLE)


# --- Files --------------------------------------------------------------------------------------


def test_read_files_refuses_the_same_version_with_different_content(tmp_path):
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(BLOCK_STYLE, encoding="utf-8")
    second.write_text(BLOCK_STYLE.replace("weight: 2", "weight: 3"), encoding="utf-8")
    sources, problems = read_files([first, second])
    assert [s.file for s in sources] == [str(first), str(second)]
    assert [p.format() for p in problems] == [
        f"{second}: version: demo version 1 is also defined in {first} with a different content."
    ]


def test_read_files_accepts_the_same_definition_written_twice(tmp_path):
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yml"
    first.write_text(BLOCK_STYLE, encoding="utf-8")
    second.write_text(FLOW_STYLE, encoding="utf-8")
    sources, problems = read_files([first, second])
    assert problems == []
    assert [s.key for s in sources] == [("demo", 1), ("demo", 1)]
    assert sources[0].sha256 != sources[1].sha256
    assert sources[0].data == sources[1].data


def test_read_files_collects_problems_of_every_file(tmp_path):
    good = tmp_path / "good.yaml"
    bad = tmp_path / "bad.yaml"
    binary = tmp_path / "binary.yaml"
    good.write_text(BLOCK_STYLE, encoding="utf-8")
    bad.write_text(BLOCK_STYLE.replace("version: 1", "version: 0"), encoding="utf-8")
    binary.write_bytes(b"slug: \xff\xfe\n")
    sources, problems = read_files([good, bad, binary, tmp_path / "missing.yaml"])
    assert [s.file for s in sources] == [str(good)]
    assert [(p.file, p.path) for p in problems] == [
        (str(bad), "version"),
        (str(binary), "document"),
        (str(tmp_path / "missing.yaml"), "document"),
    ]


def test_expand_paths_picks_yaml_and_yml_files_of_a_folder_sorted(tmp_path):
    for name in ["b.yml", "a.yaml", "c.yaml", "notes.txt", "d.json", "README.md"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e.yaml").write_text("x", encoding="utf-8")
    extra = tmp_path / "sub" / "e.yaml"
    assert expand_paths([tmp_path, extra]) == [
        tmp_path / "a.yaml",
        tmp_path / "b.yml",
        tmp_path / "c.yaml",
        extra,
    ]


# --- The real checklist -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    data, problems = parse_source(REAL_CHECKLIST.read_text(encoding="utf-8"), str(REAL_CHECKLIST))
    assert [p.format() for p in problems] == []
    return spec_from_data(data)


def test_real_checklist_validates_with_no_problem(real):
    assert real.slug == "consular-visit"
    sources, problems = read_files(expand_paths([REAL_CHECKLIST.parent]))
    assert problems == []
    assert REAL_CHECKLIST.as_posix() in [Path(s.file).as_posix() for s in sources]


def test_real_checklist_size(real):
    assert 5 <= len(real.sections) <= 7
    assert 30 <= len(list(real.iter_items())) <= 40
    assert all(section.items for section in real.sections)


def _texts(spec):
    yield spec.title
    for section in spec.sections:
        yield section.title
        for item in section.items:
            yield item.text
            if item.help is not None:
                yield item.help
            if item.unit is not None:
                yield item.unit
            for option in item.options:
                yield option.label


def test_real_checklist_has_exactly_kk_ru_en_everywhere(real):
    texts = list(_texts(real))
    assert len(texts) > 60
    for text in texts:
        assert set(text) == LANGS
        assert all(value.strip() for value in text.values())
    # The three languages really differ: not one text copied into all slots.
    assert real.title["kk"] != real.title["ru"] != real.title["en"]


def test_real_checklist_has_a_critical_item_that_can_fail(real):
    critical = [item for item in real.iter_items() if item.critical]
    assert critical
    assert all(item.kind in ("yesno", "number", "choice") for item in critical)


def test_whole_is_a_number_item_key_only():
    data = valid(
        with_items(
            """\
            - {code: wait_minutes, text: {kk: Күту, ru: Ожидание, en: Wait}, kind: number,
               whole: true}
            - {code: chairs, text: {kk: Орындықтар, ru: Стулья, en: Chairs}, kind: number,
               whole: false}
            """
        )
    )
    minutes, chairs = data["sections"][0]["items"]
    assert minutes["whole"] is True and "whole" not in chairs
    assert spec_from_data(data).items["wait_minutes"].whole
    problems = refused(
        with_items(
            """\
            - {code: ramp, text: {kk: Пандус, ru: Пандус, en: Ramp}, kind: yesno, whole: true}
            - {code: chairs, text: {kk: Орындықтар, ru: Стулья, en: Chairs}, kind: number,
               whole: 1}
            """
        )
    )
    assert (
        len(problems) == 2 and "items[0].whole" in problems[0] and "items[1].whole" in problems[1]
    )


def test_real_checklist_asks_whole_minutes(real):
    assert real.items["wait_minutes"].whole


def test_real_checklist_has_a_number_item_with_pass_if(real):
    numbers = [item for item in real.iter_items() if item.kind == "number" and item.has_pass_if]
    assert numbers
    assert all(item.pass_min is not None or item.pass_max is not None for item in numbers)


def test_real_checklist_has_help_on_most_items(real):
    items = list(real.iter_items())
    with_help = [item for item in items if item.help]
    assert len(with_help) >= 0.75 * len(items)

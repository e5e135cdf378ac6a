"""One terminology, enforced (issue 16): docs/glossary.md's table is the rule.

Every kk and ru string of the catalogues and of the shipped checklist is checked against each
row that applies to its English text; a forbidden word fails the test with the string's id, so
a translator sees what to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from survey.domain.yamlload import load_yaml

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
CHECKLISTS = ROOT / "checklists"
CELL = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Rule:
    number: str
    concept: str
    applies: re.Pattern[str] | None  # None: every string
    avoid: dict[str, list[re.Pattern[str]]]  # language -> forbidden forms

    def problems(self, where: str, language: str, text: str) -> list[str]:
        if self.applies is not None and not self.applies.search(where):
            return []
        return [
            f"#{self.number} {self.concept}: «{form.pattern[len(START) :]}» in {text!r}"
            for form in self.avoid.get(language, [])
            if form.search(text)
        ]


START = r"(?<![\w])"


def _forms(cell: str) -> list[re.Pattern[str]]:
    return [re.compile(START + f, re.IGNORECASE) for f in re.findall(r"«(.+?)»", cell)]


def rules() -> list[Rule]:
    """The rows of the glossary's table that carry a rule."""
    found = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not re.match(r"\|\s*\d+\s*\|", line):
            continue
        cells = [c.strip().replace("\\|", "|") for c in CELL.split(line)[1:-1]]
        number, concept, applies, _kk, kk_avoid, _ru, ru_avoid = cells
        avoid = {"kk": _forms(kk_avoid), "ru": _forms(ru_avoid)}
        if applies == "—" or not any(avoid.values()):
            continue
        pattern = applies.strip("`")
        applies_to = None if pattern == "*" else re.compile(pattern, re.IGNORECASE)
        found.append(Rule(number, concept, applies_to, avoid))
    return found


@dataclass(frozen=True)
class Text:
    source: str  # where it is: "kk.po: msgid" or "checklist: path"
    where: str  # context::English
    translations: dict[str, str]


def catalogue_texts() -> Iterator[Text]:
    translations: dict[tuple[str | None, str], dict[str, str]] = {}
    english: dict[tuple[str | None, str], str] = {}
    for language in ("kk", "ru"):
        path = ROOT / "survey" / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            for message in read_po(fh, locale=language):
                if not message.id:
                    continue
                ids = [message.id] if isinstance(message.id, str) else list(message.id)
                forms = [message.string] if isinstance(message.string, str) else message.string
                key = (message.context, ids[0])
                english[key] = " ".join(ids)
                translations.setdefault(key, {})[language] = " ".join(f or "" for f in forms)
    for (context, msgid), texts in translations.items():
        yield Text(f"catalogue: {msgid!r}", f"{context or ''}::{english[(context, msgid)]}", texts)


def _walk(node: object, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    if isinstance(node, dict):
        if {"kk", "ru", "en"} <= node.keys() and all(isinstance(node[k], str) for k in node):
            yield path, node  # type: ignore[misc]
            return
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            code = value.get("code") if isinstance(value, dict) else None
            yield from _walk(value, f"{path}[{code or index}]")


def checklist_texts() -> Iterator[Text]:
    for path in sorted(CHECKLISTS.glob("*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8"))
        for where, texts in _walk(data, path.name):
            yield Text(f"checklist: {where}", f"::{texts['en']}", texts)


def _problems(texts: Iterator[Text], found: list[Rule]) -> list[str]:
    out = []
    for text in texts:
        for language in ("kk", "ru"):
            for rule in found:
                for problem in rule.problems(text.where, language, text.translations[language]):
                    out.append(f"{text.source} [{language}] {problem}")
    return out


def test_the_glossary_holds_its_rules():
    found = rules()
    assert len(found) >= 20, "docs/glossary.md lost its table? the test would check nothing"
    numbers = [r.number for r in found]
    assert len(numbers) == len(set(numbers))


def test_a_rule_catches_what_the_review_found():
    """The rules are not vacuous: the faults of the November 2026 review are caught."""
    found = rules()
    faults = [
        Text("t", "visit status::Draft", {"kk": "Жоба", "ru": "Черновик"}),
        Text("t", "finding status::Open", {"kk": "Ашу", "ru": "Открыть"}),
        Text("t", "::Auditor's note", {"kk": "Аудитордың ескертпесі", "ru": "Замечание аудитора"}),
        Text("t", "::Information", {"kk": "мемлекеттік қызмет стандарты", "ru": "ваш визит"}),
        Text("t", "::Evidence from the visit", {"kk": "Дәлелдер", "ru": "Доказательства"}),
    ]
    assert len(_problems(iter(faults), found)) == 9
    fine = [
        Text("t", "link to a page::Open", {"kk": "Ашу", "ru": "Открыть"}),
        Text("t", "::Draft", {"kk": "Толтырылуда", "ru": "Черновик"}),
        Text("t", "::people", {"kk": "мүгедектігі бар адамдар", "ru": "людей с инвалидностью"}),
    ]
    assert _problems(iter(fine), found) == []


@pytest.mark.parametrize(
    "texts", [catalogue_texts, checklist_texts], ids=["catalogue", "checklist"]
)
def test_no_string_uses_a_word_the_glossary_forbids(texts):
    problems = _problems(texts(), rules())
    assert not problems, "\n".join(problems)

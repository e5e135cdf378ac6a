"""The charts of the pages (dashboard, office pages, /public), built from their figures and
drawn by charts.py; each comes with the caption a reader needs when it leaves rows out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from flask_babel import lazy_gettext as _l

from ..common.l10n import current_locale, one_decimal, quarter_label
from ..domain.charts import both_ends, shown_in_chart
from ..scores.trend import MonthScore
from . import charts
from .charts import Bar
from .names import Names


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: its SVG as a data: URI and, when the chart leaves rows out,
    a caption that says so (the text alternative is in the template)."""

    uri: str
    caption: str = ""


def ranking_chart(
    rows: list[dict[str, Any]], office_name: Callable[[str], str], limit: int = 20
) -> Chart:
    """Offices as horizontal bars in ranking order (best first), those with too few visits
    light and hatched; more than limit: the best and the worst (domain/charts.py)."""
    shown, hidden = shown_in_chart(rows, lambda r: not r.get("too_few"), limit)
    too_few = str(_l("too few visits to rank"))
    bars = [
        Bar(
            label=office_name(r["office"]) + (f" ({too_few})" if r.get("too_few") else ""),
            value=r["score"],
            note=one_decimal(r["score"]),
            interval=tuple(r["score_ci"]) if r.get("score_ci") else None,
            faint=bool(r.get("too_few")),
        )
        for r in shown
        if r["score"] is not None
    ]
    caption = ""
    if hidden and both_ends(rows, lambda r: not r.get("too_few"), limit):
        caption = str(
            _l(
                "The chart shows the %(n)s best and the %(n)s worst offices; all %(total)s are "
                "in the table.",
                n=limit // 2,
                total=len(rows),
            )
        )
    elif hidden:
        caption = str(
            _l(
                "The chart shows %(shown)s of the %(total)s offices, ranked ones first; all are "
                "in the table.",
                shown=len(shown),
                total=len(rows),
            )
        )
    return Chart(charts.data_uri(charts.bar_chart(bars)), caption)


def sections_chart(sections: dict[str, dict[str, Any]], named: Names) -> Chart | None:
    """An office's score by section, lowest first: where to look; None when no section has a
    score to show (withheld, or no visits)."""
    ordered = sorted(
        ((code, f) for code, f in sections.items() if f.get("score") is not None),
        key=lambda pair: pair[1]["score"],
    )
    bars = [Bar(named.section(code), f["score"], one_decimal(f["score"])) for code, f in ordered]
    if not bars:
        return None
    return Chart(charts.data_uri(charts.bar_chart(bars)))


def trend_chart(months: list[MonthScore]) -> Chart:
    """An office's score by month with its 95 % interval. At most six months are named
    under the axis ("қаң.", "янв.", "Jan": six fit across a phone), each with its year
    under it when the year differs from the last one named."""
    locale = current_locale()
    step = max(1, -(-len(months) // 6))
    labels, year = [], 0
    for index, m in enumerate(months):
        first = date.fromisoformat(f"{m.month}-01")
        if index % step:
            labels.append("")
            continue
        # Kazakh writes months in full (no «жел.»); the others abbreviate on the axis.
        name = format_date(first, "LLLL" if locale == "kk" else "LLL", locale=locale)
        labels.append(name if first.year == year else f"{name}\n{first.year}")
        year = first.year
    svg = charts.line_chart(labels, [m.score for m in months], [m.interval for m in months])
    return Chart(charts.data_uri(svg))


def quarter_chart(quarters: list[tuple[str, float | None, int]]) -> Chart:
    """An office head's score by ended quarter (scores.trend.quarterly_scores, oldest first;
    a score withheld below three visits is a gap). At most four quarters are named under
    the axis, each on two lines ("2026 ж.\n3-тоқсан", "3-й квартал\n2026 г.", "Q3\n2026")."""
    step = max(1, -(-len(quarters) // 4))
    labels = [
        "" if index % step else _two_lines(quarter_label(code))
        for index, (code, _score, _n) in enumerate(quarters)
    ]
    scores = [score for _code, score, _n in quarters]
    return Chart(charts.data_uri(charts.line_chart(labels, scores, [None] * len(quarters))))


def _two_lines(text: str) -> str:
    """text broken at the space nearest its middle."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1 :]

"""Charts drawn by matplotlib (SVG for pages and the PDF, PNG for the website infographic).

Every chart on a page also has its numbers in a table beside it.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from typing import Any

ACCENT = "#00546e"
WARN = "#b00020"


@cache
def _pyplot() -> Any:
    """matplotlib is big: load it when the first chart is drawn, not when the app starts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9})
    return plt


def _svg(fig: Any) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    """For <img src=…>: the page's CSP stays strict, and the SVG's own styles stay inside it."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def ranking_chart(rows: list[dict[str, Any]], names: dict[str, str], limit: int = 20) -> str:
    shown = [r for r in rows if r["score"] is not None][:limit]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 0.3 * max(3, len(shown)) + 0.6))
    labels = [names.get(r["office"], r["office"]) for r in shown][::-1]
    scores = [r["score"] for r in shown][::-1]
    errors = [
        [s - (r["score_ci"] or [s, s])[0] for s, r in zip(scores, shown[::-1], strict=True)],
        [(r["score_ci"] or [s, s])[1] - s for s, r in zip(scores, shown[::-1], strict=True)],
    ]
    ax.barh(labels, scores, xerr=errors, color=ACCENT, ecolor="#444", capsize=2)
    ax.set_xlim(0, 100)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def trend_chart(months: list[tuple[str, float | None, int]]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 2.4))
    xs = [m for m, _s, _n in months]
    ys = [s if s is not None else float("nan") for _m, s, _n in months]
    ax.plot(xs, ys, marker="o", color=ACCENT)
    ax.set_ylim(0, 100)
    ax.tick_params(axis="x", labelrotation=45)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def infographic(
    title: str,
    facts: list[tuple[str, str]],
    chart_rows: list[tuple[str, float]],
    footer: str,
    fmt: str,
) -> bytes:
    """A one-page picture for the ministry's website: big numbers and the best offices."""
    plt = _pyplot()
    fig = plt.figure(figsize=(8, 10), dpi=120)
    fig.patch.set_facecolor("white")
    fig.text(
        0.05, 0.96, title, fontsize=18, fontweight="bold", color=ACCENT, va="top", linespacing=1.4
    )
    for index, (value, label) in enumerate(facts):
        x = 0.05 + (index % 2) * 0.47
        y = 0.82 - (index // 2) * 0.12
        fig.text(x, y, value, fontsize=28, fontweight="bold", color=ACCENT, va="top")
        fig.text(x, y - 0.055, label, fontsize=11, va="top", wrap=True)
    ax = fig.add_axes((0.3, 0.1, 0.62, 0.5))
    names = [n for n, _ in chart_rows][::-1]
    values = [v for _, v in chart_rows][::-1]
    ax.barh(names, values, color=ACCENT)
    ax.set_xlim(0, 100)
    ax.spines[["top", "right"]].set_visible(False)
    fig.text(0.05, 0.03, footer, fontsize=10, color="#333")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return buffer.getvalue()

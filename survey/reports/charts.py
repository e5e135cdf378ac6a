"""Charts drawn with matplotlib's object API (Figure, never pyplot: no global state shared
between requests): SVG for pages and the PDF, PNG or SVG for the website infographic.

Made for a phone first. A chart of bars is a column of rows, each row a name (wrapped by
measuring it) above its bar, so a long office name never shrinks the bars, and the figure is
narrow (WIDTH_IN): on a 360 px screen it is shown at about its natural size, its labels at
least 12 px (tests/e2e measure them). Every chart on a page has its numbers in a table
beside it and a text alternative.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain.cells import clean_text

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # matplotlib itself is imported when drawing

ACCENT = "#00546e"
FAINT = "#9bb7c0"
INK = "#1b1b1b"
WIDTH_IN = 4.5  # 324 pt: shown at 100 % or a little less on a phone
LABEL_PT = 12.5  # at 324 pt shown in 328 px, 12.65 px
LINE_IN = 0.24  # a line of label text
BAR_IN = 0.3
GAP_IN = 0.12
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: small, searchable, read by screen readers
    "font.family": ["DejaVu Sans"],
    "font.size": LABEL_PT,
    "svg.hashsalt": "adaldyq",  # the same data gives the same bytes
    "text.parse_math": False,  # "$5 and $6" in a name is text, not a formula to typeset
}


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a name, a value 0–100 and the text shown at its end. Without
    a value (a figure withheld) the row holds the name and the note, no bar."""

    label: str
    value: float | None
    note: str  # the value as the reader writes it, e.g. "85,3" (short: it sits by the bar)
    interval: tuple[float, float] | None = None
    faint: bool = False  # drawn light and hatched: too few visits to rank


@contextmanager
def _style(extra: dict[RcKeyType, Any] | None = None) -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context({**STYLE, **(extra or {})}):
        yield


def _figure(width_in: float, height_in: float, dpi: float = 72) -> tuple[Any, Any]:
    """A Figure with its own Agg canvas (the renderer measures text)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    return fig, canvas.get_renderer()


def text_width_in(renderer: Any, text: str, size: float, weight: str = "normal") -> float:
    """The width of one line of text in inches, as the renderer lays it out."""
    from matplotlib.font_manager import FontProperties

    props = FontProperties(family=STYLE["font.family"], size=size, weight=weight)
    width, _height, _descent = renderer.get_text_width_height_descent(text, props, ismath=False)
    return width / renderer.dpi


def wrap(renderer: Any, text: str, size: float, width_in: float, weight: str = "normal") -> str:
    """text broken into lines no wider than width_in, measured word by word; a word longer
    than a line is cut into pieces that fit. Control characters are dropped first."""
    text = clean_text(text)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if text_width_in(renderer, trial, size, weight) <= width_in:
                line = trial
                continue
            if line:
                lines.append(line)
            line = word
            while text_width_in(renderer, line, size, weight) > width_in and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and text_width_in(renderer, line[:cut], size, weight) > width_in:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def _save(fig: Any, fmt: str = "svg") -> bytes:
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def data_uri(svg: str | bytes) -> str:
    """For <img src=…>: the page's CSP stays strict, and the SVG's own styles stay inside it."""
    raw = svg.encode() if isinstance(svg, str) else svg
    return "data:image/svg+xml;base64," + base64.b64encode(raw).decode()


def bar_chart(
    bars: Sequence[Bar],
    *,
    width_in: float = WIDTH_IN,
    size: float = LABEL_PT,
    fmt: str = "svg",
    dpi: float = 72,
) -> bytes:
    """Horizontal bars 0–100 in the order given, each under its name, its value at its end
    and its interval as a whisker; an empty list draws a small empty chart."""
    with _style({"font.size": size}):
        fig, renderer = _figure(width_in, 1, dpi)
        draw_bars(fig, renderer, bars, top_in=0.1, size=size)
        return _save(fig, fmt)


def draw_bars(
    fig: Any,
    renderer: Any,
    bars: Sequence[Bar],
    *,
    top_in: float,
    size: float,
    margin: float = 0.15,
) -> float:
    """Lays bars out from top_in (inches from the figure's top) down, margin inches in from
    either side, and sets the figure's height to hold them; returns the height used, in
    inches."""
    width_in = fig.get_figwidth()
    usable = width_in - 2 * margin
    line_in = LINE_IN * size / LABEL_PT
    rows = []
    y = 0.0
    for bar in bars:
        label = wrap(renderer, bar.label, size, usable)
        lines = label.count("\n") + 1
        if bar.value is None:  # the note in place of the bar
            label = label + "\n" + wrap(renderer, bar.note, size, usable)
            rows.append((bar, label, y))
            y += (label.count("\n") + 1) * line_in + GAP_IN
            continue
        rows.append((bar, label, y))
        y += lines * line_in + BAR_IN + GAP_IN
    axis_in = 0.35  # the scale 0–100 under the bars
    height = max(y, 0.3) + axis_in
    fig.set_figheight(top_in + height + 0.05)
    total = fig.get_figheight()
    ax = fig.add_axes(
        (margin / width_in, (axis_in - 0.02) / total, usable / width_in, max(y, 0.3) / total)
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(max(y, 0.3), 0)
    for bar, label, top in rows:
        lines = label.count("\n") + 1
        ax.text(0, top, label, va="top", ha="left", color=INK, linespacing=1.15, fontsize=size)
        if bar.value is None:
            continue
        middle = top + lines * line_in + BAR_IN / 2
        ax.barh(
            middle,
            bar.value,
            height=BAR_IN * 0.85,
            color=FAINT if bar.faint else ACCENT,
            hatch="//" if bar.faint else None,
            edgecolor="white" if bar.faint else ACCENT,
            linewidth=0,
        )
        end = bar.value
        if bar.interval is not None:  # a whisker just under the bar, clear of its text
            low, high = bar.interval
            under = middle + BAR_IN * 0.5
            ax.plot([low, high], [under, under], color="#555", linewidth=1.2)
            end = max(end, high)
        room = usable * (99 - end) / 100  # right of the bar (and whisker), in inches
        inside = text_width_in(renderer, bar.note, size, "bold") > room
        ax.text(
            bar.value - 1 if inside else end + 1,
            middle,
            bar.note,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside and not bar.faint else INK,
            fontweight="bold",
            fontsize=size,
            bbox={"facecolor": "white", "linewidth": 0, "pad": 1} if inside and bar.faint else None,
        )
    ax.set_yticks([])
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="x", labelsize=size, length=3)
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    return height


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    intervals: Sequence[tuple[float, float] | None],
    *,
    width_in: float = WIDTH_IN,
) -> bytes:
    """A score 0–100 over time: points joined where neighbours have a value, the 95 %
    interval as a band; labels (months, already in the reader's language; "" for none)
    under the axis."""
    with _style():
        fig, _renderer = _figure(width_in, 3.2)
        ax = fig.add_axes((0.13, 0.22, 0.8, 0.72))
        xs = list(range(len(labels)))
        ys = [math.nan if v is None else v for v in values]
        low = [math.nan if i is None else i[0] for i in intervals]
        high = [math.nan if i is None else i[1] for i in intervals]
        ax.fill_between(xs, low, high, color=ACCENT, alpha=0.15, linewidth=0)
        ax.plot(xs, ys, marker="o", color=ACCENT)
        ax.set_ylim(0, 100)
        ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
        named = [i for i in xs if labels[i]]  # "" leaves a month without a tick label
        ax.set_xticks(named, [labels[i] for i in named])
        ax.set_yticks([0, 50, 100])
        ax.grid(axis="y", color="#ddd", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        return _save(fig)


def overflowing_texts(fig: Any) -> list[str]:
    """Texts of fig drawn (even in part) outside its canvas: what a reader would lose."""
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    box = fig.bbox
    out = []
    for text in fig.findobj(match=lambda a: a.__class__.__name__ == "Text"):
        if not text.get_visible() or not text.get_text().strip():
            continue
        extent = text.get_window_extent(renderer)
        if (
            extent.x0 < box.x0 - 0.5
            or extent.x1 > box.x1 + 0.5
            or extent.y0 < box.y0 - 0.5
            or extent.y1 > box.y1 + 0.5
        ):
            out.append(text.get_text())
    return out


@dataclass(frozen=True)
class Infographic:
    """The facts of a one-page picture for the programme's website, in one language."""

    title: str  # the programme and the period, already localised
    facts: list[tuple[str, str]]  # (big number, what it counts)
    caption: str  # what the bars show
    bars: list[Bar]
    footer: str  # the hotline


def infographic_figure(info: Infographic, dpi: float = 120) -> Any:
    """The infographic as a Figure 8 in wide: every text wrapped by measuring it, so none
    runs past the canvas in any language; the figure grows to hold every bar."""
    width = 8.0
    usable = width - 0.8
    fig, renderer = _figure(width, 10, dpi)
    fig.patch.set_facecolor("white")
    y = 0.35  # inches from the top
    title = wrap(renderer, info.title, 20, usable, "bold")
    y = _put(fig, 0.4, y, title, 20, color=ACCENT, weight="bold") + 0.25
    column = (usable - 0.3) / 2
    for row_start in range(0, len(info.facts), 2):
        heights = []
        for offset, (value, label) in enumerate(info.facts[row_start : row_start + 2]):
            x = 0.4 + offset * (column + 0.3)
            below = _put(fig, x, y, value, 30, color=ACCENT, weight="bold", width=column)
            text = wrap(renderer, label, 12, column)
            heights.append(_put(fig, x, below + 0.05, text, 12, width=column))
        y = max(heights) + 0.3
    caption = wrap(renderer, info.caption, 13, usable, "bold")
    y = _put(fig, 0.4, y, caption, 13, weight="bold") + 0.1
    footer = wrap(renderer, info.footer, 12, usable)
    footer_lines = footer.count("\n") + 1
    used = draw_bars(fig, renderer, info.bars, top_in=y, size=11, margin=0.4)
    bottom = footer_lines * 0.24 + 0.35
    fig.set_figheight(y + used + bottom)
    # draw_bars placed its axes for a figure of its own height: move it under the texts.
    total = fig.get_figheight()
    ax = fig.axes[-1]
    box = ax.get_position()
    ax.set_position((box.x0, (bottom + 0.35 - 0.02) / total, box.width, (used - 0.35) / total))
    _restack(fig, total)
    fig.text(0.4 / width, (bottom - 0.12) / total, footer, fontsize=12, color="#333", va="top")
    return fig


def _put(
    fig: Any,
    x_in: float,
    y_in: float,
    text: str,
    size: float,
    *,
    color: str = INK,
    weight: str = "normal",
    width: float | None = None,
) -> float:
    """A text whose top is y_in inches from the figure's top; returns where it ends. Its
    position is kept in inches (gid) and turned into figure fractions once the height is
    known (_restack)."""
    text = clean_text(text)
    lines = text.count("\n") + 1
    artist = fig.text(0, 0, text, fontsize=size, color=color, fontweight=weight, va="top")
    artist.set_gid(f"{x_in}:{y_in}")
    return y_in + lines * size / 72 * 1.3


def _restack(fig: Any, total_in: float) -> None:
    width = fig.get_figwidth()
    for text in fig.texts:
        gid = text.get_gid()
        if gid:
            x_in, y_in = (float(v) for v in gid.split(":"))
            text.set_position((x_in / width, 1 - y_in / total_in))
            text.set_gid(None)


def infographic(info: Infographic, fmt: str) -> bytes:
    """The infographic as PNG (120 dpi) or SVG bytes."""
    with _style():
        fig = infographic_figure(info)
        return _save(fig, fmt)

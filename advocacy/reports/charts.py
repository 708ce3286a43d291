"""Bar charts drawn on the server as SVG: geometry here, markup in
`templates/reports/_chart.html`. No JavaScript and no inline styles (the CSP forbids
them); each chart has a title and its numbers as a table next to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
TOP = 12
BOTTOM = 28  # room for the labels under the bars
LEFT = 44  # room for the scale


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int | None  # None: suppressed, drawn as an outline only
    series: int  # 0 this period, 1 the previous one


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[tuple[float, str]]  # x of the label's middle, text (some left out)
    baseline: float


def nice_max(value: int) -> int:
    """The scale's top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return max(step * factor, 1)
        step *= 10


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Sequence[int | None]],
              max_labels: int = 12) -> Chart:
    """Grouped bars: one group per label, one bar per series (at most two)."""
    count = max(len(labels), 1)
    plot_width = WIDTH - LEFT - 8
    plot_height = HEIGHT - TOP - BOTTOM
    values = [value for values in series for value in values if value is not None]
    top = nice_max(max(values, default=0))
    group = plot_width / count
    bar_width = max(group * 0.8 / max(len(series), 1), 1)
    baseline = TOP + plot_height
    bars = []
    for number, values in enumerate(series):
        for index, value in enumerate(values):
            height = plot_height * (value or 0) / top
            x = LEFT + index * group + group * 0.1 + number * bar_width
            bars.append(Bar(round(x, 1), round(baseline - height, 1), round(bar_width, 1),
                            round(height, 1), labels[index], value, number))
    every = max(1, -(-count // max_labels))
    shown = [(round(LEFT + index * group + group / 2, 1), label)
             for index, label in enumerate(labels) if index % every == 0]
    ticks = [Tick(round(baseline - plot_height * share, 1), round(top * share))
             for share in (0, 0.5, 1)]
    return Chart(title, WIDTH, HEIGHT, bars, ticks, shown, baseline)

"""Self-contained offline HTML reports with interactive plotly plots, shared by the QC workflows.

A report is one file: the vendored plotly.js (latchlike/web/static/vendor/plotly, pinned in
its MANIFEST.json) is inlined, the figures travel as a JSON data block, and a few lines of
script draw them. Nothing is fetched from the network, ever, so a report opens the same
from a download, an e-mail or a machine without internet.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

PLOTLY = "web/static/vendor/plotly/plotly.min.js"
# Draws every figure of the data block; Plotly is the only global it needs.
DRAW = """
for (const fig of JSON.parse(document.getElementById("figures").textContent)) {
  Plotly.newPlot(fig.id, fig.data, fig.layout, {responsive: true, displaylogo: false});
}
"""
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1f2933; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d9e2ec; }
table.facts { border-collapse: collapse; } table.facts td { padding: 0.2rem 1rem 0.2rem 0; }
table.facts td:first-child { color: #52606d; } .plot { height: 22rem; } .warn { color: #b44d12; }
"""


@dataclass(frozen=True)
class Figure:
    """One plotly figure: traces and layout as plotly.js takes them."""

    title: str
    data: list[dict[str, Any]]
    layout: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    heading: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def bar(title: str, x: list[Any], y: list[Any], x_title: str, y_title: str) -> Figure:
    return Figure(title, [{"type": "bar", "x": x, "y": y}], _axes(title, x_title, y_title))


def lines(title: str, x: list[Any], series: dict[str, list[Any]], x_title: str, y_title: str) -> Figure:
    traces = [{"type": "scatter", "mode": "lines", "name": name, "x": x, "y": y} for name, y in series.items()]
    return Figure(title, traces, _axes(title, x_title, y_title))


def boxes(title: str, x: list[Any], quartiles: dict[str, list[Any]], x_title: str, y_title: str) -> Figure:
    """Box plots from precomputed statistics (keys q1, median, q3, lowerfence, upperfence,
    optional mean), so a file of any size needs no raw values in the page."""
    trace = {"type": "box", "x": x, "name": y_title, **quartiles}
    return Figure(title, [trace], _axes(title, x_title, y_title) | {"showlegend": False})


def _axes(title: str, x_title: str, y_title: str) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "margin": {"t": 48, "r": 16},
    }


def page(title: str, sections: list[Section]) -> str:
    """The whole report: one HTML document with plotly inlined."""
    figures: list[dict[str, Any]] = []
    body: list[str] = [f"<h1>{html.escape(title)}</h1>"]
    for section in sections:
        body.append(f"<section><h2>{html.escape(section.heading)}</h2>")
        body.extend(f'<p class="warn">{html.escape(note)}</p>' for note in section.notes)
        if section.facts:
            rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in section.facts)
            body.append(f'<table class="facts">{rows}</table>')
        for figure in section.figures:
            plot_id = f"plot-{len(figures)}"
            figures.append({"id": plot_id, "data": figure.data, "layout": figure.layout})
            body.append(f'<div class="plot" id="{plot_id}" aria-label="{html.escape(figure.title)}"></div>')
        body.append("</section>")
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>",
        f"<script>{plotly_js()}</script></head><body>", *body,
        f'<script type="application/json" id="figures">{_json_in_script(figures)}</script>',
        f"<script>{DRAW}</script></body></html>",
    ])  # fmt: skip


def plotly_js() -> str:
    """The vendored plotly.js bundle (checked against MANIFEST.json by scripts/vendor --check)."""
    return resources.files("latchlike").joinpath(PLOTLY).read_text(encoding="utf-8")


def _json_in_script(value: Any) -> str:
    # A literal "<" could end the script element early ("</script>") or open a comment.
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")

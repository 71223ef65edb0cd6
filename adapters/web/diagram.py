"""The order machine's diagram as SVG, drawn on the server from `ottenok.diagrams`' Mermaid.

No JavaScript renderer and no system binary: the Mermaid `stateDiagram-v2` text (the one owner
of what the diagram shows) is parsed for its states and arrows and laid out as a vertical arc
diagram: states top to bottom in declaration order, arrows forward on the right, back on the
left, so any number of arrows stays legible. The conversation's state is highlighted with the
arrows that can leave it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from adapters.web.labels import state_label

_STATE_RE = re.compile(r'^\s*state\s+"(?P<label>[^"]*)"\s+as\s+(?P<id>[\w.-]+)\s*$')
_EDGE_RE = re.compile(
    r"^\s*(?P<src>\[\*\]|[\w.-]+)\s*-->\s*(?P<dst>[\w.-]+)\s*(?::\s*(?P<label>.*))?$"
)

BOX_W, BOX_H, PITCH, TOP = 176, 40, 58, 34
ARC_MIN, ARC_STEP = 16, 13


@dataclass(slots=True)
class Graph:
    states: list[str] = field(default_factory=list)
    edges: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    initial: str | None = None


def parse_mermaid(text: str) -> Graph:
    """States in declaration order and arrows merged per (source, destination)."""
    graph = Graph()
    for line in text.splitlines():
        if match := _STATE_RE.match(line):
            if match["id"] not in graph.states:
                graph.states.append(match["id"])
        elif match := _EDGE_RE.match(line):
            src, dst = match["src"], match["dst"]
            if src == "[*]":
                graph.initial = dst
                continue
            labels = [part.strip() for part in (match["label"] or "").split("|") if part.strip()]
            graph.edges.setdefault((src, dst), []).extend(labels)
            for state in (src, dst):
                if state not in graph.states:
                    graph.states.append(state)
    return graph


def render_svg(graph: Graph, current: str | None = None) -> Markup:
    """The arc diagram; `current` (a state name) is highlighted with its outgoing arrows."""
    rows = {state: i for i, state in enumerate(graph.states)}
    spans = [abs(rows[d] - rows[s]) for s, d in graph.edges if s != d] or [1]
    reach = ARC_MIN + ARC_STEP * max(spans)
    left = reach + 12
    width = left + BOX_W + reach + 12
    height = TOP + PITCH * len(graph.states) + 8
    x0, x1 = left, left + BOX_W

    def mid(state: str) -> float:
        return TOP + rows[state] * PITCH + BOX_H / 2

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="machine" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="Схема этапов заказа">',
        "<defs>",
        *(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
            f' markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"'
            f' class="arrowhead {name}"/></marker>'
            for name in ("muted", "hot")
        ),
        "</defs>",
    ]
    ordered = sorted(graph.edges.items(), key=lambda item: item[0][0] == current)
    for (src, dst), labels in ordered:
        hot = src == current
        cls = "edge hot" if hot else "edge"
        marker = "hot" if hot else "muted"
        y_src, y_dst = mid(src), mid(dst)
        if src == dst:
            path = (
                f"M{x1},{y_src - 8} C{x1 + 26},{y_src - 16} {x1 + 26},{y_src + 16}"
                f" {x1 + 2},{y_src + 8}"
            )
        else:
            bulge = ARC_MIN + ARC_STEP * abs(rows[dst] - rows[src])
            forward = rows[dst] > rows[src]
            x, out = (x1, x1 + bulge) if forward else (x0, x0 - bulge)
            y_a, y_b = (y_src + 6, y_dst - 6) if forward else (y_src - 6, y_dst + 6)
            path = f"M{x},{y_a} C{out},{y_a} {out},{y_b} {x},{y_b}"
        title = escape(f"{state_label(src)} → {state_label(dst)}: " + "; ".join(labels))
        parts.append(
            f'<path d="{path}" class="{cls}" marker-end="url(#arrow-{marker})">'
            f"<title>{title}</title></path>"
        )
    if graph.initial in rows:
        y = TOP + rows[graph.initial] * PITCH
        cx = x0 + BOX_W / 2
        parts.append(f'<circle cx="{cx}" cy="{y - 22}" r="5" class="start"/>')
        parts.append(
            f'<path d="M{cx},{y - 17} L{cx},{y - 2}" class="edge"'
            ' marker-end="url(#arrow-muted)"/>'
        )
    for state in graph.states:
        y = TOP + rows[state] * PITCH
        cls = "node current" if state == current else "node"
        parts.append(
            f'<g class="{cls}" data-state="{escape(state)}">'
            f'<rect x="{x0}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="10"/>'
            f'<text x="{x0 + BOX_W / 2}" y="{y + 17}" class="label">'
            f"{escape(state_label(state))}</text>"
            f'<text x="{x0 + BOX_W / 2}" y="{y + 31}" class="name">{escape(state)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))

"""The order machine's diagram as SVG, drawn on the server from `ottenok.diagrams`' Mermaid.

No JavaScript renderer and no system binary: the Mermaid `stateDiagram-v2` text (the one owner
of what the diagram shows) is parsed for its states, groups, the "next question" choice and
the arrows, and laid out as a vertical arc diagram: states top to bottom in declaration order,
arrows going down on the right and up on the left, so any number of arrows stays legible. The
conversation's state is highlighted together with every arrow that can leave it (its own, its
groups', and the next-question choice they lead to).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from adapters.web.labels import STATE_LABELS, group_label, state_label

_STATE_RE = re.compile(r'^\s*state\s+"(?P<label>[^"]*)"\s+as\s+(?P<id>[\w.-]+)\s*$')
_CHOICE_RE = re.compile(r"^\s*state\s+(?P<id>[\w.-]+)\s+<<choice>>\s*$")
_CLASS_RE = re.compile(r"^\s*class\s+(?P<id>[\w.-]+)\s+group\s*$", re.I)
_EDGE_RE = re.compile(
    r"^\s*(?P<src>\[\*\]|[\w.-]+)\s*-->\s*(?P<dst>[\w.-]+)\s*(?::\s*(?P<label>.*))?$"
)

BOX_W, BOX_H, PITCH, TOP = 176, 40, 58, 34
#: About how wide one character of a box's label is (13px semibold); a longer label is
#: condensed to the box rather than spilling over its edges.
LABEL_CHAR_W, LABEL_PAD = 7.0, 10
ARC_MIN, ARC_STEP = 16, 11


@dataclass(slots=True)
class Graph:
    states: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    choices: set[str] = field(default_factory=set)
    initial: str | None = None


def parse_mermaid(text: str) -> Graph:
    """States in declaration order and arrows merged per (source, destination)."""
    graph = Graph()

    def add(state: str) -> None:
        if state not in graph.states:
            graph.states.append(state)

    for line in text.splitlines():
        if match := _STATE_RE.match(line):
            add(match["id"])
            graph.labels[match["id"]] = match["label"]
        elif match := _CHOICE_RE.match(line):
            add(match["id"])
            graph.choices.add(match["id"])
        elif match := _CLASS_RE.match(line):
            graph.groups.add(match["id"])
        elif match := _EDGE_RE.match(line):
            src, dst = match["src"], match["dst"]
            if src == "[*]":
                graph.initial = dst
                continue
            labels = [part.strip() for part in (match["label"] or "").split("|") if part.strip()]
            graph.edges.setdefault((src, dst), []).extend(labels)
            add(src)
            add(dst)
    return graph


def _title(graph: Graph, node: str) -> str:
    if node in graph.choices:
        return "Следующий вопрос"
    if node in graph.groups:
        return group_label(node)
    return state_label(node) if node in STATE_LABELS else graph.labels.get(node, node)


def _active(
    graph: Graph, current: str | None, members: Mapping[str, Iterable[object]]
) -> set[str]:
    """Where arrows can leave from now: the state, its groups, and a choice they lead to."""
    if current is None:
        return set()
    active = {current} | {g for g, m in members.items() if current in {str(x) for x in m}}
    active |= {dst for (src, dst) in graph.edges if src in active and dst in graph.choices}
    return active


def render_svg(
    graph: Graph, current: str | None = None, members: Mapping[str, Iterable[object]] = {}
) -> Markup:
    """The arc diagram; `members` maps each group to its states (the declaration's groups)."""
    rows = {state: i for i, state in enumerate(graph.states)}
    active = _active(graph, current, members)
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
    ordered = sorted(graph.edges.items(), key=lambda item: item[0][0] in active)
    for (src, dst), labels in ordered:
        hot = src in active
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
        title = escape(f"{_title(graph, src)} → {_title(graph, dst)}: " + "; ".join(labels))
        parts.append(
            f'<path d="{path}" class="edge{" hot" if hot else ""}"'
            f' marker-end="url(#arrow-{marker})"><title>{title}</title></path>'
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
        kind = "choice" if state in graph.choices else "group" if state in graph.groups else ""
        cls = " ".join(
            c for c in ("node", kind, "current" if state == current else "",
                        "active" if state in active and state != current else "") if c
        )  # fmt: skip
        cx = x0 + BOX_W / 2
        if state in graph.choices:
            shape = (
                f'<path d="M{cx},{y} L{x1},{y + BOX_H / 2} L{cx},{y + BOX_H}'
                f' L{x0},{y + BOX_H / 2} z"/>'
            )
        else:
            shape = f'<rect x="{x0}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="10"/>'
        name = "" if state in graph.choices else escape(state)
        title = _title(graph, state)
        fit = ""
        if len(title) * LABEL_CHAR_W > BOX_W - LABEL_PAD:
            fit = f' textLength="{BOX_W - LABEL_PAD}" lengthAdjust="spacingAndGlyphs"'
        parts.append(
            f'<g class="{cls}" data-state="{escape(state)}">{shape}'
            f'<text x="{cx}" y="{y + (17 if name else 24)}" class="label"{fit}>'
            f"{escape(title)}</text>"
            + (f'<text x="{cx}" y="{y + 31}" class="name">{name}</text>' if name else "")
            + "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))

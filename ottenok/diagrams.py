"""Drawings of the declared machines, made for a person: Mermaid text (no system binary) and,
with graphviz installed, SVG/PNG of the full transition graph.

The Mermaid drawing follows the declaration rather than the expanded transition list: the
routing table becomes one choice ("next question") with its rows in order, and a transition
declared from a group of states (every open state, every state…) is drawn once, from that
group. A row declared from a group less its own destination (every state but `handoff`) is
drawn from a box of its own, "any but handoff": an arrow from "any" would claim the machine
leaves `handoff` for `handoff`. `README.md` embeds it and the intent table, refreshed by
`make diagram`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transitions.extensions import GraphMachine

from ottenok.machines import DECLARATIONS, machine_states, resolve_transitions

CHOICE = "next_question"
#: Joins a group and the state it leaves out in a box's id: `any_but_handoff`.
BUT = "_but_"


def _label(trigger: str, row: dict[str, Any]) -> str:
    guards = [*row.get("conditions", ()), *(f"not {g}" for g in row.get("unless", ()))]
    return f"{trigger} [{' & '.join(guards)}]" if guards else str(trigger)


def _node(sources: Sequence[Any], dest: Any, groups: dict[str, Sequence[Any]]) -> str | None:
    """The box a row's sources are drawn as: a whole group, or a group but the destination."""
    wanted = set(sources if isinstance(sources, list | tuple) else [sources])
    for name, members in groups.items():
        if wanted == set(members):
            return name
        if wanted | {dest} == set(members) and dest not in wanted:
            return f"{name}{BUT}{dest}"
    return None


def drawn_groups(name: str) -> dict[str, list[Any]]:
    """The group boxes the drawing has, each with its states, in the declaration's order (the
    console highlights a box, and the arrows leaving it, when the conversation is in it)."""
    declaration = DECLARATIONS[name]
    groups: dict[str, Sequence[Any]] = declaration.get("groups", {})
    used = {
        node: row["dest"]
        for row in declaration["transitions"]
        if (node := _node(row["source"], row["dest"], groups)) is not None
    }
    drawn: dict[str, list[Any]] = {}
    for group, members in groups.items():
        for node, dest in used.items():
            if node == group:
                drawn[node] = list(members)
            elif node == f"{group}{BUT}{dest}":
                drawn[node] = [state for state in members if state != dest]
    return drawn


def mermaid(name: str) -> str:
    """The machine as Mermaid `stateDiagram-v2` text, ending with one newline."""
    declaration = DECLARATIONS[name]
    groups: dict[str, Sequence[Any]] = declaration.get("groups", {})
    boxes = drawn_groups(name)
    routing: list[dict[str, Any]] = declaration.get("routing", [])
    routed = {(row["dest"], tuple(row["conditions"])) for row in routing}
    lines = ["---", f"title: Ottenok {name} machine", "---", "stateDiagram-v2", "  direction LR"]
    lines += [f'  state "{state}" as {state}' for state in declaration["states"]]
    lines += [f'  state "{label}" as {box}' for box, label in _group_labels(boxes).items()]
    if routing:
        lines.append(f"  state {CHOICE} <<choice>>")
    lines.append(f"  [*] --> {declaration['initial']}")
    edges: list[str] = []
    for row in declaration["transitions"]:
        trigger, dest = row["trigger"], row["dest"]
        sources = row["source"]
        source = _node(sources, dest, groups) or (
            sources if not isinstance(sources, list) else None
        )
        if (dest, tuple(row.get("conditions", ()))) in routed:
            targets = [source] if source else list(sources)
            edges += [f"  {s} --> {CHOICE}: {trigger}" for s in targets]
            continue
        targets = [source] if source else list(sources)
        edges += [f"  {s} --> {dest}: {_label(trigger, row)}" for s in targets]
    for n, row in enumerate(routing, start=1):
        edges.append(f"  {CHOICE} --> {row['dest']}: {n}. {_label('route', row)}")
    lines += list(dict.fromkeys(edges))
    if boxes:
        lines.append("  classDef group fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3")
        lines += [f"  class {box} group" for box in boxes]
    return "\n".join(lines) + "\n"


def _group_labels(boxes: dict[str, list[Any]]) -> dict[str, str]:
    """ "open (greeting … confirming)", "any but handoff": each drawn as one dashed box."""
    labels = {}
    for box, members in boxes.items():
        group, _, but = box.partition(BUT)
        if but:
            labels[box] = f"{group} but {but}"
            continue
        names = [str(m) for m in members]
        shown = ", ".join(names) if len(names) < 4 else f"{names[0]} … {names[-1]}"
        labels[box] = f"{group} ({shown})"
    return labels


def intent_table() -> str:
    """The order declaration's intent table as Markdown, for the README."""
    rows = ["| intent | in states | when | fires | the reply says |", "|---|---|---|---|---|"]
    declaration = DECLARATIONS["order"]
    groups: dict[str, Sequence[Any]] = declaration.get("groups", {})
    for row in declaration["intents"]:
        intents = "any" if row["intent"] == "*" else ", ".join(map(str, row["intent"]))
        states = _states_text(row["source"], declaration["states"], groups)
        when = " & ".join(
            [*row.get("conditions", ()), *(f"not {g}" for g in row.get("unless", ()))]
        )
        fires = ", ".join(map(str, row["triggers"])) or "—"
        says = str(row.get("event") or "—")
        rows.append(f"| {intents} | {states} | {when or '—'} | {fires} | {says} |")
    return "\n".join(rows) + "\n"


def _states_text(source: Any, states: Sequence[Any], groups: dict[str, Sequence[Any]]) -> str:
    """ "open", "any but handoff", "confirming": the states a row applies in, briefly."""
    if source == "*":
        return "any"
    if group := _node(source, None, groups):
        return group
    missing = [str(s) for s in states if s not in set(source)]
    if len(missing) == 1:
        return f"any but {missing[0]}"
    return ", ".join(map(str, source))


def render(name: str, path: Path, fmt: str) -> None:
    """Write SVG or PNG of the full transition graph through graphviz (needs the `graphviz`
    package and binary)."""
    declaration = DECLARATIONS[name]
    model = type("Drawing", (), {})()
    GraphMachine(
        model=model,
        states=machine_states(declaration),
        transitions=resolve_transitions(declaration),
        initial=declaration["initial"],
        auto_transitions=False,
        show_conditions=True,
        graph_engine="graphviz",
        title=f"Ottenok {declaration['name']} machine",
    )
    model.get_graph().draw(str(path), format=fmt, prog="dot")


def embed_in_readme(readme: Path) -> None:
    """Refresh the Mermaid block after each `<!-- diagram:NAME -->` marker and the table after
    `<!-- table:intents -->`."""
    text = readme.read_text(encoding="utf-8")
    for name in DECLARATIONS:
        body = "\n".join(mermaid(name).splitlines()[3:])
        pattern = re.compile(rf"(<!-- diagram:{name} -->\n```mermaid\n).*?(```)", re.S)
        text = pattern.sub(lambda m, body=body: f"{m.group(1)}{body}\n{m.group(2)}", text)
    table = intent_table()
    pattern = re.compile(r"(<!-- table:intents -->\n)(?:\|.*\n)+")
    text = pattern.sub(lambda m: m.group(1) + table, text)
    readme.write_text(text, encoding="utf-8")

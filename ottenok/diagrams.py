"""Mermaid (and, with graphviz installed, SVG/PNG) drawings of the declared machines.

The drawing comes from a separate GraphMachine over the same declaration, so the live rule
book never carries diagram machinery.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from transitions.extensions import GraphMachine

from ottenok.machines import DECLARATIONS, resolve_transitions


class _Drawing:
    """A throwaway model for GraphMachine to attach `get_graph` to."""


def _graph_machine(declaration: dict[str, Any], engine: str) -> _Drawing:
    model = _Drawing()
    GraphMachine(
        model=model,
        states=declaration["states"],
        transitions=resolve_transitions(declaration, wrap=False),
        initial=declaration["initial"],
        auto_transitions=False,
        show_conditions=True,
        graph_engine=engine,
        title=f"Ottenok {declaration['name']} machine",
    )
    return model


def mermaid(name: str) -> str:
    """The machine as Mermaid `stateDiagram-v2` text, ending with one newline."""
    graph = _graph_machine(DECLARATIONS[name], "mermaid").get_graph()
    return graph.draw(None).rstrip() + "\n"


def render(name: str, path: Path, fmt: str) -> None:
    """Write SVG or PNG through graphviz (needs the `graphviz` package and binary)."""
    graph = _graph_machine(DECLARATIONS[name], "graphviz").get_graph()
    graph.draw(str(path), format=fmt, prog="dot")


def embed_in_readme(readme: Path) -> None:
    """Replace the Mermaid block after each `<!-- diagram:NAME -->` marker with the current one."""
    text = readme.read_text(encoding="utf-8")
    for name in DECLARATIONS:
        body = "\n".join(mermaid(name).splitlines()[3:])
        pattern = re.compile(rf"(<!-- diagram:{name} -->\n```mermaid\n).*?(```)", re.S)
        text = pattern.sub(lambda m, body=body: f"{m.group(1)}{body}\n{m.group(2)}", text)
    readme.write_text(text, encoding="utf-8")

"""The committed diagrams must match the code, and the CLI must print them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from ottenok.diagrams import drawn_groups, intent_table, mermaid
from ottenok.states import nudge, order

DIAGRAMS = Path(__file__).resolve().parent.parent / "docs" / "diagrams"


@pytest.mark.parametrize("name", ["order", "nudge"])
def test_committed_diagram_matches_code(name: str) -> None:
    committed = (DIAGRAMS / f"{name}.mmd").read_text(encoding="utf-8")
    assert committed == mermaid(name), f"docs/diagrams/{name}.mmd drifted: run `make diagram`"


def test_embed_in_readme_refreshes_only_marked_blocks(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- diagram:order -->\n```mermaid\nSTALE-BLOCK\n```\n```mermaid\nkeep\n```\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["diagram", "--write", str(tmp_path), "--readme", str(readme)]
    )
    assert result.exit_code == 0, result.output
    text = readme.read_text(encoding="utf-8")
    assert "STALE-BLOCK" not in text and "keep" in text and "route [city_missing]" in text


@pytest.mark.parametrize(("name", "module"), [("order", order), ("nudge", nudge)])
def test_diagram_shows_every_state_and_guard(name: str, module) -> None:
    text = mermaid(name)
    assert text.splitlines()[3] == "stateDiagram-v2"
    for state in module.STATES:
        assert f'state "{state}" as {state}' in text
    for row in module.TRANSITIONS:
        for guard in row.get("conditions", []):
            assert guard in text


def test_cli_prints_both_machines(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diagram"])
    assert result.exit_code == 0, result.output
    assert "Ottenok order machine" in result.output
    assert "Ottenok nudge machine" in result.output
    result = CliRunner().invoke(main, ["diagram", "--write", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "order.mmd").read_text(encoding="utf-8") == mermaid("order")


def test_cli_svg_without_folder_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["diagram", "--format", "svg"])
    assert result.exit_code == 2
    assert "--write" in result.output


@pytest.mark.parametrize("name", ["order", "nudge"])
def test_readme_embeds_current_diagram(name: str) -> None:
    readme = (DIAGRAMS.parent.parent / "README.md").read_text(encoding="utf-8")
    body = "\n".join(mermaid(name).splitlines()[3:])
    assert f"```mermaid\n{body}\n```" in readme, f"README's {name} diagram drifted"


def test_readme_embeds_current_intent_table() -> None:
    readme = (DIAGRAMS.parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"<!-- table:intents -->\n{intent_table()}" in readme, "README's intent table drifted"
    assert "| ask_manager | any but handoff | — | handoff |" in intent_table()


def test_a_row_from_every_state_but_its_destination_is_drawn_from_a_box_saying_so() -> None:
    """`handoff` fires from every state but `handoff`: an arrow from "any" would claim the
    machine goes from handoff to handoff."""
    text = mermaid("order")
    assert 'state "any but handoff" as any_but_handoff' in text
    assert "  any_but_handoff --> handoff: handoff\n" in text
    assert "  any --> " not in text
    boxes = drawn_groups("order")
    assert order.OrderState.HANDOFF not in boxes["any_but_handoff"]
    assert set(boxes["any_but_handoff"]) | {order.OrderState.HANDOFF} == set(order.STATES)

"""The `ottenok` command line: diagrams today; chat, orders and the service as they land."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ottenok.diagrams import mermaid, render
from ottenok.machines import DECLARATIONS


@click.group()
def main() -> None:
    """Ottenok: Alina, the shop's WhatsApp sales assistant."""


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "svg", "png"]),
    default="mermaid",
    show_default=True,
)
@click.option(
    "--write",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <machine>.<ext> files into this folder instead of printing.",
)
@click.argument("machine", type=click.Choice([*DECLARATIONS, "all"]), default="all")
def diagram(fmt: str, out_dir: Path | None, machine: str) -> None:
    """Draw the order and nudge machines (Mermaid needs no system binary)."""
    names = list(DECLARATIONS) if machine == "all" else [machine]
    if fmt != "mermaid":
        if out_dir is None:
            raise click.UsageError("--format svg|png needs --write DIR")
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                render(name, out_dir / f"{name}.{fmt}", fmt)
            except (ImportError, OSError) as err:
                raise click.ClickException(
                    f"{fmt} needs graphviz (pip install graphviz; apt-get install graphviz): {err}"
                ) from err
        return
    for name in names:
        text = mermaid(name)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{name}.mmd").write_text(text, encoding="utf-8")
            click.echo(f"wrote {out_dir / f'{name}.mmd'}", err=True)
        else:
            sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()

"""Read the shop's sales scripts (.docx): a heading per topic, then the answer paragraphs.

The knowledge builder indexes each topic as one retrievable answer, so a section must carry
its heading and every paragraph (and table row) up to the next heading, nothing more.
"""

from __future__ import annotations

from pathlib import Path

from docx.table import Table

from knowledge.catalog_docx import is_heading, iter_blocks, open_docx
from knowledge.documents import ScriptSection


def parse_scripts(path: Path | str) -> list[ScriptSection]:
    """Every topic with its text; text before the first heading becomes a topic named after
    the file, so an introduction is not lost."""
    path = Path(path)
    document = open_docx(path)
    sections: list[ScriptSection] = []
    topic, lines = path.stem, []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(ScriptSection(topic=topic, text=text, source=path.name))

    for block in iter_blocks(document):
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
            continue
        text = block.text.strip()
        if not text:
            continue
        if is_heading(block):
            flush()
            topic, lines = text, []
        else:
            lines.append(text)
    flush()
    return sections


def _table_lines(table: Table) -> list[str]:
    """A table inside a script (e.g. delivery prices by city) as "cell — cell" lines."""
    lines = []
    for row in table.rows:
        cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
        if cells:
            lines.append(" — ".join(cells))
    return lines

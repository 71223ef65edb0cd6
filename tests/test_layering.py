"""The layers are contracts: a wrong import fails the suite, not only a code review.

The contracts live in pyproject.toml (`[tool.importlinter]`): the composition root (`app`) wires
knowledge and adapters around the core (`ottenok`), nothing imports upwards, and the core
imports no network, storage or file-format library.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_contracts_hold() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_dash_m_ottenok_is_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ottenok", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout and "knowledge" in result.stdout

"""The browser tests' set-up (tests/conftest.py): only Chromium and its driver are required; a
missing emoji font is noted, never a reason to skip the browser tests."""

from __future__ import annotations

from pathlib import Path

import conftest
import pytest


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Chromium and its driver where the set-up looks; no emoji font; nothing installable."""
    for name in ("CHROMIUM", "CHROMEDRIVER"):
        path = tmp_path / name.lower()
        path.touch()
        monkeypatch.setattr(conftest, name, path)
    monkeypatch.setattr(conftest, "EMOJI_FONT", tmp_path / "NotoColorEmoji.ttf")
    monkeypatch.setattr(conftest.os, "geteuid", lambda: 1000)  # not root: apt-get is not run
    monkeypatch.setattr(conftest, "_browser_notes", [])
    return tmp_path


def test_a_missing_emoji_font_alone_never_skips_the_browser_tests(machine: Path) -> None:
    assert conftest._install_chromium() is None
    [note] = conftest._browser_notes
    assert "emoji" in note and "empty boxes" in note


def test_a_missing_chromium_is_the_reason_the_browser_tests_did_not_run(machine: Path) -> None:
    (machine / "chromedriver").unlink()
    problem = conftest._install_chromium()
    assert problem is not None and "chromium-driver" in problem

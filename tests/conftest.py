"""Shared test set-up: a real headless Chromium for the browser tests.

Chromium comes from Debian's `chromium` and `chromium-driver` packages. When they are missing
the first browser test installs them with apt-get (apt-get update first; once per session;
needs root, as on CI and the dev machines). If that is impossible, every browser test is
skipped LOUDLY: a pytest warning and a red block in the terminal summary say why, and the rest
of the suite runs as usual. The colour emoji font (`fonts-noto-color-emoji`) is installed along
when it can be; without it the browser tests still run, and a warning says that screenshots
show Alina's emoji as empty boxes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Alina writes emoji; without a colour emoji font screenshots show empty boxes.
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_PACKAGE = "fonts-noto-color-emoji"
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    # This network reaches only package registries: no background calls to Google's hosts.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--window-size=1360,900", "--lang=ru-RU",
)  # fmt: skip

_browser_problem: list[str] = []
#: Why screenshots may look wrong although the browser tests ran (no emoji font).
_browser_notes: list[str] = []


class BrowserUnavailable(pytest.PytestWarning):
    """The browser tests could not run on this machine."""


class EmojiFontMissing(pytest.PytestWarning):
    """The browser tests run, but screenshots show emoji as empty boxes."""


def _apt_install(packages: list[str]) -> str | None:
    """Install Debian packages; None when it worked, else why not."""
    if shutil.which("apt-get") is None:
        return f"apt-get is not available to install {' '.join(packages)}"
    if os.geteuid() != 0:
        return f"installing needs root (run: apt-get install {' '.join(packages)})"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
    )  # fmt: skip
    for step in steps:
        try:
            result = subprocess.run(step, capture_output=True, text=True, env=env, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"{' '.join(step[:2])} failed: {err}"
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
            return f"{' '.join(step[:2])} failed: {' '.join(tail)}"
    return None


def _install_chromium() -> str | None:
    """None when Chromium and its driver are ready, else why not. The emoji font is installed
    along when it can be; its absence alone is only noted (`_browser_notes`)."""
    browser = {"chromium": CHROMIUM, "chromium-driver": CHROMEDRIVER}
    missing = [package for package, path in browser.items() if not path.exists()]
    missing += [] if EMOJI_FONT.exists() else [EMOJI_PACKAGE]
    problem = _apt_install(missing) if missing else None
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return problem or f"apt-get finished but {CHROMIUM} or {CHROMEDRIVER} is missing"
    if not EMOJI_FONT.exists():
        why = f" ({problem})" if problem else ""
        _browser_notes.append(
            f"no colour emoji font {EMOJI_FONT}{why}: screenshots show emoji as empty boxes"
        )
    return None


@pytest.fixture(scope="session")
def chromium() -> None:
    """Chromium installed (once per session), or every browser test skipped loudly."""
    if _browser_problem:
        pytest.skip(f"browser tests did not run: {_browser_problem[0]}")
    problem = _install_chromium()
    if problem:
        _browser_problem.append(problem)
        warnings.warn(BrowserUnavailable(problem), stacklevel=1)
        pytest.skip(f"browser tests did not run: {problem}")
    for note in _browser_notes:
        warnings.warn(EmojiFontMissing(note), stacklevel=1)


@pytest.fixture(scope="session")
def browser(chromium: None, tmp_path_factory: pytest.TempPathFactory):
    """One headless Chromium for the whole session (downloads land in `browser.downloads`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chrome-profile')}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.set_page_load_timeout(15)  # a stalled page fails the test instead of waiting
    driver.downloads = downloads
    yield driver
    driver.quit()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _browser_problem:
        return
    terminalreporter.section("BROWSER TESTS DID NOT RUN", sep="!", red=True, bold=True)
    terminalreporter.write_line(f"Reason: {_browser_problem[0]}", red=True, bold=True)
    terminalreporter.write_line(
        "Install Debian's chromium and chromium-driver (apt-get install chromium"
        " chromium-driver) and run the suite again; see README 'Tests in a real browser'.",
        red=True,
    )

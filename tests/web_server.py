"""`ottenok serve` in a subprocess for the web tests: a real aiohttp server on 127.0.0.1 over a
real SQLite file and a shop written by the tests (no GREEN-API: the sandbox is the channel)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from greenapi_emulator import free_port

from adapters.sqlite_store import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-console-token-0123456789"
MANAGER = "77000000009"


def prepare_database(db: Path) -> None:
    """The migrated file exists before the service starts (tests may write rows into it)."""

    async def migrate() -> None:
        store = await SQLiteStore.open(db)
        await store.close()

    with ThreadPoolExecutor(1) as pool:  # callable from inside a running loop as well
        pool.submit(asyncio.run, migrate()).result()


@dataclass
class Served:
    url: str
    db: Path
    process: subprocess.Popen
    token: str = TOKEN

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            return conn.execute(sql, params).fetchall()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


def code_under_test() -> dict[str, str]:
    """PYTHONPATH naming this checkout: a subprocess started elsewhere must run the code being
    tested, not whichever checkout the virtualenv's editable install points at."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(paths)}


def start(shop: Path, workdir: Path, **env: str) -> Served:
    db = workdir / "ottenok.db"
    prepare_database(db)
    port = free_port()
    environment = {
        **os.environ,
        "DATA_DIR": str(shop),
        "DB_PATH": str(db),
        "CHROMA_DIR": str(workdir / "chroma"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "NUDGE_ENABLED": "0",
        "MANAGER_NUMBERS": MANAGER,
        "MANAGER_CONSOLE_TOKEN": TOKEN,
        "LOG_LEVEL": "WARNING",
        **code_under_test(),
        **env,
    }
    for name in ("GREEN_API_ID_INSTANCE", "GREEN_API_TOKEN", "SANDBOX"):
        if name not in env:
            environment.pop(name, None)
    log = (workdir / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"],
        cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "serve.log").read_text())
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return Served(url, db, process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the service did not become ready")

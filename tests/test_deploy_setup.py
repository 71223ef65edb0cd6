"""`deploy/setup.sh` is the upgrade path: run twice against a temporary APP_DIR (with
`--no-system`, and `make` replaced on PATH), the second run updates the code and loses nothing
of the shop's: .env, the database with its -wal/-shm, inventory, knowledge base, photos, replies,
caches, and files of its own."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SETUP = REPO / "deploy" / "setup.sh"
SYSTEM_TOOLS = ("apt-get", "useradd", "chown", "systemctl", "install", "nginx")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def write_script(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    """A PATH folder: `make install` builds a fake .venv whose python is this interpreter and
    whose `ottenok` logs its arguments; every system tool logs that it was called and fails."""
    folder = tmp_path / "bin"
    folder.mkdir()
    calls = tmp_path / "calls.log"
    write_script(
        folder / "make",
        f"""echo "make $*" >> {calls}
mkdir -p .venv/bin
ln -sf {sys.executable} .venv/bin/python
printf '#!/usr/bin/env bash\\necho "ottenok $*" >> {calls}\\n' > .venv/bin/ottenok
chmod +x .venv/bin/ottenok
""",
    )
    for tool in SYSTEM_TOOLS:
        write_script(folder / tool, f'echo "SYSTEM {tool} $*" >> {calls}\nexit 1\n')
    return folder


def run_setup(app_dir: Path, stubs: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "APP_DIR": str(app_dir),
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("DATA_DIR", None)
    env.pop("DB_PATH", None)
    return subprocess.run(
        ["bash", str(SETUP), *args], env=env, capture_output=True, text=True, timeout=120
    )


def digest(root: Path) -> dict[str, str]:
    """Every file under `root` (relative path → sha256)."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_a_second_run_upgrades_the_code_and_keeps_everything_of_the_shop(tmp_path, stubs):
    app = tmp_path / "opt" / "ottenok"
    calls = tmp_path / "calls.log"

    first = run_setup(app, stubs, "--no-system")

    assert first.returncode == 0, first.stderr
    assert (app / "ottenok" / "engine.py").read_bytes() == (
        REPO / "ottenok" / "engine.py"
    ).read_bytes()
    assert (app / "data" / "inventory.xlsx").exists()  # the sample shop seeds a first install
    assert not (app / "data" / "ottenok.db").exists() and not (app / ".git").exists()
    assert stat.S_IMODE((app / ".env").stat().st_mode) == 0o600
    assert calls.read_text().splitlines() == ["make install", "ottenok knowledge --if-missing"]

    # Months of a shop: its settings, data, caches, a conversation in the database (the
    # service running, so -wal and -shm are there), and a file of its own.
    env = app / ".env"
    env.write_text("GREEN_API_ID_INSTANCE=1101000001\nGREEN_API_TOKEN=shop-secret\n")
    env.chmod(0o600)
    data = app / "data"
    (data / "inventory.xlsx").write_bytes(b"the shop's own inventory")
    shutil.rmtree(data / "photos")
    (data / "photos" / "Босоножки Ника").mkdir(parents=True)
    (data / "photos" / "Босоножки Ника" / "бежевый_1.jpg").write_bytes(b"\xff\xd8 shop photo")
    (data / "knowledge_base" / "catalog" / "каталог_лето.docx").write_bytes(b"shop catalog")
    (data / "replies.yaml").write_text("shop:\n  name: Ника\n", encoding="utf-8")
    (data / "chroma_db").mkdir()
    (data / "chroma_db" / "chroma.sqlite3").write_bytes(b"vectors")
    (data / "photo_cache").mkdir()
    (data / "photo_cache" / "abc.jpg").write_bytes(b"cached")
    (data / "photo_index.json").write_text("{}")
    (app / "notes.txt").write_text("пароль от кассы у Мадины")
    (app / "ottenok" / "stale_module.py").write_text("print('deleted upstream')")
    (app / "ottenok" / "engine.py").write_text("# an old version\n")
    shop_files = digest(data)
    db = sqlite3.connect(data / "ottenok.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, summary TEXT)")
    db.execute("INSERT INTO orders (summary) VALUES ('ботильоны 38, Шымкент')")
    db.commit()
    env_before = env.stat()

    with closing(db):
        second = run_setup(app, stubs, "--no-system")
        assert (data / "ottenok.db-wal").exists() and (data / "ottenok.db-shm").exists()
        assert db.execute("SELECT summary FROM orders").fetchall() == [("ботильоны 38, Шымкент",)]

    assert second.returncode == 0, second.stderr
    kept = digest(data)
    for name, sha in shop_files.items():
        assert kept.get(name) == sha, f"data/{name} changed"
    assert env.read_text() == "GREEN_API_ID_INSTANCE=1101000001\nGREEN_API_TOKEN=shop-secret\n"
    assert env.stat().st_mtime_ns == env_before.st_mtime_ns
    assert (app / "notes.txt").read_text() == "пароль от кассы у Мадины"
    assert not (data / "photos" / "JimmyChoo_Azia").exists()  # the sample does not come back
    # The code is the checkout's again, stale files included.
    assert (app / "ottenok" / "engine.py").read_bytes() == (
        REPO / "ottenok" / "engine.py"
    ).read_bytes()
    assert not (app / "ottenok" / "stale_module.py").exists()
    assert not list(app.glob(".*.new"))
    # A backup of the database was taken before the new code could migrate it.
    [backup] = (data / "backups").glob("ottenok.db.*")
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("SELECT summary FROM orders").fetchall() == [("ботильоны 38, Шымкент",)]
    assert "SYSTEM" not in calls.read_text()


def test_backups_are_capped(tmp_path, stubs):
    app = tmp_path / "app"
    assert run_setup(app, stubs, "--no-system").returncode == 0
    with closing(sqlite3.connect(app / "data" / "ottenok.db")) as db:
        db.execute("CREATE TABLE t (x)")
    backups = app / "data" / "backups"
    backups.mkdir()
    old = [backups / f"ottenok.db.2026010{n}T000000000000Z" for n in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"an older backup")

    assert run_setup(app, stubs, "--no-system").returncode == 0

    kept = sorted(backups.glob("ottenok.db.*"))
    assert kept[:2] == old[1:] and len(kept) == 3  # the oldest went, the new copy came


def test_without_the_switch_the_system_is_set_up(tmp_path, stubs):
    result = run_setup(tmp_path / "app", stubs)
    assert result.returncode != 0  # the stubbed apt-get fails: the system steps do run
    assert (tmp_path / "calls.log").read_text().startswith("SYSTEM apt-get update")


def test_an_unknown_option_is_refused(tmp_path, stubs):
    result = run_setup(tmp_path / "app", stubs, "--dry")
    assert result.returncode == 2 and "usage" in result.stderr
    assert not (tmp_path / "app").exists()

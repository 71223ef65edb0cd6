"""Webhook throughput, first-reply latency and CPU per message of `ottenok serve`, side by side
with a bare "floor" bot, at 1, 10 and 50 concurrent chats.

The floor does the least a WhatsApp bot must do per message: take the webhook POST, store one
row in SQLite (WAL, aiosqlite, the bot's pragmas), answer 200 and send one reply to
`sendMessage`. The bot is the real `ottenok serve` (webhook mode, offline default, nudges off)
over a temp copy of the sample shop. Each runs in its own process, so its CPU time (from
/proc) is its own; this process runs the GREEN-API emulator the replies go to and the chats.

A chat sends the customer lines of one sample-shop dialogue (tests/dialogues/*.yaml, up to its
first manager step or silent step) one after another, as a person does: it posts a line,
waits for the first reply (the latency measured: POST → first send for the chat arriving at
the emulator), then for the rest of that turn's parts, then posts the next line. A finished
dialogue starts again in a new chat. Each level runs for WINDOW seconds of new messages.
The bot's parts per turn are read from its database once the first part arrived (the turn
and its outbox rows are committed together); the floor always sends one.

    python -m bench.load                      # the whole run (about 1.5 minutes)
    python -m bench.load --profile bot.prof   # the bot under cProfile, stats written at exit

A benchmark, not a test: it prints figures and asserts nothing. The emulator and the chats
share one process; its own CPU per message is printed too, since at high rates it may be what
limits the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import yaml
from aiohttp import web

from app.settings import Settings
from tests.greenapi_emulator import GreenAPIEmulator, text_body

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (1, 10, 50)
WINDOW_SECONDS = 8.0
WARMUP_SECONDS = 3.0
WARMUP_CHATS = 5
# A shop some months in: ~1,000 chats a month, ~25 messages each. Its bot runs one more level
# (HISTORY_CHATS chats) over that history, so a query that grows with the table shows here.
HISTORY_MESSAGES = 300_000
HISTORY_CHATS = 10
REPLY_TIMEOUT = 30.0
TOKEN = "bench-token"
WEBHOOK_TOKEN = "bench-hook"
MANAGER = "77000000009"
TICK = os.sysconf("SC_CLK_TCK")


# ---- the floor -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FloorConfig:
    port: int
    db: str
    api_url: str
    id_instance: str
    token: str
    webhook_token: str


async def floor_app(config: FloorConfig) -> web.Application:
    """Store, answer 200, reply once: the least a WhatsApp bot does per message."""
    db = await aiosqlite.connect(config.db)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        await db.execute(f"PRAGMA {pragma}")
    await db.execute(
        "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, wa_id TEXT UNIQUE,"
        " chat_id TEXT NOT NULL, text TEXT NOT NULL, at REAL NOT NULL)"
    )
    await db.commit()
    session = aiohttp.ClientSession()
    send_url = f"{config.api_url}/waInstance{config.id_instance}/sendMessage/{config.token}"
    expected = f"Bearer {config.webhook_token}"
    replies: set[asyncio.Task[None]] = set()

    async def reply(chat_id: str, text: str) -> None:
        message = {"chatId": chat_id, "message": f"Спасибо! Получили: {text[:40]}"}
        async with session.post(send_url, json=message) as response:
            await response.read()

    async def webhook(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != expected:
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            body = await request.json()
            wa_id = body["idMessage"]
            chat_id = body["senderData"]["chatId"]
            text = body["messageData"]["textMessageData"]["textMessage"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "bad body"}, status=400)
        cursor = await db.execute(
            "INSERT OR IGNORE INTO messages (wa_id, chat_id, text, at) VALUES (?, ?, ?, ?)",
            (wa_id, chat_id, text, time.time()),
        )
        await db.commit()
        if cursor.rowcount:  # a redelivery is not answered twice
            task = asyncio.create_task(reply(chat_id, text))
            replies.add(task)
            task.add_done_callback(replies.discard)
        return web.json_response({"ok": True})

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def close(_app: web.Application) -> None:
        await asyncio.gather(*replies, return_exceptions=True)
        await session.close()
        await db.close()

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/health", health)
    app.on_cleanup.append(close)
    return app


def serve_floor(config: FloorConfig) -> None:
    """The floor's process: serves until SIGTERM."""
    web.run_app(floor_app(config), host="127.0.0.1", port=config.port, print=None,
                access_log=None)  # fmt: skip


# ---- the servers under load ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (aiosqlite's included)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


class Server:
    """A server process under load: started, polled until /health answers, stopped by SIGTERM."""

    def __init__(
        self, name: str, port: int, command: list[str], env: dict[str, str], cwd: Path, log: Path
    ) -> None:
        self.name = name
        self.port = port
        self.command = command
        self.env = env
        self.cwd = cwd
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def start(self, timeout: float = 300.0) -> float:
        """Start it and wait until it is ready; returns the seconds that took."""
        started = time.perf_counter()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=log
            )
        async with aiohttp.ClientSession() as session:
            while time.perf_counter() - started < timeout:
                if self.process.poll() is not None:
                    tail = self.log.read_text(errors="replace")[-2000:]
                    raise SystemExit(f"{self.name} exited at start-up:\n{tail}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{self.port}/health") as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                await asyncio.sleep(0.1)
        raise SystemExit(f"{self.name} not ready in {timeout:.0f} s")

    def cpu(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)

    async def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        for _ in range(300):
            if self.process.poll() is not None:
                return
            await asyncio.sleep(0.1)
        self.process.kill()


class Turns:
    """How many parts a chat has received in all once its latest turn is delivered."""

    def parts_after(self, chat_id: str, arrived: int) -> int:
        return arrived  # the floor: one reply, already here


class BotTurns(Turns):
    """The bot's outgoing rows of a chat, read once the turn's first part has arrived (the
    turn and all its outbox rows were committed in one transaction before it was sent)."""

    def __init__(self, db: Path) -> None:
        self.db = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def parts_after(self, chat_id: str, arrived: int) -> int:
        (count,) = self.db.execute(
            "SELECT COUNT(*) FROM messages WHERE chat_id = ? AND direction = 'out'", (chat_id,)
        ).fetchone()
        return max(count, arrived)


def seed_history(db: Path, count: int) -> None:
    """Delivered and answered messages of past chats, written past the bot (WAL: it goes on)."""
    at = "2026-01-01T00:00:00.000000Z"
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn, conn:
        conn.executemany(
            "INSERT INTO messages (chat_id, direction, wa_id, kind, text, created_at, status,"
            " sent_at) VALUES (?, ?, ?, 'text', 'Здравствуйте! Есть 37 размер?', ?, ?, ?)",
            (
                (f"7704{n // 25:07d}@c.us", "in" if n % 2 else "out", f"OLD{n}", at,
                 None if n % 2 else "sent", None if n % 2 else at)
                for n in range(count)
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO processed_messages VALUES (?, ?)",
            ((f"OLD{n}", at) for n in range(1, count, 2)),
        )


# ---- the customers -------------------------------------------------------------------------


class ReplyClock(GreenAPIEmulator):
    """The emulator, timing every send as it arrives and waking the chat that waits for it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(token=TOKEN, **options)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self._waiting: dict[str, tuple[int, asyncio.Future[None]]] = {}

    def _record_sent(self, entry: dict[str, Any]) -> web.Response:
        response = super()._record_sent(entry)
        times = self.arrivals[entry["chatId"]]
        times.append(time.perf_counter())
        waiter = self._waiting.get(entry["chatId"])
        if waiter is not None and len(times) >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(None)
        return response

    async def wait_for(self, chat_id: str, count: int, timeout: float) -> bool:
        """Until the chat has received `count` sends in all; False on timeout."""
        if len(self.arrivals[chat_id]) >= count:
            return True
        future = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting.pop(chat_id, None)


@dataclass
class LevelResult:
    chats: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    parts: int = 0
    unanswered: int = 0
    rejected: int = 0
    server_cpu: float = 0.0
    driver_cpu: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else 0

    def per_message_ms(self, seconds: float) -> float:
        return seconds / self.messages * 1000 if self.messages else 0.0


def dialogues() -> list[list[str]]:
    """The sample shop's customer lines, each dialogue cut before its first manager line or
    line the bot is meant not to answer."""
    scripts = []
    for path in sorted((ROOT / "tests" / "dialogues").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if spec.get("shop", "sample") != "sample":
            continue
        lines = list(
            itertools.takewhile(lambda s: not s.get("silent") and "sender" not in s, spec["steps"])
        )
        if lines:
            scripts.append([step["user"] for step in lines])
    return scripts


class Load:
    """Chats posting to one server's webhook and timing the replies at the emulator."""

    def __init__(
        self, server: Server, emu: ReplyClock, turns: Turns, scripts: list[list[str]]
    ) -> None:
        self.server = server
        self.emu = emu
        self.turns = turns
        self.scripts = scripts
        self.chat_numbers = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.headers = {
            "Authorization": f"Bearer {WEBHOOK_TOKEN}",
            "Content-Type": "application/json",
        }

    def _lines(self, first: int) -> Iterator[tuple[str, str]]:
        """(chat id, line) for the dialogues from `first` on, each in a chat of its own."""
        for n in itertools.count(first):
            chat_id = f"7705{next(self.chat_numbers):07d}@c.us"
            for line in self.scripts[n % len(self.scripts)]:
                yield chat_id, line

    async def _customer(
        self, session: aiohttp.ClientSession, first: int, deadline: float, result: LevelResult
    ) -> None:
        skip_chat = None
        for chat_id, line in self._lines(first):
            if time.perf_counter() >= deadline:
                return
            if chat_id == skip_chat:
                continue
            body = text_body(chat_id, line, f"LOAD{next(self.message_ids):010d}")
            data = json.dumps(body, ensure_ascii=False).encode()
            had = len(self.emu.arrivals[chat_id])
            posted = time.perf_counter()
            async with session.post(self.server.webhook, data=data, headers=self.headers) as r:
                await r.read()
                status = r.status
            if status != 200:
                result.rejected += 1
                skip_chat = chat_id
                continue
            if not await self.emu.wait_for(chat_id, had + 1, REPLY_TIMEOUT):
                result.unanswered += 1
                skip_chat = chat_id  # the dialogue is out of step: a new chat
                continue
            result.latencies.append(self.emu.arrivals[chat_id][had] - posted)
            parts = self.turns.parts_after(chat_id, had + 1)
            if not await self.emu.wait_for(chat_id, parts, REPLY_TIMEOUT):
                result.unanswered += 1
                skip_chat = chat_id
                continue
            result.parts += parts - had

    async def run(self, chats: int, seconds: float) -> LevelResult:
        result = LevelResult(chats)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            cpu, own, started = self.server.cpu(), time.process_time(), time.perf_counter()
            deadline = started + seconds
            await asyncio.gather(
                *(self._customer(session, n * 7, deadline, result) for n in range(chats))
            )
            result.seconds = time.perf_counter() - started
            result.server_cpu = self.server.cpu() - cpu
            result.driver_cpu = time.process_time() - own
        return result


# ---- the run -------------------------------------------------------------------------------


def bot_server(tmp: Path, emu: ReplyClock, profile: Path | None) -> Server:
    """`ottenok serve` in webhook mode over a copy of the sample shop, as an operator runs it."""
    shop = tmp / "shop"
    shutil.copytree(ROOT / "data", shop)
    ours = {
        "DATA_DIR": str(shop),
        "DB_PATH": str(tmp / "bot.db"),
        "GREEN_API_URL": emu.api_url,
        "GREEN_API_MEDIA_URL": emu.media_url,
        "GREEN_API_ID_INSTANCE": emu.id_instance,
        "GREEN_API_TOKEN": TOKEN,
        "GREEN_API_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "GREEN_API_POLLING": "false",
        "NUDGE_ENABLED": "false",
        "LLM_BACKEND": "offline",
        "MANAGER_NUMBERS": MANAGER,
        "HOST": "127.0.0.1",
        "PORT": str(port := free_port()),
    }
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings} | ours
    command = [sys.executable, "-m", "app.cli", "serve"]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile.resolve()), *command[1:]]
    return Server("bot", port, command, env, tmp, tmp / "bot.log")


def floor_server(tmp: Path, emu: ReplyClock) -> Server:
    config = {
        "port": (port := free_port()),
        "db": str(tmp / "floor.db"),
        "api_url": emu.api_url,
        "id_instance": emu.id_instance,
        "token": TOKEN,
        "webhook_token": WEBHOOK_TOKEN,
    }
    command = [sys.executable, "-m", "bench.load", "--floor", json.dumps(config)]
    return Server("floor", port, command, dict(os.environ), ROOT, tmp / "floor.log")


async def measure(
    name: str, tmp: Path, levels: tuple[int, ...], seconds: float, profile: Path | None
) -> list[LevelResult]:
    async with ReplyClock() as emu:
        if name == "bot":
            server = bot_server(tmp, emu, profile)
        else:
            server = floor_server(tmp, emu)
        ready = await server.start()
        print(f"{name}: ready in {ready:.1f} s", flush=True)
        turns = BotTurns(tmp / "bot.db") if name == "bot" else Turns()
        load = Load(server, emu, turns, dialogues())
        try:
            await load.run(WARMUP_CHATS, WARMUP_SECONDS)  # caches, imports, connections
            results = []
            for chats in levels:
                result = await load.run(chats, seconds)
                print(f"{name}: {chats} chats done", flush=True)
                results.append(result)
            if name == "bot":
                await asyncio.to_thread(seed_history, tmp / "bot.db", HISTORY_MESSAGES)
                results.append(await load.run(HISTORY_CHATS, seconds))
                print(f"{name}: {HISTORY_CHATS} chats over {HISTORY_MESSAGES:,} stored done")
        finally:
            await server.stop()
        return results


def print_table(results: dict[str, list[LevelResult]]) -> None:
    print()
    print(
        f"{'server':<15} {'chats':>5} {'msgs':>6} {'msg/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'CPU ms/msg':>10} {'parts/msg':>9} {'non-200':>7} {'no reply':>8}"
        f" {'load CPU ms/msg':>15}"
    )
    for name, rows in results.items():
        for r in rows:
            print(
                f"{name:<15} {r.chats:>5} {r.messages:>6} {r.rate:>7.1f} {r.percentile(0.5):>7.1f}"
                f" {r.percentile(0.99):>7.1f} {r.per_message_ms(r.server_cpu):>10.2f}"
                f" {r.parts / max(r.messages, 1):>9.2f} {r.rejected:>7} {r.unanswered:>8}"
                f" {r.per_message_ms(r.driver_cpu):>15.2f}"
            )
    print(
        "(CPU: the server process, all threads; load CPU: this process, emulator and chats;"
        " non-200: webhook answers GREEN-API would resend after 60 s)"
    )
    print()
    for bot, floor in zip(results["bot"], results["floor"], strict=True):
        speed = bot.rate / floor.rate if floor.rate else 0.0
        bot_cpu = bot.per_message_ms(bot.server_cpu)
        floor_cpu = floor.per_message_ms(floor.server_cpu)
        cpu = bot_cpu / floor_cpu if floor_cpu else float("inf")
        print(
            f"{bot.chats:>2} chats: throughput bot/floor = {speed:.3f};"
            f" CPU per message bot/floor = {bot_cpu:.2f} ms / {floor_cpu:.2f} ms = {cpu:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=WINDOW_SECONDS, help="per level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="e.g. 1,10,50")
    parser.add_argument("--profile", type=Path, help="run the bot under cProfile into this file")
    parser.add_argument("--floor", help=argparse.SUPPRESS)  # the floor's own process
    args = parser.parse_args()
    if args.floor:
        serve_floor(FloorConfig(**json.loads(args.floor)))
        return
    levels = tuple(int(n) for n in args.levels.split(","))
    print(f"{len(dialogues())} dialogues; {args.seconds:.0f} s per level; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        results = {
            name: asyncio.run(measure(name, Path(tmp), levels, args.seconds, args.profile))
            for name in ("floor", "bot")
        }
    history = results["bot"].pop()
    print_table(results | {f"bot, {HISTORY_MESSAGES // 1000}k stored": [history]})


if __name__ == "__main__":
    main()

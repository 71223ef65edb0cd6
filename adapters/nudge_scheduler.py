"""The nudge clock: one APScheduler interval job that runs `NudgeService.tick`.

One job for the whole shop, never one per customer: each tick asks the database which chats
are due, so restarts, missed ticks and several processes need no scheduler state at all.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.nudge_store import NudgeStore
from ottenok.nudges import NudgeService

log = logging.getLogger("ottenok.nudges")

JOB_ID = "nudge-tick"


class NudgeScheduler:
    """Runs `service.tick()` every `interval_seconds`; owns the service's store connection.

    A tick runs shielded from the scheduler's own cancellation, so stopping never cuts a send
    in half (which could deliver a message without recording it).
    """

    def __init__(self, service: NudgeService, store: NudgeStore, interval_seconds: float) -> None:
        self.service = service
        self.store = store
        self.interval_seconds = interval_seconds
        self.scheduler = AsyncIOScheduler()
        self._tick_task: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking (needs a running event loop); the first tick runs at once."""
        self.scheduler.add_job(
            self._run_tick,
            "interval",
            seconds=self.interval_seconds,
            id=JOB_ID,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(self.service.policy.tz),
        )
        self.scheduler.start()
        log.info("nudge scheduler started, tick every %ss", self.interval_seconds)

    def shutdown(self) -> None:
        """Stop ticking; a tick in flight finishes, then the connection closes.

        Callable without awaiting; `await aclose()` when the caller can wait for the close.
        """
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._close_after_tick())

    async def aclose(self) -> None:
        self.shutdown()
        assert self._closing is not None
        await self._closing

    async def _run_tick(self) -> None:
        if self._tick_task is not None and not self._tick_task.done():
            return
        self._tick_task = asyncio.create_task(self._tick())
        await asyncio.shield(self._tick_task)

    async def _tick(self) -> None:
        try:
            await self.service.tick()
        except Exception:  # a bad tick must not stop the clock; the next one retries
            log.exception("nudge tick failed")

    async def _close_after_tick(self) -> None:
        if self._tick_task is not None:
            await asyncio.gather(self._tick_task, return_exceptions=True)
        await self.store.close()
        log.info("nudge scheduler stopped")

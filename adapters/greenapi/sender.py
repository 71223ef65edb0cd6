"""Carries a turn's outgoing actions to WhatsApp: reply parts in order, then photos.

A failed part is logged and the rest still go out: a missing photo must not swallow the
question that follows it. Photos are uploaded from the local file or, for Drive photos,
downloaded (in a thread, cached by the Drive source) and uploaded.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from adapters.greenapi import GreenAPIError
from ottenok.messages import Outgoing

log = logging.getLogger("ottenok.outbound")


class PhotoDownloader(Protocol):
    def download(self, file_id: str) -> bytes: ...


class WhatsAppSender:
    def __init__(self, client: Any, drive: PhotoDownloader | None = None) -> None:
        self.client = client
        self.drive = drive

    async def send(self, outgoing: list[Outgoing]) -> int:
        """Send everything in order; returns how many parts went out."""
        sent = 0
        for out in outgoing:
            try:
                await self._send_one(out)
                sent += 1
            except (GreenAPIError, OSError) as err:
                log.error(
                    "send failed",
                    extra={"chat_id": out.chat_id, "kind": out.kind, "error": str(err)},
                )
        return sent

    async def _send_one(self, out: Outgoing) -> None:
        if out.kind == "text":
            await self.client.send_text(out.chat_id, out.text)
        elif out.photo_path is not None:
            await self.client.send_file_by_upload(
                out.chat_id, out.photo_path, out.photo_path.name, None
            )
        elif out.photo_file_id is not None and self.drive is not None:
            data = await asyncio.to_thread(self.drive.download, out.photo_file_id)
            name = (out.photo_key or out.photo_file_id).rsplit("/", 1)[-1]
            await self.client.send_file_by_upload(out.chat_id, data, name, None)

    async def send_text(self, chat_id: str, text: str) -> str | None:
        """For the nudge scheduler: one text, errors propagate so the nudge is retried."""
        return await self.client.send_text(chat_id, text)

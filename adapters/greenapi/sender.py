"""The WhatsApp transport: one outbox message at a time through GREEN-API.

The outbox sender (`ottenok.delivery`) owns retries and ordering; this module only makes one
attempt and says what happened in the terms the outbox needs: sent (with the gateway's id),
certainly not sent (retry freely), possibly sent (check the journal before retrying), or
never sendable. Photos are uploaded from the local file or, for Drive photos, downloaded (in
a thread, cached by the Drive source) and uploaded.

Never sendable is decided narrowly, since it drops a reply for good: GREEN-API answers 400 to
bad data but also while the instance is starting or logged out, so a 400 is final only when
the instance says it is authorized; a photo is final only when its local file is gone or
unreadable (a Drive download that failed on the network is tried again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Protocol

from adapters.greenapi import AuthError, GreenAPIError, QuotaExceeded
from adapters.greenapi.mapping import AUTHORIZED
from ottenok.delivery import DeliveryError
from ottenok.messages import Outgoing

log = logging.getLogger("ottenok.outbound")

#: A quota or credentials problem is not fixed by retrying soon: wait this long.
ACCOUNT_PROBLEM_WAIT = 600.0
#: A local photo that fails this way will fail the same way next time.
MISSING_FILE = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


class PhotoDownloader(Protocol):
    def download(self, file_id: str) -> bytes: ...


class WhatsAppSender:
    """Implements `ottenok.delivery.Transport` over a `GreenAPIClient`."""

    def __init__(self, client: Any, drive: PhotoDownloader | None = None) -> None:
        """`client` is a `GreenAPIClient` built with `send_tries=1`: the outbox retries."""
        self.client = client
        self.drive = drive
        #: Called after every send the gateway accepted: the proof that sending works again,
        #: which the channel needs to clear a quota alert (no webhook says the plan changed).
        self.on_accepted: Callable[[], None] = lambda: None

    async def send(self, out: Outgoing) -> str | None:
        try:
            sent = await self._send(out)
            self.on_accepted()
            return sent
        except (AuthError, QuotaExceeded) as err:
            raise DeliveryError(str(err), retry_after=ACCOUNT_PROBLEM_WAIT) from err
        except GreenAPIError as err:
            if err.status == 400:
                raise await self._refused(err) from err
            raise DeliveryError(
                str(err),
                ambiguous=err.ambiguous,
                retry_after=err.retry_after,
                permanent=not (err.retryable or err.ambiguous),
            ) from err
        except OSError as err:
            gone = out.photo_path is not None and isinstance(err, MISSING_FILE)
            raise DeliveryError(f"photo unavailable: {err!r}", permanent=gone) from err

    async def _refused(self, err: GreenAPIError) -> DeliveryError:
        """A 400 is about this message only when the instance is authorized; while it starts,
        sleeps or is logged out, the message waits (the outbox backs off) instead of being
        dropped."""
        try:
            state = await self.client.state()
        except GreenAPIError as check:
            log.warning("instance state unknown after a refused send", extra={"error": str(check)})
            state = None
        if state == AUTHORIZED:
            return DeliveryError(str(err), permanent=True)
        return DeliveryError(f"{err}; instance {state or 'state unknown'}")

    async def _send(self, out: Outgoing) -> str | None:
        if out.kind == "text":
            return await self.client.send_text(out.chat_id, out.text)
        if out.photo_path is not None:
            return await self.client.send_file_by_upload(
                out.chat_id, out.photo_path, _file_name(out), None
            )
        if out.photo_file_id is not None and self.drive is not None:
            data = await asyncio.to_thread(self.drive.download, out.photo_file_id)
            return await self.client.send_file_by_upload(out.chat_id, data, _file_name(out), None)
        raise DeliveryError(f"nothing to send for {out.photo_key!r}", permanent=True)

    async def was_delivered(
        self, out: Outgoing, since: datetime, known: Collection[str] = ()
    ) -> str | bool | None:
        """Ask GREEN-API's outgoing journal whether an ambiguous send arrived after all: the
        idMessage of the copy found, False, or None when the journal cannot tell."""
        wanted = out.text if out.kind == "text" else _file_name(out)
        return await self.client.was_delivered(out.chat_id, wanted, since, exclude=known)

    async def send_text(self, chat_id: str, text: str) -> str | None:
        """For the nudge scheduler: one text, errors propagate so the nudge is retried."""
        return await self.client.send_text(chat_id, text)


def _file_name(out: Outgoing) -> str:
    """The name a photo is uploaded (and found in the journal) under."""
    if out.photo_path is not None:
        return out.photo_path.name
    return (out.photo_key or out.photo_file_id or "photo.jpg").rsplit("/", 1)[-1]

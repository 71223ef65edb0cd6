"""The WhatsApp transport: one outbox message at a time through GREEN-API.

The outbox sender (`ottenok.delivery`) owns retries and ordering; this module only makes one
attempt and says what happened in the terms the outbox needs: sent (with the gateway's id),
certainly not sent (retry freely), possibly sent (check the journal before retrying), or
never sendable. Photos are uploaded from the local file or, for Drive photos, downloaded (in
a thread, cached by the Drive source) and uploaded.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from adapters.greenapi import AuthError, GreenAPIError, QuotaExceeded
from ottenok.delivery import DeliveryError
from ottenok.messages import Outgoing

log = logging.getLogger("ottenok.outbound")

#: Answers that prove the request was not acted on: retry without checking.
NOT_DELIVERED = frozenset({429, 502, 503, 504})
#: A quota or credentials problem is not fixed by retrying soon: wait this long.
ACCOUNT_PROBLEM_WAIT = 600.0


class PhotoDownloader(Protocol):
    def download(self, file_id: str) -> bytes: ...


class WhatsAppSender:
    """Implements `ottenok.delivery.Transport` over a `GreenAPIClient`."""

    def __init__(self, client: Any, drive: PhotoDownloader | None = None) -> None:
        self.client = client
        self.drive = drive

    async def send(self, out: Outgoing) -> str | None:
        try:
            return await self._send(out)
        except (AuthError, QuotaExceeded) as err:
            raise DeliveryError(str(err), retry_after=ACCOUNT_PROBLEM_WAIT) from err
        except GreenAPIError as err:
            certain = err.status in NOT_DELIVERED or (400 <= (err.status or 0) < 500)
            raise DeliveryError(str(err), ambiguous=not certain) from err
        except aiohttp.ClientConnectorError as err:  # refused before the request went out
            raise DeliveryError(f"cannot connect: {err.os_error}") from err
        except (TimeoutError, aiohttp.ClientError) as err:
            raise DeliveryError(f"no answer: {err!r}", ambiguous=True) from err
        except OSError as err:  # the photo file vanished: it will not come back by retrying
            raise DeliveryError(f"photo unavailable: {err}", permanent=True) from err

    async def _send(self, out: Outgoing) -> str | None:
        if out.kind == "text":
            return await self.client.send_text(out.chat_id, out.text)
        if out.photo_path is not None:
            return await self.client.send_file_by_upload(
                out.chat_id, out.photo_path, out.photo_path.name, None
            )
        if out.photo_file_id is not None and self.drive is not None:
            data = await asyncio.to_thread(self.drive.download, out.photo_file_id)
            name = (out.photo_key or out.photo_file_id).rsplit("/", 1)[-1]
            return await self.client.send_file_by_upload(out.chat_id, data, name, None)
        raise DeliveryError(f"nothing to send for {out.photo_key!r}", permanent=True)

    async def was_delivered(self, out: Outgoing, since: datetime) -> bool | None:
        """The gateway's journal is not consulted yet: the outbox resends after its checks."""
        return None

    async def send_text(self, chat_id: str, text: str) -> str | None:
        """For the nudge scheduler: one text, errors propagate so the nudge is retried."""
        return await self.client.send_text(chat_id, text)

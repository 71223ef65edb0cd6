"""Outgoing messages through the channel each chat lives on.

`SandboxTransport` is the browser chat's side of the outbox protocol (`send_text`,
`send_photo`): the message is already stored when it is sent, so delivering it means telling
the open pages to show it. `OutgoingRouter` picks the transport per chat: sandbox chats go to
the browser, every other chat to WhatsApp, and manager notices to the managers' WhatsApp (or,
with no WhatsApp, only to the console, which shows them from the database).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Protocol

from adapters.web.channels import SANDBOX, ChannelRegistry
from adapters.web.events import CONSOLE, EventHub, chat_topic
from ottenok.messages import Outgoing

log = logging.getLogger("ottenok.outbound")


class ChannelUnavailable(RuntimeError):
    """The chat's channel is not running in this process (e.g. WhatsApp is not configured)."""


class TurnSender(Protocol):
    """What the WhatsApp side offers (adapters.greenapi.sender.WhatsAppSender)."""

    async def send(self, outgoing: list[Outgoing]) -> int: ...

    async def send_text(self, chat_id: str, text: str) -> str | None: ...


class SandboxTransport:
    def __init__(self, hub: EventHub) -> None:
        self.hub = hub

    def _delivered(self, chat_id: str) -> str:
        self.hub.publish(chat_topic(chat_id), {"type": "delivered"})
        self.hub.publish(CONSOLE, {"type": "changed", "chat_id": chat_id})
        return f"sandbox-{uuid.uuid4().hex}"

    async def send_text(self, chat_id: str, text: str) -> str | None:
        return self._delivered(chat_id)

    async def send_photo(self, chat_id: str, path_or_file: Path | str, name: str) -> str | None:
        return self._delivered(chat_id)


class OutgoingRouter:
    """A `TurnSender` over every running channel (the service hands it to each channel)."""

    def __init__(
        self,
        registry: ChannelRegistry,
        hub: EventHub,
        whatsapp: TurnSender | None = None,
        sandbox: SandboxTransport | None = None,
    ) -> None:
        self.registry = registry
        self.hub = hub
        self.whatsapp = whatsapp
        self.sandbox = sandbox

    def can_reach(self, chat_id: str) -> bool:
        if self.registry.channel_of(chat_id) == SANDBOX:
            return self.sandbox is not None
        return self.whatsapp is not None

    async def send(self, outgoing: list[Outgoing]) -> int:
        """Send a turn's parts in order; a part that cannot go is logged, the rest still go."""
        sent = 0
        for out in outgoing:
            try:
                sent += await self._send_one(out)
            except ChannelUnavailable as err:
                log.error("not sent", extra={"chat_id": out.chat_id, "error": str(err)})
        return sent

    async def send_text(self, chat_id: str, text: str) -> str | None:
        """One text (nudges, a manager's message); raises when the chat cannot be reached."""
        if self.registry.channel_of(chat_id) == SANDBOX:
            return await self._sandbox().send_text(chat_id, text)
        return await self._whatsapp(chat_id).send_text(chat_id, text)

    async def _send_one(self, out: Outgoing) -> int:
        """1 when the part went out (WhatsApp's sender logs and counts its own failures)."""
        if out.to_manager and self.whatsapp is None:
            # Stored with the turn; the console lists manager notices from the database.
            self.hub.publish(CONSOLE, {"type": "notice", "chat_id": out.chat_id})
            return 1
        if not out.to_manager and self.registry.channel_of(out.chat_id) == SANDBOX:
            sandbox = self._sandbox()
            if out.kind == "photo":
                name = out.photo_key or "photo"
                await sandbox.send_photo(out.chat_id, out.photo_path or name, name)
            else:
                await sandbox.send_text(out.chat_id, out.text)
            return 1
        sent = await self._whatsapp(out.chat_id).send([out])
        self.hub.publish(CONSOLE, {"type": "changed", "chat_id": out.chat_id})
        return sent

    def _sandbox(self) -> SandboxTransport:
        if self.sandbox is None:
            raise ChannelUnavailable("the sandbox chat is off (SANDBOX=0)")
        return self.sandbox

    def _whatsapp(self, chat_id: str) -> TurnSender:
        if self.whatsapp is None:
            raise ChannelUnavailable(f"WhatsApp is not configured; cannot reach {chat_id}")
        return self.whatsapp

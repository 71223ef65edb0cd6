"""The outbox's way out for every channel: each message goes to the channel its chat lives on.

`SandboxTransport` is the browser chat's transport: the message is already stored (an outbox
row), so delivering it means telling the open pages to show it; it never fails and is never
ambiguous. `ChannelTransport` is the one transport the `OutboxSender` gets: sandbox chats go
to the browser, every other chat to WhatsApp, and manager notices to the managers' WhatsApp
(or, with no WhatsApp, only to the console, which lists them from the database).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from adapters.web.channels import SANDBOX, ChannelRegistry
from adapters.web.events import CONSOLE, EventHub, chat_topic
from ottenok.delivery import DeliveryError, Transport
from ottenok.messages import Outgoing

#: With WhatsApp not configured, a WhatsApp chat's message waits this long between tries (it
#: goes out if WhatsApp is connected before the outbox's age limit, else the managers hear).
NO_WHATSAPP_RETRY_SECONDS = 300.0


class WhatsAppTransport(Transport, Protocol):
    """adapters.greenapi.sender.WhatsAppSender: the outbox's transport plus nudges' texts."""

    async def send_text(self, chat_id: str, text: str) -> str | None: ...


class SandboxTransport:
    """Implements `ottenok.delivery.Transport` for the browser sandbox."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub

    async def send(self, out: Outgoing) -> str | None:
        self.hub.publish(chat_topic(out.chat_id), {"type": "delivered"})
        self.hub.publish(CONSOLE, {"type": "changed", "chat_id": out.chat_id})
        return f"sandbox-{uuid.uuid4().hex}"

    async def was_delivered(
        self, out: Outgoing, since: datetime, known: Collection[str] = ()
    ) -> str | bool | None:
        return True  # a sandbox send cannot half-happen

    async def send_text(self, chat_id: str, text: str) -> str | None:
        return await self.send(Outgoing(chat_id, "text", text))


class ChannelTransport:
    """Implements `Transport` (the outbox) and `NudgeSender` (nudges) over every channel."""

    def __init__(
        self,
        registry: ChannelRegistry,
        hub: EventHub,
        whatsapp: WhatsAppTransport | None = None,
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

    def _route(self, out: Outgoing) -> WhatsAppTransport | SandboxTransport | None:
        """The transport for `out`; None: stored for the console only (a manager notice)."""
        if out.to_manager:
            return self.whatsapp
        if self.registry.channel_of(out.chat_id) == SANDBOX:
            if self.sandbox is None:
                raise DeliveryError("the sandbox chat is off (SANDBOX=0)", permanent=True)
            return self.sandbox
        if self.whatsapp is None:
            raise DeliveryError(
                "WhatsApp is not configured", retry_after=NO_WHATSAPP_RETRY_SECONDS
            )
        return self.whatsapp

    async def send(self, out: Outgoing) -> str | None:
        transport = self._route(out)
        if transport is None:
            self.hub.publish(CONSOLE, {"type": "notice", "chat_id": out.chat_id})
            return None
        sent = await transport.send(out)
        self.hub.publish(CONSOLE, {"type": "changed", "chat_id": out.chat_id})
        return sent

    async def was_delivered(
        self, out: Outgoing, since: datetime, known: Collection[str] = ()
    ) -> str | bool | None:
        transport = self._route(out)
        if transport is None:
            return True
        return await transport.was_delivered(out, since, known)

    async def send_text(self, chat_id: str, text: str) -> str | None:
        """For the nudge scheduler: one text through the chat's channel; raises on failure."""
        transport = self._route(Outgoing(chat_id, "text", text))
        assert transport is not None  # only manager notices have no transport
        return await transport.send_text(chat_id, text)

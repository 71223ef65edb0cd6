"""Pydantic models of GREEN-API notification bodies (webhooks and polled notifications alike).

GREEN-API adds webhook and message types over time, so the models are lenient: unknown fields
are kept (`extra="allow"`), type names are plain strings, and almost every field is optional.
Only a body that is not an object or has no `typeWebhook` is rejected, so a webhook endpoint can
answer 400 and a poller can drop the notification. Field names mirror the JSON (camelCase) so
the models read like the protocol reference.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class InstanceData(_Lenient):
    idInstance: int | None = None
    wid: str | None = None
    typeInstance: str | None = None


class SenderData(_Lenient):
    """Who wrote: in a group `chatId` is the group and `sender` the participant."""

    chatId: str = ""
    sender: str = ""
    senderName: str = ""
    chatName: str = ""
    senderContactName: str = ""


class TextMessageData(_Lenient):
    textMessage: str = ""


class ExtendedTextMessageData(_Lenient):
    """Links, forwarded texts, replies (`quotedMessage`) and reactions (the emoji) put text here."""

    text: str = ""
    title: str | None = None
    description: str | None = None
    stanzaId: str | None = None


class FileMessageData(_Lenient):
    downloadUrl: str = ""
    caption: str = ""
    fileName: str = ""
    mimeType: str = ""
    jpegThumbnail: str | None = None


class LocationMessageData(_Lenient):
    latitude: float | None = None
    longitude: float | None = None
    nameLocation: str | None = None
    address: str | None = None


class QuotedMessage(_Lenient):
    """The message being replied to; its content fields vary with its own `typeMessage`."""

    stanzaId: str | None = None
    participant: str | None = None
    typeMessage: str | None = None


class MessageData(_Lenient):
    typeMessage: str
    textMessageData: TextMessageData | None = None
    extendedTextMessageData: ExtendedTextMessageData | None = None
    fileMessageData: FileMessageData | None = None
    locationMessageData: LocationMessageData | None = None
    quotedMessage: QuotedMessage | None = None


class WebhookBody(_Lenient):
    """One notification. Message webhooks fill `senderData`/`messageData`; statuses fill the
    top-level `chatId`/`status`; instance events fill `stateInstance` and friends."""

    typeWebhook: str = Field(min_length=1)
    instanceData: InstanceData | None = None
    timestamp: int | None = None
    idMessage: str | None = None
    senderData: SenderData | None = None
    messageData: MessageData | None = None
    chatId: str | None = None
    status: str | None = None
    sendByApi: bool | None = None
    stateInstance: str | None = None
    statusInstance: str | None = None

    @property
    def chat_id(self) -> str | None:
        """The chat the notification is about, wherever this webhook type keeps it."""
        if self.senderData is not None and self.senderData.chatId:
            return self.senderData.chatId
        return self.chatId


class Notification(_Lenient):
    """A polled notification: the receipt id to delete it with, and the webhook body."""

    receiptId: int
    body: WebhookBody

"""Pydantic models of GREEN-API notification bodies (webhooks and polled notifications alike)
and of its journal answers.

GREEN-API adds webhook and message types over time, so unknown fields are kept
(`extra="allow"`), type names are plain strings, and almost every field is optional. What we do
read is typed strictly: a wrong type there (a text timestamp, a number where a chat id belongs),
a timestamp outside any plausible date, or a message notification without its `idMessage`, chat
or content rejects the whole body, so a webhook answers 400 with the reason and a poller drops
the notification instead of acting on half of it. Field names mirror the JSON (camelCase) so the
models read like the protocol reference.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

INCOMING = "incomingMessageReceived"
OUTGOING_TYPED = "outgoingMessageReceived"
OUTGOING_API = "outgoingAPIMessageReceived"
MESSAGE_WEBHOOKS = frozenset({INCOMING, OUTGOING_TYPED, OUTGOING_API})

# Unix seconds up to 2100: anything else (milliseconds, 1e15, negatives) is not a date GREEN-API
# sends, and `datetime.fromtimestamp` fails on some of it ("year out of range").
MIN_TIMESTAMP = 0
MAX_TIMESTAMP = 4_102_444_800
MAX_PHONE_DIGITS = 15  # E.164
_REASON_LIMIT = 200


def validation_reason(err: ValidationError) -> str:
    """A short reason for a rejected body: where and what, never the offending value (it may
    be huge or carry a secret)."""
    first = err.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"[:_REASON_LIMIT]


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class InstanceData(_Body):
    idInstance: int | None = None
    wid: str | None = None
    typeInstance: str | None = None


class SenderData(_Body):
    """Who wrote: in a group `chatId` is the group and `sender` the participant.

    Either id may be phone-based (`77011234567@c.us`) or a WhatsApp `@lid`;
    `senderPhoneNumber` (a number, 0 when hidden) is sent by newer GREEN-API versions.
    """

    chatId: str = ""
    sender: str = ""
    senderName: str | None = None
    chatName: str | None = None
    senderContactName: str | None = None
    senderPhoneNumber: int | str | None = None

    @field_validator("senderPhoneNumber")
    @classmethod
    def _digits(cls, value: int | str | None) -> int | str | None:
        digits = str(value) if value is not None else "0"
        if not digits.isdigit() or len(digits) > MAX_PHONE_DIGITS:
            raise ValueError("senderPhoneNumber is not a phone number")
        return value

    @property
    def phone_digits(self) -> str | None:
        """The sender's phone as digits, None when absent or hidden (0)."""
        digits = str(self.senderPhoneNumber or "").lstrip("0")
        return digits or None


class TextMessageData(_Body):
    textMessage: str = ""


class ExtendedTextMessageData(_Body):
    """Links, forwarded texts, replies (`quotedMessage`) and reactions (the emoji) put text here."""

    text: str = ""
    title: str | None = None
    description: str | None = None
    stanzaId: str | None = None


class FileMessageData(_Body):
    downloadUrl: str = ""
    caption: str | None = None
    fileName: str = ""
    mimeType: str = ""
    jpegThumbnail: str | None = None


class LocationMessageData(_Body):
    latitude: float | None = None
    longitude: float | None = None
    nameLocation: str | None = None
    address: str | None = None


class EditedMessageData(_Body):
    """A WhatsApp edit: the new text of the earlier message `stanzaId`."""

    textMessage: str = ""
    stanzaId: str = ""


class QuotedMessage(_Body):
    """The message being replied to; its content fields vary with its own `typeMessage`."""

    stanzaId: str | None = None
    participant: str | None = None
    typeMessage: str | None = None


class MessageData(_Body):
    typeMessage: str
    textMessageData: TextMessageData | None = None
    extendedTextMessageData: ExtendedTextMessageData | None = None
    fileMessageData: FileMessageData | None = None
    locationMessageData: LocationMessageData | None = None
    editedMessageData: EditedMessageData | None = None
    quotedMessage: QuotedMessage | None = None


class QuotaData(_Body):
    """Why a `quotaExceeded` notice came: the limit (`method`), its use and a description."""

    method: str | None = None
    used: int | str | None = None
    total: int | str | None = None
    status: str | None = None
    description: str | None = None


class WebhookBody(_Body):
    """One notification. Message webhooks fill `senderData`/`messageData`; statuses fill the
    top-level `chatId`/`status`; instance events fill `stateInstance`, `quotaData` and friends."""

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
    quotaData: QuotaData | None = None

    @field_validator("timestamp")
    @classmethod
    def _plausible(cls, value: int | None) -> int | None:
        if value is not None and not MIN_TIMESTAMP <= value <= MAX_TIMESTAMP:
            raise ValueError("timestamp is not a date in Unix seconds")
        return value

    @model_validator(mode="after")
    def _message_is_complete(self) -> WebhookBody:
        """A message notification we cannot store (no id, no chat, no content) is malformed,
        not something to answer 200 to and drop in silence."""
        if self.typeWebhook in MESSAGE_WEBHOOKS:
            if not self.idMessage:
                raise ValueError("a message notification needs idMessage")
            if self.senderData is None or not self.senderData.chatId:
                raise ValueError("a message notification needs senderData.chatId")
            if self.messageData is None:
                raise ValueError("a message notification needs messageData")
        return self

    @property
    def chat_id(self) -> str | None:
        """The chat the notification is about, wherever this webhook type keeps it."""
        if self.senderData is not None and self.senderData.chatId:
            return self.senderData.chatId
        return self.chatId


class Notification(_Body):
    """A polled notification: the receipt id to delete it with, and the webhook body."""

    receiptId: int
    body: WebhookBody


class JournalMessage(BaseModel):
    """One entry of `lastOutgoingMessages` / `getChatHistory`: a message GREEN-API really sent
    (`type` "outgoing") or received ("incoming"). Lenient: an answer, not input to reject."""

    model_config = ConfigDict(extra="allow")

    type: str = ""
    idMessage: str = ""
    timestamp: int = 0
    typeMessage: str = ""
    chatId: str = ""
    textMessage: str | None = None
    extendedTextMessage: ExtendedTextMessageData | None = None
    caption: str | None = None
    fileName: str | None = None
    statusMessage: str | None = None
    sendByApi: bool | None = None

    @property
    def text(self) -> str:
        """The text, wherever this message type keeps it (texts with links are extended)."""
        if self.textMessage:
            return self.textMessage
        if self.extendedTextMessage is not None:
            return self.extendedTextMessage.text
        return ""

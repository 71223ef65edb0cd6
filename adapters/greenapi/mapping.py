"""From GREEN-API notification bodies to what the dialogue understands.

`classify` sorts a notification by who produced it, so the service can answer customers, notice
a manager typing on the shop's phone, and skip its own API echoes, statuses and groups.
`to_incoming` turns a customer's message into an `IncomingMessage`; content the assistant cannot
read becomes a media kind with empty text (it gets a polite request to write), and content that
needs no answer at all (reactions, edits, deletions, unknown types) becomes None.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.greenapi.models import MessageData, WebhookBody
from ottenok.messages import IncomingMessage, now_utc

INCOMING = "incomingMessageReceived"
OUTGOING_TYPED = "outgoingMessageReceived"
OUTGOING_API = "outgoingAPIMessageReceived"
OUTGOING_STATUS = "outgoingMessageStatus"
MESSAGE_WEBHOOKS = frozenset({INCOMING, OUTGOING_TYPED, OUTGOING_API})

GROUP_SUFFIX = "@g.us"
PERSONAL_SUFFIXES = ("@c.us", "@lid")

TEXT_TYPES = frozenset({"textMessage", "extendedTextMessage", "quotedMessage"})
CAPTIONED_TYPES = {"imageMessage": "image", "videoMessage": "video", "documentMessage": "document"}
UNCAPTIONED_TYPES = {"audioMessage": "audio", "stickerMessage": "sticker"}
LOCATION_TYPE = "locationMessage"


def classify(body: WebhookBody | Mapping[str, Any]) -> str:
    """One of "customer", "manager_typed", "api_echo", "status", "group", "other"."""
    body = _model(body)
    kind = body.typeWebhook
    if kind == OUTGOING_STATUS:
        return "status"
    if kind not in MESSAGE_WEBHOOKS:
        return "other"
    chat_id = body.chat_id or ""
    if chat_id.endswith(GROUP_SUFFIX):
        return "group"
    if not chat_id.endswith(PERSONAL_SUFFIXES):
        return "other"  # status@broadcast stories, newsletters and the like
    if kind == INCOMING:
        return "customer"
    return "manager_typed" if kind == OUTGOING_TYPED else "api_echo"


def message_content(data: MessageData | None) -> tuple[str, str] | None:
    """(kind, text) of a message, or None when it needs no answer.

    Also useful for a manager's typed message, which `to_incoming` deliberately skips.
    """
    if data is None:
        return None
    kind = data.typeMessage
    if kind in TEXT_TYPES:
        text = _text_of(data)
        return ("text", text) if text else None
    if kind in CAPTIONED_TYPES:
        caption = (data.fileMessageData.caption if data.fileMessageData else "").strip()
        return ("text", caption) if caption else (CAPTIONED_TYPES[kind], "")
    if kind in UNCAPTIONED_TYPES:
        return UNCAPTIONED_TYPES[kind], ""
    if kind == LOCATION_TYPE:
        return "location", ""
    return None


def to_incoming(body: WebhookBody | Mapping[str, Any]) -> IncomingMessage | None:
    """The customer's message in a personal chat (`@c.us` or `@lid`, kept as is), else None."""
    body = _model(body)
    if classify(body) != "customer" or not body.idMessage:
        return None
    content = message_content(body.messageData)
    if content is None:
        return None
    kind, text = content
    return IncomingMessage(
        chat_id=body.chat_id or "",
        message_id=body.idMessage,
        text=text,
        sender_name=_sender_name(body),
        kind=kind,
        timestamp=_moment(body.timestamp),
    )


def _model(body: WebhookBody | Mapping[str, Any]) -> WebhookBody:
    return body if isinstance(body, WebhookBody) else WebhookBody.model_validate(body)


def _text_of(data: MessageData) -> str:
    if data.typeMessage == "textMessage" and data.textMessageData is not None:
        return data.textMessageData.textMessage.strip()
    if data.extendedTextMessageData is not None:
        return data.extendedTextMessageData.text.strip()
    # Some senders deliver a plain text under extendedTextMessage without the extended block.
    return data.textMessageData.textMessage.strip() if data.textMessageData else ""


def _sender_name(body: WebhookBody) -> str | None:
    sender = body.senderData
    if sender is None:
        return None
    return sender.senderName.strip() or sender.chatName.strip() or None


def _moment(timestamp: int | None) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else now_utc()

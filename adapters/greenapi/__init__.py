"""GREEN-API (WhatsApp) adapter: our own aiohttp client, body models and their mapping."""

from adapters.greenapi.client import GreenAPIClient, clamp_receive_timeout, redact
from adapters.greenapi.errors import AuthError, GreenAPIError, MalformedNotification, QuotaExceeded
from adapters.greenapi.mapping import classify, message_content, to_incoming
from adapters.greenapi.models import (
    ExtendedTextMessageData,
    FileMessageData,
    InstanceData,
    LocationMessageData,
    MessageData,
    Notification,
    QuotedMessage,
    SenderData,
    TextMessageData,
    WebhookBody,
)

__all__ = [
    "AuthError",
    "ExtendedTextMessageData",
    "FileMessageData",
    "GreenAPIClient",
    "GreenAPIError",
    "InstanceData",
    "LocationMessageData",
    "MalformedNotification",
    "MessageData",
    "Notification",
    "QuotaExceeded",
    "QuotedMessage",
    "SenderData",
    "TextMessageData",
    "WebhookBody",
    "clamp_receive_timeout",
    "classify",
    "message_content",
    "redact",
    "to_incoming",
]

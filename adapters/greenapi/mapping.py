"""From GREEN-API notification bodies to what the dialogue and the operators understand.

- `classify(body)` sorts a notification by who produced it: "customer", "manager_typed" (typed
  on the shop's phone), "api_echo" (our own send), "status", "group", "instance" (the instance's
  own state or quota) or "other".
- `person_of(body)` names the person behind a personal chat: WhatsApp may show one person as
  `77011234567@c.us` and as `…@lid`; `Person.key` is the phone-based id whenever the phone is
  known anywhere in the body, so one person keeps one conversation.
- `to_incoming(body)` turns a customer's message into an `IncomingMessage` keyed by the person:
  content the assistant cannot read becomes a media kind with empty text (it gets a polite request
  to write), an edit becomes the new text with `edits` naming the corrected message, and content
  that needs no answer (reactions, deletions, unknown types) becomes None.
- `to_alert(body)` turns `stateInstanceChanged` and `quotaExceeded` into an `InstanceAlert` for
  the log and /health: the customers cannot be answered until someone acts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.greenapi.models import (
    INCOMING,
    MESSAGE_WEBHOOKS,
    OUTGOING_TYPED,
    MessageData,
    WebhookBody,
)
from ottenok.messages import IncomingMessage, now_utc

OUTGOING_STATUS = "outgoingMessageStatus"
STATE_CHANGED = "stateInstanceChanged"
QUOTA_EXCEEDED = "quotaExceeded"
INSTANCE_WEBHOOKS = frozenset({STATE_CHANGED, QUOTA_EXCEEDED})

GROUP_SUFFIX = "@g.us"
PHONE_SUFFIX = "@c.us"
LID_SUFFIX = "@lid"
PERSONAL_SUFFIXES = (PHONE_SUFFIX, LID_SUFFIX)

TEXT_TYPES = frozenset({"textMessage", "extendedTextMessage", "quotedMessage"})
CAPTIONED_TYPES = {"imageMessage": "image", "videoMessage": "video", "documentMessage": "document"}
UNCAPTIONED_TYPES = {"audioMessage": "audio", "stickerMessage": "sticker"}
LOCATION_TYPE = "locationMessage"
EDITED_TYPE = "editedMessage"

AUTHORIZED = "authorized"
STATE_DETAILS = {
    AUTHORIZED: "WhatsApp is connected again",
    "notAuthorized": "WhatsApp is logged out: scan the QR code in the GREEN-API console",
    "blocked": "the WhatsApp number is banned",
    "yellowCard": "WhatsApp suspended sending from the number (spam suspicion)",
    "sleepMode": "the shop's phone is offline: turn it on and open WhatsApp",
    "starting": "the instance is starting",
}
QUOTA_DETAIL = "the GREEN-API plan's quota is used up: change the plan in the console"
_DETAIL_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Person:
    """The person behind a personal chat, whichever id WhatsApp used this time.

    `key` is `<phone>@c.us` when the phone is known, else the chat id as delivered (then an
    `@lid`). `phone` is the digits, `lid` the `@lid` id when one was seen.
    """

    key: str
    phone: str | None
    lid: str | None


@dataclass(frozen=True, slots=True)
class InstanceAlert:
    """The WhatsApp instance itself changed: the managers must hear of it by another channel
    (the log, /health), since WhatsApp may be what stopped working.

    `kind` is "state" (`stateInstanceChanged`) or "quota" (`quotaExceeded`); `state` is the new
    `stateInstance` ("notAuthorized", "blocked", …) or the quota status; `healthy` is True only
    for "authorized", which clears earlier alerts; `detail` is one line saying what to do.
    """

    kind: str
    state: str
    healthy: bool
    detail: str
    at: datetime


def classify(body: WebhookBody | Mapping[str, Any]) -> str:
    """One of "customer", "manager_typed", "api_echo", "status", "group", "instance", "other"."""
    body = _model(body)
    kind = body.typeWebhook
    if kind == OUTGOING_STATUS:
        return "status"
    if kind in INSTANCE_WEBHOOKS:
        return "instance"
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


def person_of(body: WebhookBody | Mapping[str, Any]) -> Person | None:
    """The person of a message in a personal chat, None for groups and everything else.

    The phone comes from any phone-based id in the body or from `senderPhoneNumber`; in the
    shop's own messages (typed or sent through the API) `sender` is the shop, so only the chat
    counts there.
    """
    body = _model(body)
    if classify(body) not in ("customer", "manager_typed", "api_echo"):
        return None
    sender = body.senderData
    if sender is None:  # a validated message notification always has it
        return None
    incoming = body.typeWebhook == INCOMING
    ids = [sender.chatId, sender.sender] if incoming else [sender.chatId]
    phone = next((i.removesuffix(PHONE_SUFFIX) for i in ids if i.endswith(PHONE_SUFFIX)), None)
    if phone is None and incoming:
        phone = sender.phone_digits
    lid = next((i for i in ids if i.endswith(LID_SUFFIX)), None)
    key = f"{phone}{PHONE_SUFFIX}" if phone else sender.chatId
    return Person(key=key, phone=phone, lid=lid)


def message_content(data: MessageData | None) -> tuple[str, str] | None:
    """(kind, text) of a message, or None when it needs no answer. An edit reads as its new
    text.

    Also useful for a manager's typed message, which `to_incoming` deliberately skips.
    """
    if data is None:
        return None
    kind = data.typeMessage
    if kind in TEXT_TYPES:
        text = _text_of(data)
        return ("text", text) if text else None
    if kind == EDITED_TYPE:
        text = data.editedMessageData.textMessage.strip() if data.editedMessageData else ""
        return ("text", text) if text else None
    if kind in CAPTIONED_TYPES:
        caption = ((data.fileMessageData and data.fileMessageData.caption) or "").strip()
        return ("text", caption) if caption else (CAPTIONED_TYPES[kind], "")
    if kind in UNCAPTIONED_TYPES:
        return UNCAPTIONED_TYPES[kind], ""
    if kind == LOCATION_TYPE:
        return "location", ""
    return None


def to_incoming(body: WebhookBody | Mapping[str, Any]) -> IncomingMessage | None:
    """The customer's message in a personal chat, keyed by the person (see `person_of`), else
    None. An edit names the message it corrects in `edits`."""
    body = _model(body)
    if classify(body) != "customer" or not body.idMessage:
        return None
    person = person_of(body)
    if person is None:
        return None
    content = message_content(body.messageData)
    if content is None:
        return None
    kind, text = content
    data = body.messageData
    edited = data.editedMessageData if data is not None else None
    return IncomingMessage(
        chat_id=person.key,
        message_id=body.idMessage,
        text=text,
        sender_name=_sender_name(body),
        kind=kind,
        timestamp=_moment(body.timestamp),
        edits=(edited.stanzaId or None) if edited is not None else None,
        lid=person.lid,
    )


def to_alert(body: WebhookBody | Mapping[str, Any]) -> InstanceAlert | None:
    """An `InstanceAlert` for `stateInstanceChanged` and `quotaExceeded`, else None."""
    body = _model(body)
    at = _moment(body.timestamp)
    if body.typeWebhook == STATE_CHANGED and body.stateInstance:
        state = body.stateInstance
        detail = STATE_DETAILS.get(state, f"the instance state is now {state}")
        return InstanceAlert("state", state, state == AUTHORIZED, detail, at)
    if body.typeWebhook == QUOTA_EXCEEDED:
        quota = body.quotaData
        status = (quota.status if quota else None) or "quotaExceeded"
        described = (quota.description if quota else None) or QUOTA_DETAIL
        return InstanceAlert("quota", status, False, described[:_DETAIL_LIMIT], at)
    return None


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
    return (sender.senderName or "").strip() or (sender.chatName or "").strip() or None


def _moment(timestamp: int | None) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else now_utc()

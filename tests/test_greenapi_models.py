"""Notification bodies as GREEN-API sends them: every type in the reference parses, malformed
bodies are rejected, and `classify`/`to_incoming` sort them for the dialogue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from greenapi_emulator import file_body, message_body, status_body, text_body
from pydantic import ValidationError

from adapters.greenapi import (
    Notification,
    WebhookBody,
    classify,
    message_content,
    to_incoming,
)

CHAT = "77011234567@c.us"
GROUP = "120363025990654321@g.us"
LID = "262146192551936@lid"
WHEN = 1764000000
INSTANCE = {"idInstance": 1101000001, "wid": "77000000001@c.us", "typeInstance": "whatsapp"}


def incoming(message_data: dict, chat_id: str = CHAT, id_message: str = "3EB0C1A2B3") -> dict:
    return message_body(chat_id, message_data, id_message, timestamp=WHEN)


def instance_event(type_webhook: str, **fields) -> dict:
    return {"typeWebhook": type_webhook, "instanceData": INSTANCE, "timestamp": WHEN, **fields}


# name → (body, classify(body), message_content or None)
BODIES: dict[str, tuple[dict, str, tuple[str, str] | None]] = {
    "text": (
        text_body(CHAT, "Здравствуйте, есть лоферы 38?", "T1", timestamp=WHEN),
        "customer",
        ("text", "Здравствуйте, есть лоферы 38?"),
    ),
    "extended": (
        incoming(
            {
                "typeMessage": "extendedTextMessage",
                "extendedTextMessageData": {
                    "text": "Вот такие хочу https://instagram.com/p/xyz",
                    "description": "Пост магазина",
                    "title": "Instagram",
                    "previewType": "None",
                    "jpegThumbnail": "",
                    "forwardingScore": 1,
                    "isForwarded": True,
                },
            }
        ),
        "customer",
        ("text", "Вот такие хочу https://instagram.com/p/xyz"),
    ),
    "quoted": (
        incoming(
            {
                "typeMessage": "quotedMessage",
                "extendedTextMessageData": {
                    "text": "А чёрные есть?",
                    "stanzaId": "BAE5F1",
                    "participant": "",
                },
                "quotedMessage": {
                    "stanzaId": "BAE5F1",
                    "participant": "77000000001@c.us",
                    "typeMessage": "imageMessage",
                    "downloadUrl": "",
                    "caption": "Лоферы",
                    "jpegThumbnail": "",
                },
            }
        ),
        "customer",
        ("text", "А чёрные есть?"),
    ),
    "text with a quote": (
        incoming(
            {
                "typeMessage": "textMessage",
                "textMessageData": {"textMessage": "Беру"},
                "quotedMessage": {
                    "stanzaId": "BAE5F2",
                    "typeMessage": "textMessage",
                    "textMessage": "38?",
                },
            }
        ),
        "customer",
        ("text", "Беру"),
    ),
    "image with caption": (
        file_body(CHAT, "I1", caption="  Такие есть в бежевом?  ", timestamp=WHEN),
        "customer",
        ("text", "Такие есть в бежевом?"),
    ),
    "image": (file_body(CHAT, "I2", timestamp=WHEN), "customer", ("image", "")),
    "video": (
        file_body(CHAT, "V1", "videoMessage", file_name="v.mp4", mime_type="video/mp4"),
        "customer",
        ("video", ""),
    ),
    "document": (
        file_body(CHAT, "D1", "documentMessage", file_name="чек.pdf", mime_type="application/pdf"),
        "customer",
        ("document", ""),
    ),
    "audio": (
        file_body(
            CHAT, "A1", "audioMessage", file_name="voice.oga", mime_type="audio/ogg; codecs=opus"
        ),
        "customer",
        ("audio", ""),
    ),
    "sticker": (
        file_body(CHAT, "S1", "stickerMessage", file_name="s.webp", mime_type="image/webp"),
        "customer",
        ("sticker", ""),
    ),
    "location": (
        incoming(
            {
                "typeMessage": "locationMessage",
                "locationMessageData": {
                    "nameLocation": "Mega Alma-Ata",
                    "address": "ул. Розыбакиева, 247А",
                    "latitude": 43.2016,
                    "longitude": 76.8922,
                    "jpegThumbnail": "",
                },
            }
        ),
        "customer",
        ("location", ""),
    ),
    "contact": (
        incoming(
            {
                "typeMessage": "contactMessage",
                "contactMessageData": {"displayName": "Мама", "vcard": "BEGIN:VCARD\nEND:VCARD"},
            }
        ),
        "customer",
        None,
    ),
    "reaction": (
        incoming(
            {
                "typeMessage": "reactionMessage",
                "extendedTextMessageData": {"text": "👍"},
                "quotedMessage": {"stanzaId": "BAE5F3", "participant": "77000000001@c.us"},
            }
        ),
        "customer",
        None,
    ),
    "edited": (
        incoming(
            {
                "typeMessage": "editedMessage",
                "editedMessageData": {"textMessage": "Размер 39, не 38", "stanzaId": "3EB0AA"},
            }
        ),
        "customer",
        None,
    ),
    "deleted": (
        incoming({"typeMessage": "deletedMessage", "deletedMessageData": {"stanzaId": "3EB0AB"}}),
        "customer",
        None,
    ),
    "poll": (
        incoming(
            {
                "typeMessage": "pollMessage",
                "pollMessageData": {"name": "Какой цвет?", "options": [{"optionName": "Чёрный"}]},
            }
        ),
        "customer",
        None,
    ),
    "future message type": (
        incoming({"typeMessage": "hologramMessage", "hologramMessageData": {"depth": 3}}),
        "customer",
        None,
    ),
    "lid chat": (
        text_body(LID, "Добрый день", "L1", timestamp=WHEN),
        "customer",
        ("text", "Добрый день"),
    ),
    "group": (
        text_body(GROUP, "Девочки, смотрите", "G1", timestamp=WHEN),
        "group",
        ("text", "Девочки, смотрите"),
    ),
    "manager typed": (
        text_body(CHAT, "Здравствуйте, это Мадина", "M1", type_webhook="outgoingMessageReceived"),
        "manager_typed",
        ("text", "Здравствуйте, это Мадина"),
    ),
    "api echo": (
        text_body(CHAT, "Да, есть", "BAE5E1", type_webhook="outgoingAPIMessageReceived"),
        "api_echo",
        ("text", "Да, есть"),
    ),
    "manager in a group": (
        text_body(GROUP, "Всем привет", "M2", type_webhook="outgoingMessageReceived"),
        "group",
        ("text", "Всем привет"),
    ),
    "stories broadcast": (
        text_body("status@broadcast", "Новая коллекция", "B1"),
        "other",
        ("text", "Новая коллекция"),
    ),
    "status sent": (status_body(CHAT, "BAE5E1", "sent"), "status", None),
    "status read": (status_body(CHAT, "BAE5E1", "read"), "status", None),
    "status failed": (
        {**status_body(CHAT, "BAE5E2", "failed"), "description": "unknown error"},
        "status",
        None,
    ),
    "state changed": (
        instance_event("stateInstanceChanged", stateInstance="authorized"),
        "other",
        None,
    ),
    "status instance changed": (
        instance_event("statusInstanceChanged", statusInstance="online"),
        "other",
        None,
    ),
    "device info": (
        instance_event("deviceInfo", deviceData={"platform": "android", "battery": 77}),
        "other",
        None,
    ),
    "incoming call": (
        instance_event("incomingCall", **{"from": CHAT, "status": "offer", "idMessage": "C1"}),
        "other",
        None,
    ),
    "incoming block": (
        instance_event("incomingBlock", chatId=CHAT, blockType="blocked"),
        "other",
        None,
    ),
    "quota exceeded": (
        instance_event(
            "quotaExceeded",
            quotaData={"description": "Monthly quota has been exceeded", "method": "sendMessage"},
        ),
        "other",
        None,
    ),
    "future webhook": (instance_event("hologramReceived", hologram={"depth": 3}), "other", None),
}
CASES = [pytest.param(*case, id=name) for name, case in BODIES.items()]


@pytest.mark.parametrize(("raw", "category", "content"), CASES)
def test_every_documented_body_parses_and_keeps_its_fields(raw, category, content):
    body = WebhookBody.model_validate(raw)

    assert body.typeWebhook == raw["typeWebhook"]
    assert body.model_dump(exclude_unset=True) == raw  # nothing unknown is dropped
    notification = Notification.model_validate({"receiptId": 17, "body": raw})
    assert notification.receiptId == 17 and notification.body == body


@pytest.mark.parametrize(("raw", "category", "content"), CASES)
def test_classify_and_content(raw, category, content):
    body = WebhookBody.model_validate(raw)

    assert classify(body) == category
    assert classify(raw) == category  # plain dicts are accepted too
    assert message_content(body.messageData) == content


@pytest.mark.parametrize(("raw", "category", "content"), CASES)
def test_to_incoming_maps_customer_messages_only(raw, category, content):
    message = to_incoming(WebhookBody.model_validate(raw))

    if category != "customer" or content is None:
        assert message is None
        return
    assert message is not None
    assert (message.kind, message.text) == content
    assert message.chat_id == raw["senderData"]["chatId"]
    assert message.message_id == raw["idMessage"]
    assert message.sender_name == "Айгерим"
    assert message.timestamp == datetime.fromtimestamp(raw["timestamp"], UTC)


def test_incoming_timestamp_is_aware_utc():
    message = to_incoming(text_body(CHAT, "Здравствуйте", "T2", timestamp=1764000000))

    assert message is not None
    assert message.timestamp == datetime(2025, 11, 24, 16, 0, tzinfo=UTC)
    assert message.timestamp.utcoffset() is not None


def test_lid_chat_id_is_kept_as_is():
    message = to_incoming(text_body(LID, "Добрый день", "L2"))
    assert message is not None and message.chat_id == LID


def test_sender_name_falls_back_to_the_chat_name():
    raw = text_body(CHAT, "Здравствуйте", "T3")
    raw["senderData"]["senderName"] = ""
    raw["senderData"]["chatName"] = "Жанар"
    assert to_incoming(raw).sender_name == "Жанар"

    raw["senderData"]["chatName"] = ""
    assert to_incoming(raw).sender_name is None


def test_blank_text_needs_no_answer():
    assert to_incoming(text_body(CHAT, "   ", "T4")) is None


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(None, id="null"),
        pytest.param([{"typeWebhook": "incomingMessageReceived"}], id="list"),
        pytest.param("incomingMessageReceived", id="string"),
        pytest.param({"timestamp": WHEN, "idMessage": "X"}, id="no typeWebhook"),
        pytest.param({"typeWebhook": ""}, id="empty typeWebhook"),
        pytest.param({"typeWebhook": 5}, id="typeWebhook not text"),
        pytest.param(
            {"typeWebhook": "incomingMessageReceived", "senderData": "77011234567"},
            id="senderData text",
        ),
        pytest.param(
            {"typeWebhook": "incomingMessageReceived", "messageData": {"textMessageData": {}}},
            id="messageData without typeMessage",
        ),
        pytest.param(
            {"typeWebhook": "incomingMessageReceived", "timestamp": "вчера"}, id="bad timestamp"
        ),
    ],
)
def test_malformed_bodies_are_rejected(raw):
    with pytest.raises(ValidationError):
        WebhookBody.model_validate(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"body": text_body(CHAT, "Привет", "T5")}, id="no receiptId"),
        pytest.param(
            {"receiptId": "первый", "body": text_body(CHAT, "Привет", "T5")}, id="receiptId text"
        ),
        pytest.param({"receiptId": 3, "body": {"idMessage": "T5"}}, id="body without type"),
    ],
)
def test_malformed_notifications_are_rejected(raw):
    with pytest.raises(ValidationError):
        Notification.model_validate(raw)

"""Notification bodies as GREEN-API sends them: every type in the reference parses, malformed
bodies are rejected with a reason, `classify`/`to_incoming` sort them for the dialogue, one
person behind two WhatsApp ids keeps one key, edits read as corrections and instance events as
alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from greenapi_emulator import file_body, message_body, status_body, text_body
from pydantic import ValidationError

from adapters.greenapi import (
    InstanceAlert,
    Notification,
    Person,
    WebhookBody,
    classify,
    message_content,
    person_of,
    to_alert,
    to_incoming,
    validation_reason,
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
        ("text", "Размер 39, не 38"),
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
        "instance",
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
        "instance",
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


def test_edited_message_is_the_new_text_of_the_message_it_corrects():
    raw = incoming(
        {
            "typeMessage": "editedMessage",
            "editedMessageData": {"textMessage": "  39 размер, не 38  ", "stanzaId": "3EB0AA"},
        },
        id_message="3EB0ED",
    )

    message = to_incoming(raw)

    assert message is not None
    assert (message.message_id, message.text, message.edits) == (
        "3EB0ED",
        "39 размер, не 38",
        "3EB0AA",
    )
    assert to_incoming(text_body(CHAT, "38 размер", "3EB0AA")).edits is None


def test_an_edit_to_nothing_and_a_deletion_need_no_answer():
    emptied = {"typeMessage": "editedMessage", "editedMessageData": {"stanzaId": "3EB0AA"}}
    deleted = {"typeMessage": "deletedMessage", "deletedMessageData": {"stanzaId": "3EB0AA"}}
    assert to_incoming(incoming(emptied)) is None
    assert to_incoming(incoming(deleted)) is None


# ---- one person, two WhatsApp ids ------------------------------------------------------------

PHONE = "77011234567"


def lid_body(chat_id: str, sender: str, id_message: str, **sender_fields) -> dict:
    raw = text_body(chat_id, "Здравствуйте", id_message, timestamp=WHEN)
    raw["senderData"]["sender"] = sender
    raw["senderData"].update(sender_fields)
    return raw


@pytest.mark.parametrize(
    ("raw", "key", "phone", "lid"),
    [
        pytest.param(text_body(CHAT, "Привет", "P1"), CHAT, PHONE, None, id="phone chat"),
        pytest.param(
            lid_body(LID, LID, "P2", senderPhoneNumber=int(PHONE)), CHAT, PHONE, LID,
            id="lid chat, phone in senderPhoneNumber",
        ),
        pytest.param(
            lid_body(LID, LID, "P3", senderPhoneNumber=PHONE), CHAT, PHONE, LID,
            id="senderPhoneNumber as text",
        ),
        pytest.param(lid_body(LID, CHAT, "P4"), CHAT, PHONE, LID, id="lid chat, phone sender"),
        pytest.param(lid_body(CHAT, LID, "P5"), CHAT, PHONE, LID, id="phone chat, lid sender"),
        pytest.param(
            lid_body(LID, LID, "P6", senderPhoneNumber=0), LID, None, LID, id="phone hidden"
        ),
        pytest.param(lid_body(LID, LID, "P7"), LID, None, LID, id="lid only"),
    ],
)  # fmt: skip
def test_person_key_is_the_phone_based_id_whenever_the_phone_is_known(raw, key, phone, lid):
    assert person_of(raw) == Person(key=key, phone=phone, lid=lid)
    message = to_incoming(raw)
    assert message is not None
    assert (message.chat_id, message.lid) == (key, lid)


def test_one_person_writing_from_both_ids_is_one_conversation():
    from_phone = to_incoming(text_body(CHAT, "Есть лоферы 38?", "Q1"))
    from_lid = to_incoming(lid_body(LID, LID, "Q2", senderPhoneNumber=int(PHONE)))
    assert from_phone is not None and from_lid is not None
    assert from_phone.chat_id == from_lid.chat_id == CHAT


def test_the_shop_phone_is_never_taken_for_the_customer():
    typed = text_body(LID, "Здравствуйте, это Мадина", "M3", type_webhook="outgoingMessageReceived")
    typed["senderData"]["senderPhoneNumber"] = 77000000001  # the shop's own number

    assert classify(typed) == "manager_typed"
    assert person_of(typed) == Person(key=LID, phone=None, lid=LID)
    assert person_of(text_body(GROUP, "Всем привет", "G2")) is None
    assert person_of(status_body(CHAT, "BAE5E1")) is None


# ---- instance alerts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "healthy", "hint"),
    [
        ("notAuthorized", False, "QR"),
        ("blocked", False, "banned"),
        ("yellowCard", False, "spam"),
        ("sleepMode", False, "phone"),
        ("starting", False, "starting"),
        ("authorized", True, "connected"),
        ("hologramState", False, "hologramState"),
    ],
)
def test_state_changes_become_instance_alerts(state, healthy, hint):
    alert = to_alert(instance_event("stateInstanceChanged", stateInstance=state))

    assert alert == InstanceAlert(
        "state", state, healthy, alert.detail, datetime.fromtimestamp(WHEN, UTC)
    )
    assert hint in alert.detail


def test_quota_exceeded_becomes_an_alert_with_the_gateways_words():
    described = "Monthly quota has been exceeded. You can only send or receive messages from " * 9
    raw = {
        "typeWebhook": "quotaExceeded",
        "instanceData": INSTANCE,
        "quotaData": {
            "method": "correspondents",
            "used": 3,
            "total": "3",
            "status": "CORRESPONDENTS_QUOTA_EXCEEDED",
            "description": described,
        },
    }

    alert = to_alert(raw)

    assert (alert.kind, alert.state, alert.healthy) == (
        "quota",
        "CORRESPONDENTS_QUOTA_EXCEEDED",
        False,
    )
    assert alert.detail == described[:300]
    bare = to_alert({"typeWebhook": "quotaExceeded"})
    assert (bare.state, bare.healthy) == ("quotaExceeded", False)
    assert "plan" in bare.detail


def test_other_bodies_are_no_alert():
    assert to_alert(text_body(CHAT, "Здравствуйте", "T6")) is None
    assert to_alert(instance_event("statusInstanceChanged", statusInstance="offline")) is None
    assert to_alert({"typeWebhook": "stateInstanceChanged"}) is None


# ---- what a body must be ---------------------------------------------------------------------


def with_changes(raw: dict, **changes) -> dict:
    """`raw` with dotted paths set (None deletes)."""
    changed = json.loads(json.dumps(raw))
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = changed
        for part in parents:
            target = target[part]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return changed


GOOD = text_body(CHAT, "Здравствуйте", "GOOD1", timestamp=WHEN)


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        pytest.param({"timestamp": 10**15}, "timestamp", id="timestamp 1e15"),
        pytest.param({"timestamp": 1e15}, "timestamp", id="timestamp float 1e15"),
        pytest.param({"timestamp": -(10**12)}, "timestamp", id="timestamp -1e12"),
        pytest.param({"timestamp": float("nan")}, "timestamp", id="timestamp NaN"),
        pytest.param({"timestamp": "1764000000"}, "timestamp", id="timestamp text"),
        pytest.param({"timestamp": True}, "timestamp", id="timestamp bool"),
        pytest.param({"timestamp": 1764000000123}, "timestamp", id="timestamp in ms"),
        pytest.param({"idMessage": None}, "idMessage", id="no idMessage"),
        pytest.param({"idMessage": ""}, "idMessage", id="empty idMessage"),
        pytest.param({"idMessage": 12345}, "idMessage", id="idMessage number"),
        pytest.param({"senderData": None}, "senderData", id="no senderData"),
        pytest.param({"senderData__chatId": ""}, "chatId", id="empty chatId"),
        pytest.param({"senderData__chatId": 77011234567}, "chatId", id="chatId number"),
        pytest.param({"senderData__senderPhoneNumber": "+7 701"}, "senderPhoneNumber", id="phone"),
        pytest.param({"senderData__senderName": ["А"]}, "senderName", id="senderName list"),
        pytest.param({"messageData": None}, "messageData", id="no messageData"),
        pytest.param({"messageData__typeMessage": 1}, "typeMessage", id="typeMessage number"),
        pytest.param(
            {"messageData__textMessageData__textMessage": {"x": 1}}, "textMessage", id="text object"
        ),
        pytest.param({"instanceData__idInstance": "x1"}, "idInstance", id="idInstance text"),
        pytest.param({"typeWebhook": None}, "typeWebhook", id="no typeWebhook"),
    ],
)
def test_a_body_with_a_wrong_field_is_rejected_with_a_reason(changes, where):
    raw = with_changes(GOOD, **changes)

    with pytest.raises(ValidationError) as caught:
        WebhookBody.model_validate(raw)

    assert where in validation_reason(caught.value)
    with pytest.raises(ValidationError):
        Notification.model_validate({"receiptId": 5, "body": raw})


def test_the_reason_never_repeats_the_value():
    secret = "my-secret-token-" * 30
    with pytest.raises(ValidationError) as caught:
        WebhookBody.model_validate({"typeWebhook": "incomingMessageReceived", "timestamp": secret})
    reason = validation_reason(caught.value)
    assert secret[:16] not in reason and len(reason) <= 200


def test_a_status_needs_no_sender_and_unknown_fields_stay_lenient():
    status = {**status_body(CHAT, "BAE5E1", "read"), "timestamp": 1, "futureField": [{"a": None}]}
    body = WebhookBody.model_validate(status)
    assert classify(body) == "status"
    unknown = WebhookBody.model_validate({"typeWebhook": "hologramReceived", "hologram": [1, {}]})
    assert classify(unknown) == "other"

"""The JSON log keeps what an operator needs to find an unexpected error's cause."""

from __future__ import annotations

import io
import json
import logging

from app.logs import JsonFormatter


def _fail_deep_inside() -> None:
    try:
        {}["stock"]
    except KeyError as err:
        raise ValueError("boom") from err


def test_an_exception_is_logged_with_its_whole_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ottenok.test_logs")
    logger.addHandler(handler)
    try:
        _fail_deep_inside()
    except ValueError:
        logger.exception("turn failed", extra={"chat_id": "77010000001@c.us"})
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["error"] == "ValueError: boom"
    assert entry["chat_id"] == "77010000001@c.us"
    trace = entry["traceback"]
    assert trace.startswith("Traceback (most recent call last):")
    assert "_fail_deep_inside" in trace and "KeyError: 'stock'" in trace  # frame and cause

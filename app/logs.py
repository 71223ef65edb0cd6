"""Structured logs: one JSON object per line, so a VPS's journal can be grepped and parsed.

Loggers pass fields with `extra={"chat_id": ..., "ms": ...}`; the formatter keeps every extra
field and never adds URLs or tokens of its own. An exception is logged whole: `error` is its
last line (to grep for), `traceback` every frame and chained cause (to find where it came from).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            trace = self.formatException(record.exc_info)
            entry["error"] = trace.splitlines()[-1]
            entry["traceback"] = trace
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_json_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiohttp.access", "chromadb", "httpx", "apscheduler", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""The reply templates of one shop: `replies.yaml`, with a deterministic variant per message.

The templates are data (`ottenok/phrasing/replies.yaml`, or `DATA_DIR/replies.yaml` when a shop
provides its own); code only picks a variant and fills {placeholders}.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

DEFAULT_TEMPLATES = Path(__file__).with_name("replies.yaml")
#: Splits one reply into separate WhatsApp messages.
SPLIT = "|||"


class Templates:
    """The reply templates of one shop, with deterministic variant choice per message."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Templates:
        """The shop's own `replies.yaml` under DATA_DIR when present, else the default."""
        path = DEFAULT_TEMPLATES
        if data_dir is not None and (data_dir / "replies.yaml").is_file():
            path = data_dir / "replies.yaml"
        with path.open(encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    @property
    def shop(self) -> str:
        return self.data["shop"]

    @property
    def assistant(self) -> str:
        return self.data["assistant"]

    def get(self, *keys: str) -> Any:
        node: Any = self.data
        for key in keys:
            node = node[key]
        return node

    def pick(self, rng: random.Random, *keys: str, **values: Any) -> str:
        node = self.get(*keys)
        text = rng.choice(node) if isinstance(node, list) else node
        return text.format(shop=self.shop, assistant=self.assistant, **values)

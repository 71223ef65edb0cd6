"""The reply templates of one shop: `replies.yaml`, with a deterministic variant per message.

The templates are data (`ottenok/phrasing/replies.yaml`, or `DATA_DIR/replies.yaml` when a shop
provides its own); code only picks a variant and fills {placeholders}.

The shop's name is the shop's fact: it comes from `shop.yaml` (`with_names`) or the shop's own
`replies.yaml`, never from our defaults. Without one, a variant that names the shop ({shop}) is
never picked, and in a single template the sentences naming it are left out.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import yaml

DEFAULT_TEMPLATES = Path(__file__).with_name("replies.yaml")
#: Splits one reply into separate WhatsApp messages.
SPLIT = "|||"
#: A sentence of a template (up to its end mark and the spaces after it).
_SENTENCE_RE = re.compile(r"[^.!?…]*(?:[.!?…]+[^\S\n]*|$)")


class Templates:
    """The reply templates of one shop, with deterministic variant choice per message."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Templates:
        """The shop's own `replies.yaml` under DATA_DIR over the default: a template the
        shop's copy lacks (one added since it was copied) is the default's."""
        with DEFAULT_TEMPLATES.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        if data_dir is not None and (data_dir / "replies.yaml").is_file():
            with (data_dir / "replies.yaml").open(encoding="utf-8") as fh:
                data = _merged(data, yaml.safe_load(fh) or {})
        return cls(data)

    def with_names(self, shop: str | None, assistant: str | None) -> Templates:
        """These templates speaking for a shop whose own files (`shop.yaml`) give its name and
        the assistant's; a name not given keeps what the templates say."""
        data = dict(self.data)
        if shop:
            data["shop"] = shop
        if assistant:
            data["assistant"] = assistant
        return Templates(data)

    @property
    def shop(self) -> str | None:
        """The shop's name, None when the shop's files give none."""
        return self.data.get("shop") or None

    @property
    def assistant(self) -> str:
        """The assistant's name: the shop's, else the product's persona (the default file)."""
        return self.data.get("assistant") or "Алина"

    def get(self, *keys: str) -> Any:
        node: Any = self.data
        for key in keys:
            node = node[key]
        return node

    def pick(self, rng: random.Random, *keys: str, **values: Any) -> str:
        node = self.get(*keys)
        variants = node if isinstance(node, list) else [node]
        if self.shop is None:
            variants = [v for v in variants if "{shop}" not in v] or [
                _without_shop(v) for v in variants
            ]
        else:  # a shop with a name wants it said where a variant says it
            variants = [v for v in variants if "{shop}" in v] or variants
        return rng.choice(variants).format(shop=self.shop, assistant=self.assistant, **values)


def _merged(default: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """`own` over `default`, section by section."""
    merged = dict(default)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(default.get(key), dict):
            merged[key] = _merged(default[key], value)
        else:
            merged[key] = value
    return merged


def _without_shop(text: str) -> str:
    """The template without its sentences that name the shop."""
    kept = [s for s in _SENTENCE_RE.findall(text) if s and "{shop}" not in s]
    return "".join(kept).strip()

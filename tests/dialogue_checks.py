"""What a shop owner checks in every reply of a dialogue, beyond the step's own assertions.

- `invented_facts`: the reply states only facts found in the shop's own files (catalog,
  inventory, scripts, chat exports, `shop.yaml`, `replies.yaml`) or in what the customer wrote:
  prices, sizes, colours, delivery days, terms of sale (Kaspi, courier, free delivery…), and
  the shop's and assistant's names. Our default templates are not the shop's facts.
- `repetitions`: the reply says nothing twice — a sentence, a product name, a list of sizes.

Both return human-readable findings (empty when the reply is fine), so a failing dialogue says
exactly what a shop owner would have objected to.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.shop_files import load_chats
from ottenok.catalog import Catalog
from ottenok.colors import ColorLexicon, generic_colors
from ottenok.normalize import fold
from ottenok.phrasing.guard import numbers_in
from ottenok.phrasing.templates import Templates

#: Names no other shop may be greeted in: the sample shop's, which our defaults once carried.
OTHER_SHOP_NAMES = ("Оттенок",)

# "1–2 дня", "3-5 рабочих дней", "24 часа": a delivery or handling term.
_TERM_RE = re.compile(
    r"(?<![\d.,])(\d+)(?:\s*[-–—]\s*(\d+))?\s*(?:рабоч\w*\s+|календарн\w*\s+)?"
    r"(дн|день|дня|сут|недел|час)",
    re.IGNORECASE,
)
_TERM_UNITS = {"дн": "day", "день": "day", "дня": "day", "сут": "day", "недел": "week", "час": "h"}
# Terms of sale a reply may state only when the shop's own files state them.
SALE_WORDS = (
    "kaspi", "каспи", "рассрочк", "наличн", "картой", "курьер", "казпочт", "сдэк", "cdek",
    "самовывоз", "бесплатн", "предоплат", "halyk", "халык", "скидк", "акци",
)  # fmt: skip
_FACT_REASONS = ("price", "discount", "size")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_NOT_WORD_RE = re.compile(r"[^\w₸]+")
_LIST_RE = re.compile(r"\d{2}(?:[.,]5)?(?:\s*,\s*\d{2}(?:[.,]5)?){2,}")
_MIN_SENTENCE = 15


@dataclass(frozen=True)
class ShopFacts:
    """Everything one shop's files state, in the forms the checks compare."""

    text: str  # folded
    numbers: frozenset[str]
    terms: frozenset[tuple[str, str, str]]
    colors: frozenset[str]
    lexicon: ColorLexicon
    product_names: tuple[str, ...]
    shop_name: str | None  # the shop's own name, when its files give one
    assistant: str | None

    @classmethod
    def of(cls, data_dir: Path, catalog: Catalog, scripts: list[tuple[str, str]]) -> ShopFacts:
        parts = [f"{topic}\n{text}" for topic, text in scripts]
        parts += [message.text for message in load_chats(data_dir)]
        colors: set[str] = set()
        for product in catalog.products.values():
            colors |= set(catalog.colors(product.id))
            price = catalog.price(product.id)
            parts += [
                product.name,
                product.brand or "",
                *product.aliases,
                product.material or "",
                product.description or "",
                f"{price} ₸" if price is not None else "",
                ", ".join(catalog.sizes(product.id)),
                ", ".join(catalog.colors(product.id)),
            ]
        shop_name = assistant = None
        replies = data_dir / "replies.yaml"
        if replies.is_file():
            parts.append(replies.read_text(encoding="utf-8"))
            templates = Templates.load(data_dir)
            shop_name, assistant = templates.shop, templates.assistant
        own_facts = data_dir / "shop.yaml"
        if own_facts.is_file():
            raw = own_facts.read_text(encoding="utf-8")
            parts.append(raw)
            declared = yaml.safe_load(raw) or {}
            shop_name = declared.get("name") or shop_name
            assistant = declared.get("assistant") or assistant
        text = "\n".join(parts)
        return cls(
            text=fold(text),
            numbers=frozenset(value for value, _ in numbers_in(text)),
            terms=frozenset(delivery_terms(text)),
            colors=frozenset(colors),
            lexicon=ColorLexicon([*colors, *generic_colors()]),
            product_names=tuple(p.name for p in catalog.products.values()),
            shop_name=shop_name,
            assistant=assistant,
        )


def delivery_terms(text: str) -> list[tuple[str, str, str]]:
    """Every "N–M дней" term as (N, M, unit); a single number gives (N, N, unit)."""
    found = []
    for match in _TERM_RE.finditer(text):
        low, high, unit = match.group(1), match.group(2) or match.group(1), match.group(3)
        found.append((low, high, _TERM_UNITS[unit.lower()]))
    return found


def invented_facts(reply: str, facts: ShopFacts, customer_text: str) -> list[str]:
    """Facts the reply states that neither the shop's files nor the customer gave."""
    findings = []
    said = {value for value, _ in numbers_in(customer_text)}
    for value, reason in numbers_in(reply):
        if reason in _FACT_REASONS and value not in facts.numbers | said:
            findings.append(f"{reason} {value}")
    for term in delivery_terms(reply):
        if term not in facts.terms and term not in delivery_terms(customer_text):
            findings.append(f"delivery term {term[0]}–{term[1]} {term[2]}")
    customer_colors = set(facts.lexicon.find(customer_text))
    for color in facts.lexicon.find(reply):
        if color not in facts.colors and color not in customer_colors:
            findings.append(f"colour {color}")
    folded, customer = fold(reply), fold(customer_text)
    for word in SALE_WORDS:
        if word in folded and word not in facts.text and word not in customer:
            findings.append(f"term of sale {word!r}")
    default = Templates.load(None)
    for other in OTHER_SHOP_NAMES:
        if fold(other) in folded and fold(other) not in facts.text:
            findings.append(f"shop name {other!r} (the shop's is {facts.shop_name!r})")
    other_assistant = facts.assistant not in (None, default.assistant)
    if other_assistant and fold(default.assistant) in folded:
        findings.append(f"assistant name {default.assistant!r} (the shop's is {facts.assistant!r})")
    return findings


def repetitions(reply: str, product_names: tuple[str, ...]) -> list[str]:
    """What one reply says twice: a sentence, a product's name, a list of sizes."""
    findings = []
    sentences = [_NOT_WORD_RE.sub(" ", fold(s)).strip() for s in _SENTENCE_SPLIT_RE.split(reply)]
    for sentence, count in Counter(s for s in sentences if len(s) >= _MIN_SENTENCE).items():
        if count > 1:
            findings.append(f"sentence twice: {sentence!r}")
    folded = fold(reply)
    for name in product_names:
        if folded.count(fold(name)) > 1:
            findings.append(f"product named twice: {name}")
    lists = Counter(re.sub(r"\s+", "", m.group(0)) for m in _LIST_RE.finditer(reply))
    findings += [f"list twice: {items}" for items, count in lists.items() if count > 1]
    return findings

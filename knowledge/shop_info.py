"""The shop's own facts: `DATA_DIR/shop.yaml`, else what its sales scripts say.

    name: Оттенок                 # the shop's name; without it no reply names the shop
    assistant: Алина              # the assistant's name (the product's default: Алина)
    delivery:                     # one row per place: a city, a region or the whole country
      - {where: Алматы, days: "1–2 дня", price: 1500, free_from: 50000}
      - {where: Алматинская область, days: "2–3 дня", price: 2000}
      - {where: по Казахстану, days: "3–7 дней", price: "от 2 500 ₸"}
    payment: Kaspi перевод или Kaspi QR; наличными курьеру по Алматы.
    installments: Рассрочка Kaspi Red 0-0-12 без переплат.
    returns: Обмен и возврат в течение 14 дней, если обувь не носили.

Every field is optional. A field the file gives wins whole over what is derived; the others are
read from the scripts, the way shops write them: a delivery section's sentences and table rows
are read for places ("по Алматы", "Алматинская область", "в другие города Казахстана", "по
области"), days ("2–5 рабочих дней", "в тот же день при заказе до 15:00") and prices ("1 500 ₸",
"бесплатно от 50 000 ₸"), each fact going to the place it is written next to (or, in a sentence
naming none, to the place of the sentence or heading before it; a line of the delivery section
naming no place after terms of its own, like "При заказе от 60 000 ₸ доставка бесплатная", holds
for every place that does not say otherwise — in `shop.yaml` a row without `where`); the payment
section gives the payment sentences, its installment sentences (or any script's) the
installments, the returns section the returns; the shop's name only when the scripts state it
clearly ("Магазин «Qadam»", "Добро пожаловать в Qadam", "Qadam — магазин обуви"). What neither
gives stays unknown: replies leave it out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.shop_files import load_scripts
from ottenok.brand_names import brands_named
from ottenok.filling.cities import find_cities
from ottenok.phrasing.templates import Templates
from ottenok.places import Place, PlaceKind, find_places
from ottenok.sentences import sentences
from ottenok.shop_info import (
    GENERAL_RANK,
    DeliveryRow,
    ShopInfo,
    Topic,
    mentions_topic,
    spread_general_terms,
)

FILE_NAME = "shop.yaml"
#: A derived answer quotes at most this much of a section (whole sentences).
MAX_FACT_CHARS = 600


class ShopInfoError(ValueError):
    """`shop.yaml` cannot be used; the message names the file and the problem."""


def load_shop_info(
    data_dir: Path | str, sections: Sequence[tuple[str, str]] | None = None
) -> ShopInfo:
    """The shop's facts: its `shop.yaml` over what its scripts say. `sections` are the scripts'
    (topic, text) pairs when already read. A name in the shop's own `replies.yaml` outranks
    one read from the scripts (the templates keep it when no name is given here)."""
    if sections is None:
        sections = [(s.topic, s.text) for s in load_scripts(data_dir)]
    derived = derive_shop_info(sections)
    if Templates.load(Path(data_dir)).shop:
        derived = derived.model_copy(update={"name": None})
    return read_shop_file(Path(data_dir) / FILE_NAME).merged_over(derived)


def read_shop_file(path: Path) -> ShopInfo:
    """The facts `shop.yaml` gives; empty when there is no such file."""
    if not path.is_file():
        return ShopInfo()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ShopInfoError(f"{path}: not valid YAML ({err})") from err
    if raw is None:
        return ShopInfo()
    if not isinstance(raw, dict):
        raise ShopInfoError(f"{path}: expected 'name: …', 'delivery: […]' and so on")
    try:
        return ShopInfo.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise ShopInfoError(f"{path}: {problems}") from err


def derive_shop_info(sections: Sequence[tuple[str, str]]) -> ShopInfo:
    """What the scripts say about the shop's name, delivery, payment, installments and
    returns."""
    payment, installments = _payment(sections)
    values: dict[str, Any] = {
        "name": derive_name(sections),
        "delivery": derive_delivery(sections),
        "payment": payment,
        "installments": installments,
        "returns": _section_text(sections, Topic.RETURNS),
    }
    values = {name: value for name, value in values.items() if value}
    return ShopInfo(**values, sources=dict.fromkeys(values, "scripts"))


# ----------------------------------------------------------------------------------- name

_NAME = r"[A-ZА-ЯЁ][\w'&.-]*(?:\s+[A-ZА-ЯЁ][\w'&-]*){0,2}"
_QUOTED = r"[«\"“„]([^»\"”“\n]{2,30})[»\"”“]"
_SHOP_WORD = r"(?:магазин|бутик|салон|шоу-?рум|store|shop|boutique)[а-яa-z]*"
# The ways scripts state the shop's own name: «Qadam» after or before a shop word, "Добро
# пожаловать в Qadam", "Qadam — магазин женской обуви", "консультант магазина Qadam" (Latin).
_NAME_RES = (
    re.compile(rf"(?i:{_SHOP_WORD})\s+{_QUOTED}"),
    re.compile(rf"{_QUOTED}\s*(?:[—–-]\s*)?(?i:это\s+)?(?:[а-яё]+\s+){{0,2}}(?i:{_SHOP_WORD})"),
    re.compile(
        rf"(?i:добро\s+пожаловать\s+в)\s+(?:(?i:{_SHOP_WORD})\s+)?(?:{_QUOTED}|({_NAME}))"
    ),
    re.compile(rf"^({_NAME})\s*[—–-]\s*(?i:это\s+)?(?:[а-яё]+\s+){{0,2}}(?i:{_SHOP_WORD})"),
    # unquoted after a shop word, only in Latin: "в бутиках Милана" names a city
    re.compile(rf"(?i:{_SHOP_WORD})\s+([A-Z][\w'&-]*(?:\s+[A-Z][\w'&-]*){{0,2}})"),
)
#: Capitalised words that start a sentence or follow a shop word without being a name.
_NOT_NAMES = frozenset(
    "мы наш наша наши это здесь тут вот он она они интернет онлайн каждый новый лучший".split()
)


def derive_name(sections: Sequence[tuple[str, str]]) -> str | None:
    """The shop's name when its scripts state it clearly, else None (a nameless shop is
    never named). A brand the shop may sell, a place or a payment service is no shop name;
    of several names the one written most often wins."""
    found: Counter[str] = Counter()
    for _, text in sections:
        for sentence in sentences(text):
            for pattern in _NAME_RES:
                for match in pattern.finditer(sentence):
                    name = next(g for g in match.groups() if g).strip(" .,'")
                    if _could_be_name(name):
                        found[name] += 1
    return found.most_common(1)[0][0] if found else None


def _could_be_name(name: str) -> bool:
    first = name.split()[0].lower()
    return not (
        first in _NOT_NAMES
        or brands_named(name)
        or find_cities(name)
        or find_places(name)
        or any(mentions_topic(name, topic) for topic in Topic)
    )


# ------------------------------------------------------------------------------- delivery

_CURRENCY = r"\s*(?:₸|тг\b\.?|тенге|тнг\b|kzt\b|tg\b)"
_AMOUNT = r"(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)"
_PRICE_RE = re.compile(rf"(?<![\d:])(?:(от|from)\s+)?{_AMOUNT}{_CURRENCY}", re.IGNORECASE)
_FREE_FROM_RE = re.compile(
    rf"бесплатн[а-я]*(?:\s+[^\s\d.;]+){{0,6}}?\s+(?:от|свыше)\s+{_AMOUNT}(?:{_CURRENCY})?"
    rf"|(?:от|свыше)\s+{_AMOUNT}(?:{_CURRENCY})?(?:\s+[^\s\d.;]+){{0,5}}?\s+бесплатн[а-я]*",
    re.IGNORECASE,
)
_FREE_RE = re.compile(r"бесплатн[а-я]*", re.IGNORECASE)
_DAY_UNIT = (
    r"(?:рабоч[а-я]*\s+|календарн[а-я]*\s+)?(?:дн[а-я]*\.?|день|сут(?:ок|ки)|час[а-я]*"
    r"|недел[а-я]*)"
)
_DAYS_RE = re.compile(
    rf"(?:от\s+)?\d+\s*(?:[–—-]|до)\s*\d+\s*{_DAY_UNIT}"
    rf"|(?:(?:за|в\s+течение)\s+)?\d+\s*{_DAY_UNIT}"
    r"|в\s+(?:тот\s+же|этот\s+же|день\s+(?:заказа|оформления|обращения|оплаты))(?:\s+день)?"
    r"|на\s+следующий\s+(?:рабочий\s+)?день|(?:за|в\s+течение)\s+(?:одн[а-я]*\s+)?(?:дня|сутки)"
    r"|на\s+завтра|назавтра",
    re.IGNORECASE,
)
_CONDITION_RE = re.compile(
    r"(?:при\s+заказе\s+|заказ[а-я]*\s+)?(?:до|после)\s+\d{1,2}[:.]\d{2}", re.IGNORECASE
)
_DIGIT_RE = re.compile(r"\d")
#: The "place" of terms a delivery section states for no place in particular.
EVERYWHERE: tuple[Place, ...] = ()
_CONNECTOR_RE = re.compile(r"[\s,]*(?:и|или|а также)?[\s,]*", re.IGNORECASE)


@dataclass(slots=True)
class _Fact:
    kind: str  # days | price | free | free_from | condition
    start: int
    end: int
    value: Any = None
    price_from: bool = False


@dataclass(slots=True)
class _Terms:
    """One place's terms, filled sentence by sentence (the first clear value wins)."""

    days: list[str] = field(default_factory=list)
    days_exact: bool = False
    price: int | None = None
    price_from: bool = False
    free_from: int | None = None

    def add(self, sentence: str, facts: list[_Fact]) -> None:
        days = _days_text(sentence, facts)
        exact = bool(days and _DIGIT_RE.search(days))
        if days and (not self.days or (exact and not self.days_exact)):
            self.days, self.days_exact = [days], exact
        for fact in facts:
            if fact.kind == "free_from" and self.free_from is None:
                self.free_from = fact.value
            elif fact.kind == "price" and self.price is None:
                self.price, self.price_from = fact.value, fact.price_from
            elif fact.kind == "free" and self.price is None:
                self.price = 0


def derive_delivery(sections: Sequence[tuple[str, str]]) -> tuple[DeliveryRow, ...]:
    """Delivery rows per place from the scripts' delivery sections (and any sentence elsewhere
    that states a delivery term for a place).

    A sentence naming no place speaks of the place its section's heading names, else of the
    place a line before introduced without terms ("По Караганде доставляем курьером." then
    "Срок 2 дня, бесплатно."), else of the place named before it on its own line. A line of a
    delivery section naming no place after lines that stated their own terms speaks of every
    place ("При заказе от 60 000 ₸ доставка бесплатная."), and so does a free-delivery
    threshold after a place's terms on one line: such terms go to each row that does not state
    its own (`ottenok.shop_info.spread_general_terms`).
    """
    terms: dict[tuple[Place, ...], _Terms] = {}
    for topic, text in sections:
        in_topic = mentions_topic(topic, Topic.DELIVERY)
        heading = _groups(find_places(topic), topic)
        # What a line naming no place speaks of, and whether a place was introduced for it.
        owner = heading[0] if len(heading) == 1 else (EVERYWHERE if in_topic else None)
        introduced = len(heading) == 1
        for line in text.splitlines():
            context, stated = owner, False
            for sentence in sentences(line):
                if mentions_topic(sentence, Topic.RETURNS):
                    continue  # "возврат в течение 7 дней" is no delivery time
                if not in_topic and not mentions_topic(sentence, Topic.DELIVERY):
                    continue
                general = EVERYWHERE if in_topic and stated and not introduced else None
                context, found = _read_sentence(sentence, context, terms, in_topic, general)
                stated = stated or found
            if len(heading) != 1 and context and not stated:
                owner, introduced = context, True  # "По Караганде доставляем курьером."
            elif stated and len(heading) != 1:
                owner, introduced = (EVERYWHERE if in_topic else None), False
    rows = []
    for places, found in terms.items():
        if found.days or found.price is not None or found.free_from is not None:
            rows.append(
                DeliveryRow(
                    where=_where(places) if places else None,
                    days=found.days[0] if found.days else None,
                    price=found.price,
                    price_from=found.price_from,
                    free_from=found.free_from,
                )
            )
    rows.sort(key=lambda row: min((p.rank for p in row.places), default=GENERAL_RANK))
    return spread_general_terms(rows)


def _read_sentence(
    sentence: str,
    context: tuple[Place, ...] | None,
    terms: dict[tuple[Place, ...], _Terms],
    in_topic: bool,
    thresholds: tuple[Place, ...] | None = None,
) -> tuple[tuple[Place, ...] | None, bool]:
    """Give each fact of the sentence to the places it is written next to (a free-delivery
    threshold in a sentence naming no place to `thresholds` when given); returns the places
    the next sentence speaks of when it names none, and whether the sentence stated terms."""
    places = find_places(sentence)
    groups = _groups(places, sentence)
    facts = _facts(sentence)
    if not facts:
        return (groups[0] if len(groups) == 1 and len(groups[0]) == 1 else context), False
    if not groups and not in_topic:
        return context, False  # "доставку оплачиваем мы" in another section: no place, no row
    owned: dict[tuple[Place, ...], list[_Fact]] = {}
    for fact in facts:
        owner = _owner(fact, groups, context)
        if not groups and fact.kind == "free_from" and thresholds is not None:
            owner = thresholds
        if owner is not None:
            owned.setdefault(owner, []).append(fact)
    for owner, owner_facts in owned.items():
        key = tuple(Place(p.kind, p.name) for p in owner)
        terms.setdefault(key, _Terms()).add(sentence, owner_facts)
    return (groups[-1] if groups else context), bool(owned)


def _owner(
    fact: _Fact, groups: list[tuple[Place, ...]], context: tuple[Place, ...] | None
) -> tuple[Place, ...] | None:
    """The places a fact is written after (or, before any, the first ones after it)."""
    before = [g for g in groups if g[0].start <= fact.start]
    if before:
        return before[-1]
    return groups[0] if groups else context


def _groups(places: list[Place], text: str) -> list[tuple[Place, ...]]:
    """Places joined by "и" or commas name one row together ("Караганда, Темиртау")."""
    groups: list[list[Place]] = []
    for place in places:
        if groups and _CONNECTOR_RE.fullmatch(text[groups[-1][-1].end : place.start]):
            groups[-1].append(place)
        else:
            groups.append([place])
    return [tuple(group) for group in groups]


def _facts(sentence: str) -> list[_Fact]:
    """Days, prices, free delivery and its threshold written in the sentence."""
    facts: list[_Fact] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _FREE_FROM_RE.finditer(sentence):
        amount = match.group(1) or match.group(2)
        facts.append(_Fact("free_from", match.start(), match.end(), _amount(amount)))
        taken.append(match.span())
    for match in _PRICE_RE.finditer(sentence):
        if free(*match.span()):
            facts.append(
                _Fact("price", match.start(), match.end(), _amount(match.group(2)),
                      price_from=bool(match.group(1)))
            )  # fmt: skip
            taken.append(match.span())
    for match in _FREE_RE.finditer(sentence):
        if free(*match.span()):
            facts.append(_Fact("free", match.start(), match.end()))
    for match in _DAYS_RE.finditer(sentence):
        if free(*match.span()):
            facts.append(_Fact("days", match.start(), match.end()))
            taken.append(match.span())
    for match in _CONDITION_RE.finditer(sentence):
        if free(*match.span()):
            facts.append(_Fact("condition", match.start(), match.end()))
    if not any(f.kind != "condition" for f in facts):
        return []
    return sorted(facts, key=lambda f: f.start)


def _days_text(sentence: str, facts: list[_Fact]) -> str | None:
    """The delivery time as the shop wrote it: its day phrases, with the order-time conditions
    they depend on ("при заказе до 15:00 привезём в тот же день, после 15:00 — на следующий
    день"); phrases apart from each other are joined with commas."""
    days = [f for f in facts if f.kind == "days"]
    if not days:
        return None
    conditions = [f for f in facts if f.kind == "condition"]
    start = min([days[0].start, *(c.start for c in conditions if c.start < days[-1].end)])
    between = [f for f in facts if start <= f.start < days[-1].end and f.kind == "price"]
    if between:
        text = ", ".join(sentence[f.start : f.end] for f in days)
    else:
        text = sentence[start : days[-1].end]
    text = re.sub(r"^за\s+", "", text.strip(" ,:;—–-"), flags=re.IGNORECASE)
    return text if re.search(r"(?<![а-я])дн\.$", text) else text.rstrip(".")


def _amount(raw: str) -> int:
    return int(re.sub(r"\D", "", raw))


def _where(places: tuple[Place, ...]) -> str:
    """A row's place as `find_places` reads it back: "Алматы и Алматинская область"."""
    names = ["по Казахстану" if p.kind == PlaceKind.COUNTRY else p.name for p in places]
    return " и ".join(dict.fromkeys(names))


# ------------------------------------------------------------------- payment, returns

_OTHER_PAYMENT_RE = re.compile(
    r"налич|карт[аоуы]|перевод|qr|предоплат|наложенн|при\s+получении", re.IGNORECASE
)


def _payment(sections: Sequence[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The payment section's sentences, and its installment sentences apart (the sentence
    after an installment sentence belongs to it unless it names another way to pay)."""
    payment: list[str] = []
    installments: list[str] = []
    for topic, text in sections:
        if not mentions_topic(topic, Topic.PAYMENT):
            continue
        shared = _shared_heading(topic, Topic.PAYMENT)
        for line in text.splitlines():
            previous_installment = False
            for sentence in sentences(line):
                if shared and not (
                    mentions_topic(sentence, Topic.PAYMENT)
                    or mentions_topic(sentence, Topic.INSTALLMENTS)
                    or previous_installment
                ):
                    continue
                if mentions_topic(sentence, Topic.INSTALLMENTS) or (
                    previous_installment and not _OTHER_PAYMENT_RE.search(sentence)
                ):
                    installments.append(sentence)
                    previous_installment = True
                else:
                    payment.append(sentence)
                    previous_installment = False
    if not installments:
        installments = [
            sentence
            for _, text in sections
            for sentence in sentences(text)
            if mentions_topic(sentence, Topic.INSTALLMENTS)
        ][:1]
    return _joined(payment), _joined(installments)


def _section_text(sections: Sequence[tuple[str, str]], topic: Topic) -> str | None:
    """Every sentence of the sections whose heading names the topic (only the sentences naming
    it, under a heading shared with another topic: "Доставка и возврат")."""
    return _joined(
        [
            sentence
            for heading, text in sections
            if mentions_topic(heading, topic)
            for sentence in sentences(text)
            if not _shared_heading(heading, topic) or mentions_topic(sentence, topic)
        ]
    )


def _shared_heading(heading: str, topic: Topic) -> bool:
    """Whether the heading names another shop-fact topic besides `topic` ("Доставка и
    оплата"); installments count as payment."""
    others = {
        Topic.PAYMENT if t == Topic.INSTALLMENTS else t for t in Topic if mentions_topic(heading, t)
    }
    return bool(others - {topic})


def _joined(found: list[str]) -> str | None:
    """Whole sentences up to `MAX_FACT_CHARS`."""
    kept: list[str] = []
    for sentence in dict.fromkeys(found):
        if kept and len(" ".join([*kept, sentence])) > MAX_FACT_CHARS:
            break
        kept.append(sentence)
    return " ".join(kept) or None

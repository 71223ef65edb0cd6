"""Delivery address recognition in free chat text.

An address is kept as the customer typed it (the courier reads it, not a geocoder), so the job is
to find where it starts and ends: "ул. Абая 150, кв 12", "мкр Самал-2, д 58", "ЖК Есентай Парк,
блок 3, кв 45", "3 мкр 15 дом", "дом 5 кв 7 мкр Жетысу-2". Street words ("ул", "пр", "мкр", "ЖК")
and house words ("дом", "кв", "подъезд") mark an address anywhere in a message, and so does the
label "адрес" ("адрес: …", "адрес Туран 37, кв 150"). A bare "Абая 150" looks exactly like
"ботильоны 38", so it counts only when an apartment part follows or when the address was just
asked for (`expecting`).

Without markers, an address needs a street name before its house number: a word that is not a
filler, a yes or no, a word of the order talk ("заказ", "размер") or the shop's goods (a product
kind, brand or colour, which the slot filler passes in as `Goods`). So at the address question
"ой нет 38" and "ну тогда 38" are no address, while "Мангилик Ел 30" and "Төле би 27" are: a
short word's part of speech is weak evidence inside a street name ("Ел" reads as a verb), and
Kazakh names are unknown to the dictionary, which is evidence for a name. A comma part that names
goods ("сапоги габор черные 39") is never part of an address, and numbers that are times, prices,
phones or order numbers are never house numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from pymorphy3.tagset import OpencorporaTag

from ottenok.filling.cities import find_city
from ottenok.filling.sizes import names_size
from ottenok.morphology import is_known_word, morph
from ottenok.normalize import fold
from ottenok.product_vocabulary import kind_words

# Russian, Kazakh (letters folded: "көшесі" is "косеси") and Russian typed in Latin letters
# ("ul", "kv"), compared folded. English words are left out: "Street" names products.
_STREET_WORDS = {
    "ул", "улица", "улице", "улицу", "пр", "пр-т", "пр-кт", "просп", "проспект", "проспекте",
    "бульвар", "б-р", "пер", "переулок", "шоссе", "трасса", "тракт", "мкр", "мкрн", "мкр-н",
    "микр", "микрорайон", "микрорайоне", "жк", "ж/к", "пос", "поселок", "посёлок", "аул",
    "проезд", "тупик", "массив", "квартал", "дангылы", "косеси", "ul", "ulitsa",
    "ulica", "pr", "prospekt", "mkr", "mkrn", "mikrorayon", "mikroraion", "zhk", "jk",
    "pereulok", "per",
}  # fmt: skip
_NUMBERED_AREA_WORDS = {
    "мкр", "мкрн", "мкр-н", "микр", "микрорайон", "микрорайоне", "квартал", "mkr", "mkrn",
}  # fmt: skip
_HOUSE_WORDS = {
    "дом", "д", "кв", "квартира", "кв-ра", "подъезд", "под", "этаж", "эт", "блок", "корпус",
    "корп", "офис", "оф", "домофон", "строение", "стр", "участок", "уч", "здание",
    "уй", "патер", "пэтер", "кабат", "киреберис", "подьезд",
    "kv", "d", "dom", "kvartira", "pod", "podezd", "podyezd", "etazh", "et", "ofis", "of", "blok",
    "korpus", "korp",
}  # fmt: skip
# "Адрес: …", "адрес на …", "по адресу …", a corrected one ("адрес другой: …") and a bare label
# ("адрес Туран 37"): the address follows. Only a bare label needs what follows to look like one.
_LABEL_RE = re.compile(
    r"\bадрес[а-я]*(?:\s+доставки)?\s*(?:(?P<marked>:|-|—|на\b|(?:друго[йе]|новы[йе]|правильны[йе]"
    r"|теперь)\s*[:\-—]?)|(?=\s*[^\W\d_]|\s+\d))\s*",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^\n!?;]+")
_PART_RE = re.compile(r"[^,]+")
_TOKEN_RE = re.compile(
    r"(?P<num>№?\d+(?:[/-]\d+)*(?:[а-яА-Яa-zA-Z](?![^\W\d_]))?)"
    r"|(?P<word>ж/к|[^\W\d_]+(?:-[^\W\d_0-9]+|-\d+)*\.?)",
)
# Numbers that are never house numbers; their digits are blanked before tokens are read.
_NOT_HOUSE_NUMBERS = re.compile(
    r"\+?[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}"  # a phone
    r"|\d{1,2}[:.]\d{2}(?!\d)"  # a time: 18:00, 10.30
    r"|\d+(?:[ \u00a0]\d{3})+"  # a price with thousands: 50 000
    r"|\d{5,}"  # an order number or an amount
    r"|\d+\s*(?:%|₸|\$|тг|тенге|тыс|час|мин|утра|вечера|ночи|дн|день|дня|дней|недел|мес|лет|год)",
    re.IGNORECASE,
)
_NOT_ADDRESS_RE = re.compile(
    r"размер|р-р|\bног[уиа]\b|тенге|\bтг\b|\?|^\s*(?:хочу|хотела|хотим|нужн[аоы]?|беру|возьму)\b",
    re.IGNORECASE,
)
# Parts of speech that never name a street, and the weaker ones a short word may have inside a
# street name all the same ("Мангилик Ел": "ел" reads as a verb).
_NEVER_NAME_POS = {"PREP", "CONJ", "PRCL", "NPRO", "INTJ"}
_STOP_POS = _NEVER_NAME_POS | {"VERB", "INFN", "ADVB", "PRED", "ADJS", "GRND", "COMP", "NUMR"}
_WEAK_POS = {"VERB", "ADVB", "PRED", "ADJS"}
_SHORT_WORD = 3
_NUMBERED_NAME_RE = re.compile(r"-\d+$")  # "Самал-2", "Орбита-1": a name with its own number
_HOUSE_NUMBER_RE = re.compile(r"^№?\d{1,4}(?:[/-]\d+)*[^\W\d_]?$")
# Words of the order talk that are nouns or adjectives, so the dictionary cannot rule them out,
# and the label and filler words around an address.
_NOT_NAMES = {
    "адрес", "адреса", "адресу", "мой", "моя", "наш", "вот", "доставка", "доставку", "доставьте",
    "привезите", "живу", "заказ", "заказа", "номер", "номера", "размер", "размера", "размеры",
    "цена", "цену", "стоимость", "сумма", "оплата", "телефон", "тел", "время", "курьер",
    "курьеру", "пара", "пары", "пару", "штука", "штуки", "нога", "ногу", "тысяч", "тысячи", "тенге",
    "минут", "часа", "часов", "день", "дня", "нужен", "нужна", "нужны", "нужно", "ок", "окей",
    "ok", "да", "нет", "ладно", "хорошо",
    "спасибо", "пожалуйста", "здравствуйте", "привет", "добрый", "доброе",
}  # fmt: skip
_FILLER_RE = re.compile(
    r"^(?:(?:вот|мой|наш|адрес[а-я]*|доставка|доставьте|привезите|на|пожалуйста)\b[\s:,-]*)+",
    re.IGNORECASE,
)
_CORNER_RE = re.compile(r"\b(?:угол|угл[уа]|уг\.|пересечени[ея])", re.IGNORECASE)
_MAX_NAME_WORDS = 3
_STREET_PREPOSITIONS = {"по", "на"}


def _nothing(_: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Goods:
    """What the shop sells, as the slot filler knows it: whether a text names one of its products
    (by kind or brand) and whether a word is one of its colours. Kind words ("кеды", "сапоги") are
    known here without it, from the general product vocabulary."""

    names_product: Callable[[str], bool] = _nothing
    is_color: Callable[[str], bool] = _nothing


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """An address found in a message, with its span; `strong` when street or house words mark it."""

    text: str
    start: int
    end: int
    strong: bool


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "num", "street", "house" or "word"
    text: str
    start: int
    end: int
    first: bool  # the first word of the message, where a capital letter tells nothing

    @property
    def folded(self) -> str:
        return fold(self.text).rstrip(".")


@dataclass(frozen=True, slots=True)
class _Part:
    """A comma-separated part of a sentence with its tokens."""

    start: int
    end: int
    tokens: list[_Token]


def match_address(
    text: str, expecting: bool = False, goods: Goods | None = None
) -> AddressMatch | None:
    """The address with its span, so callers can keep its numbers out of size and city search."""
    scan = _Scan(text, goods or Goods())
    label = scan.after_label()
    if label is not None:
        return label
    for sentence in _SENTENCE_RE.finditer(text):
        found = scan.marked(sentence.start(), sentence.end())
        if found is not None:
            return found
    if expecting:
        return scan.free_form(0)
    return None


class _Scan:
    """One message read for an address: its tokens with non-house numbers blanked out."""

    def __init__(self, text: str, goods: Goods) -> None:
        self.text = text
        self.goods = goods
        self.blanked = _NOT_HOUSE_NUMBERS.sub(lambda m: re.sub(r"\d", "#", m.group(0)), text)
        first = _TOKEN_RE.search(self.blanked)
        self.first_token_at = first.start() if first else -1

    # ------------------------------------------------------------------ the three ways

    def after_label(self) -> AddressMatch | None:
        """ "Адрес: Абая 150", "поменяйте адрес на Абая 150": the comma parts after the label, up
        to one that names goods or a size. After a bare label ("ок. адрес Туран 37, кв 150",
        "адрес поменяйте на Абая 5") the address is looked for as if it had been asked for."""
        label = _LABEL_RE.search(self.text)
        if label is None:
            return None
        sentence = next(_SENTENCE_RE.finditer(self.text, label.end()), None)
        end = sentence.end() if sentence else len(self.text)
        if label.group("marked") is None:
            found = self.marked(label.end(), end) or self.free_form(label.end(), end)
            return replace(found, strong=True) if found is not None else None
        kept = []
        for part in self.parts(label.end(), end):
            if self.is_goods(part):
                break
            kept.append(part)
        if not kept or not re.search(r"\d", self.blanked[kept[0].start : kept[-1].end]):
            return None
        return _make(self.text, label.end(), kept[-1].end, strong=True)

    def marked(self, start: int, end: int) -> AddressMatch | None:
        """The first run of comma parts that street or house words mark, within one sentence."""
        parts = self.parts(start, end)
        for i, part in enumerate(parts):
            tokens = part.tokens
            markers = [j for j, t in enumerate(tokens) if t.kind in {"street", "house"}]
            if not markers:
                continue
            begin = self.address_start(tokens, markers[0])
            if begin is None:
                continue
            run_start = tokens[begin].start
            lead = self.lead_start(parts[i - 1]) if begin == 0 and i > 0 else None
            if lead is not None:
                run_start = lead
            run_end = _address_end(tokens)
            for following in parts[i + 1 :]:
                if not self.continues(following):
                    break
                run_end = _address_end(following.tokens)
            return _make(self.text, run_start, run_end, strong=True)
        return None

    def free_form(self, start: int, end: int | None = None) -> AddressMatch | None:
        """When the address was just asked for: a street name and a house number ("Абая 150",
        "Мангилик Ел 30, 2 подъезд"), else a line with a street-like word and a number (or a
        street corner, "Абая/Байзакова угол") that is not a size, price or question."""
        end = len(self.text) if end is None else end
        for sentence in _SENTENCE_RE.finditer(self.text, start, end):
            parts = self.parts(sentence.start(), sentence.end())
            for i, part in enumerate(parts):
                begin = self.street_start(part.tokens)
                if begin is None or self.is_goods(part):
                    continue
                run_end = _address_end(part.tokens[begin:])
                for following in parts[i + 1 :]:
                    if not (self.continues(following) or self.adds_number(following)):
                        break
                    run_end = following.end
                return _make(self.text, part.tokens[begin].start, run_end, strong=False)
        rest = self.text[start:end]
        if _NOT_ADDRESS_RE.search(rest):
            return None
        tokens = self.tokens(start, end)
        named_number = any(
            token.kind == "num"
            and _HOUSE_NUMBER_RE.match(token.text)
            and any(
                self.is_name(t) and not self.is_goods_word(t) for t in tokens[max(0, i - 1) : i + 2]
            )
            for i, token in enumerate(tokens)
        )  # "15 Жетысу"
        numbered_name = any(_NUMBERED_NAME_RE.search(t.text) for t in tokens)  # "Жетысу-2"
        if not (named_number or numbered_name or _CORNER_RE.search(rest)):
            return None
        return _make(self.text, start, end, strong=False)

    # ------------------------------------------------------------------ tokens and parts

    def tokens(self, start: int, end: int) -> list[_Token]:
        tokens = []
        for match in _TOKEN_RE.finditer(self.blanked, start, end):
            raw = match.group(0)
            word = fold(raw).rstrip(".")
            if match.group("num"):
                kind = "num"
            elif word in _STREET_WORDS:
                kind = "street"
            elif word in _HOUSE_WORDS:
                kind = "house"
            else:
                kind = "word"
            first = match.start() == self.first_token_at
            tokens.append(_Token(kind, raw, match.start(), match.end(), first))
        return tokens

    def parts(self, start: int, end: int) -> list[_Part]:
        return [
            _Part(m.start(), m.end(), self.tokens(m.start(), m.end()))
            for m in _PART_RE.finditer(self.text, start, end)
        ]

    # ------------------------------------------------------------------ what a part holds

    def address_start(self, tokens: list[_Token], marker: int) -> int | None:
        """Where the address begins around its first marker word, or None if the marker is not one.

        "3 мкр" starts at the number; "Абая 150 кв 12" starts at the street name before the house
        number; a marker needs a number or a name after it ("кв" alone is not an address).
        """
        token = tokens[marker]
        after = tokens[marker + 1 :]
        before = tokens[marker - 1] if marker > 0 else None
        numbered = before is not None and (
            before.kind == "num" or _NUMBERED_NAME_RE.search(before.text) is not None
        )
        if token.kind == "street" and token.folded in _NUMBERED_AREA_WORDS and numbered:
            if before is not None and before.kind == "num":
                return self.name_start(tokens, marker - 1, city_stops=True)  # "Аксай 4 мкр"
            return marker - 1  # "Аксай-4 мкр"
        number_before = before is not None and before.kind == "num"
        if not after and not (token.kind == "house" and number_before):
            return None  # "кв" alone is no address; "25 дом", "13 кв" are
        if after and after[0].kind not in {"num", "word", "street"}:
            return None
        if token.kind == "street":  # "ул Абая 5"; "Коргалжинское шоссе 3", "Шугыла мкр 340/4"
            return self.name_start(tokens, marker, city_stops=True)
        if (not after or after[0].kind != "num") and not number_before:
            return None
        if before is not None and _NUMBERED_NAME_RE.search(before.text):
            return self.name_start(tokens, marker - 1, names=1)  # "Жетысу-2 дом 5"
        if not number_before:
            return self.name_start(tokens, marker)  # "Абая д 150"
        begin = self.name_start(tokens, marker - 1)
        if begin == marker - 1 and begin > 0 and _HOUSE_NUMBER_RE.match(tokens[begin - 1].text):
            street = self.name_start(tokens, begin - 1)  # "Сарыарка 5/1 2 подъезд"
            begin = street if street < begin - 1 else begin
        return begin

    def name_start(
        self,
        tokens: list[_Token],
        index: int,
        names: int = 0,
        city_stops: bool = False,
    ) -> int:
        """The first of up to three street-name words ending right before `index` ("Кабанбай
        батыра 45", "Мангилик Ел 30"), or `index` itself. A city word before the street stops
        the walk ("алматы абая 150"; the street next to the number may sound like one, "Сатпаева
        30", unless `city_stops`), so does a product or colour word ("кеды 39 кв 5", "бордовые
        ул Кенесары 40"). A short word counts only after a name ("мангилик ел", not "ой нет")."""
        begin = index
        while begin > 0 and names < _MAX_NAME_WORDS:
            word = tokens[begin - 1]
            if word.kind != "word" or self.is_product_word(word) or self.is_colour_adjective(word):
                break
            short_adjective = word.text[0].isupper() and _is_pos(word, {"ADJS"})
            next_to_number = begin == index and tokens[index].kind == "num"
            if self.is_name(word) or (next_to_number and short_adjective):
                if (names or city_stops) and find_city(word.text) is not None:
                    break
                begin, names = begin - 1, names + 1  # "Нова 12": a short adjective names too
                continue
            name_before = begin > 1 and tokens[begin - 2].kind == "word"
            if (
                _is_pos(word, _WEAK_POS)
                and len(word.folded) <= _SHORT_WORD
                and name_before
                and names + 2 <= _MAX_NAME_WORDS
                and self.is_name(tokens[begin - 2])
            ):
                begin, names = begin - 2, names + 2
                continue
            break
        return begin

    def street_start(self, tokens: list[_Token]) -> int | None:
        """Where a street name followed by its house number starts in a part, if the name has a
        word that is not the shop's goods: "Абая 150", "Алтын Орда 5", not "черные 38"."""
        for i, token in enumerate(tokens):
            if token.kind != "num" or not _HOUSE_NUMBER_RE.match(token.text):
                continue
            begin = self.name_start(tokens, i)
            if begin < i and any(not self.is_goods_word(t) for t in tokens[begin:i]):
                return begin
        return None

    def looks_like_address(self, part: _Part) -> bool:
        """A part with a street or house word, or a street name and its house number."""
        tokens = part.tokens
        marked = any(t.kind in {"street", "house"} for t in tokens)
        return marked or self.street_start(tokens) is not None

    def lead_start(self, part: _Part) -> int | None:
        """Where the address begins in a comma part before a marked one, if it does: a street
        and house number at the part's end ("Абая 150, кв 12", "ок. адрес Туран 37, кв 150"), a
        numbered name ("Жетысу-2, 15 дом") or a corner; never in goods ("велия черные 39, кв 5")."""
        tokens = part.tokens
        if not tokens or self.is_goods(part):
            return None
        if tokens[-1].kind == "num" and _HOUSE_NUMBER_RE.match(tokens[-1].text):
            begin = self.name_start(tokens, len(tokens) - 1)
            if begin < len(tokens) - 1:
                return tokens[begin].start
        if len(tokens) == 1 and _NUMBERED_NAME_RE.search(tokens[0].text):
            return tokens[0].start
        if _CORNER_RE.search(self.text, part.start, part.end):
            return tokens[0].start
        return None

    def continues(self, part: _Part) -> bool:
        """Whether a comma part after an address goes on with it: a house, flat or street part
        ("2 подъезд", "кв 7", "мкр Жетысу-2", "домофон 45") or a bare "25-13", "58/3"."""
        tokens = part.tokens
        if not tokens or tokens[0].kind not in {"house", "num", "street"} or self.is_goods(part):
            return False
        marked = any(t.kind in {"house", "street"} for t in tokens)
        return marked or _is_house_number(tokens)

    def adds_number(self, part: _Part) -> bool:
        """After a street given as the answer, a part with a number that is no size, price or
        question goes on with the address ("Жандосова 58, 12 пәтер", "Абая 10, код 1234")."""
        return (
            any(t.kind == "num" for t in part.tokens)
            and not self.is_goods(part)
            and not _NOT_ADDRESS_RE.search(self.text, part.start, part.end)
        )

    def is_goods(self, part: _Part) -> bool:
        """Whether a comma part names what the customer buys rather than where it goes: a product
        kind or brand, a size by its marker, or colours with no street name beside them
        ("сапоги габор черные 39", "черные 39", "38 размер"; not "Алтын Орда 5")."""
        text = self.text[part.start : part.end]
        words = [t for t in part.tokens if t.kind == "word"]
        if names_size(text) or any(kind_words(t.folded) for t in words):
            return True
        if any(t.kind in {"street", "house"} for t in part.tokens):
            return False  # "ул Велия 5", "ЖК Nimbus Residence": a marked name is a place
        if self.goods.names_product(text):
            return True
        return any(self.goods.is_color(t.text) for t in words) and all(
            self.is_goods_word(t) or not self.is_name(t) for t in words
        )

    def is_product_word(self, token: _Token) -> bool:
        """A word that names a product kind or one of the shop's brands ("кеды", "габор")."""
        return bool(kind_words(token.folded)) or self.goods.names_product(token.text)

    def is_colour_adjective(self, token: _Token) -> bool:
        """A colour said as a Russian adjective ("бордовые", "черные"): the customer's colour.
        Kazakh colour nouns name streets and places ("Алтын Орда", "Сары Арка")."""
        return _is_pos(token, {"ADJF"}) and self.goods.is_color(token.text)

    def is_goods_word(self, token: _Token) -> bool:
        """A word that names a product kind, a brand or a colour of the shop; a hyphenated one
        only when every piece does ("черно-белые", not "Әл-Фараби" for its "ал", red)."""
        return all(
            kind_words(fold(piece)) or self.goods.names_product(piece) or self.goods.is_color(piece)
            for piece in token.text.rstrip(".").split("-")
            if piece
        )

    @staticmethod
    def is_name(token: _Token) -> bool:
        """Whether a word may be (part of) a street name: not a filler, a yes or no, a pronoun,
        an ordinal ("вторые 38" picks a product) or a word of the order talk; a word the
        dictionary does not know (Kazakh names), a noun or adjective, or a capitalised word
        inside the message."""
        word = token.folded
        if token.kind != "word" or len(word) < 2 or word in _NOT_NAMES:
            return False
        if not is_known_word(word):
            return True
        tag = _tag(word)
        if tag.POS not in _STOP_POS:
            return not ({"Apro", "Anum"} & tag.grammemes)
        return token.text[0].isupper() and not token.first and tag.POS not in _NEVER_NAME_POS


@lru_cache(maxsize=8192)
def _tag(word: str) -> OpencorporaTag:
    """The likeliest grammatical reading of a folded word (cached: customers repeat words)."""
    return morph().parse(word)[0].tag


def _is_pos(token: _Token, parts_of_speech: set[str]) -> bool:
    """Whether a word that is no filler reads first as one of these parts of speech: weak
    evidence inside a street name ("Ел" a verb, "Нова" a short adjective)."""
    word = token.folded
    return token.kind == "word" and word not in _NOT_NAMES and _tag(word).POS in parts_of_speech


def _is_house_number(tokens: list[_Token]) -> bool:
    """A comma part that is only a house and flat number: "25-13", "58/3", "34а"."""
    return 0 < len(tokens) <= 2 and all(
        t.kind == "num" and re.search(r"[/-]|\d[^\W\d_]$", t.text) for t in tokens
    )


def _address_end(tokens: list[_Token]) -> int:
    """End of the last token that belongs to an address: a number, a marker, or a name that
    directly follows a street word ("ЖК Есентай Парк")."""
    end = tokens[0].end
    in_name = False
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.folded in _STREET_PREPOSITIONS and i > 0:
            names = tokens[i + 1 :]
            if 0 < len(names) <= _MAX_NAME_WORDS and all(t.kind == "word" for t in names):
                return names[-1].end  # "кв 38, дом 12 по Абая": the street comes last

        if token.kind in {"num", "house", "street"}:
            end = token.end
            in_name = token.kind == "street"
        elif in_name:
            end = token.end
        else:
            in_name = False
    return end


def _make(text: str, start: int, end: int, strong: bool) -> AddressMatch | None:
    """Trim fillers and punctuation around the span; collapse whitespace."""
    raw = text[start:end]
    filler = _FILLER_RE.match(raw)
    if filler:
        start += filler.end()
        raw = text[start:end]
    stripped = raw.strip(" \t\n,.:;-—)(")
    if not stripped or not re.search(r"\d|[^\W\d_]{3,}", stripped):
        return None
    start += raw.index(stripped)
    end = start + len(stripped)
    return AddressMatch(re.sub(r"\s+", " ", stripped), start, end, strong)

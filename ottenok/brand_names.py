"""Fashion brands customers in Kazakhstan ask shoe and accessory boutiques about, with the ways
they type them, so "Есть Dior?" or "а гуччи есть?" in a shop that does not carry the brand gets
"Dior у нас нет, есть …" instead of "no exact answer".

This is general knowledge, like the kind vocabulary: which brands THIS shop carries comes from its
catalog (a brand listed here that the shop sells is simply answered with its products). Kind
words that double as brand names ("угги", "кроксы", "мартинсы") are left to the kind vocabulary.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ottenok.normalize import fold

#: Brand as written on the label → other spellings (Cyrillic, abbreviations, typos).
BRANDS: dict[str, tuple[str, ...]] = {
    "Dior": ("диор", "christian dior", "кристиан диор"),
    "Gucci": ("гуччи", "гучи", "гуче", "гучче"),
    "Prada": ("прада",),
    "Louis Vuitton": ("луи виттон", "луи витон", "луи вуиттон", "lv", "vuitton"),
    "Hermès": ("hermes", "гермес", "эрмес"),
    "Balenciaga": ("баленсиага", "баленсияга", "баленciaga"),
    "Saint Laurent": ("ysl", "сен лоран", "ив сен лоран", "yves saint laurent"),
    "Versace": ("версаче", "версачи"),
    "Fendi": ("фенди",),
    "Valentino": ("валентино",),
    "Givenchy": ("живанши",),
    "Burberry": ("бербери", "барбери"),
    "Bottega Veneta": ("боттега", "ботега", "bottega"),
    "Celine": ("селин",),
    "Loewe": ("лоэве", "лоеве"),
    "Miu Miu": ("миу миу", "miumiu"),
    "Dolce & Gabbana": ("dolce gabbana", "дольче габбана", "дольче", "d&g"),
    "Armani": ("армани", "emporio armani", "giorgio armani"),
    "Michael Kors": ("майкл корс", "корс"),
    "Coach": ("коуч",),
    "Furla": ("фурла",),
    "Guess": ("гесс", "гес"),
    "Calvin Klein": ("кельвин кляйн", "кельвин кляин", "calvin", "ck"),
    "Tommy Hilfiger": ("томми хилфигер", "томми", "tommy"),
    "Ralph Lauren": ("ральф лорен", "polo ralph lauren"),
    "Lacoste": ("лакост", "лакоста"),
    "Hugo Boss": ("хьюго босс", "boss"),
    "Max Mara": ("макс мара", "maxmara"),
    "Jimmy Choo": ("джимми чу", "джими чу"),
    "Manolo Blahnik": ("маноло бланик", "маноло", "manolo"),
    "Christian Louboutin": ("louboutin", "лабутен", "лабутены", "лубутен", "лубутены"),
    "Stuart Weitzman": ("стюарт вайцман", "вайцман"),
    "Tod's": ("тодс", "tods"),
    "Salvatore Ferragamo": ("ferragamo", "феррагамо", "ферагамо"),
    "Sergio Rossi": ("серджио росси",),
    "Gianvito Rossi": ("джанвито росси",),
    "Aquazzura": ("аквазура",),
    "Casadei": ("казадеи",),
    "Le Silla": ("ле силла",),
    "Baldinini": ("балдинини",),
    "Pollini": ("поллини",),
    "Nike": ("найк", "найки", "nike air"),
    "Adidas": ("адидас", "адик", "адики"),
    "Puma": ("пума",),
    "Reebok": ("рибок", "рибоки"),
    "New Balance": ("нью баланс", "нью беланс", "nb"),
    "Asics": ("асикс",),
    "Converse": ("конверс", "конверсы"),
    "Vans": ("ванс", "вансы"),
    "Skechers": ("скечерс", "скетчерс"),
    "Fila": ("фила",),
    "Timberland": ("тимберленд", "тимберленды", "тимбы"),
    "Dr. Martens": ("dr martens", "доктор мартинс"),
    "Ecco": ("экко",),
    "Geox": ("геокс",),
    "Clarks": ("кларкс",),
    "Birkenstock": ("биркеншток", "биркенштоки"),
    "Zara": ("зара",),
    "H&M": ("h&m", "hm", "эйч энд эм"),
    "Massimo Dutti": ("массимо дутти", "массимо"),
    "Bershka": ("бершка",),
    "Stradivarius": ("страдивариус",),
    "Marc Jacobs": ("марк джейкобс",),
    "Kate Spade": ("кейт спейд",),
    "Tory Burch": ("тори берч",),
    "Longchamp": ("лоншан", "лоншамп", "лонгшамп", "лонгчамп", "лонгшам"),
    "Chloé": ("chloe", "хлое", "хлоэ"),
    "Off-White": ("off white", "офф вайт"),
    "Golden Goose": ("голден гус", "ggdb"),
    "Alexander McQueen": ("mcqueen", "маккуин", "маккуины", "маквин"),
    "Moschino": ("москино",),
    "Karl Lagerfeld": ("карл лагерфельд", "лагерфельд"),
    "Liu Jo": ("лиу джо", "liujo"),
    "Pinko": ("пинко",),
    "Hogan": ("хоган",),
    "Kenzo": ("кензо",),
    "Steve Madden": ("стив мэдден", "стив мадден"),
    "Carlo Pazolini": ("pazolini", "пазолини"),
    "Rieker": ("рикер",),
    "Tamaris": ("тамарис",),
    "Ekonika": ("эконика",),
    "Chanel": ("шанель", "шанел"),
}


#: What a brand is known for, as a kind word of `ottenok.product_vocabulary`: "Nike у нас
#: нет" offers the shop's sneakers, "Furla у нас нет" its bags. Fashion houses that make
#: everything are not listed (the shop's brands are offered).
_KNOWN_FOR: dict[str, tuple[str, ...]] = {
    "кроссовки": (
        "Nike", "Adidas", "Puma", "Reebok", "New Balance", "Asics", "Converse", "Vans",
        "Skechers", "Fila", "Golden Goose",
    ),
    "сумка": (
        "Furla", "Longchamp", "Michael Kors", "Coach", "Guess", "Kate Spade", "Liu Jo", "Pinko",
        "Marc Jacobs", "Tory Burch",
    ),
    "обувь": (
        "Stuart Weitzman", "Jimmy Choo", "Manolo Blahnik", "Christian Louboutin", "Casadei",
        "Sergio Rossi", "Gianvito Rossi", "Aquazzura", "Le Silla", "Baldinini", "Pollini", "Ecco",
        "Geox", "Clarks", "Rieker", "Tamaris", "Ekonika", "Carlo Pazolini", "Dr. Martens",
        "Timberland", "Birkenstock", "Steve Madden", "Tod's", "Salvatore Ferragamo", "Hogan",
    ),
}  # fmt: skip


def brand_kind(brand: str) -> str | None:
    """The kind of product a brand is known for ("Nike" → "кроссовки"), None for a brand
    known for many kinds or not known here."""
    key = brand_key(brand)
    return next(
        (kind for kind, brands in _KNOWN_FOR.items() if key in {brand_key(b) for b in brands}),
        None,
    )


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    spelling_to_brand: dict[str, str] = {}
    for brand, spellings in BRANDS.items():
        for spelling in (brand, *spellings):
            spelling_to_brand.setdefault(_key(spelling), brand)
    alternatives = sorted(spelling_to_brand, key=len, reverse=True)
    body = "|".join(re.escape(a) for a in alternatives)
    # A Russian case ending may follow a Cyrillic spelling: "от Диора", "у Гуччи".
    pattern = re.compile(rf"(?<![a-zа-я0-9])({body})(?:а|у|ом|е|ы|ов)?(?![a-zа-я0-9])")
    return pattern, spelling_to_brand


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-zа-я0-9&]+", " ", fold(text))).strip()


def brands_named(text: str) -> list[str]:
    """The brands of `BRANDS` the text names, as written on the label, in order."""
    pattern, spelling_to_brand = _pattern()
    found = [spelling_to_brand[m.group(1)] for m in pattern.finditer(_key(text))]
    return list(dict.fromkeys(found))


def brand_key(brand: str) -> str:
    """How two spellings of one brand compare: "Tod's" and "Tods", "Hermès" and "Hermes"."""
    return re.sub(r"[^a-zа-я0-9]", "", fold(brand))

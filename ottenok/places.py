"""Places a shop delivers to, as shops and customers name them: a city, a region, the country.

Shops write delivery terms per place in many ways: "по Алматы", "Алматинская область", "по
области", "в другие города Казахстана", "по РК", "в регионы". A customer's order names only a
city, so a delivery row must be matched to it: the city's own row beats its region's row, which
beats the whole-country row (`ottenok.shop_info`). This module finds place mentions in text and
knows which region each city lies in (current regions and the ones split off in 2022, since
shops still write the old names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from ottenok.filling.cities import find_cities
from ottenok.normalize import fold_letters


class PlaceKind(StrEnum):
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"


#: The name a country-wide row is matched by.
COUNTRY = "Казахстан"

# Region → its cities (the canonical names of `ottenok.filling.cities`), then the stems the
# region's adjective and abbreviation are written with. A city may lie in two regions: the
# current one and the one it belonged to before 2022.
REGIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Абайская область": (("Семей", "Аягоз"), ("абайск",)),
    "Акмолинская область": (
        ("Кокшетау", "Степногорск", "Щучинск", "Атбасар", "Косшы"),
        ("акмолинск",),
    ),
    "Актюбинская область": (("Актобе", "Хромтау", "Кандыагаш"), ("актюбинск", "актобинск")),
    "Алматинская область": (
        ("Конаев", "Каскелен", "Талгар", "Есик", "Талдыкорган", "Текели", "Жаркент", "Уштобе"),
        ("алматинск", "алма-атинск"),
    ),
    "Атырауская область": (("Атырау", "Кульсары"), ("атырауск",)),
    "Восточно-Казахстанская область": (
        ("Усть-Каменогорск", "Риддер", "Алтай", "Семей", "Аягоз"),
        ("восточно-казахстанск", "вко"),
    ),
    "Жамбылская область": (("Тараз",), ("жамбылск",)),
    "Жетысуская область": (("Талдыкорган", "Текели", "Жаркент", "Уштобе"), ("жетысуск",)),
    "Западно-Казахстанская область": (("Уральск",), ("западно-казахстанск", "зко")),
    "Карагандинская область": (
        ("Караганда", "Темиртау", "Балхаш", "Сарань", "Шахтинск", "Жезказган", "Сатпаев"),
        ("карагандинск",),
    ),
    "Костанайская область": (
        ("Костанай", "Рудный", "Лисаковск", "Аркалык", "Житикара"),
        ("костанайск", "кустанайск"),
    ),
    "Кызылординская область": (("Кызылорда", "Аральск", "Байконур"), ("кызылординск",)),
    "Мангистауская область": (("Актау", "Жанаозен"), ("мангистауск", "мангыстауск")),
    "Павлодарская область": (("Павлодар", "Экибастуз", "Аксу"), ("павлодарск",)),
    "Северо-Казахстанская область": (("Петропавловск",), ("северо-казахстанск", "ско")),
    "Туркестанская область": (
        ("Туркестан", "Кентау", "Сарыагаш", "Арыс"),
        ("туркестанск", "южно-казахстанск", "юко"),
    ),
    "Улытауская область": (("Жезказган", "Сатпаев"), ("улытауск",)),
}

# The cities of republican significance lie in no region, but shops write "Алматы и область".
CITY_REGIONS = {
    "Алматы": "Алматинская область",
    "Астана": "Акмолинская область",
    "Шымкент": "Туркестанская область",
}

_REGION_RE = re.compile(
    r"(?<![а-я-])([а-я]+(?:-[а-я]+)?)\s+(?:област[а-я]*|обл(?![а-я])\.?|облыс[а-я]*|регион[а-я]*)"
    r"|(?<![а-я])(вко|зко|ско|юко)(?![а-я])"
)
# "по области", "в область", "пригород": the region of the city the text speaks about.
_NEAR_REGION_RE = re.compile(r"(?<![а-я])(?:по\s+|в\s+|на\s+)?(?:област[а-я]*|пригород[а-я]*)")
# The whole country, or every place the other rows do not name.
_COUNTRY_RE = re.compile(
    r"(?<![а-я])(?:(?:по\s+)?(?:всему\s+|всей\s+)?казахстан[а-я]*|(?:по\s+)?(?:рк|стране)"
    r"(?![а-я])|(?:в\s+|по\s+)?(?:друг|остальн|ины)[а-я]*\s+город[а-я]*(?:\s+казахстан[а-я]*|"
    r"\s+рк)?|(?:в\s+|по\s+)?регион[а-я]*|межгород[а-я]*)"
)


@dataclass(frozen=True, slots=True)
class Place:
    """A place named in text; `name` is the canonical city, the region's name or `COUNTRY`."""

    kind: PlaceKind
    name: str
    start: int = 0
    end: int = 0

    def covers(self, city: str) -> bool:
        """Whether a customer in `city` lives in this place."""
        if self.kind == PlaceKind.COUNTRY:
            return True
        if self.kind == PlaceKind.REGION:
            return city in REGIONS.get(self.name, ((), ()))[0]
        return self.name == city

    @property
    def rank(self) -> int:
        """How specific the place is: a city's own row beats its region's, which beats the
        country's."""
        return {PlaceKind.CITY: 0, PlaceKind.REGION: 1, PlaceKind.COUNTRY: 2}[self.kind]


@lru_cache(maxsize=1)
def _region_stems() -> dict[str, str]:
    return {stem: region for region, (_, stems) in REGIONS.items() for stem in stems}


def regions_of(city: str) -> list[str]:
    """The regions the city lies in (now or before 2022)."""
    return [region for region, (cities, _) in REGIONS.items() if city in cities]


def _region_around(city: str) -> str | None:
    """The region a city lies in, or is the centre of ("Алматы" → "Алматинская область")."""
    return CITY_REGIONS.get(city) or next(iter(regions_of(city)), None)


def _region_named(word: str) -> str | None:
    """The region an adjective, an abbreviation or a city name before "область" names:
    "алматинская", "вко", "караганда область"."""
    region = next((r for stem, r in _region_stems().items() if word.startswith(stem)), None)
    if region is not None:
        return region
    city = next((c for c in find_cities(word) if c.is_kazakhstan), None)
    return _region_around(city.name) if city else None


def find_places(text: str) -> list[Place]:
    """Every city, region and whole-country phrase in the text, in order of appearance.

    "по области" is the region of the city named just before it ("по Алматы и области"); a
    region named without a known city stays unresolved and is left out.
    """
    folded = fold_letters(text).lower()
    found: list[Place] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _REGION_RE.finditer(folded):
        region = _region_named(match.group(1) or match.group(2))
        if region is not None:
            found.append(Place(PlaceKind.REGION, region, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    for match in _COUNTRY_RE.finditer(folded):
        if free(match.start(), match.end()):
            found.append(Place(PlaceKind.COUNTRY, COUNTRY, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    for city in find_cities(text):
        if city.is_kazakhstan and free(city.start, city.end):
            found.append(Place(PlaceKind.CITY, city.name, city.start, city.end))
            taken.append((city.start, city.end))
    found.sort(key=lambda place: place.start)
    for match in _NEAR_REGION_RE.finditer(folded):
        if not free(match.start(), match.end()):
            continue
        city = next(
            (p for p in reversed(found) if p.kind == PlaceKind.CITY and p.end <= match.start()),
            None,
        )
        region = _region_around(city.name) if city else None
        if region is not None:
            found.append(Place(PlaceKind.REGION, region, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    found.sort(key=lambda place: place.start)
    return found


def place_of(where: str) -> Place | None:
    """The place a delivery row's `where` names ("Алматы", "Алматинская область", "по
    Казахстану"); None when it names none we know."""
    places = find_places(where)
    if not places:
        return None
    return min(places, key=lambda place: place.rank)

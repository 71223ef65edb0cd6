"""Which product photos to send: the photo index model and the choice of photos per message.

Photos live in a local folder or on Google Drive; the adapters turn either into the same
`PhotoIndex` (one `PhotoRef` per image, already tied to a catalog product and a canonical shop
colour), so the dialogue decides what to send without knowing where the files are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from ottenok.normalize import normalize_color

PHOTOS_PER_MESSAGE = 3
SHOWCASE_LIMIT = 6

_NAME_SEPARATORS_RE = re.compile(r"[_\-.+]+")


class ColorFinder(Protocol):
    """What colour matching needs (ottenok.colors.ColorLexicon provides it)."""

    def find(self, text: str) -> list[str]: ...


class PhotoRef(BaseModel):
    """One product photo.

    `key` is the photo's place inside the photo root ("chanel лодочки/black_1.jpg"), stable across
    rebuilds and readable in logs; `path_or_file_id` is what fetches the bytes (a local path or a
    Drive file id, depending on `source`).
    """

    product_id: str
    color: str | None = None
    source: Literal["local", "drive"]
    key: str
    path_or_file_id: str
    name: str


class PhotoIndex(BaseModel):
    """Every photo of the shop plus how each product folder was mapped (None: no product found)."""

    source: Literal["local", "drive"]
    photos: list[PhotoRef] = Field(default_factory=list)
    folders: dict[str, str | None] = Field(default_factory=dict)

    def unmatched_folders(self) -> list[str]:
        """Folders no product matched: the shop owner should rename them."""
        return sorted(folder for folder, product in self.folders.items() if product is None)

    def products(self) -> list[str]:
        return sorted({photo.product_id for photo in self.photos})


def photo_color(
    parts: Sequence[str], colors: ColorFinder, product_colors: Iterable[str] = ()
) -> str | None:
    """The canonical colour named by a photo's subfolders and file stem, innermost name first.

    `black_1.jpg` and `бордовый/2.jpg` both name a colour; when a name mentions several shop
    colours, one the product actually comes in wins.
    """
    own = {normalize_color(c) for c in product_colors}
    for part in reversed(parts):
        found = [
            c for c in map(normalize_color, colors.find(_NAME_SEPARATORS_RE.sub(" ", part))) if c
        ]
        if found:
            return next((c for c in found if c in own), found[0])
    return None


def find_product_photos(
    index: PhotoIndex,
    product_id: str,
    color: str | None = None,
    limit: int = PHOTOS_PER_MESSAGE,
) -> list[PhotoRef]:
    """Photos to send for one product.

    With `color`, only photos of that colour (none if the shop has no photo of it, so the reply
    can say so rather than show the wrong colour). Without, variety: the first photo of each
    colour, then second photos, and so on, so the customer sees every colour before repeats.
    `limit` is clamped to the showcase limit.
    """
    limit = max(0, min(limit, SHOWCASE_LIMIT))
    photos = sorted((p for p in index.photos if p.product_id == product_id), key=lambda p: p.key)
    if color is not None:
        wanted = normalize_color(color)
        return [p for p in photos if p.color == wanted][:limit]
    by_color: dict[str | None, list[PhotoRef]] = {}
    for photo in photos:
        by_color.setdefault(photo.color, []).append(photo)
    chosen: list[PhotoRef] = []
    round_index = 0
    while len(chosen) < limit and any(len(group) > round_index for group in by_color.values()):
        chosen.extend(group[round_index] for group in by_color.values() if len(group) > round_index)
        round_index += 1
    return chosen[:limit]


def photos_to_send(
    index: PhotoIndex | None,
    product_id: str,
    color: str | None,
    already_sent: set[str],
    limit: int = PHOTOS_PER_MESSAGE,
    in_stock: Collection[str] | None = None,
) -> list[PhotoRef]:
    """One per colour (or only the asked colour), skipping photos sent to this chat before.

    With `in_stock` (the colours that can be sold today), photos of other colours are left out:
    a photo is a promise that the customer can have what it shows.
    """
    if index is None:
        return []
    wanted = limit + len(already_sent) + (len(index.photos) if in_stock is not None else 0)
    fresh = [
        photo
        for photo in find_product_photos(index, product_id, color, limit=wanted)
        if photo.key not in already_sent
        and (in_stock is None or photo.color is None or photo.color in in_stock)
    ]
    return fresh[:limit]


@dataclass(frozen=True, slots=True)
class PhotoChoice:
    """The photos a turn sends, or why it sends none when they were asked for (`note`:
    none_in_color | color_sold_out | already_sent | none)."""

    photos: list[PhotoRef]
    note: str | None = None


def choose_photos(
    index: PhotoIndex | None,
    product_id: str,
    color: str | None,
    asked: bool,
    already_sent: set[str],
    in_stock: Collection[str],
) -> PhotoChoice:
    """Up to three new photos of what can be sold today: of the colour the customer named
    (again, if asked for it by name), else of every colour in stock."""
    if color is not None and asked and color not in in_stock:
        return PhotoChoice([], "color_sold_out")
    # Asked for one colour, the customer gets its photos even if they came with others before.
    seen = set() if (asked and color is not None) else already_sent
    photos = photos_to_send(index, product_id, color, seen, in_stock=in_stock)
    if not photos and not asked and color is not None:  # no photo of that colour: the others
        photos = photos_to_send(index, product_id, None, already_sent, in_stock=in_stock)
    if photos or not asked:
        return PhotoChoice(photos)
    if color and not photos_to_send(index, product_id, color, set(), in_stock=in_stock):
        return PhotoChoice([], "none_in_color")
    if photos_to_send(index, product_id, None, set(), in_stock=in_stock):
        return PhotoChoice([], "already_sent")
    return PhotoChoice([], "none")

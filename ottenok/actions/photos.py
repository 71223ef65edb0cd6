"""Which photos go out this turn: up to three, never one the customer has already seen."""

from __future__ import annotations

from ottenok.photos import PHOTOS_PER_MESSAGE, PhotoIndex, PhotoRef, find_product_photos


def photos_to_send(
    index: PhotoIndex | None,
    product_id: str,
    color: str | None,
    already_sent: set[str],
    limit: int = PHOTOS_PER_MESSAGE,
) -> list[PhotoRef]:
    """One per colour (or only the asked colour), skipping photos sent to this chat before."""
    if index is None:
        return []
    fresh = [
        photo
        for photo in find_product_photos(index, product_id, color, limit=limit + len(already_sent))
        if photo.key not in already_sent
    ]
    return fresh[:limit]

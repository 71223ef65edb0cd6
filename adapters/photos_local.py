"""Photo index over a local folder: `photos/<product folder>/[<colour>/]<file>`.

Folder names are free-form (`stuart_weitzman_botilony`, `Chanel лодочки`), so they are matched to
products by the same matcher that reads customer messages; colours come from subfolder or file
names in English or Russian and are mapped to the shop's own colour words.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from ottenok.catalog import Catalog
from ottenok.photos import ColorFinder, PhotoIndex, PhotoRef, photo_color

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic"})


class FolderMatch(Protocol):
    product_id: str


class FolderMatcher(Protocol):
    """What the index needs from ottenok.lookup.ProductMatcher: folder names and the shop's
    colour lexicon, the one the slot filler uses too."""

    colors: ColorFinder

    def match_folder(self, folder_name: str) -> FolderMatch | None: ...


def build_local_photo_index(
    photos_dir: str | Path,
    catalog: Catalog,
    matcher: FolderMatcher,
    colors: ColorFinder | None = None,
) -> PhotoIndex:
    """Walk `photos_dir` and tie every image to a product and colour.

    Folders that match no product are kept in `folders` with None and logged, and their images
    left out: sending a wrong product's photo is worse than sending none.
    """
    root = Path(photos_dir)
    index = PhotoIndex(source="local")
    if not root.is_dir():
        log.warning("photo folder %s does not exist; no photos will be sent", root)
        return index
    colors = colors or matcher.colors
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        match = matcher.match_folder(folder.name)
        index.folders[folder.name] = match.product_id if match else None
        if match is None:
            log.warning("photo folder %r matches no product; its photos are skipped", folder.name)
            continue
        product_colors = catalog.colors(match.product_id)
        for image in sorted(folder.rglob("*")):
            if not _is_image(image, folder):
                continue
            relative = image.relative_to(folder)
            parts = [*relative.parent.parts, relative.stem]
            index.photos.append(
                PhotoRef(
                    product_id=match.product_id,
                    color=photo_color(parts, colors, product_colors),
                    source="local",
                    key=image.relative_to(root).as_posix(),
                    path_or_file_id=str(image.resolve()),
                    name=image.name,
                )
            )
    return index


def _is_image(path: Path, folder: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
    return path.is_file() and not hidden and path.suffix.lower() in IMAGE_SUFFIXES


def save_photo_index(index: PhotoIndex, path: str | Path) -> Path:
    """Write the index as JSON (atomically, so a running bot never reads half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(index.model_dump_json(indent=1), encoding="utf-8")
    temporary.replace(path)
    return path


def load_photo_index(path: str | Path) -> PhotoIndex:
    """Read an index written by `save_photo_index` (FileNotFoundError when absent)."""
    return PhotoIndex.model_validate_json(Path(path).read_text(encoding="utf-8"))

"""Local photo index over a shop written to disk, and the choice of photos per message."""

from __future__ import annotations

import pytest

from adapters.photos_local import build_local_photo_index, load_photo_index, save_photo_index
from ottenok.catalog import Catalog, Product
from ottenok.colors import ColorLexicon
from ottenok.lookup import ProductMatcher
from ottenok.photos import (
    PHOTOS_PER_MESSAGE,
    SHOWCASE_LIMIT,
    PhotoIndex,
    choose_photos,
    find_product_photos,
    photo_color,
)
from ottenok.slots import ProductType
from ottenok.stock import Stock, Variant
from tools.shop_writer import write_photos


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    products = [
        Product(id="botilony-vega", name="Ботильоны Vega Nord", type=ProductType.SHOES,
                brand="Vega", aliases=["Вега"]),
        Product(id="myuli-aster", name="Мюли Aster", type=ProductType.SHOES,
                brand="Aster", aliases=["Астер"]),
        Product(id="sumka-lumen", name="Сумка-тоут Lumen", type=ProductType.BAG,
                brand="Lumen", aliases=["Люмен"]),
    ]  # fmt: skip
    variants = [
        *(Variant("botilony-vega", "38", c, 1, 89000) for c in ("черный", "бордовый", "бежевый")),
        *(Variant("myuli-aster", "37", c, 2, 45900) for c in ("молочный", "черный")),
        Variant("sumka-lumen", None, "коричневый", 1, 78000),
    ]
    return Catalog(products, Stock(variants))


@pytest.fixture(scope="module")
def photos_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("shop") / "photos"
    write_photos(root, "vega_botilony", ["Black", "burgundy", "beige"], per_color=2)
    write_photos(root, "Мюли Aster", ["молочный", "Чёрный"], per_color=2, color_style="subfolder")
    write_photos(root, "сумка lumen", ["brown"], per_color=1)
    write_photos(root, "разное со склада", ["black"], per_color=1)
    (root / "vega_botilony" / "прайс.txt").write_text("не фото", encoding="utf-8")
    (root / "vega_botilony" / ".DS_Store").write_bytes(b"\0")
    return root


@pytest.fixture(scope="module")
def index(photos_dir, catalog) -> PhotoIndex:
    return build_local_photo_index(photos_dir, catalog, ProductMatcher(catalog))


def test_folders_map_to_products_whatever_the_script(index):
    assert index.folders == {
        "vega_botilony": "botilony-vega",
        "Мюли Aster": "myuli-aster",
        "сумка lumen": "sumka-lumen",
        "разное со склада": None,
    }
    assert index.unmatched_folders() == ["разное со склада"]
    assert index.products() == ["botilony-vega", "myuli-aster", "sumka-lumen"]


def test_colours_from_english_file_names_and_russian_subfolders_become_shop_colours(index):
    colours = {(p.product_id, p.color) for p in index.photos}
    assert colours == {
        ("botilony-vega", "черный"), ("botilony-vega", "бордовый"), ("botilony-vega", "бежевый"),
        ("myuli-aster", "молочный"), ("myuli-aster", "черный"), ("sumka-lumen", "коричневый"),
    }  # fmt: skip
    assert len(index.photos) == 11
    assert all(p.source == "local" and p.name.endswith(".jpg") for p in index.photos)
    assert {p.key for p in index.photos if p.product_id == "myuli-aster"} >= {
        "Мюли Aster/Чёрный/1.jpg"
    }


def test_index_survives_a_json_round_trip(index, tmp_path):
    path = save_photo_index(index, tmp_path / "photo_index.json")
    assert load_photo_index(path) == index


def test_variety_mode_shows_every_colour_before_repeating(index):
    picked = find_product_photos(index, "botilony-vega")
    assert len(picked) == PHOTOS_PER_MESSAGE
    assert {p.color for p in picked} == {"черный", "бордовый", "бежевый"}

    two_colours = find_product_photos(index, "myuli-aster")
    assert [p.color for p in two_colours][:2].count("черный") == 1
    assert {p.color for p in two_colours[:2]} == {"молочный", "черный"}
    assert len(two_colours) == 3


def test_a_requested_colour_gives_only_that_colour(index):
    picked = find_product_photos(index, "myuli-aster", color="Чёрный")
    assert [p.color for p in picked] == ["черный", "черный"]
    assert find_product_photos(index, "myuli-aster", color="бордовый") == []
    assert find_product_photos(index, "нет-такого") == []


def test_limits_per_message(index):
    assert len(find_product_photos(index, "botilony-vega", limit=1)) == 1
    assert len(find_product_photos(index, "botilony-vega", limit=50)) == SHOWCASE_LIMIT


def test_photo_colour_prefers_a_colour_the_product_has():
    lexicon = ColorLexicon(["черный", "белый"])
    assert photo_color(["black_white_1"], lexicon, product_colors=["белый"]) == "белый"
    assert photo_color(["черный", "IMG_2031"], lexicon) == "черный"
    assert photo_color(["IMG_2031"], lexicon) is None


def test_a_missing_photo_folder_gives_an_empty_index(tmp_path, catalog):
    index = build_local_photo_index(tmp_path / "nope", catalog, ProductMatcher(catalog))
    assert index.photos == [] and index.folders == {}


def test_photos_show_only_what_can_be_sold_today(index):
    """A photo is a promise: no colour without stock, the asked colour again when asked by
    name, and a reason when nothing can go."""
    key = "botilony-vega"
    colors = sorted({p.color for p in index.photos if p.product_id == key})
    kept, gone = colors[0], colors[1:]
    shown = choose_photos(index, key, None, False, set(), in_stock=[kept])
    assert shown.photos and {p.color for p in shown.photos} == {kept}
    again = choose_photos(index, key, kept, True, {p.key for p in shown.photos}, in_stock=[kept])
    assert again.photos and again.note is None  # asked by name: sent again
    assert choose_photos(index, key, None, True, {p.key for p in index.photos}, [kept]).note == (
        "already_sent"
    )
    assert choose_photos(index, key, gone[0], True, set(), in_stock=[kept]).note == (
        "color_sold_out"
    )
    named = choose_photos(index, key, kept, False, set(), in_stock=colors)
    assert {p.color for p in named.photos} == {kept}  # the colour the customer named

"""Google Drive photos over googleapiclient's own HTTP mocks: paging, colours, download cache."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from googleapiclient.http import HttpMockSequence

from adapters.gdrive_photos import FOLDER_MIME, DrivePhotoSource, drive_service
from ottenok.catalog import Catalog, Product
from ottenok.lookup import ProductMatcher
from ottenok.photos import find_product_photos
from ottenok.slots import ProductType
from ottenok.stock import Stock, Variant

ROOT = "root-folder"


def listing(files: list[dict], next_page: str | None = None) -> tuple[dict, str]:
    body = {"files": files}
    if next_page:
        body["nextPageToken"] = next_page
    return {"status": "200"}, json.dumps(body)


def folder(file_id: str, name: str) -> dict:
    return {"id": file_id, "name": name, "mimeType": FOLDER_MIME}


def image(file_id: str, name: str) -> dict:
    return {"id": file_id, "name": name, "mimeType": "image/jpeg"}


@pytest.fixture
def catalog() -> Catalog:
    products = [
        Product(id="botilony-vega", name="Ботильоны Vega Nord", type=ProductType.SHOES,
                brand="Vega", aliases=["Вега"], colors=["черный", "бордовый"]),
        Product(id="myuli-aster", name="Мюли Aster", type=ProductType.SHOES,
                brand="Aster", aliases=["Астер"], colors=["молочный"]),
    ]  # fmt: skip
    stock = Stock(
        [
            Variant("botilony-vega", "38", "черный", 2, 89000),
            Variant("botilony-vega", "38", "бордовый", 1, 89000),
            Variant("myuli-aster", "37", "молочный", 3, 45900),
        ]
    )
    return Catalog(products, stock)


def drive_tree() -> list[tuple[dict, str | bytes]]:
    """Responses in the order the source asks: root page 1, its folders, root page 2, ..."""
    return [
        listing([folder("F1", "vega_botilony"), folder("F2", "старые фото")], next_page="p2"),
        listing([folder("F1a", "бордовый"), image("i1", "black_1.jpg"),
                 {"id": "t1", "name": "notes.txt", "mimeType": "text/plain"}]),
        listing([image("i2", "1.jpg")]),
        listing([folder("F3", "Мюли Aster"), image("stray", "logo.jpg")]),
        listing([image("i3", "milk_1.jpg")], next_page="f3p2"),
        listing([image("i4", "milk_2.jpg")]),
    ]  # fmt: skip


def test_index_follows_pages_and_reads_colours_from_names_and_subfolders(catalog, tmp_path):
    http = HttpMockSequence(drive_tree())
    source = DrivePhotoSource(ROOT, drive_service(http=http), cache_dir=tmp_path / "cache")

    index = source.build_index(catalog, ProductMatcher(catalog))

    assert index.source == "drive"
    assert index.folders == {
        "vega_botilony": "botilony-vega",
        "старые фото": None,
        "Мюли Aster": "myuli-aster",
    }
    by_file = {photo.path_or_file_id: photo for photo in index.photos}
    assert set(by_file) == {"i1", "i2", "i3", "i4"}
    assert by_file["i1"].color == "черный"
    assert by_file["i2"].color == "бордовый"
    assert by_file["i2"].key == "vega_botilony/бордовый/1.jpg"
    assert by_file["i4"].product_id == "myuli-aster"
    assert by_file["i4"].color == "молочный"

    queries = [parse_qs(urlparse(uri).query) for uri, *_ in http.request_sequence]
    assert all("pageToken" not in q for q in queries[:3])
    assert queries[3]["pageToken"] == ["p2"] and queries[5]["pageToken"] == ["f3p2"]
    assert queries[0]["q"] == [f"'{ROOT}' in parents and trashed = false"]

    picked = find_product_photos(index, "botilony-vega", color="Бордовый")
    assert [photo.path_or_file_id for photo in picked] == ["i2"]


def test_download_fetches_once_then_serves_from_the_cache(tmp_path):
    http = HttpMockSequence([({"status": "200"}, b"\xff\xd8jpeg-bytes")])
    source = DrivePhotoSource(ROOT, drive_service(http=http), cache_dir=tmp_path / "cache")

    assert source.download("i2") == b"\xff\xd8jpeg-bytes"
    assert source.download("i2") == b"\xff\xd8jpeg-bytes"  # the mock has no second response
    assert len(http.request_sequence) == 1
    uri = http.request_sequence[0][0]
    assert "/files/i2" in uri and "alt=media" in uri


def test_download_errors_are_raised_not_cached(tmp_path):
    from googleapiclient.errors import HttpError

    http = HttpMockSequence([({"status": "404"}, b'{"error": {"message": "File not found"}}')])
    source = DrivePhotoSource(ROOT, drive_service(http=http), cache_dir=tmp_path / "cache")
    with pytest.raises(HttpError):
        source.download("missing")
    assert not (tmp_path / "cache" / "missing").exists()

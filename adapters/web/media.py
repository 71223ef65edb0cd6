"""Pictures for the pages: the shop's product photos and images sent in the sandbox.

Only what the photo index lists is served, looked up by its key: no path from a request ever
reaches the file system, so there is nothing to traverse. Sandbox uploads are stored under
the message id the sandbox gave them and checked to be an image before they are kept.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from ottenok.photos import PhotoIndex, PhotoRef

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_ID_RE = re.compile(r"^web-img-[0-9a-f]{32}$")
_IMAGE_MAGIC = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
CACHE = {"Cache-Control": "private, max-age=86400"}


class PhotoDownloader(Protocol):
    def download(self, file_id: str) -> bytes: ...


def image_type(data: bytes) -> str | None:
    """The image's MIME type from its first bytes, None when it is not a known image."""
    for magic, mime in _IMAGE_MAGIC.items():
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_path(prefix: str, key: str) -> str:
    return f"{prefix}/{quote(key, safe='')}"


class PhotoFiles:
    """Serves `GET {prefix}/{key}` for the photos of the index (local files or Drive)."""

    def __init__(self, index: PhotoIndex | None, drive: PhotoDownloader | None = None) -> None:
        self.by_key: dict[str, PhotoRef] = {p.key: p for p in index.photos} if index else {}
        self.drive = drive

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ref = self.by_key.get(request.match_info["key"])
        if ref is None:
            raise web.HTTPNotFound(text="no such photo")
        if ref.source == "local":
            path = Path(ref.path_or_file_id)
            if not path.is_file():
                raise web.HTTPNotFound(text="photo file is gone")
            return web.FileResponse(path, headers=CACHE)
        if self.drive is None:
            raise web.HTTPNotFound(text="Drive is not configured")
        data = await asyncio.to_thread(self.drive.download, ref.path_or_file_id)
        mime = image_type(data) or mimetypes.guess_type(ref.name)[0] or "image/jpeg"
        return web.Response(body=data, content_type=mime, headers=CACHE)


class Uploads:
    """Images customers send in the sandbox, one file per message id."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def save(self, upload_id: str, data: bytes) -> None:
        if not UPLOAD_ID_RE.match(upload_id):
            raise ValueError("bad upload id")
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValueError("the image is larger than 2 MB")
        if image_type(data) is None:
            raise ValueError("not a JPEG, PNG, GIF or WebP image")
        await asyncio.to_thread(self._write, upload_id, data)

    def _write(self, upload_id: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"{upload_id}.part"
        temporary.write_bytes(data)
        temporary.replace(self.folder / upload_id)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        upload_id = request.match_info["id"]
        if not UPLOAD_ID_RE.match(upload_id):
            raise web.HTTPNotFound()
        path = self.folder / upload_id
        data = await asyncio.to_thread(lambda: path.read_bytes() if path.is_file() else b"")
        mime = image_type(data)
        if mime is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type=mime, headers=CACHE)

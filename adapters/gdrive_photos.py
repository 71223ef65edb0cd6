"""Product photos kept on Google Drive, laid out like the local folder.

The root folder (GOOGLE_DRIVE_PHOTOS_FOLDER_ID) holds one folder per product; inside, images whose
names carry the colour, or colour subfolders. The result is the same `PhotoIndex` as for local
photos, with Drive file ids, so the dialogue never knows where photos live.

googleapiclient is synchronous and does network I/O: async callers run `build_index` and
`download` in `asyncio.to_thread`. Tests inject googleapiclient's own HttpMock/HttpMockSequence;
the Drive API description ships with the library (static discovery), so building the service
fetches nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from googleapiclient.discovery import build

from adapters.photos_local import FolderMatcher
from ottenok.catalog import Catalog
from ottenok.photos import ColorFinder, PhotoIndex, PhotoRef, photo_color

log = logging.getLogger(__name__)

FOLDER_MIME = "application/vnd.google-apps.folder"
DRIVE_READONLY_SCOPE = "https://www.googleapis.com/auth/drive.readonly"
_PAGE_SIZE = 1000
_LIST_FIELDS = "nextPageToken, files(id, name, mimeType)"
_UNSAFE_FILE_CHARS_RE = re.compile(r"[^A-Za-z0-9_-]")


def drive_service(credentials_file: str | Path | None = None, http: Any = None) -> Any:
    """A Drive v3 client: from a service-account file, or over an injected `http` (tests)."""
    if http is not None:
        return build("drive", "v3", http=http, developerKey="offline", static_discovery=True)
    if credentials_file is None:
        raise ValueError("Google Drive photos need GOOGLE_CREDENTIALS_FILE (a service account key)")
    from google.oauth2 import service_account

    credentials = service_account.Credentials.from_service_account_file(
        str(credentials_file), scopes=[DRIVE_READONLY_SCOPE]
    )
    return build(
        "drive", "v3", credentials=credentials, static_discovery=True, cache_discovery=False
    )


class DrivePhotoSource:
    """Lists the photo tree under `root_folder_id` and downloads photos, caching them on disk."""

    def __init__(
        self, root_folder_id: str, service: Any, cache_dir: str | Path | None = None
    ) -> None:
        self.root_folder_id = root_folder_id
        self.service = service
        self.cache_dir = Path(cache_dir) if cache_dir else None

    @classmethod
    def from_settings(cls, settings: Any, service: Any = None) -> DrivePhotoSource:
        """From app.settings.Settings: the root folder, the key file, a cache in DATA_DIR."""
        if not settings.google_drive_photos_folder_id:
            raise ValueError("GOOGLE_DRIVE_PHOTOS_FOLDER_ID is not set")
        return cls(
            settings.google_drive_photos_folder_id,
            service or drive_service(settings.google_credentials_file),
            cache_dir=Path(settings.data_dir) / "photo_cache",
        )

    def children(self, folder_id: str) -> Iterator[dict[str, str]]:
        """Every non-trashed item directly in a folder, following `nextPageToken` across pages."""
        page_token: str | None = None
        while True:
            response = (
                self.service.files()
                .list(
                    q=f"'{folder_id}' in parents and trashed = false",
                    fields=_LIST_FIELDS,
                    pageSize=_PAGE_SIZE,
                    pageToken=page_token,
                    orderBy="name",
                    supportsAllDrives=True,
                    includeItemsFromAllDrives=True,
                )
                .execute()
            )
            yield from response.get("files", [])
            page_token = response.get("nextPageToken")
            if not page_token:
                return

    def images(
        self, folder_id: str, path: tuple[str, ...] = ()
    ) -> Iterator[tuple[tuple[str, ...], dict]]:
        """(subfolder names, file) for every image in a folder and its subfolders."""
        for item in self.children(folder_id):
            if item.get("mimeType") == FOLDER_MIME:
                yield from self.images(item["id"], (*path, item["name"]))
            elif item.get("mimeType", "").startswith("image/"):
                yield path, item

    def build_index(
        self, catalog: Catalog, matcher: FolderMatcher, colors: ColorFinder | None = None
    ) -> PhotoIndex:
        """Match each product folder to a product and collect its images (as the local index)."""
        colors = colors or matcher.colors
        index = PhotoIndex(source="drive")
        for folder in self.children(self.root_folder_id):
            if folder.get("mimeType") != FOLDER_MIME:
                continue
            match = matcher.match_folder(folder["name"])
            index.folders[folder["name"]] = match.product_id if match else None
            if match is None:
                log.warning(
                    "Drive folder %r matches no product; its photos are skipped", folder["name"]
                )
                continue
            product_colors = catalog.colors(match.product_id)
            for subfolders, item in self.images(folder["id"]):
                index.photos.append(
                    PhotoRef(
                        product_id=match.product_id,
                        color=photo_color(
                            [*subfolders, Path(item["name"]).stem], colors, product_colors
                        ),
                        source="drive",
                        key="/".join((folder["name"], *subfolders, item["name"])),
                        path_or_file_id=item["id"],
                        name=item["name"],
                    )
                )
        return index

    def download(self, file_id: str) -> bytes:
        """The photo's bytes, from the local cache when it was fetched before."""
        cached = (
            self.cache_dir / _UNSAFE_FILE_CHARS_RE.sub("_", file_id) if self.cache_dir else None
        )
        if cached is not None and cached.is_file():
            return cached.read_bytes()
        content = self.service.files().get_media(fileId=file_id, supportsAllDrives=True).execute()
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(".part")
            temporary.write_bytes(content)
            temporary.replace(cached)
        return content

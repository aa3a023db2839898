"""A project's managed files from another machine, over the server's HTTP API: records and
folder pages, streamed downloads, moves, the trash, and resumable uploads through tus
(`tuspy`). What the CLI (`cli_files.py`) calls; it knows nothing of the terminal.

Remote paths are written `latchlike://<project>/<path>`. Every refusal of the server
becomes a `ClientError` carrying the server's own message.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

if TYPE_CHECKING:  # tuspy (and the aiohttp it imports) loads only when a command uploads
    from tusclient.exceptions import TusCommunicationError
    from tusclient.storage.filestorage import FileStorage
    from tusclient.uploader import Uploader

SCHEME = "latchlike://"
LATCH_SCHEME = "latch://"
DEFAULT_SERVER = "http://127.0.0.1:8080"
CHUNK_BYTES = 8 * 1024 * 1024
"""Bytes per PATCH: tuspy holds one in memory, and a cut connection resends at most this."""
_DOWNLOAD_CHUNK = 1024 * 1024
Progress = Callable[[int], None]
"""Told the bytes done so far."""


class ClientError(Exception):
    """The server refused (its message, and `status`), could not be reached, or a local file is wrong."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Remote:
    project: str
    path: str
    """Below the project's folder, without slashes at either end; '' is the project's top."""

    def __str__(self) -> str:
        return f"{SCHEME}{self.project}/{self.path}"

    def child(self, name: str) -> Remote:
        return Remote(self.project, f"{self.path}/{name}" if self.path else name)

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


def parse_remote(text: str) -> Remote | None:
    """`latchlike://<project>/<path>` → Remote; None for anything else (a local path), but
    a Latch path (`latch:///…`), which a Latch user types by habit and which would otherwise
    name a local folder `latch:`."""
    if text.startswith(LATCH_SCHEME):
        raise ClientError(f"{text!r} is a Latch path: here remote paths are written latchlike://<project>/<path>")
    if not text.startswith(SCHEME):
        return None
    project, _, path = text.removeprefix(SCHEME).partition("/")
    if not project:
        raise ClientError(f"{text!r} names no project: write latchlike://<project>/<path>")
    if {".", ".."} & set(path.split("/")):
        raise ClientError(f"{text!r} has a '.' or '..' part: paths cannot climb out of the project's folder")
    return Remote(project, path.strip("/"))


class _Destination:
    """Resume only the same local file, unchanged, to the same place on the same server;
    tuspy's own fingerprint (size + first 64 KiB) would mix up copies sent to two paths."""

    def __init__(self, key: str) -> None:
        self._key = key

    def get_fingerprint(self, fs: IO[bytes]) -> str:
        return self._key


class FilesClient:
    def __init__(self, server: str, *, cache_dir: Path, timeout: float = 60.0, token: str | None = None) -> None:
        """`token`: an API token, sent as `Authorization: Bearer` on every request (tus's too)."""
        self.server = server.rstrip("/")
        self._auth = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.server, timeout=timeout, headers=self._auth)
        self._cache_dir = cache_dir

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, remote: Remote, suffix: str = "", **kwargs: Any) -> httpx.Response:
        url = f"/api/files/{quote(remote.project, safe='')}/{quote(remote.path)}{suffix}"
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise ClientError(f"cannot reach the server at {self.server}: {error}") from None
        _raise_for(response)
        return response

    def info(self, remote: Remote) -> dict[str, Any] | None:
        """The file's record, or the folder's first page (the project's top is always one); None
        if nothing is there."""
        if not remote.path:
            return {"path": "", "is_folder": True}
        try:
            found: dict[str, Any] = _json(self._call("GET", remote))
        except ClientError as error:
            if error.status == 404:
                return None
            raise
        return found

    def entries(self, folder: Remote) -> Iterator[dict[str, Any]]:
        """Every entry of a folder, a page at a time."""
        after = ""
        while True:
            page = _json(self._call("GET", folder, params={"after": after}))
            if not page.get("is_folder"):
                raise ClientError(f"{folder} is a file, not a folder")
            yield from page["entries"]
            if not page["next_after"]:
                return
            after = page["next_after"]

    def make_folder(self, remote: Remote) -> None:
        self._call("POST", remote, ":mkdir")

    def move(self, source: Remote, target: Remote, *, overwrite: bool) -> None:
        if source.project != target.project:
            raise ClientError(f"{source} and {target} are in different projects: copy, then remove")
        self._call("POST", source, ":move", json={"to": target.path, "overwrite": overwrite})

    def remove(self, remote: Remote, *, purge: bool) -> None:
        self._call("DELETE", remote, params={"purge": 1} if purge else {})

    def download(self, remote: Remote, target: Path, progress: Progress) -> None:
        """Stream the file to `target` through a partial file beside it, checking the SHA-256
        the server recorded; `target` appears only whole and right."""
        record = self.info(remote)
        if record is None or record["is_folder"]:
            raise ClientError(f"{remote} is {'a folder' if record else 'not there'}")
        partial = target.with_name(f".{target.name}.partial")
        digest, done = hashlib.sha256(), 0
        try:
            with self._http.stream("GET", f"/api/files/{quote(remote.project, safe='')}/{quote(remote.path)}",
                                   params={"download": 1}) as response, partial.open("wb") as out:  # fmt: skip
                _raise_for(response)
                for chunk in response.iter_bytes(_DOWNLOAD_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    progress(done)
            if digest.hexdigest() != record["sha256"]:
                raise ClientError(f"{remote} arrived with another SHA-256 than the server recorded; try again")
            os.replace(partial, target)
        except httpx.HTTPError as error:
            raise ClientError(f"the download of {remote} was cut: {error}") from None
        finally:
            partial.unlink(missing_ok=True)

    def upload(self, source: Path, remote: Remote, *, overwrite: bool, progress: Progress,
               chunk_bytes: int = CHUNK_BYTES) -> bool:  # fmt: skip
        """Send a local file through tus; True if it resumed an upload an earlier run left off.
        The upload's URL is kept in the cache dir until it completes, so running the same copy
        again after an interruption goes on from where the server has the bytes. One small
        file per upload, so copies running side by side never write the same file."""
        from tusclient.exceptions import TusCommunicationError

        stat = source.stat()
        key = f"{self.server}|{remote}|{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        kept = self._cache_dir / "tus" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
        kept.parent.mkdir(parents=True, exist_ok=True)
        storage = kept_urls(kept)
        try:
            uploader = self._uploader(source, remote, key, storage, overwrite=overwrite, chunk_bytes=chunk_bytes)
            resumed = uploader.offset > 0
            progress(uploader.offset)
            while uploader.offset < uploader.stop_at:
                uploader.upload_chunk()
                progress(uploader.offset)
            if uploader.url is None:  # an empty file: tuspy's `upload` makes its POST
                uploader.upload()
            storage.close()
            kept.unlink()
            return resumed
        except TusCommunicationError as error:
            if error.status_code == 412 and not overwrite:
                raise ClientError(f"{remote} exists: pass -f to replace it", 412) from None
            raise ClientError(_tus_message(error), error.status_code) from None
        finally:
            storage.close()

    def _uploader(self, source: Path, remote: Remote, key: str, storage: FileStorage, *, overwrite: bool,
                  chunk_bytes: int) -> Uploader:  # fmt: skip
        from tusclient.client import TusClient
        from tusclient.exceptions import TusCommunicationError

        client = TusClient(f"{self.server}/api/tus/{quote(remote.project, safe='')}", headers=dict(self._auth))
        metadata = {"path": remote.path, "filename": source.name} | ({"overwrite": "1"} if overwrite else {})

        def make() -> Uploader:
            return client.uploader(str(source), chunk_size=chunk_bytes, metadata=metadata, store_url=True,
                                   url_storage=storage, fingerprinter=_Destination(key))  # fmt: skip

        try:
            return make()
        except TusCommunicationError as error:
            if error.status_code != 404:
                raise
            storage.remove_item(key)  # the kept upload expired or finished: start afresh
            return make()


def kept_urls(path: Path) -> FileStorage:
    """tuspy's URL storage in `path`; a file cut while being written is dropped (its upload
    starts afresh) rather than failing every later copy."""
    from tusclient.storage.filestorage import FileStorage

    storage = FileStorage(str(path))
    try:
        storage.get_item("")  # TinyDB reads the file on first use
    except ValueError:
        storage.close()
        path.unlink()
        storage = FileStorage(str(path))
    return storage


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ClientError(f"{response.url} answered something that is not JSON: is it a latchlike server?") from None


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    response.read()
    try:
        message = response.json()["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text.strip() or response.reason_phrase
    raise ClientError(str(message), response.status_code)


def _tus_message(error: TusCommunicationError) -> str:
    """The server's message from a tus refusal's JSON body, else what tuspy says."""
    content = getattr(error, "response_content", None)
    try:
        return str(json.loads(content)["message"]) if content else f"the upload failed: {error}"
    except (ValueError, KeyError, TypeError):
        return f"the upload failed: {error}"

"""Signed links to store objects, and literals whose store URIs are swapped for them.

A literal that leaves the server (GetExecutionData, GetNodeExecutionData, GetData) names
its files by store URIs a client off the server's disk cannot read (a local path, or a
bucket it has no credentials for). Each single-file blob of ours becomes a signed HTTP link
instead. Folders keep their store URI: fsspec's HTTP filesystem cannot copy a folder (it
opens the folder itself as a file), so a link would break clients that can read the store;
CreateDownloadLocation still gives a folder a link whose listing the same signature covers.
Links that come back in a new execution's inputs are turned back into store URIs, so they
never expire there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from flyteidl.core import literals_pb2, types_pb2

from latchlike.errors import InvalidArgument, NotFound, PermissionDenied
from latchlike.store import FileStore
from latchlike.store.keys import check_key
from latchlike.uploads.signing import DownloadGrant, DownloadSigner

MULTIPART = types_pb2.BlobType.BlobDimensionality.MULTIPART


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime


class DownloadLinks:
    def __init__(self, store: FileStore, signer: DownloadSigner, public_url: str, ttl: timedelta) -> None:
        self._store = store
        self._signer = signer
        self._public = urlparse(public_url)
        self._ttl = ttl

    def for_key(self, key: str, *, folder: bool = False, ttl: timedelta | None = None) -> Link:
        """`ttl` is capped by the server's own; zero or None means the server's."""
        lifetime = min(ttl, self._ttl) if ttl and ttl.total_seconds() > 0 else self._ttl
        expires_at = datetime.now(UTC) + lifetime
        granted = check_key(key.rstrip("/")) + ("/" if folder else "")
        return Link(self._signer.signed_url(DownloadGrant(granted, int(expires_at.timestamp()))), expires_at)

    def for_uri(self, uri: str, *, ttl: timedelta | None = None) -> Link:
        """A link to a file or folder of this store, named by its store URI."""
        key = self._store.key_of(uri.rstrip("/"))
        if key is None:
            raise InvalidArgument(f"{uri!r} is not in this server's store")
        if self._store.exists(key):
            return self.for_key(key, ttl=ttl)
        if self._store.list(key + "/"):
            return self.for_key(key, folder=True, ttl=ttl)
        raise NotFound(f"nothing is stored at {uri!r}")

    def outgoing(self, literals: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
        """A copy whose blobs in this store are signed links; other URIs are left alone."""
        return _map_uris(literals, self._signed)

    def incoming(self, literals: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
        """A copy whose valid links of this server are store URIs again."""
        return _map_uris(literals, self._unsigned)

    def _signed(self, uri: str, folder: bool) -> str:
        key = None if folder else self._store.key_of(uri)
        return uri if key is None else self.for_key(key).url

    def _unsigned(self, uri: str, folder: bool) -> str:
        parsed = urlparse(uri)
        signed = self._signer.read_path(parsed.path) if parsed.netloc == self._public.netloc else None
        if signed is None:
            return uri
        key, expires, signature = signed
        try:
            self._signer.verify(key, expires, signature, now=time.time())
        except PermissionDenied:
            return uri  # not one of ours after all, or expired: the task will say so
        return self._store.uri(check_key(key.rstrip("/")))


def _map_uris(literals: literals_pb2.LiteralMap, change: Callable[[str, bool], str]) -> literals_pb2.LiteralMap:
    copy = literals_pb2.LiteralMap()
    copy.CopyFrom(literals)
    for literal in copy.literals.values():
        _visit(literal, change)
    return copy


def _visit(literal: literals_pb2.Literal, change: Callable[[str, bool], str]) -> None:
    kind = literal.WhichOneof("value")
    if kind == "collection":
        for item in literal.collection.literals:
            _visit(item, change)
    elif kind == "map":
        for item in literal.map.literals.values():
            _visit(item, change)
    elif kind == "scalar":
        scalar = literal.scalar
        match scalar.WhichOneof("value"):
            case "blob" if scalar.blob.uri:
                folder = scalar.blob.metadata.type.dimensionality == MULTIPART
                scalar.blob.uri = change(scalar.blob.uri, folder)
            case "structured_dataset" if scalar.structured_dataset.uri:
                scalar.structured_dataset.uri = change(scalar.structured_dataset.uri, True)
            case "union":
                _visit(scalar.union.value, change)

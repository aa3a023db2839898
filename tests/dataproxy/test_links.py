"""Download signing, literal rewriting and flyte:// parsing, without a server."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2, types_pb2

from latchlike.downloads.data import parse_flyte_url
from latchlike.downloads.links import DownloadLinks
from latchlike.errors import InvalidArgument, PermissionDenied
from latchlike.store.local import LocalFileStore
from latchlike.uploads.signing import DownloadGrant, DownloadSigner, UploadGrant, UrlSigner
from latchlike.web.downloads import requested_span

SECRET = b"k" * 32
PUBLIC = "http://127.0.0.1:8000"


def signature_of(url: str) -> tuple[int, str, str]:
    _, _, expires, signature, key = url.removeprefix(PUBLIC).split("/", 4)
    return int(expires), signature, key


def test_a_folder_signature_covers_what_is_under_it_and_nothing_else() -> None:
    signer = DownloadSigner(SECRET, PUBLIC)
    expires, signature, _ = signature_of(signer.signed_url(DownloadGrant("executions/p/d/x/n0/1/raw/dir/", 2**40)))
    signer.verify("executions/p/d/x/n0/1/raw/dir/a.txt", expires, signature, now=time.time())
    signer.verify("executions/p/d/x/n0/1/raw/dir/more/b.txt", expires, signature, now=time.time())
    for outside in ["executions/p/d/x/n0/1/raw/dir2/a.txt", "executions/p/d/x/n0/1/outputs.pb", "executions/p/"]:
        with pytest.raises(PermissionDenied, match="does not match"):
            signer.verify(outside, expires, signature, now=time.time())


def test_a_file_signature_covers_only_that_file_until_it_expires() -> None:
    signer = DownloadSigner(SECRET, PUBLIC)
    expires, signature, key = signature_of(signer.signed_url(DownloadGrant("executions/p/d/x/n0/1/o.txt", 1000)))
    with pytest.raises(PermissionDenied, match="does not match"):
        signer.verify(key + "x", expires, signature, now=0)
    with pytest.raises(PermissionDenied, match="does not match"):
        signer.verify(key, expires + 1, signature, now=0)
    with pytest.raises(PermissionDenied, match="does not match"):
        DownloadSigner(b"other" * 8, PUBLIC).verify(key, expires, signature, now=0)
    with pytest.raises(PermissionDenied, match="expired"):
        signer.verify(key, expires, signature, now=1001)
    signer.verify(key, expires, signature, now=1000)


@pytest.mark.parametrize("signature", ["é" * 43, "\udc80", "\U0010f1fb&l"])
def test_a_signature_in_any_text_is_refused_not_a_crash(signature: str) -> None:
    """A URL may carry any characters; compare_digest refuses non-ASCII text (a 500, once)."""
    with pytest.raises(PermissionDenied, match="does not match"):
        DownloadSigner(SECRET, PUBLIC).verify("executions/p/d/x/n0/1/o/report.txt", 2**40, signature, now=0)


def test_an_upload_signature_is_no_download_signature() -> None:
    upload = UrlSigner(SECRET, PUBLIC).signed_url(UploadGrant("uploads/p/d/r/f", "0" * 32, 2**40))
    signature = upload.split("signature=")[1]
    with pytest.raises(PermissionDenied):
        DownloadSigner(SECRET, PUBLIC).verify("uploads/p/d/r/f", 2**40, signature, now=0)


def blob(uri: str, dimensionality: int = types_pb2.BlobType.SINGLE) -> literals_pb2.Literal:
    metadata = literals_pb2.BlobMetadata(type=types_pb2.BlobType(dimensionality=dimensionality))
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(uri=uri, metadata=metadata)))


def test_file_blobs_leave_as_links_and_come_back_as_store_uris(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "store")
    links = DownloadLinks(store, DownloadSigner(SECRET, PUBLIC), PUBLIC, timedelta(hours=1))
    ours, folder = store.uri("executions/p/d/x/n0/1/raw/r.txt"), store.uri("executions/p/d/x/n0/1/raw/dir")
    literals = literals_pb2.LiteralMap(
        literals={
            "file": blob(ours),
            "folder": blob(folder, types_pb2.BlobType.MULTIPART),
            "foreign": blob("s3://elsewhere/r.txt"),
            "nested": literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[blob(ours)])),
        }
    )
    out = links.outgoing(literals)
    assert out.literals["file"].scalar.blob.uri.startswith(f"{PUBLIC}/download/")
    assert out.literals["nested"].collection.literals[0].scalar.blob.uri.startswith(f"{PUBLIC}/download/")
    assert out.literals["folder"].scalar.blob.uri == folder  # fsspec cannot copy folders over HTTP
    assert out.literals["foreign"].scalar.blob.uri == "s3://elsewhere/r.txt"
    assert literals.literals["file"].scalar.blob.uri == ours  # the original is untouched
    back = links.incoming(out)
    assert back == literals
    forged = literals_pb2.LiteralMap(
        literals={"file": blob(out.literals["file"].scalar.blob.uri.replace("/1/", "/2/"))}
    )
    assert links.incoming(forged) == forged  # not a valid link of ours: passed on as it is


@pytest.mark.parametrize(
    ("url", "node", "attempt", "io", "name"),
    [("flyte://v1/p/d/abc/n0/o", "n0", None, "o", ""), ("flyte://v1/p/d/abc/n0/2/i", "n0", 2, "i", ""),
     ("flyte://v1/p/d/abc/n0/o/o0", "n0", None, "o", "o0"), ("flyte://v1/p/d/abc/n1-0-n0/d", "n1-0-n0", None, "d", "")],
)  # fmt: skip
def test_flyte_urls_parse_as_flyteadmin_reads_them(
    url: str, node: str, attempt: int | None, io: str, name: str
) -> None:
    ref = parse_flyte_url(url)
    assert (ref.execution.name, ref.node_id, ref.retry_attempt, ref.io, ref.name) == ("abc", node, attempt, io, name)


@pytest.mark.parametrize("url", ["flyte://v1/p/d/abc/n0", "flyte://v1/p/d/abc/n0/x", "flyte://v1/p/d/abc/n0/d/o0",
                                 "flyte://v1/p/d/abc/n0/o\n", "flyte://v1/p/d/../n0/o", "s3://b/k"])  # fmt: skip
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidArgument, match="cannot read"):
        parse_flyte_url(url)


@pytest.mark.parametrize(
    ("header", "span"),
    [(None, (0, 10)), ("bytes=2-5", (2, 6)), ("bytes=2-", (2, 10)), ("bytes=-3", (7, 10)), ("bytes=5-100", (5, 10)),
     ("bytes=10-", None), ("bytes=-0", None), ("bytes=6-2", None), ("bytes=0-1,4-5", (0, 10)), ("items=0-1", (0, 10))],
)  # fmt: skip
def test_ranges(header: str | None, span: tuple[int, int] | None) -> None:
    assert requested_span(header, 10) == span

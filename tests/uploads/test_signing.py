from __future__ import annotations

import pytest

from latchlike.errors import PermissionDenied
from latchlike.uploads.signing import UploadGrant, UrlSigner

GRANT = UploadGrant(key="uploads/p/d/root/file.tgz", md5_hex="0" * 32, expires=1_000)


def signature_of(url: str) -> str:
    return url.rsplit("signature=", 1)[1]


def test_signature_binds_key_md5_and_expiry() -> None:
    signer = UrlSigner(b"secret", "http://host:1")
    signature = signature_of(signer.signed_url(GRANT))
    signer.verify(GRANT, signature, now=999)
    for changed in (
        UploadGrant(GRANT.key + "x", GRANT.md5_hex, GRANT.expires),
        UploadGrant(GRANT.key, "1" * 32, GRANT.expires),
        UploadGrant(GRANT.key, GRANT.md5_hex, GRANT.expires + 1),
    ):
        with pytest.raises(PermissionDenied, match="signature"):
            signer.verify(changed, signature, now=999)


def test_other_secret_and_expiry_are_refused() -> None:
    signature = signature_of(UrlSigner(b"secret", "http://host:1").signed_url(GRANT))
    with pytest.raises(PermissionDenied, match="signature"):
        UrlSigner(b"other", "http://host:1").verify(GRANT, signature, now=999)
    with pytest.raises(PermissionDenied, match="expired"):
        UrlSigner(b"secret", "http://host:1").verify(GRANT, signature, now=1_001)


def test_a_signature_that_is_not_ascii_is_refused_not_an_error() -> None:
    with pytest.raises(PermissionDenied, match="signature"):
        UrlSigner(b"secret", "http://host:1").verify(GRANT, "é\ud800", now=999)

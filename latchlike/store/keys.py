"""Where things go in the store. Every key is built here, and every key a client can
influence is checked here."""

from __future__ import annotations

import functools
import re

from latchlike.errors import InvalidArgument

# A client names upload roots and files: flytekit sends padded base32 roots (`...======`)
# and whatever the user's file is called. Any name is fine except one that could climb out
# of its folder, start at the root or hide control characters (which `$` would let through
# at the end: hence fullmatch).
_SAFE_PART = re.compile(r"[^/\\\x00-\x1f\x7f\ud800-\udfff]+")
_MAX_PART_BYTES = 255  # one path component on common filesystems


def upload_key(project: str, domain: str, root: str, filename: str) -> str:
    """Fast-register bundles and other client uploads, as FlyteAdmin lays them out."""
    return "/".join(
        [
            "uploads",
            *(
                _part(name, value)
                for name, value in (
                    ("project", project),
                    ("domain", domain),
                    ("filename root", root),
                    ("filename", filename),
                )
            ),
        ]
    )


def upload_key_project(key: str) -> str | None:
    """The project an `upload_key` belongs to; None for a key of another layout."""
    parts = key.split("/")
    return parts[1] if len(parts) == 5 and parts[0] == "uploads" else None


def check_key(key: str) -> str:
    if not _is_safe_key(key):
        raise InvalidArgument(f"{key!r} is not a valid store key")
    return key


@functools.lru_cache(maxsize=16_384)
def _is_safe_key(key: str) -> bool:
    """Remembered: the engine asks about the same attempt's keys several times (its inputs,
    its outputs' URI, reading them back), 10,000 items' worth in a map task."""
    return bool(key) and all(_is_safe(part) for part in key.split("/"))


def is_valid_key(key: str) -> bool:
    try:
        check_key(key)
    except InvalidArgument:
        return False
    return True


def _part(name: str, value: str) -> str:
    if not _is_safe(value):
        raise InvalidArgument(
            f"{name} {value!r} is not a safe name: no slashes, backslashes, control characters, '.' or '..',"
            f" at most {_MAX_PART_BYTES} bytes"
        )
    return value


def _is_safe(part: str) -> bool:
    return _SAFE_PART.fullmatch(part) is not None and part not in (".", "..") and len(part.encode()) <= _MAX_PART_BYTES


def attempt_prefix(project: str, domain: str, execution: str, node_id: str, attempt: int) -> str:
    """Where one attempt of a node keeps inputs.pb, outputs.pb or error.pb, raw data and checkpoints."""
    parts = [_part(name, value) for name, value in
             (("project", project), ("domain", domain), ("execution", execution), ("node", node_id))]  # fmt: skip
    return "/".join(["executions", *parts, str(attempt)])


def index_key(sha256: str, suffix: str) -> str:
    """An index built from a file's content (`.fai`, `.bai`): keyed by the content's hash, so
    it is built once per content and never stale; outside every project's folder."""
    if re.fullmatch(r"[0-9a-f]{64}", sha256) is None or re.fullmatch(r"[a-z]{2,8}", suffix) is None:
        raise InvalidArgument(f"no index {suffix!r} for content {sha256[:70]!r}")
    return f"indexes/{sha256}.{suffix}"

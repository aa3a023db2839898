"""Where things go in the store. Every key is built here, and every key a client can
influence is checked here."""

from __future__ import annotations

import re

from latchlike.errors import InvalidArgument

_SAFE_PART = re.compile(r"^[A-Za-z0-9._-]+\Z")  # \Z: `$` would also accept a trailing newline


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


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or any(not _SAFE_PART.match(part) or part in (".", "..") for part in parts):
        raise InvalidArgument(f"{key!r} is not a valid store key")
    return key


def is_valid_key(key: str) -> bool:
    try:
        check_key(key)
    except InvalidArgument:
        return False
    return True


def _part(name: str, value: str) -> str:
    if not _SAFE_PART.match(value) or value in (".", ".."):
        raise InvalidArgument(f"{name} {value!r} may use only letters, digits, '.', '_' and '-' (no slashes or '..')")
    return value


def attempt_prefix(project: str, domain: str, execution: str, node_id: str, attempt: int) -> str:
    """Where one attempt of a node keeps inputs.pb, outputs.pb or error.pb, raw data and checkpoints."""
    parts = [_part(name, value) for name, value in
             (("project", project), ("domain", domain), ("execution", execution), ("node", node_id))]  # fmt: skip
    return "/".join(["executions", *parts, str(attempt)])

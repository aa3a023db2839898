"""Where a client command finds its API token, and how it keeps the secret on disk.

A token is a password: it comes from `--token`, else `LATCHLIKE_TOKEN`, else a file (the
`--token-file` / `LATCHLIKE_TOKEN_FILE` given, else `~/.config/latchlike/token` if it
exists). Secrets are written only to files nobody else may read (0600 in a 0700 folder),
never printed.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["config_dir", "resolve_token", "write_private"]


def config_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "latchlike"


def resolve_token(given: str | None = None, token_file: str | None = None) -> str | None:
    """The token to send, or None (the server then answers 401 if it needs one)."""
    if given:
        return given.strip()
    if os.environ.get("LATCHLIKE_TOKEN"):
        return os.environ["LATCHLIKE_TOKEN"].strip()
    named = token_file or os.environ.get("LATCHLIKE_TOKEN_FILE")
    path = Path(named).expanduser() if named else config_dir() / "token"
    if not named and not path.is_file():
        return None
    return path.read_text().strip() or None


def write_private(path: Path, text: str) -> Path:
    """`text` in `path`, readable by its owner only, created so from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
    return path

"""Keeps secrets that travel in URL paths out of the access log: an invitation's one-time
token (`/invite/<token>`) is a password until it is used, and logs are read by more people,
for longer, than the link was meant for."""

from __future__ import annotations

import logging
import re

__all__ = ["RedactSecretPaths"]

_SECRET_PATHS = re.compile(r"(/invite/)[^/?#\s]+")


class RedactSecretPaths(logging.Filter):
    """A filter for uvicorn's access logger, whose records carry the path as an argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_SECRET_PATHS.sub(r"\1…", arg) if isinstance(arg, str) else arg for arg in record.args)
        return True

"""How registered entities are named: plain values, no protobuf."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from latchlike.errors import InvalidArgument

MAX_ID_PART = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_id_part(label: str, part: str, value: str) -> None:
    """The one check every id part passes, wherever it came from (URL, form, gRPC): at most
    MAX_ID_PART characters, encodable, no control characters (PostgreSQL refuses NUL)."""
    if len(value) > MAX_ID_PART:
        raise InvalidArgument(f"{label} {part} is longer than {MAX_ID_PART} characters")
    if _CONTROL.search(value) or (not value.isascii() and not _encodable(value)):
        raise InvalidArgument(f"{label} {part} {value[:80]!r} may not contain control characters or lone surrogates")


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


class ResourceKind(IntEnum):
    """Numbered as flyteidl's ResourceType so conversion is a cast."""

    TASK = 1
    WORKFLOW = 2
    LAUNCH_PLAN = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True, order=True)
class NamedEntityKey:
    """All versions of one task, workflow or launch plan."""

    kind: ResourceKind
    project: str
    domain: str
    name: str

    def __post_init__(self) -> None:
        for part in ("project", "domain", "name"):
            check_id_part(self.kind.label, part, getattr(self, part))

    def __str__(self) -> str:
        return f"{self.kind.label} {self.project}/{self.domain}/{self.name}"


@dataclass(frozen=True, order=True)
class EntityId:
    kind: ResourceKind
    project: str
    domain: str
    name: str
    version: str

    def __post_init__(self) -> None:
        for part in ("project", "domain", "name", "version"):
            check_id_part(self.kind.label, part, getattr(self, part))

    @property
    def key(self) -> NamedEntityKey:
        return NamedEntityKey(self.kind, self.project, self.domain, self.name)

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"

    def validate(self) -> None:
        """Every part present (the parts' content is checked on construction)."""
        for part in ("project", "domain", "name", "version"):
            if not getattr(self, part):
                raise InvalidArgument(f"{self.kind.label} identifier is missing its {part}")

"""How registered entities are named: plain values, no protobuf."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from latchlike.errors import InvalidArgument

MAX_ID_PART = 255


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

    def __str__(self) -> str:
        return f"{self.kind.label} {self.project}/{self.domain}/{self.name}"


@dataclass(frozen=True, order=True)
class EntityId:
    kind: ResourceKind
    project: str
    domain: str
    name: str
    version: str

    @property
    def key(self) -> NamedEntityKey:
        return NamedEntityKey(self.kind, self.project, self.domain, self.name)

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"

    def validate(self) -> None:
        """Every part present and of sane length; the message names the part."""
        for part in ("project", "domain", "name", "version"):
            value = getattr(self, part)
            if not value:
                raise InvalidArgument(f"{self.kind.label} identifier is missing its {part}")
            if len(value) > MAX_ID_PART:
                raise InvalidArgument(f"{self.kind.label} {part} is longer than {MAX_ID_PART} characters")

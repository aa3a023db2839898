"""The three roles of a workspace member, ordered: each allows what the ones below it do."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    VIEWER = "viewer"  # reads everything of the workspace
    MEMBER = "member"  # also uploads, launches, registers
    ADMIN = "admin"  # also manages members, tokens of others, trigger rules

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named `text`, or ValueError listing the roles there are."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown role {text!r}: one of {', '.join(r.value for r in cls)}") from None


_RANKS = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2}

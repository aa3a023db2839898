"""What a workflow's page says about it from its Latch-style metadata: author, links,
license, tags, and notes on the keys latchlike reads but does not act on.

Links come from the workflow's author, so only what `ui_gen.links.safe_href` allows
becomes a live link: a `javascript:` (or any other non-http(s)) URL is shown as text.
"""

from __future__ import annotations

from pydantic import BaseModel

from ui_gen.links import safe_href
from ui_gen.schema import InterfaceSpec
from ui_gen.unions import ambiguous_unions

_LINKS = (
    ("documentation", "Documentation"),
    ("repository", "Repository"),
    ("wiki_url", "Wiki"),
    ("video_tutorial", "Video tutorial"),
)


class Link(BaseModel):
    label: str
    url: str
    href: str | None
    """The URL when it may be followed (http or https), else None."""


class About(BaseModel):
    display_name: str
    author: str
    author_email: str
    author_github: Link | None
    links: list[Link]
    license: str
    tags: list[str]
    notes: list[str]
    """`where: key = value (why)` for each metadata key latchlike ignores."""
    warnings: list[str] = []
    """Inputs flytekit cannot read back as given (see `ui_gen.unions`)."""


def about(interface: InterfaceSpec) -> About:
    meta = interface.metadata
    notes = [f"workflow: {note}" for note in meta.notes()]
    notes += [f"parameter {p.name}: {note}" for p in interface.inputs for note in p.metadata.notes()]
    return About(
        display_name=meta.display_name,
        author=meta.author.name,
        author_email=meta.author.email,
        author_github=link("GitHub", meta.author.github) if meta.author.github else None,
        links=[link(label, url) for key, label in _LINKS if (url := getattr(meta, key))],
        license=meta.license,
        tags=list(meta.tags),
        notes=notes,
        warnings=ambiguous_unions(interface),
    )


def link(label: str, url: str) -> Link:
    return Link(label=label, url=url, href=safe_href(url))

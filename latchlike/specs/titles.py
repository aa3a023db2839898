"""A registered workflow's title and tags as people read them, from its stored spec:
the docstring's metadata `display_name`, else the function's name in words."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from flyteidl.admin import workflow_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.tables import EntityRow
from ui_gen.errors import FormSpecError
from ui_gen.metadata import WorkflowMetadata, workflow_metadata
from ui_gen.names import workflow_title


@lru_cache(maxsize=4096)
def title_and_tags(name: str, spec: bytes) -> tuple[str, tuple[str, ...]]:
    """Parsed once per registered version (specs are immutable): YAML is slow for long lists."""
    long_description = workflow_pb2.WorkflowSpec.FromString(spec).description.long_description.value
    try:
        _, metadata = workflow_metadata(long_description)
    except FormSpecError:  # registration refuses these; a title is still owed
        metadata = WorkflowMetadata()
    return workflow_title(metadata, name), metadata.tags


def workflow_titles(session: Session, workflows: Collection[EntityId]) -> dict[EntityId, str]:
    """The titles of many workflow versions in one query (a list page's rows, say). A version
    not found (deleted under the listing) is titled from its name, so the list still shows."""
    if not workflows:
        return {}
    rows = session.execute(
        select(EntityRow.project, EntityRow.domain, EntityRow.name, EntityRow.version, EntityRow.spec).where(
            EntityRow.kind == ResourceKind.WORKFLOW,
            EntityRow.name.in_({w.name for w in workflows}),
            EntityRow.version.in_({w.version for w in workflows}),
        )
    )
    specs = {EntityId(ResourceKind.WORKFLOW, *row[:4]): row.spec for row in rows}
    return {
        w: title_and_tags(w.name, specs[w])[0] if w in specs else workflow_title(WorkflowMetadata(), w.name)
        for w in workflows
    }

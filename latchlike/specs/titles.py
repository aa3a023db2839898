"""A registered workflow's title and tags as people read them, from its stored spec:
the docstring's metadata `display_name`, else the function's name in words."""

from __future__ import annotations

from functools import lru_cache

from flyteidl.admin import workflow_pb2

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

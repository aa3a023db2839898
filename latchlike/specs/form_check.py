"""Registration refuses a workflow that cannot be offered as a form (a type with no widget,
`__metadata__` naming a parameter the signature lacks) and keeps the source hints the
form needs later, since the protos lose signature and field order."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from flyteidl.admin import workflow_pb2

from latchlike.errors import InvalidArgument
from latchlike.specs.ids import EntityId
from latchlike.specs.sources import bundle_sources, bundle_uri, split_workflow_name
from latchlike.store import FileStore
from ui_gen.adapters.flyteidl import interface_spec
from ui_gen.errors import FormSpecError
from ui_gen.form import build_form
from ui_gen.source import SourceHints, source_hints
from ui_gen.unions import ambiguous_unions

log = logging.getLogger(__name__)


def checked_hints(
    workflow_id: EntityId,
    closure: workflow_pb2.WorkflowClosure,
    spec: workflow_pb2.WorkflowSpec,
    *,
    store: FileStore | None,
    sources: Mapping[str, str] | None,
) -> str | None:
    """The hints as JSON (None without sources); raises InvalidArgument naming the problem."""
    compiled = closure.compiled_workflow
    if sources is None and store is not None:
        uri = bundle_uri(task.template for task in compiled.tasks)
        sources = bundle_sources(store, uri) if uri else None
    module, function = split_workflow_name(workflow_id.name)
    try:
        hints = source_hints(sources, module, function) if sources else None
        interface = interface_spec(
            compiled.primary.template.interface,
            long_description=spec.description.long_description.value,
            hints=hints,
        )
        build_form(interface, title=workflow_id.name)
    except FormSpecError as error:
        raise InvalidArgument(
            f"{workflow_id} cannot be offered as a form: {error}. Its tasks were registered; the workflow"
            " and its launch plan were not."
        ) from None
    for warning in ambiguous_unions(interface):
        log.warning("%s registered, but input %s", workflow_id, warning)
    return json.dumps(hints.to_json()) if hints else None


def load_hints(stored: str | None) -> SourceHints | None:
    return SourceHints.from_json(json.loads(stored)) if stored else None

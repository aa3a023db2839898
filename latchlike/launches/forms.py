"""The launch form of a registered workflow version: its interface (with the launch
plan's defaults and the source hints kept at registration), the form, and its validator.

Registered versions are immutable, so each is built once and cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from flyteidl.admin import launch_plan_pb2, workflow_pb2
from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.options import ExecutionOptions, spec_options
from latchlike.executions.views import WorkflowParts, workflow_parts
from latchlike.specs.form_check import load_hints
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery
from latchlike.specs.service import StoredEntity, get_entity, list_entities
from ui_gen.adapters.flyteidl import interface_spec
from ui_gen.adapters.literals import literal_to_value, to_literal_map
from ui_gen.adapters.previews import literal_preview
from ui_gen.form import Form, build_form
from ui_gen.names import humanise
from ui_gen.schema import InterfaceSpec, member_defaults
from ui_gen.validate import FormValidator

CACHE_SIZE = 256


@dataclass(frozen=True)
class LaunchForm:
    workflow: EntityId
    launch_plan: EntityId
    interface: InterfaceSpec
    form: Form
    validator: FormValidator
    literal_types: dict[str, types_pb2.LiteralType]
    fixed_inputs: literals_pb2.LiteralMap
    """The launch plan's fixed inputs: not in the form, shown read-only, added on the server."""
    options: ExecutionOptions
    parts: WorkflowParts
    """What a launch's answer shows of the workflow: built with the form, not per launch."""

    @property
    def fixed_previews(self) -> dict[str, str]:
        return {name: literal_preview(self.fixed_inputs.literals[name]) for name in sorted(self.fixed_inputs.literals)}

    def defaults(self) -> dict[str, Any]:
        """What a fresh form shows: declared defaults, and a required record's member defaults."""
        values = {p.name: p.default for p in self.interface.inputs if not p.required}
        for p in self.interface.inputs:
            if p.required and p.type.kind == "struct":
                values[p.name] = member_defaults(p.type)
        return values

    def values_of(self, inputs: literals_pb2.LiteralMap) -> dict[str, Any]:
        """A previous execution's inputs, as values to prefill the form with."""
        kinds = {p.name: p.type for p in self.interface.inputs}
        literals = inputs.literals
        return {name: literal_to_value(literal, kinds[name]) for name, literal in literals.items() if name in kinds}

    def literal_map(self, values: dict[str, Any]) -> literals_pb2.LiteralMap:
        """The validated values with the launch plan's fixed inputs: what the workflow gets."""
        kinds = {p.name: p.type for p in self.interface.inputs}
        given = to_literal_map(values, {name: (self.literal_types[name], kinds[name]) for name in values})
        for name, literal in self.fixed_inputs.literals.items():
            given.literals[name].CopyFrom(literal)
        return given


_CacheKey = tuple[EntityId, str, str | None, EntityId, str]
_cache: OrderedDict[_CacheKey, LaunchForm] = OrderedDict()
_cache_lock = Lock()


def launch_form(
    session: Session, key: NamedEntityKey, version: str | None = None, launch_plan_name: str | None = None
) -> LaunchForm:
    """With the workflow's default launch plan (named after it), or `launch_plan_name`,
    another launch plan of the same version that runs this workflow."""
    workflow = _workflow(session, key, version)
    name = launch_plan_name or key.name
    launch_plan_id = EntityId(ResourceKind.LAUNCH_PLAN, key.project, key.domain, name, workflow.id.version)
    try:
        launch_plan = get_entity(session, launch_plan_id)
    except NotFound:
        raise NotFound(f"{key} version {workflow.id.version} has no launch plan {name} to launch it with") from None
    runs = launch_plan_pb2.LaunchPlanSpec.FromString(launch_plan.spec).workflow_id.name
    if runs != key.name:
        raise InvalidArgument(f"launch plan {name} runs {runs}, not {key.name}")
    # Digests, not only ids: another database may hold different specs under the same ids.
    cache_key = (workflow.id, workflow.digest, workflow.form_hints, launch_plan.id, launch_plan.digest)
    with _cache_lock:
        if cache_key in _cache:
            _cache.move_to_end(cache_key)
            return _cache[cache_key]
    built = _build(workflow, launch_plan)
    with _cache_lock:
        _cache[cache_key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def _workflow(session: Session, key: NamedEntityKey, version: str | None) -> StoredEntity:
    if version:
        return get_entity(session, EntityId(ResourceKind.WORKFLOW, key.project, key.domain, key.name, version))
    newest = list_entities(
        session, kind=ResourceKind.WORKFLOW, project=key.project, domain=key.domain, name=key.name,
        query=ListQuery(limit=1),
    ).items  # fmt: skip
    if not newest:
        raise NotFound(f"{key} is not registered")
    return newest[0]


def _build(workflow: StoredEntity, launch_plan: StoredEntity) -> LaunchForm:
    compiled = workflow_pb2.WorkflowClosure.FromString(workflow.compiled).compiled_workflow
    spec = workflow_pb2.WorkflowSpec.FromString(workflow.spec)
    defaults = launch_plan_pb2.LaunchPlanClosure.FromString(launch_plan.compiled).expected_inputs
    plan_spec = launch_plan_pb2.LaunchPlanSpec.FromString(launch_plan.spec)
    variables = compiled.primary.template.interface.inputs.variables
    asked = interface_pb2.TypedInterface()
    asked.CopyFrom(compiled.primary.template.interface)
    for fixed in plan_spec.fixed_inputs.literals:
        del asked.inputs.variables[fixed]
    interface = interface_spec(
        asked,
        defaults,
        long_description=spec.description.long_description.value,
        hints=load_hints(workflow.form_hints),
    )
    form = build_form(interface, title=humanise(workflow.id.name))
    return LaunchForm(
        workflow=workflow.id,
        launch_plan=launch_plan.id,
        interface=interface,
        form=form,
        validator=FormValidator(form),
        literal_types={name: variables[name].type for name in variables},
        fixed_inputs=plan_spec.fixed_inputs,
        options=spec_options(plan_spec),
        parts=workflow_parts(workflow),
    )

"""The registry's rules, on real flytekit-serialized specs and the test run's real database."""

from __future__ import annotations

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

from latchlike.errors import AlreadyExists, Conflict, InvalidArgument, NotFound
from latchlike.platform import Platform
from latchlike.specs import service
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import EntityId, NamedEntityKey, ResourceKind
from latchlike.specs.listing import ListQuery, parse_query
from latchlike.specs.projects import register_project
from tests.samples import SerializedSample


def register_all(platform: Platform, sample: SerializedSample) -> None:
    with platform.db.session() as session:
        for task in sample.tasks:
            service.register_task(session, task_id=entity_id(task.template.id, ResourceKind.TASK), spec=task)
        for wf in sample.workflows:
            service.register_workflow(session, workflow_id=entity_id(wf.template.id, ResourceKind.WORKFLOW), spec=wf)
        for lp in sample.launch_plans:
            service.register_launch_plan(
                session, launch_plan_id=entity_id(lp.id, ResourceKind.LAUNCH_PLAN), spec=lp.spec
            )


def workflow_id(sample: SerializedSample) -> EntityId:
    return entity_id(sample.workflows[0].template.id, ResourceKind.WORKFLOW)


def test_workflow_closure_holds_every_referenced_task(platform: Platform, sample: SerializedSample) -> None:
    register_all(platform, sample)
    with platform.db.session() as session:
        stored = service.get_entity(session, workflow_id(sample))
    closure = workflow_pb2.WorkflowClosure.FromString(stored.compiled).compiled_workflow
    assert {t.template.id.name for t in closure.tasks} == {"sample.reads.count_reads", "sample.reads.summarize"}
    assert closure.primary.template.id.name == "sample.reads.qc_reads"
    summarize_node = next(n.id for n in closure.primary.template.nodes if "summarize" in n.task_node.reference_id.name)
    count_node = next(n.id for n in closure.primary.template.nodes if "count_reads" in n.task_node.reference_id.name)
    assert list(closure.primary.connections.upstream[summarize_node].ids) == [count_node]
    assert stored.short_description == "Count good reads in a FASTQ file and summarize."


def test_identical_registration_already_exists_and_changed_spec_conflicts(
    platform: Platform, sample: SerializedSample
) -> None:
    register_all(platform, sample)
    task = sample.tasks[0]
    task_id = entity_id(task.template.id, ResourceKind.TASK)
    with pytest.raises(AlreadyExists), platform.db.session() as session:
        service.register_task(session, task_id=task_id, spec=task)

    changed = task_pb2.TaskSpec()
    changed.CopyFrom(task)
    changed.template.metadata.retries.retries += 5
    conflict = pytest.raises(Conflict, match=rf"{task_id.name}.*{task_id.version}.*different spec")
    with conflict, platform.db.session() as session:
        service.register_task(session, task_id=task_id, spec=changed)
    with platform.db.session() as session:
        kept = task_pb2.TaskClosure.FromString(service.get_entity(session, task_id).compiled)
    assert kept.compiled_task.template.metadata.retries.retries == task.template.metadata.retries.retries


def test_workflow_referencing_unknown_task_is_rejected(platform: Platform, sample: SerializedSample) -> None:
    wf = sample.workflows[0]
    rejected = pytest.raises(InvalidArgument, match=r"sample\.reads\.count_reads.*not registered")
    with rejected, platform.db.session() as session:
        service.register_workflow(session, workflow_id=entity_id(wf.template.id, ResourceKind.WORKFLOW), spec=wf)
    with platform.db.session() as session, pytest.raises(NotFound):
        service.get_entity(session, workflow_id(sample))


def test_launch_plan_for_unknown_workflow_is_rejected(platform: Platform, sample: SerializedSample) -> None:
    lp = sample.launch_plans[0]
    with pytest.raises(InvalidArgument, match="is for workflow"), platform.db.session() as session:
        service.register_launch_plan(session, launch_plan_id=entity_id(lp.id, ResourceKind.LAUNCH_PLAN), spec=lp.spec)


def test_unknown_project_or_domain_is_rejected(platform: Platform, sample: SerializedSample) -> None:
    task = sample.tasks[0]
    elsewhere = EntityId(ResourceKind.TASK, "nowhere", "development", task.template.id.name, "v1")
    with pytest.raises(InvalidArgument, match="project 'nowhere' does not exist"), platform.db.session() as session:
        service.register_task(session, task_id=elsewhere, spec=task)
    odd_domain = EntityId(ResourceKind.TASK, "flytesnacks", "qa", task.template.id.name, "v1")
    with pytest.raises(InvalidArgument, match="domain 'qa' does not exist"), platform.db.session() as session:
        service.register_task(session, task_id=odd_domain, spec=task)


def test_launch_plan_expected_inputs_and_activation(platform: Platform, sample: SerializedSample) -> None:
    register_all(platform, sample)
    lp = sample.launch_plans[0]
    lp_id = entity_id(lp.id, ResourceKind.LAUNCH_PLAN)
    with platform.db.session() as session:
        stored = service.get_entity(session, lp_id)
    closure = launch_plan_pb2.LaunchPlanClosure.FromString(stored.compiled)
    assert closure.expected_inputs.parameters["reads"].required
    assert closure.expected_inputs.parameters["ratio"].default.scalar.primitive.float_value == 0.5
    assert stored.state == service.INACTIVE

    second = EntityId(lp_id.kind, lp_id.project, lp_id.domain, lp_id.name, "v2")
    with platform.db.session() as session:
        service.register_launch_plan(session, launch_plan_id=second, spec=lp.spec)
        service.set_launch_plan_state(session, launch_plan_id=lp_id, state=service.ACTIVE)
    with platform.db.session() as session:
        service.set_launch_plan_state(session, launch_plan_id=second, state=service.ACTIVE)
    with platform.db.session() as session:
        active = service.get_active_launch_plan(session, lp_id.key)
        assert active.id.version == "v2"
        assert service.get_entity(session, lp_id).state == service.INACTIVE


def test_listing_pages_filters_and_sorts(platform: Platform, sample: SerializedSample) -> None:
    task = sample.tasks[0]
    name = task.template.id.name
    with platform.db.session() as session:
        for version in ("a", "b", "c"):
            service.register_task(
                session, task_id=EntityId(ResourceKind.TASK, "flytesnacks", "development", name, version), spec=task
            )

    def versions(query: ListQuery) -> tuple[list[str], str]:
        with platform.db.session() as session:
            page = service.list_entities(
                session, kind=ResourceKind.TASK, project="flytesnacks", domain="development", name=name, query=query
            )
        return [item.id.version for item in page.items], page.token

    assert versions(parse_query(filters="", sort_key="", descending=True, limit=2, token="")) == (["c", "b"], "2")
    assert versions(parse_query(filters="", sort_key="", descending=True, limit=2, token="2")) == (["a"], "")
    assert versions(parse_query(filters="eq(version,b)", sort_key="", descending=True, limit=10, token="")) == (
        ["b"],
        "",
    )
    assert versions(
        parse_query(filters="value_in(version,a;c)", sort_key="version", descending=False, limit=10, token="")
    )[0] == ["a", "c"]
    with pytest.raises(InvalidArgument, match="cannot filter or sort on 'color'"):
        versions(parse_query(filters="eq(color,red)", sort_key="", descending=True, limit=10, token=""))
    with pytest.raises(InvalidArgument, match="cannot read filter"):
        parse_query(filters="version=b", sort_key="", descending=True, limit=10, token="")
    with pytest.raises(InvalidArgument, match="page token"):
        parse_query(filters="", sort_key="", descending=True, limit=10, token="abc")


def test_named_entities_show_the_newest_version(platform: Platform, sample: SerializedSample) -> None:
    register_all(platform, sample)
    with platform.db.session() as session:
        register_project(session, project_id="lab", name="Lab", description="")
        named, token = service.list_named_entities(
            session, kind=ResourceKind.WORKFLOW, project="flytesnacks", domain="development", query=ListQuery()
        )
    assert [(n.key, n.latest_version) for n in named] == [
        (NamedEntityKey(ResourceKind.WORKFLOW, "flytesnacks", "development", "sample.reads.qc_reads"), "v1")
    ]
    assert token == ""


def test_upstream_order_and_description_do_not_make_a_different_version(
    platform: Platform, sample: SerializedSample
) -> None:
    """flytekit lists upstream ids in set order (per-process hash seed) and `pyflyte run`
    regenerates documentation each time: neither is a change of the workflow."""

    def variant(upstream: list[str], docs: str) -> workflow_pb2.WorkflowSpec:
        spec = workflow_pb2.WorkflowSpec()
        spec.CopyFrom(sample.workflows[0])
        node = next(n for n in spec.template.nodes if n.upstream_node_ids)
        del node.upstream_node_ids[:]
        node.upstream_node_ids.extend(upstream)
        spec.description.long_description.value = docs
        return spec

    with platform.db.session() as session:
        for task in sample.tasks:
            service.register_task(session, task_id=entity_id(task.template.id, ResourceKind.TASK), spec=task)
        service.register_workflow(
            session, workflow_id=workflow_id(sample), spec=variant(["start-node", "n0"], "first run")
        )
    with platform.db.session() as session, pytest.raises(AlreadyExists):
        service.register_workflow(
            session, workflow_id=workflow_id(sample), spec=variant(["n0", "start-node"], "second run")
        )


def test_registering_a_project_that_exists_is_refused(platform: Platform) -> None:
    with platform.db.session() as session:
        register_project(session, project_id="lab", name="Lab", description="")
    with platform.db.session() as session, pytest.raises(AlreadyExists, match="'lab' already exists"):
        register_project(session, project_id="lab", name="Lab again", description="")

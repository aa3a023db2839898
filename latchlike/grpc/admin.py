"""AdminService: registration and reading of tasks, workflows, launch plans, projects.

Each handler converts the request, calls one service function in a worker thread (the
database is synchronous) and converts the answer. Errors are translated by
`status.ErrorStatusInterceptor`, not here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeAlias, TypeVar

from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    node_execution_pb2,
    project_pb2,
    task_execution_pb2,
    task_pb2,
    workflow_pb2,
)
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc
from grpc import aio
from sqlalchemy.orm import Session

from latchlike.accounts.access import home_workspace, visible_projects
from latchlike.db import Database
from latchlike.downloads.data import attempt_deck_key, flyte_urls
from latchlike.downloads.links import DownloadLinks
from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions import dynamic, launching, nodes
from latchlike.executions import service as executions
from latchlike.executions.options import spec_options
from latchlike.executions.service import ExecutionKey, NodeAttempt
from latchlike.executions.tables import ExecutionRow
from latchlike.grpc import convert
from latchlike.grpc import nodes as node_messages
from latchlike.grpc.guard import caller
from latchlike.launches.queue import LaunchQueue, Memo
from latchlike.specs import projects, service
from latchlike.specs.compiler import entity_id
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.single_task import ensure_task_launch_plan
from latchlike.store import FileStore

T = TypeVar("T")
Context: TypeAlias = aio.ServicerContext


class AdminServicer(admin_pb2_grpc.AdminServiceServicer):  # type: ignore[misc]
    def __init__(
        self,
        db: Database,
        store: FileStore,
        links: DownloadLinks,
        public_url: str = "",
        launches: LaunchQueue | None = None,
    ) -> None:
        """`public_url`: the web server's, which log links point at."""
        self._db = db
        self._launches = launches or LaunchQueue(db)
        self._store = store
        self._links = links  # literals leave with signed links to their files, come back without
        self._public_url = public_url

    async def _run(self, work: Callable[[Session], T]) -> T:
        return await self._db.run(work)

    # Tasks

    async def CreateTask(self, request: task_pb2.TaskCreateRequest, context: Context) -> task_pb2.TaskCreateResponse:
        task_id, by = entity_id(request.id, ResourceKind.TASK), caller().name
        await self._run(lambda s: service.register_task(s, task_id=task_id, spec=request.spec, registered_by=by))
        return task_pb2.TaskCreateResponse()

    async def GetTask(self, request: common_pb2.ObjectGetRequest, context: Context) -> task_pb2.Task:
        task_id = entity_id(request.id, ResourceKind.TASK)
        return convert.task(await self._run(lambda s: service.get_entity(s, task_id)))

    async def ListTasks(self, request: common_pb2.ResourceListRequest, context: Context) -> task_pb2.TaskList:
        page = await self._list(request, ResourceKind.TASK)
        return task_pb2.TaskList(tasks=[convert.task(item) for item in page.items], token=page.token)

    # Workflows

    async def CreateWorkflow(
        self, request: workflow_pb2.WorkflowCreateRequest, context: Context
    ) -> workflow_pb2.WorkflowCreateResponse:
        workflow_id, by = entity_id(request.id, ResourceKind.WORKFLOW), caller().name
        await self._run(
            lambda s: service.register_workflow(
                s, workflow_id=workflow_id, spec=request.spec, store=self._store, registered_by=by
            )
        )
        return workflow_pb2.WorkflowCreateResponse()

    async def GetWorkflow(self, request: common_pb2.ObjectGetRequest, context: Context) -> workflow_pb2.Workflow:
        workflow_id = entity_id(request.id, ResourceKind.WORKFLOW)
        return convert.workflow(await self._run(lambda s: service.get_entity(s, workflow_id)))

    async def ListWorkflows(
        self, request: common_pb2.ResourceListRequest, context: Context
    ) -> workflow_pb2.WorkflowList:
        page = await self._list(request, ResourceKind.WORKFLOW)
        return workflow_pb2.WorkflowList(workflows=[convert.workflow(item) for item in page.items], token=page.token)

    # Launch plans

    async def CreateLaunchPlan(
        self, request: launch_plan_pb2.LaunchPlanCreateRequest, context: Context
    ) -> launch_plan_pb2.LaunchPlanCreateResponse:
        launch_plan_id, by = entity_id(request.id, ResourceKind.LAUNCH_PLAN), caller().name
        await self._run(
            lambda s: service.register_launch_plan(
                s, launch_plan_id=launch_plan_id, spec=request.spec, registered_by=by
            )
        )
        return launch_plan_pb2.LaunchPlanCreateResponse()

    async def GetLaunchPlan(self, request: common_pb2.ObjectGetRequest, context: Context) -> launch_plan_pb2.LaunchPlan:
        launch_plan_id = entity_id(request.id, ResourceKind.LAUNCH_PLAN)
        return convert.launch_plan(await self._run(lambda s: service.get_entity(s, launch_plan_id)))

    async def ListLaunchPlans(
        self, request: common_pb2.ResourceListRequest, context: Context
    ) -> launch_plan_pb2.LaunchPlanList:
        page = await self._list(request, ResourceKind.LAUNCH_PLAN)
        return launch_plan_pb2.LaunchPlanList(
            launch_plans=[convert.launch_plan(item) for item in page.items],
            token=page.token,
        )

    async def UpdateLaunchPlan(
        self, request: launch_plan_pb2.LaunchPlanUpdateRequest, context: Context
    ) -> launch_plan_pb2.LaunchPlanUpdateResponse:
        launch_plan_id = entity_id(request.id, ResourceKind.LAUNCH_PLAN)
        await self._run(lambda s: service.set_launch_plan_state(s, launch_plan_id=launch_plan_id, state=request.state))
        return launch_plan_pb2.LaunchPlanUpdateResponse()

    async def GetActiveLaunchPlan(
        self, request: launch_plan_pb2.ActiveLaunchPlanRequest, context: Context
    ) -> launch_plan_pb2.LaunchPlan:
        key = convert.named_key(request.id, ResourceKind.LAUNCH_PLAN)
        return convert.launch_plan(await self._run(lambda s: service.get_active_launch_plan(s, key)))

    # Named entities

    async def ListNamedEntities(
        self, request: common_pb2.NamedEntityListRequest, context: Context
    ) -> common_pb2.NamedEntityList:
        kind = _kind(request.resource_type)
        query = convert.list_query(request)
        named, token = await self._run(
            lambda s: service.list_named_entities(
                s,
                kind=kind,
                project=request.project,
                domain=request.domain,
                query=query,
            )
        )
        return common_pb2.NamedEntityList(entities=[convert.named_entity(item) for item in named], token=token)

    # Projects and domains

    async def RegisterProject(
        self, request: project_pb2.ProjectRegisterRequest, context: Context
    ) -> project_pb2.ProjectRegisterResponse:
        value, workspace = request.project, home_workspace(caller())
        await self._run(
            lambda s: projects.register_project(
                s, project_id=value.id, name=value.name, description=value.description, workspace=workspace
            )
        )
        return project_pb2.ProjectRegisterResponse()

    async def ListProjects(self, request: project_pb2.ProjectListRequest, context: Context) -> project_pb2.Projects:
        principal = caller()
        found = await self._run(lambda s: projects.list_projects(s, visible_projects(s, principal)))
        return project_pb2.Projects(projects=[convert.project(item) for item in found])

    async def GetProject(self, request: project_pb2.ProjectGetRequest, context: Context) -> project_pb2.Project:
        return convert.project(await self._run(lambda s: projects.get_project(s, request.id)))

    async def GetDomains(
        self, request: project_pb2.GetDomainRequest, context: Context
    ) -> project_pb2.GetDomainsResponse:
        return project_pb2.GetDomainsResponse(domains=convert.domains())

    # Executions

    async def CreateExecution(
        self, request: execution_pb2.ExecutionCreateRequest, context: Context
    ) -> execution_pb2.ExecutionCreateResponse:
        target = request.spec.launch_plan
        if target.resource_type not in (identifier_pb2.ResourceType.LAUNCH_PLAN, identifier_pb2.ResourceType.TASK):
            raise InvalidArgument("an execution runs a launch plan or a single task")
        target_id = EntityId(
            ResourceKind(target.resource_type),
            target.project or request.project,
            target.domain or request.domain,
            target.name,
            target.version,
        )
        inputs = self._links.incoming(request.inputs if request.HasField("inputs") else request.spec.inputs)
        principal = caller()
        if target_id.kind is ResourceKind.TASK:  # its generated launch plan is written first, on its own
            target_id = await self._run(lambda s: _launch_plan_of(s, target_id))

        def prepare(s: Session, _: Memo) -> tuple[ExecutionRow, ExecutionKey]:
            row = launching.literal_launch(
                s,
                launch_plan=target_id,
                inputs=inputs,
                store=self._store,
                name=request.name,
                options=spec_options(request.spec),
                launched_by=principal.name,  # never the request's own `metadata.principal`
            )
            return row, ExecutionKey(row.project, row.domain, row.name)

        key = await self._launches.launch(prepare)
        return execution_pb2.ExecutionCreateResponse(id=convert.execution_identifier(key))

    async def RelaunchExecution(
        self, request: execution_pb2.ExecutionRelaunchRequest, context: Context
    ) -> execution_pb2.ExecutionCreateResponse:
        key, by = convert.execution_key(request.id), caller().name
        new = await self._run(
            lambda s: launching.relaunch(s, key, store=self._store, name=request.name, launched_by=by)
        )
        return execution_pb2.ExecutionCreateResponse(id=convert.execution_identifier(new))

    async def GetExecution(
        self, request: execution_pb2.WorkflowExecutionGetRequest, context: Context
    ) -> execution_pb2.Execution:
        key = convert.execution_key(request.id)
        return convert.execution(await self._run(lambda s: executions.get_execution(s, key)))

    async def GetExecutionData(
        self, request: execution_pb2.WorkflowExecutionGetDataRequest, context: Context
    ) -> execution_pb2.WorkflowExecutionGetDataResponse:
        key = convert.execution_key(request.id)
        found = await self._run(lambda s: executions.get_execution(s, key))
        response = execution_pb2.WorkflowExecutionGetDataResponse(full_inputs=self._links.outgoing(found.inputs))
        if found.outputs is not None:
            response.full_outputs.CopyFrom(self._links.outgoing(found.outputs))
        return response

    async def ListExecutions(
        self, request: common_pb2.ResourceListRequest, context: Context
    ) -> execution_pb2.ExecutionList:
        query = convert.list_query(request)
        project, domain = request.id.project, request.id.domain
        found, token = await self._run(
            lambda s: executions.list_executions_page(s, project=project, domain=domain, query=query)
        )
        return execution_pb2.ExecutionList(executions=[convert.execution(e) for e in found], token=token)

    async def TerminateExecution(
        self, request: execution_pb2.ExecutionTerminateRequest, context: Context
    ) -> execution_pb2.ExecutionTerminateResponse:
        key = convert.execution_key(request.id)
        await self._run(lambda s: launching.terminate(s, key, request.cause))
        return execution_pb2.ExecutionTerminateResponse()

    # Node and task executions: what FlyteRemote.wait (and `pyflyte run --remote --wait`) syncs.

    async def ListNodeExecutions(
        self, request: node_execution_pb2.NodeExecutionListRequest, context: Context
    ) -> node_execution_pb2.NodeExecutionList:
        key = convert.execution_key(request.workflow_execution_id)
        runs = await self._run(lambda s: nodes.node_runs(s, key, request.unique_parent_id or nodes.TOP_LEVEL))
        return node_execution_pb2.NodeExecutionList(node_executions=[node_messages.node_execution(r) for r in runs])

    async def GetNodeExecution(
        self, request: node_execution_pb2.NodeExecutionGetRequest, context: Context
    ) -> node_execution_pb2.NodeExecution:
        key = convert.execution_key(request.id.execution_id)
        return node_messages.node_execution(await self._run(lambda s: nodes.node_run(s, key, request.id.node_id)))

    async def GetNodeExecutionData(
        self, request: node_execution_pb2.NodeExecutionGetDataRequest, context: Context
    ) -> node_execution_pb2.NodeExecutionGetDataResponse:
        key = convert.execution_key(request.id.execution_id)
        run = await self._run(lambda s: nodes.node_run(s, key, request.id.node_id))
        inputs, outputs = await asyncio.to_thread(nodes.attempt_data, self._store, key, run.node_id, run.latest.attempt)
        deck = await asyncio.to_thread(self._store.exists, attempt_deck_key(key, run.node_id, run.latest.attempt))
        response = node_execution_pb2.NodeExecutionGetDataResponse(
            full_inputs=self._links.outgoing(inputs),
            full_outputs=outputs and self._links.outgoing(outputs),
            flyte_urls=common_pb2.FlyteURLs(**flyte_urls(key, run.node_id, deck=deck)),
        )
        workflow = await self._run(lambda s: dynamic.dynamic_workflow(s, self._store, run))
        if workflow is not None:  # FlyteRemote maps a dynamic node's children onto its workflow
            response.dynamic_workflow.CopyFrom(node_messages.dynamic_metadata(run, workflow))
        return response

    async def ListTaskExecutions(
        self, request: task_execution_pb2.TaskExecutionListRequest, context: Context
    ) -> task_execution_pb2.TaskExecutionList:
        key = convert.execution_key(request.node_execution_id.execution_id)
        run, items = await self._run(lambda s: nodes.node_run_with_items(s, key, request.node_execution_id.node_id))
        if run.task is None:  # a sub-workflow or branch node runs no task itself
            return task_execution_pb2.TaskExecutionList()
        return task_execution_pb2.TaskExecutionList(
            task_executions=[node_messages.task_execution(run, a, items, self._public_url) for a in run.attempts]
        )

    async def GetTaskExecution(
        self, request: task_execution_pb2.TaskExecutionGetRequest, context: Context
    ) -> task_execution_pb2.TaskExecution:
        run, attempt, items = await self._attempt(request.id)
        return node_messages.task_execution(run, attempt, items, self._public_url)

    async def GetTaskExecutionData(
        self, request: task_execution_pb2.TaskExecutionGetDataRequest, context: Context
    ) -> task_execution_pb2.TaskExecutionGetDataResponse:
        run, attempt, _ = await self._attempt(request.id)
        inputs, outputs = await asyncio.to_thread(
            nodes.attempt_data, self._store, run.execution.key, run.node_id, attempt.attempt
        )
        return task_execution_pb2.TaskExecutionGetDataResponse(
            full_inputs=self._links.outgoing(inputs),
            full_outputs=outputs and self._links.outgoing(outputs),
            flyte_urls=common_pb2.FlyteURLs(
                **flyte_urls(run.execution.key, run.node_id, attempt.attempt - 1, deck=False)
            ),
        )

    async def _attempt(
        self, task_execution: identifier_pb2.TaskExecutionIdentifier
    ) -> tuple[nodes.NodeRun, NodeAttempt, list[nodes.NodeRun]]:
        """The node, its attempt, and a map task's items."""
        key = convert.execution_key(task_execution.node_execution_id.execution_id)
        node_id = task_execution.node_execution_id.node_id
        run, items = await self._run(lambda s: nodes.node_run_with_items(s, key, node_id))
        wanted = task_execution.retry_attempt + 1
        attempt = next((a for a in run.attempts if a.attempt == wanted), None)
        if attempt is None:
            raise NotFound(f"node {run.node_id} of {key} has no attempt {task_execution.retry_attempt}")
        return run, attempt, items

    async def _list(self, request: common_pb2.ResourceListRequest, kind: ResourceKind) -> service.Page:
        query = convert.list_query(request)
        return await self._run(
            lambda s: service.list_entities(
                s,
                kind=kind,
                project=request.id.project,
                domain=request.id.domain,
                name=request.id.name,
                query=query,
            )
        )

    # Names only: `pyflyte` and FlyteRemote list what is registered (NamedEntityIdentifierList).

    async def ListTaskIds(
        self, request: common_pb2.NamedEntityIdentifierListRequest, context: Context
    ) -> common_pb2.NamedEntityIdentifierList:
        return await self._list_ids(request, ResourceKind.TASK)

    async def ListWorkflowIds(
        self, request: common_pb2.NamedEntityIdentifierListRequest, context: Context
    ) -> common_pb2.NamedEntityIdentifierList:
        return await self._list_ids(request, ResourceKind.WORKFLOW)

    async def ListLaunchPlanIds(
        self, request: common_pb2.NamedEntityIdentifierListRequest, context: Context
    ) -> common_pb2.NamedEntityIdentifierList:
        return await self._list_ids(request, ResourceKind.LAUNCH_PLAN)

    async def _list_ids(
        self, request: common_pb2.NamedEntityIdentifierListRequest, kind: ResourceKind
    ) -> common_pb2.NamedEntityIdentifierList:
        if not request.project or not request.domain:
            raise InvalidArgument(f"listing {kind.label} names needs a project and a domain")
        query = convert.list_query(request)
        named, token = await self._run(
            lambda s: service.list_named_entities(
                s, kind=kind, project=request.project, domain=request.domain, query=query
            )
        )
        ids = [common_pb2.NamedEntityIdentifier(project=n.key.project, domain=n.key.domain, name=n.key.name)
               for n in named]  # fmt: skip
        return common_pb2.NamedEntityIdentifierList(entities=ids, token=token)

    async def ListActiveLaunchPlans(
        self, request: launch_plan_pb2.ActiveLaunchPlanListRequest, context: Context
    ) -> launch_plan_pb2.LaunchPlanList:
        """`pyflyte get launchplan --active-only`: at most one version per name is active."""
        active = f"eq(state,{launch_plan_pb2.LaunchPlanState.ACTIVE})"
        listing = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=request.project, domain=request.domain),
            limit=request.limit,
            token=request.token,
            sort_by=request.sort_by,
            filters=active,
        )
        page = await self._list(listing, ResourceKind.LAUNCH_PLAN)
        return launch_plan_pb2.LaunchPlanList(
            launch_plans=[convert.launch_plan(item) for item in page.items], token=page.token
        )

    async def RecoverExecution(
        self, request: execution_pb2.ExecutionRecoverRequest, context: Context
    ) -> execution_pb2.ExecutionCreateResponse:
        key, by = convert.execution_key(request.id), caller().name
        new = await self._run(lambda s: launching.recover(s, key, store=self._store, name=request.name, launched_by=by))
        return execution_pb2.ExecutionCreateResponse(id=convert.execution_identifier(new))


def _launch_plan_of(session: Session, target: EntityId) -> EntityId:
    """A task runs as a one-node workflow through a generated launch plan, as on Flyte."""
    return ensure_task_launch_plan(session, target) if target.kind is ResourceKind.TASK else target


def _kind(resource_type: int) -> ResourceKind:
    try:
        return ResourceKind(resource_type)
    except ValueError:
        raise InvalidArgument(f"resource type {resource_type} is not a task, workflow or launch plan") from None

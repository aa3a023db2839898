"""Workspace secrets on a real database: stored sealed, listed by name only, refused at
launch when a task asks for one its workspace lacks, and handed to the task's process (the
local executor, cold and warm) the way flytekit's SecretsManager reads them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2, security_pb2, tasks_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from latchlike.accounts.secret_box import SecretBox
from latchlike.accounts.secret_tables import WorkspaceSecretRow
from latchlike.accounts.secrets import delete_secret, list_secrets, task_secrets
from latchlike.accounts.tables import DEFAULT_WORKSPACE
from latchlike.accounts.users import create_workspace
from latchlike.engine.executors.secrets import MountAs, SecretValue, TaskSecret, env_name, file_path, process_env
from latchlike.errors import InternalError, InvalidArgument, NotFound
from latchlike.executions.launching import launch_with_literals, literal_launch
from latchlike.executions.service import ExecutionKey, get_execution
from latchlike.executions.tables import ExecutionRow
from latchlike.launches.queue import Memo
from latchlike.platform import Platform
from latchlike.principal import LOCAL_PRINCIPAL
from latchlike.specs.ids import EntityId, ResourceKind
from latchlike.specs.projects import ensure_project
from tests.accounts.vault import CERT, TOKEN, digest, holds_secret, registered_vault, set_value, vault
from tests.engine.running import launch, run_until_done

__all__ = ["registered_vault", "vault"]  # fixtures


def test_a_secret_is_stored_sealed_listed_by_name_and_replaced_or_deleted(platform: Platform) -> None:
    set_value(platform, "Lab-API", "Token", TOKEN)
    set_value(platform, "lab-api", "token", TOKEN + "-new")  # case-insensitive, as flytekit reads them: a replacement
    with platform.db.session() as session:
        [info] = list_secrets(session, DEFAULT_WORKSPACE)
        assert (info.group, info.key, info.updated_by) == ("lab-api", "token", "admin@lab.example")
        assert TOKEN not in info.model_dump_json()
        row = session.scalars(select(WorkspaceSecretRow)).one()
        assert TOKEN.encode() not in row.sealed
        assert platform.secret_box.unseal(DEFAULT_WORKSPACE, "lab-api", "token", row.sealed) == TOKEN + "-new"
        with pytest.raises(InternalError, match="cannot be decrypted"):  # sealed for its own row only
            platform.secret_box.unseal("other", "lab-api", "token", row.sealed)
        with pytest.raises(InternalError):
            SecretBox(b"another signing key").unseal(DEFAULT_WORKSPACE, "lab-api", "token", row.sealed)
        delete_secret(session, workspace=DEFAULT_WORKSPACE, group="LAB-API", key="token")
        assert list_secrets(session, DEFAULT_WORKSPACE) == []
        with pytest.raises(NotFound, match="no secret lab-api/token"):
            delete_secret(session, workspace=DEFAULT_WORKSPACE, group="lab-api", key="token")


@pytest.mark.parametrize(
    ("group", "key", "value", "problem"),
    [
        ("lab api", "token", "v", "secret group 'lab api'"),
        ("lab", "a.b", "v", "secret key 'a.b'"),
        ("lab", "-x", "v", "secret key '-x'"),
        ("lab", "token", "", "cannot be empty"),
        ("lab", "token", "x" * (64 * 1024 + 1), "at most 65536 bytes"),
    ],
)
def test_a_bad_name_or_value_is_refused(platform: Platform, group: str, key: str, value: str, problem: str) -> None:
    with pytest.raises(InvalidArgument, match=problem):
        set_value(platform, group, key, value)


def test_a_workspace_that_does_not_exist_has_no_secrets(platform: Platform) -> None:
    with pytest.raises(NotFound, match="workspace 'nowhere'"):
        set_value(platform, "lab", "token", "v", workspace="nowhere")
    with platform.db.session() as session, pytest.raises(NotFound):
        list_secrets(session, "nowhere")


def test_a_task_gets_the_secrets_of_its_projects_workspace_only(platform: Platform) -> None:
    with platform.db.session() as session:
        create_workspace(session, workspace_id="lab-b")
        ensure_project(session, project_id="pb", workspace="lab-b")
    set_value(platform, "lab-api", "token", "default's token")
    set_value(platform, "lab-api", "token", "lab-b's token", workspace="lab-b")
    template = tasks_pb2.TaskTemplate()
    template.security_context.secrets.add(group="LAB-API", key="token", env_var="API_TOKEN")
    template.security_context.secrets.add(group="lab-api", key="cert", mount_requirement=security_pb2.Secret.FILE)
    with platform.db.session() as session:
        mine = task_secrets(session, platform.secret_box, "pb", template)
        assert task_secrets(session, platform.secret_box, "pb", tasks_pb2.TaskTemplate()) is None
    assert mine is not None and mine.workspace == "lab-b"
    [token] = mine.secrets  # the cert is not set: left out, and the task says so when it asks
    assert (token.mount, token.value.reveal(), token.env_var) == (MountAs.ENV, "lab-b's token", "API_TOKEN")
    assert "lab-b's token" not in repr(mine)


def test_the_names_and_variables_are_those_flytekit_reads(tmp_path: Path) -> None:
    env_secret = TaskSecret("lab-api", "token", MountAs.ENV, SecretValue("v1"), env_var="API_TOKEN")
    file_secret = TaskSecret("lab-api", "cert", MountAs.FILE, SecretValue("v2"), group_version="v3", env_var="CERT")
    assert env_name(env_secret) == "_FSEC_LAB-API_TOKEN"
    assert str(file_path(file_secret)) == "lab-api/v3/cert"
    assert process_env([env_secret, file_secret], tmp_path) == {
        "FLYTE_SECRETS_ENV_PREFIX": "_FSEC_",
        "_FSEC_LAB-API_TOKEN": "v1",
        "API_TOKEN": "v1",
        "FLYTE_SECRETS_DEFAULT_DIR": str(tmp_path),
        "FLYTE_SECRETS_FILE_PREFIX": "",
        "CERT": str(tmp_path / "lab-api" / "v3" / "cert"),
    }


def test_a_launch_is_refused_while_the_workspace_lacks_a_secret_its_tasks_ask_for(registered_vault: Platform) -> None:
    platform = registered_vault
    with pytest.raises(InvalidArgument, match=r"secret\(s\) lab-api/cert, lab-api/token, which workspace 'default'"):
        launch(platform, "vault.tasks.uses_secrets", {"salt": "s"})  # a form or JSON launch
    launch(platform, "vault.tasks.uses_none", {"salt": "s"})  # a workflow asking for none is not held up
    set_value(platform, "lab-api", "token", TOKEN)
    plan = EntityId(ResourceKind.LAUNCH_PLAN, "flytesnacks", "development", "vault.tasks.uses_secrets", "v1")
    inputs = literals_pb2.LiteralMap()
    inputs.literals["salt"].scalar.primitive.string_value = "s"
    with platform.db.session() as session, pytest.raises(InvalidArgument, match=r"secret\(s\) lab-api/cert,"):
        launch_with_literals(session, launch_plan=plan, inputs=inputs, store=platform.store)  # gRPC's way, relaunch's

    def prepare(session: Session, _: Memo) -> tuple[ExecutionRow, None]:
        return literal_launch(session, launch_plan=plan, inputs=inputs, store=platform.store), None

    async def queued() -> None:  # the group-committed launches of HTTP and gRPC
        with pytest.raises(InvalidArgument, match="lab-api/cert"):
            await platform.launches.launch(prepare)

    asyncio.run(queued())
    set_value(platform, "lab-api", "cert", CERT)
    key = launch(platform, "vault.tasks.uses_secrets", {"salt": "s"})
    with platform.db.session() as session:
        assert get_execution(session, key).launched_by == LOCAL_PRINCIPAL


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_task_reads_its_secrets_as_flytekit_does_and_nothing_keeps_them(
    registered_vault: Platform, warm: bool
) -> None:
    platform = registered_vault
    set_value(platform, "lab-api", "token", TOKEN)
    set_value(platform, "lab-api", "cert", CERT)
    execution = run_until_done(platform, launch(platform, "vault.tasks.uses_secrets", {"salt": "pepper"}), warm=warm)
    assert execution.phase == "SUCCEEDED", execution.error
    with platform.db.session() as session:
        outputs = get_execution(session, ExecutionKey(execution.project, execution.domain, execution.name)).outputs
    assert outputs is not None
    seen = [outputs.literals[name].scalar.primitive.string_value for name in ("o0", "o1")]
    assert seen == [f"env:{digest('pepper', TOKEN)}", f"file:{digest('pepper', CERT)}"]
    leaks = [
        path for path in platform.settings.data_dir.rglob("*") if path.is_file() and holds_secret(path.read_bytes())
    ]
    assert leaks == []  # not in the database, the store, the logs, nor a file left in a working directory
    assert not list(platform.settings.data_dir.rglob(".secrets"))

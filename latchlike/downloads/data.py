"""`flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o|d>[/<name>]`, the data
references `pyflyte fetch` and `FlyteRemote.get` take, resolved as FlyteAdmin does
(flyteadmin/pkg/common/flyte_url.go): a node's latest attempt, or one attempt (counted from
0); inputs or outputs as a map, or one of them by name; `d` is the node's deck. As on
Flyte, `start-node` outputs the execution's inputs and `end-node` takes its outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flyteidl.core import literals_pb2
from sqlalchemy.orm import Session

from latchlike.errors import InvalidArgument, NotFound
from latchlike.executions.nodes import attempt_data, node_run
from latchlike.executions.service import ExecutionKey, get_execution
from latchlike.store import FileStore
from latchlike.store.keys import attempt_prefix

_NAME = r"[a-zA-Z0-9_-]+"
_FLYTE_URL = re.compile(
    rf"flyte://v1/(?P<project>{_NAME})/(?P<domain>{_NAME})/(?P<execution>{_NAME})/(?P<node>{_NAME})"
    rf"(?:/(?P<attempt>[0-9]+))?/(?P<io>[iod])(?:/(?P<name>{_NAME}))?"
)
DECK_FILE = "deck.html"
START_NODE, END_NODE = "start-node", "end-node"


@dataclass(frozen=True)
class DataRef:
    execution: ExecutionKey
    node_id: str
    retry_attempt: int | None
    io: str
    name: str


def parse_flyte_url(url: str) -> DataRef:
    match = _FLYTE_URL.fullmatch(url)
    if match is None or (match["io"] == "d" and (match["name"] or match["attempt"])):
        raise InvalidArgument(
            f"cannot read {url!r}; expected flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o>[/<name>]"
            " or .../<node>/d"
        )
    attempt = None if match["attempt"] is None else int(match["attempt"])
    key = ExecutionKey(match["project"], match["domain"], match["execution"])
    return DataRef(key, match["node"], attempt, match["io"], match["name"] or "")


def deck_key(session: Session, ref: DataRef) -> str:
    """The store key of the node's latest deck."""
    run = node_run(session, ref.execution, ref.node_id)
    return attempt_deck_key(ref.execution, ref.node_id, run.latest.attempt)


def attempt_deck_key(key: ExecutionKey, node_id: str, attempt: int) -> str:
    """flytekit writes an attempt's deck beside its outputs."""
    return f"{attempt_prefix(key.project, key.domain, key.name, node_id, attempt)}/{DECK_FILE}"


def flyte_urls(key: ExecutionKey, node_id: str, retry_attempt: int | None = None, *, deck: bool) -> dict[str, str]:
    """The references FlyteAdmin puts in a node's (or, with `retry_attempt`, a task attempt's) data."""
    base = f"flyte://v1/{key.project}/{key.domain}/{key.name}/{node_id}"
    base += "" if retry_attempt is None else f"/{retry_attempt}"
    return {"inputs": f"{base}/i", "outputs": f"{base}/o"} | ({"deck": f"{base}/d"} if deck else {})


def read_data(session: Session, store: FileStore, ref: DataRef) -> literals_pb2.LiteralMap | literals_pb2.Literal:
    inputs, outputs = _literals(session, store, ref)
    literals = inputs if ref.io == "i" else outputs
    if literals is None:
        raise NotFound(f"node {ref.node_id} of {ref.execution} has no {_IO[ref.io]}s (yet)")
    if not ref.name:
        return literals
    if ref.name not in literals.literals:
        known = ", ".join(sorted(literals.literals)) or "none"
        raise NotFound(f"node {ref.node_id} of {ref.execution} has no {_IO[ref.io]} {ref.name!r}; it has: {known}")
    return literals.literals[ref.name]


def _literals(
    session: Session, store: FileStore, ref: DataRef
) -> tuple[literals_pb2.LiteralMap | None, literals_pb2.LiteralMap | None]:
    if ref.node_id in (START_NODE, END_NODE) and ref.retry_attempt is None:
        execution = get_execution(session, ref.execution)
        return (None, execution.inputs) if ref.node_id == START_NODE else (execution.outputs, None)
    run = node_run(session, ref.execution, ref.node_id)
    attempt = run.latest.attempt if ref.retry_attempt is None else ref.retry_attempt + 1
    if attempt not in {a.attempt for a in run.attempts}:
        raise NotFound(f"node {ref.node_id} of {ref.execution} has no attempt {ref.retry_attempt}")
    return attempt_data(store, ref.execution, ref.node_id, attempt)


_IO = {"i": "input", "o": "output"}

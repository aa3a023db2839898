"""Which workflow a file's QC runs: a project's rules, over the built-in defaults.

`DEFAULT_WORKFLOWS` is the one table of built-in QC workflows by kind. A project's rule for
a kind replaces the default for the files it matches (its folder glob, '' for any folder);
among matching rules the longest glob wins. A disabled rule switches QC off where it
matches. Rules are checked when saved: the workflow must exist in the project, take exactly
one required input, a file or a directory, and accept the rule's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from latchlike.builtins import BUILTIN_DOMAIN
from latchlike.db import begin_writing, utcnow
from latchlike.errors import Conflict, InvalidArgument, NotFound
from latchlike.files.kinds import KINDS
from latchlike.launches.forms import LaunchForm, launch_form
from latchlike.specs.ids import NamedEntityKey, ResourceKind
from latchlike.triggers.tables import QcRuleRow

DEFAULT_WORKFLOWS: dict[str, str] = {
    "fastq": "workflows.qc_fastq.fastq_qc",
    "fasta": "workflows.qc_fasta.fasta_qc",
    "csv": "workflows.qc_table.table_qc",
    "tsv": "workflows.qc_table.table_qc",
    "vcf": "workflows.qc_variants.variants_qc",
    "bcf": "workflows.qc_variants.variants_qc",
    **dict.fromkeys(("bam", "sam", "cram"), "workflows.qc_alignments.alignments_qc"),
}
"""Kind → built-in QC workflow (registered in every project that needs it)."""
BUILTIN_PREFIX = "workflows."
MAX_GLOB = 255


class RuleSpec(BaseModel):
    """What a client sends to create or replace a rule."""

    kind: str
    folder_glob: str = ""
    """Matched (fnmatch, `*` crosses folders) against the file's folder path; '' for any."""
    workflow: str
    domain: str = BUILTIN_DOMAIN
    version: str | None = None
    """None: the newest registered version when a file arrives."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class Rule(RuleSpec):
    id: int | None
    """None for a built-in default (create a rule for its kind to replace it)."""
    project: str
    default: bool = False


@dataclass(frozen=True)
class Target:
    """The one input a triggered run gets: its name and whether it takes a directory."""

    name: str
    directory: bool


def is_builtin(workflow: str) -> bool:
    return workflow.startswith(BUILTIN_PREFIX)


def list_rules(session: Session, project: str) -> list[Rule]:
    """The project's rules, then the defaults for kinds it has no catch-all rule for."""
    query = select(QcRuleRow).where(QcRuleRow.project == project)
    rows = session.scalars(query.order_by(QcRuleRow.kind, QcRuleRow.folder_glob))
    rules = [_rule(row) for row in rows]
    covered = {rule.kind for rule in rules if not rule.folder_glob}
    defaults = [default_rule(project, kind) for kind in sorted(DEFAULT_WORKFLOWS) if kind not in covered]
    return rules + defaults


def default_rule(project: str, kind: str) -> Rule:
    return Rule(id=None, project=project, default=True, kind=kind, workflow=DEFAULT_WORKFLOWS[kind])


def choose(rules: list[Rule], kind: str, folder: str) -> Rule | None:
    """The rule for a file of `kind` in `folder` (pure): the longest matching glob of the
    project's rules, else the default for the kind, else None."""
    matching = [r for r in rules if r.kind == kind and (not r.folder_glob or fnmatchcase(folder, r.folder_glob))]
    return max(matching, key=lambda r: (not r.default, len(r.folder_glob)), default=None)


def create_rule(session: Session, project: str, spec: RuleSpec) -> Rule:
    check_rule(session, project, spec)
    begin_writing(session)
    row = QcRuleRow(project=project, **spec.model_dump())
    session.add(row)
    _flush(session, spec)
    return _rule(row)


def update_rule(session: Session, project: str, rule_id: int, spec: RuleSpec) -> Rule:
    check_rule(session, project, spec)
    begin_writing(session)
    row = _get(session, project, rule_id)
    for name, value in spec.model_dump().items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    _flush(session, spec)
    return _rule(row)


def delete_rule(session: Session, project: str, rule_id: int) -> None:
    begin_writing(session)
    session.delete(_get(session, project, rule_id))


def check_rule(session: Session, project: str, spec: RuleSpec) -> None:
    """Refuse a rule that could never launch: unknown kind, a glob that names no folder, a
    workflow that is not registered here or takes other required inputs, bad parameters."""
    if spec.kind not in KINDS:
        raise InvalidArgument(f"kind {spec.kind!r} is not one latchlike detects; use one of {', '.join(KINDS)}")
    if spec.folder_glob.startswith("/") or len(spec.folder_glob) > MAX_GLOB:
        raise InvalidArgument("folder_glob is a relative folder pattern such as `runs/*` (no leading '/')")
    if not spec.enabled:
        return  # a switched-off rule runs nothing, so names nothing that must exist
    form = workflow_form(session, project, spec)
    target = target_input(form)
    if target.name in spec.parameters:
        raise InvalidArgument(f"parameters must leave out {target.name!r}: each file arrives there")
    outcome = form.validator.validate({**spec.parameters, target.name: _PLACEHOLDER}, _AnyFile(target.directory))
    if not outcome.ok:
        problems = "; ".join(f"{name}: {message}" for name, message in sorted(outcome.errors.items()))
        raise InvalidArgument(f"parameters do not fit {spec.workflow}: {problems}")


def workflow_form(session: Session, project: str, spec: RuleSpec) -> LaunchForm:
    """The launch form of the rule's workflow in `project`; NotFound says which is missing."""
    key = NamedEntityKey(ResourceKind.WORKFLOW, project, spec.domain, spec.workflow)
    try:
        return launch_form(session, key, spec.version)
    except NotFound as error:
        where = f"{project}/{spec.domain}" + (f" at version {spec.version}" if spec.version else "")
        raise NotFound(f"no workflow {spec.workflow} is registered in {where} ({error.message})") from error


def target_input(form: LaunchForm) -> Target:
    """The one required input, which must be a file or a directory."""
    required = [p for p in form.interface.inputs if p.required]
    if len(required) != 1 or required[0].type.kind not in ("file", "directory"):
        names = ", ".join(p.name for p in required) or "none"
        raise InvalidArgument(
            f"{form.workflow.name} must have exactly one required input, a file or a directory (it has: {names})"
        )
    return Target(required[0].name, required[0].type.kind == "directory")


_PLACEHOLDER = "qc-rule-check://file"


@dataclass(frozen=True)
class _Found:
    uri: str
    name: str
    is_directory: bool


class _AnyFile:
    """A catalog holding only the placeholder, as the kind of input the workflow takes:
    saving a rule checks its parameters; the files come later."""

    def __init__(self, directory: bool) -> None:
        self._directory = directory

    def lookup(self, uri: str) -> _Found | None:
        return _Found(uri, "file", is_directory=self._directory) if uri == _PLACEHOLDER else None


def _get(session: Session, project: str, rule_id: int) -> QcRuleRow:
    row = session.get(QcRuleRow, rule_id)
    if row is None or row.project != project:
        raise NotFound(f"project {project!r} has no QC rule {rule_id}")
    return row


def _flush(session: Session, spec: RuleSpec) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        glob = f" in folders {spec.folder_glob!r}" if spec.folder_glob else ""
        raise Conflict(f"a rule for {spec.kind} files{glob} exists already: change that one") from error


def _rule(row: QcRuleRow) -> Rule:
    return Rule(
        id=row.id, project=row.project, kind=row.kind, folder_glob=row.folder_glob, workflow=row.workflow,
        domain=row.domain, version=row.version, parameters=dict(row.parameters or {}), enabled=row.enabled,
    )  # fmt: skip

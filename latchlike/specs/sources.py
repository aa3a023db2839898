"""The Python sources a workflow was registered from, for what the protos lose (signature
and field order, the raw docstring).

A fast registration's tasks name their code bundle (`--additional-distribution <uri>`);
the bundle is a tar.gz in our store. Built-in workflows hand their package's sources in
directly. Sources are read, never imported.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from flyteidl.core import tasks_pb2

from latchlike.store import FileStore

DISTRIBUTION_FLAG = "--additional-distribution"
MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_MODULES = 2000


def bundle_uri(templates: Iterable[tasks_pb2.TaskTemplate]) -> str | None:
    for template in templates:
        args = list(template.container.args)
        if DISTRIBUTION_FLAG in args[:-1]:
            return args[args.index(DISTRIBUTION_FLAG) + 1]
    return None


def bundle_sources(store: FileStore, uri: str) -> dict[str, str] | None:
    """Module name → source for every .py file in the bundle; None if it is not ours."""
    key = store.key_of(uri)
    if key is None or not store.exists(key):
        return None
    sources: dict[str, str] = {}
    with store.open(key) as raw, tarfile.open(fileobj=raw, mode="r:*") as bundle:
        for member in bundle:
            if len(sources) >= MAX_MODULES:
                break
            if not member.isfile() or not member.name.endswith(".py") or member.size > MAX_SOURCE_BYTES:
                continue
            extracted = bundle.extractfile(member)
            if extracted is not None:
                sources[_module_name(PurePosixPath(member.name))] = extracted.read().decode("utf-8", "replace")
    return sources


def package_sources(root: Path, package: str) -> dict[str, str]:
    """Module name → source for a package directory on disk (the built-in workflows)."""
    return {
        _module_name(PurePosixPath(package) / path.relative_to(root).as_posix()): path.read_text()
        for path in sorted(root.rglob("*.py"))
    }


def _module_name(path: PurePosixPath) -> str:
    parts = [part for part in path.with_suffix("").parts if part not in (".", "")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def split_workflow_name(name: str) -> tuple[str, str]:
    """`sample.reads.qc_reads` → (`sample.reads`, `qc_reads`)."""
    module, _, function = name.rpartition(".")
    return module, function

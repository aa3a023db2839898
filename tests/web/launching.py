"""A server with the widget-matrix workflow registered by the real `pyflyte register`, and
files in its project's managed folder, shared by the launch tests."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from latchlike.files.managed import files_prefix
from latchlike.store.local import LocalFileStore
from tests.pyflyte import pyflyte_register
from tests.samples import FORMS_PROJECT
from tests.server import RunningServer

PROJECT = "flytesnacks"
LAUNCH_PATH = "/workflows/flytesnacks/development/forms.matrix.matrix/launch"


@dataclass(frozen=True)
class MatrixServer:
    server: RunningServer
    files: dict[str, str]

    @property
    def launch_url(self) -> str:
        return self.server.url + LAUNCH_PATH

    @property
    def store(self) -> LocalFileStore:
        return LocalFileStore(self.server.data_dir / "store")


def register_matrix(server: RunningServer) -> MatrixServer:
    result = pyflyte_register(server, FORMS_PROJECT, package="forms")
    assert result.returncode == 0, result.stdout + result.stderr
    store = LocalFileStore(server.data_dir / "store")
    files = {}
    for name, path, content in [
        ("reads", "run1/reads.fastq.gz", b"@r\nACGT\n+\nIIII\n"),
        ("s1", "run1/s1.fq", b"@s1\nA\n+\nI\n"),
        ("s2", "run1/s2.fastq", b"@s2\nC\n+\nI\n"),
        ("table", "run1/table.csv", b"a,b\n1,2\n"),
    ]:
        # As a script uploads: through the files API, which records what pickers offer.
        uploaded = httpx.put(f"{server.url}/api/files/{PROJECT}/{path}", content=content)
        assert uploaded.status_code in (200, 201), uploaded.text
        files[name] = store.uri(files_prefix(PROJECT) + path)
    files["outdir"] = store.uri(files_prefix(PROJECT) + "run1")
    return MatrixServer(server, files)

"""What flytekit itself makes of the widget-matrix inputs: the reference a form must equal."""

from __future__ import annotations

import datetime
import importlib
import sys
from types import ModuleType
from typing import Any

from flyteidl.core import literals_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.types.directory import FlyteDirectory as flytekit_directory
from flytekit.types.file import FlyteFile as flytekit_file

from tests.samples import FORMS_PROJECT


def matrix_module() -> ModuleType:
    if str(FORMS_PROJECT) not in sys.path:
        sys.path.insert(0, str(FORMS_PROJECT))
    return importlib.import_module("forms.matrix")


def flytekit_literals(values: dict[str, Any]) -> literals_pb2.LiteralMap:
    """What `pyflyte run` passes: flytekit's own TypeEngine over the Python values."""
    workflow = matrix_module().matrix
    context = FlyteContextManager.current_context()
    types = {name: workflow.python_interface.inputs[name] for name in values}
    return TypeEngine.dict_to_literal_map(context, values, types).to_flyte_idl()  # type: ignore[no-any-return]


def matrix_values(files: dict[str, str]) -> dict[str, Any]:
    """remote_path=False: the store URIs are already where tasks read from, as a remote URI
    given to `pyflyte run` is; flytekit passes them on unchanged."""
    m = matrix_module()

    def FlyteFile(uri: str) -> Any:
        return flytekit_file(uri, remote_path=False)

    def FlyteDirectory(uri: str) -> Any:
        return flytekit_directory(uri, remote_directory=False)

    return {
        "run_name": "run-7", "threads": 4,
        "samples": [m.Sample("S1", FlyteFile(files["s1"]), 2), m.Sample("S2", FlyteFile(files["reads"]))],
        "reads": FlyteFile(files["reads"]),
        "trimming": m.Trimming("AGATCGGAAGAGC", m.Window(50, 5), m.Strand.REVERSE),
        "limits": m.Limits(min_quality=30, max_n_fraction=0.05), "ratio": 0.25, "paired": True,
        "started": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC),
        "timeout": datetime.timedelta(seconds=90), "strand": m.Strand.BOTH,
        "strands": [m.Strand.FORWARD, m.Strand.REVERSE], "seed": None, "label": 7, "lanes": [3, 4],
        "tags": {"depth": 12.5, "gc": 0.4}, "outdir": FlyteDirectory(files["outdir"]),
        "notes": "line one\nline two", "debug": False,
    }  # fmt: skip

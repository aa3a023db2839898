"""The ported Latch workflows (tests/fixtures/latch/project) read the way registration
reads them: flytekit's interface, its launch-plan defaults, the SDK's docstring and the
source hints (signature order)."""

from __future__ import annotations

import importlib
import sys
from types import SimpleNamespace
from typing import Any

from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.docstring import Docstring
from flytekit.core.interface import transform_inputs_to_parameters, transform_interface_to_typed_interface

from latchlike.specs.sources import package_sources, split_workflow_name
from tests.samples import FIXTURES
from ui_gen.adapters.flyteidl import interface_spec
from ui_gen.schema import InterfaceSpec
from ui_gen.source import source_hints

PROJECT = FIXTURES / "latch" / "project"


def ported_interface(module: str, name: str) -> InterfaceSpec:
    sys.path.insert(0, str(PROJECT))
    try:
        workflow = getattr(importlib.import_module(module), name)
    finally:
        sys.path.pop(0)
    docstring = Docstring(callable_=workflow._workflow_function)
    typed = transform_interface_to_typed_interface(workflow.python_interface, docstring)
    # Defaults live in the launch plan, as pyflyte registers them.
    defaults = transform_inputs_to_parameters(FlyteContextManager.current_context(), workflow.python_interface)
    hints = source_hints(package_sources(PROJECT / "wf", "wf"), *split_workflow_name(workflow.name))
    return interface_spec(
        typed.to_flyte_idl(), defaults.to_flyte_idl(), long_description=docstring.long_description or "", hints=hints
    )


class EveryFile:
    """A file store that holds every file asked for (and nothing else: no directories)."""

    def lookup(self, uri: str) -> Any:
        return SimpleNamespace(uri=uri, name=uri.rsplit("/", 1)[-1], is_directory=False)

    def candidates(self, *, directory: bool, blob_format: str) -> list[Any]:
        return []

"""What the engine tests that drive the server through flytekit share."""

from __future__ import annotations

import pytest
from flytekit.remote import FlyteRemote

from tests.engine.running import ENGINE_PROJECT
from tests.pyflyte import registered_remote
from tests.server import RunningServer


@pytest.fixture(scope="module")
def remote(server: RunningServer) -> FlyteRemote:
    """A FlyteRemote on the module's server, with the engine project's `pipelines` registered."""
    return registered_remote(server, ENGINE_PROJECT, "pipelines")

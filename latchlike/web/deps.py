"""Dependencies routes declare once, with Annotated.

There is deliberately no session dependency: a sync `yield` dependency's teardown needs a
worker thread, and under a burst every worker thread waits for a connection that only a
teardown could give back. Routes reach the database through `Database.run` instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from latchlike.db import Database
from latchlike.platform import Platform


# `async def` though they never await: FastAPI runs a plain `def` dependency in a worker
# thread, a hop (and a wait for the GIL) per request that a burst of launches pays 1,000 times.
async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_db(platform: Annotated[Platform, Depends(get_platform)]) -> Database:
    return platform.db


PlatformDep = Annotated[Platform, Depends(get_platform)]
DatabaseDep = Annotated[Database, Depends(get_db)]

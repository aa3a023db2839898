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


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def get_db(platform: Annotated[Platform, Depends(get_platform)]) -> Database:
    return platform.db


PlatformDep = Annotated[Platform, Depends(get_platform)]
DatabaseDep = Annotated[Database, Depends(get_db)]

"""Dependencies routes declare once, with Annotated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from latchlike.platform import Platform


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def get_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    with platform.db.session() as session:
        yield session


PlatformDep = Annotated[Platform, Depends(get_platform)]
# "function": the session commits when the handler returns, before the response is sent; by
# default FastAPI ends it after, so a client could be told 201 for a launch a crash then lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

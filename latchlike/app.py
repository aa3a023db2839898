"""create_app(settings): the HTTP app, whose lifespan also runs the gRPC server, the
engine loop (with the executor the settings choose) and registers the built-in workflows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from latchlike import __version__
from latchlike.builtins import register_builtin_workflows
from latchlike.config import Settings
from latchlike.engine.executors.choice import build_executor
from latchlike.engine.loop import Engine
from latchlike.grpc.server import build_grpc_server
from latchlike.platform import open_platform
from latchlike.web import (
    api,
    console,
    docs,
    downloads,
    file_candidates,
    files_api,
    launch_api,
    launches,
    live,
    pages,
    results,
    signals,
    uploads,
)
from latchlike.web.errors import install_error_handlers
from latchlike.web.pages import STATIC_DIR
from ui_gen.render import STATIC_DIR as FORM_STATIC_DIR

log = logging.getLogger(__name__)
GRPC_GRACE_SECONDS = 5


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await asyncio.to_thread(open_platform, settings)
        app.state.platform = platform
        server, port = build_grpc_server(
            host=settings.host,
            port=settings.grpc_port,
            db=platform.db,
            store=platform.store,
            signer=platform.signer,
            upload_ttl=platform.upload_ttl,
            public_url=settings.resolved_public_url,
            links=platform.download_links,
            launches=platform.launches,
        )
        await server.start()
        log.info("gRPC (FlyteAdmin subset) listening on %s:%d", settings.host, port)
        executor = build_executor(settings, platform.store)
        engine = Engine(platform, executor, system_retries=settings.system_retries)
        app.state.engine = engine
        engine_task = asyncio.create_task(engine.run_forever()) if settings.run_engine else None
        try:
            if settings.register_builtin_workflows:
                await asyncio.to_thread(register_builtin_workflows, platform)
            yield
        finally:
            if engine_task is not None:
                engine_task.cancel()
                await engine.stop()
            await executor.close()
            await server.stop(GRPC_GRACE_SECONDS)
            platform.db.dispose()

    # /docs is served from vendored files (web/docs.py); FastAPI's own pages load from a CDN.
    app = FastAPI(title="latchlike", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(launch_api.router)
    app.include_router(file_candidates.router)  # before files_api: `<project>/candidates` is the pickers'
    app.include_router(files_api.router)
    app.include_router(uploads.router)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    app.include_router(launches.router)
    app.include_router(live.router)
    app.include_router(results.router)
    app.include_router(docs.router)
    app.include_router(console.router)
    app.include_router(signals.router)
    app.mount("/static/ui_gen", StaticFiles(directory=FORM_STATIC_DIR), name="form-static")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app

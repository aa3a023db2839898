"""create_app(settings): the HTTP app, whose lifespan also runs the gRPC server, the
engine loop (with the executor the settings choose) and registers the built-in workflows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from latchlike import __version__
from latchlike.builtins import register_builtin_workflows
from latchlike.config import Settings
from latchlike.engine.executors.choice import build_executor
from latchlike.engine.loop import Engine
from latchlike.files.watch import StoreWatcher
from latchlike.grpc.server import build_grpc_server
from latchlike.platform import open_platform
from latchlike.triggers.loop import TriggerLoop
from latchlike.web import (
    account_pages,
    accounts_api,
    api,
    bucket_hooks,
    console,
    docs,
    downloads,
    file_candidates,
    files_api,
    files_page,
    launch_api,
    launches,
    live,
    oauth,
    pages,
    qc_api,
    qc_pages,
    results,
    signals,
    tus_api,
    uploads,
    viewers,
    workspace_api,
    workspace_pages,
)
from latchlike.web.auth import Authorize
from latchlike.web.errors import install_error_handlers
from latchlike.web.hosts import LocalHost
from latchlike.web.pages import STATIC_DIR
from latchlike.web.security import SameOrigin, SecurityHeaders
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
            accounts=settings.auth == "accounts",
        )
        await server.start()
        log.info("gRPC (FlyteAdmin subset) listening on %s:%d", settings.host, port)
        executor = build_executor(settings, platform.store)
        engine = Engine(platform, executor, system_retries=settings.system_retries)
        app.state.engine = engine
        engine_task = asyncio.create_task(engine.run_forever()) if settings.run_engine else None
        watcher = app.state.store_watcher = StoreWatcher(
            platform.db, platform.store, interval=settings.reconcile_interval_seconds
        )
        watcher_task = asyncio.create_task(watcher.run_forever())
        trigger_task = None
        try:
            if settings.register_builtin_workflows:
                await asyncio.to_thread(register_builtin_workflows, platform)
            # After the built-ins (the default rules name them); with the engine, as launches are
            # the engine server's work: a record-only server leaves its triggers queued.
            if settings.run_triggers and settings.run_engine:
                trigger_task = asyncio.create_task(TriggerLoop(platform).run_forever())
            yield
        finally:
            watcher_task.cancel()
            if trigger_task is not None:
                trigger_task.cancel()
            if engine_task is not None:
                engine_task.cancel()
                await engine.stop()
            await executor.close()
            await server.stop(GRPC_GRACE_SECONDS)
            platform.db.dispose()

    # /docs is served from vendored files (web/docs.py); FastAPI's own pages load from a CDN.
    # Every route refuses a state-changing request from another site's page (web/security.py),
    # then enforces its rule in web/access_rules.py for the request's principal (web/auth.py).
    # Without accounts, a request must also name this machine (web/hosts.py: DNS rebinding).
    same_origin = Depends(SameOrigin(settings.public_url))
    local_host = [Depends(LocalHost(settings.public_url))] if settings.auth == "local" else []
    app = FastAPI(title="latchlike", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[*local_host, same_origin, Depends(Authorize())])  # fmt: skip
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(launch_api.router)
    app.include_router(file_candidates.router)  # before files_api: `<project>/candidates` is the pickers'
    app.include_router(qc_api.router)  # before files_api: `<path>:qc` is QC's
    app.include_router(files_api.router)
    app.include_router(bucket_hooks.router)
    app.include_router(uploads.router)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    app.include_router(qc_pages.router)
    app.include_router(files_page.router)
    app.include_router(launches.router)
    app.include_router(tus_api.router)
    app.include_router(live.router)
    app.include_router(results.router)
    app.include_router(docs.router)
    app.include_router(console.router)
    app.include_router(signals.router)
    app.include_router(viewers.router)
    app.include_router(oauth.router)
    app.include_router(accounts_api.router)
    app.include_router(account_pages.router)
    app.include_router(workspace_pages.router)
    app.include_router(workspace_api.router)
    app.mount("/static/ui_gen", StaticFiles(directory=FORM_STATIC_DIR), name="form-static")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app

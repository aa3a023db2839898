from __future__ import annotations

from tests.server import module_server

# These tests look at what pages and forms show and record: the engine stays off, so an
# execution stays exactly as the form left it. Running is tests/engine's job.
server = module_server(engine=False)

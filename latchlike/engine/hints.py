"""Plain-language hints for task errors whose cause lies in where tasks run, not in the
user's code: today, a task module (or something it imports) that cannot be imported."""

from __future__ import annotations

import re
from collections.abc import Sequence

_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
FAST_ENTRY_POINT = "pyflyte-fast-execute"


def import_hint(args: Sequence[str], message: str) -> str | None:
    """What to tell a person whose task failed with "No module named ...", given the task's
    container args (`... task-module M ...`); None for any other error."""
    missing = _MISSING_MODULE.search(message)
    if missing is None or "task-module" not in args:
        return None
    module, name = args[list(args).index("task-module") + 1], missing.group(1)
    if module != name and not module.startswith(name + "."):
        return (
            f"The task's code imports {name}, which is not installed where tasks run. Locally, tasks run "
            "in the server's own Python environment: install it there, next to latchlike."
        )
    if FAST_ENTRY_POINT in args:
        return f"The task's module {module} is not in the code bundle pyflyte uploaded for this version."
    return (
        f"The task's module {module} could not be imported where tasks run. A version registered with "
        "`--copy none` carries no code: it runs only if its package is importable by the server's Python "
        "(install it there, or put its folder on PYTHONPATH before starting the server). Or register "
        "without `--copy none`, and pyflyte uploads the code with the version."
    )

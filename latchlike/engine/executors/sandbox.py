"""A task process's read-only view of the store's input-only folders.

Read-only objects (mode 0444) stop a task from rewriting a stored file, except when it runs
as root, which ignores file modes. So a server running as root gives each task process its
own mount namespace in which those folders are read-only bind mounts: a write there fails
with "Read-only file system" and the stored object stays as it was, while the task's own
output prefix (elsewhere in the store) stays writable. Python 3.11 has no `os.unshare`, so
libc is called through ctypes. Called in the task process after fork, before it runs any of
the task's code; the functions are looked up at import, so the child only calls them.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Sequence

CLONE_NEWNS = 0x00020000
MS_RDONLY = 0x1
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000

_libc = ctypes.CDLL(None, use_errno=True)
_unshare = _libc.unshare
_unshare.argtypes = [ctypes.c_int]
_mount = _libc.mount
_mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]


def wanted() -> bool:
    """Only root needs it (file modes stop everyone else), and only root may do it."""
    return os.geteuid() == 0


def enter(read_only: Sequence[str]) -> None:
    """Make this process's mount namespace its own, then each folder of `read_only` a
    read-only bind of itself. Mount events stay private: nothing reaches the server's view."""
    if not read_only:
        return
    _check("unshare", _unshare(CLONE_NEWNS))
    _check("mount / private", _mount(None, b"/", None, MS_REC | MS_PRIVATE, None))
    for folder in read_only:
        path = os.fsencode(folder)
        _check(f"bind {folder}", _mount(path, path, None, MS_BIND | MS_REC, None))
        _check(f"read-only {folder}", _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None))


def probe(read_only: Sequence[str]) -> str | None:
    """Whether a child process can be given that view here (CAP_SYS_ADMIN is needed): None
    if so, else why not. Checked once when the executor starts."""
    code = f"import sys; from {__name__} import enter; enter(sys.argv[1:])"
    try:
        result = subprocess.run([sys.executable, "-c", code, *read_only], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)
    return None if result.returncode == 0 else (result.stderr.strip().splitlines() or ["no reason given"])[-1]


def _check(what: str, result: int) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")

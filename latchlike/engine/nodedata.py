"""Node inputs and outputs in the store, as the engine reads and writes them.

A node attempt's `inputs.pb` and `outputs.pb` never change once written, so reads are
kept (up to a size) and a binding that reads the same upstream outputs again, pass after
pass, costs no I/O — nor does gathering the outputs of a map task's 10,000 items, each
kept when its attempt was recorded.
"""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flyteidl.core import literals_pb2
from google.protobuf.message import DecodeError

from latchlike.engine.plan import Scope
from latchlike.errors import InternalError
from latchlike.store import FileStore

KEPT_BYTES, KEPT_ENTRIES = 64 * 1024 * 1024, 100_000
"""How much is kept (serialized size, and files); the least recently used go first."""


class Unreadable(InternalError):
    """A file an attempt left does not parse (cut short as it was written, say); the walk
    records the attempt as a crash and never lets this escape."""


@contextmanager
def parsing(name: str) -> Iterator[None]:
    """Turn a protobuf that does not parse into `Unreadable`, naming the file."""
    try:
        yield
    except DecodeError as error:
        raise Unreadable(f"{name} does not parse ({error})") from error


class NodeData:
    def __init__(self, store: FileStore, staging_dir: Path) -> None:
        self.store = store
        self._staging = staging_dir
        self._kept: OrderedDict[str, tuple[literals_pb2.LiteralMap, int]] = OrderedDict()
        self._kept_bytes = 0
        self.scopes: dict[str, Scope] = {}
        """Dynamic workflows read from their `futures.pb`, by key (the walk keeps them)."""

    def read(self, key: str) -> literals_pb2.LiteralMap:
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept[0]
        with self.store.open(key) as raw:
            data = raw.read()
        found = literals_pb2.LiteralMap.FromString(data)
        self._keep(key, found, len(data))
        return found

    def write(self, key: str, literals: literals_pb2.LiteralMap) -> None:
        data = literals.SerializeToString(deterministic=True)
        with tempfile.NamedTemporaryFile(dir=self._staging, delete=False) as staged:
            staged.write(data)
        self.store.put_file(key, Path(staged.name))
        self._keep(key, literals, len(data))

    def _keep(self, key: str, literals: literals_pb2.LiteralMap, size: int) -> None:
        if key in self._kept:
            return
        self._kept[key] = (literals, size)
        self._kept_bytes += size
        while (self._kept_bytes > KEPT_BYTES or len(self._kept) > KEPT_ENTRIES) and len(self._kept) > 1:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._kept_bytes -= dropped

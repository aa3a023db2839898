"""Node inputs and outputs in the store, as the engine reads and writes them.

A node attempt's `inputs.pb` and `outputs.pb` never change once written, so reads are
kept (up to a bound) and a binding that reads the same upstream outputs again, pass after
pass, costs no I/O.
"""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from pathlib import Path

from flyteidl.core import literals_pb2

from latchlike.engine.plan import Scope
from latchlike.store import FileStore

KEPT_READS = 4096


class NodeData:
    def __init__(self, store: FileStore, staging_dir: Path) -> None:
        self.store = store
        self._staging = staging_dir
        self._kept: OrderedDict[str, literals_pb2.LiteralMap] = OrderedDict()
        self.scopes: dict[str, Scope] = {}
        """Dynamic workflows read from their `futures.pb`, by key (the walk keeps them)."""

    def read(self, key: str) -> literals_pb2.LiteralMap:
        found = self._kept.get(key)
        if found is None:
            with self.store.open(key) as raw:
                found = literals_pb2.LiteralMap.FromString(raw.read())
            self._keep(key, found)
        else:
            self._kept.move_to_end(key)
        return found

    def write(self, key: str, literals: literals_pb2.LiteralMap) -> None:
        with tempfile.NamedTemporaryFile(dir=self._staging, delete=False) as staged:
            staged.write(literals.SerializeToString(deterministic=True))
        self.store.put_file(key, Path(staged.name))
        self._keep(key, literals)

    def _keep(self, key: str, literals: literals_pb2.LiteralMap) -> None:
        self._kept[key] = literals
        if len(self._kept) > KEPT_READS:
            self._kept.popitem(last=False)

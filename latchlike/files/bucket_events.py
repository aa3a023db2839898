"""S3 event notifications (the JSON MinIO's webhook target posts, the same `Records` shape
AWS S3 uses) → what changed in our store. Pure: the webhook route authenticates and the
`reconcile` module acts.

Only object creations and removals in the store's own bucket and key prefix count; reads,
other buckets and keys outside the prefix are dropped, so a bucket shared with other tools
(or our own writes echoed back) never confuses the records.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from latchlike.errors import InvalidArgument
from latchlike.store.keys import check_key

MAX_RECORDS = 1000
"""MinIO sends one record per request; S3 batches a few. More than this is not an event."""


class Change(enum.Enum):
    CREATED = "created"
    REMOVED = "removed"


@dataclass(frozen=True)
class BucketEvent:
    change: Change
    key: str
    """The store key (bucket prefix removed), as `FileStore` methods take it."""
    size: int | None


def parse_events(body: Any, *, bucket: str, prefix: str) -> list[BucketEvent]:
    """The creations and removals in a notification body; InvalidArgument names what is
    malformed. `prefix` is the store's key prefix inside the bucket ('' or 'a/b/')."""
    if not isinstance(body, Mapping):
        raise InvalidArgument("a bucket notification is a JSON object with a 'Records' list")
    records = body.get("Records")
    if not isinstance(records, list) or len(records) > MAX_RECORDS:
        raise InvalidArgument(f"a bucket notification needs a 'Records' list of at most {MAX_RECORDS} records")
    events = []
    for index, record in enumerate(records):
        event = _event(record, index, bucket=bucket, prefix=prefix)
        if event is not None:
            events.append(event)
    return events


def _event(record: Any, index: int, *, bucket: str, prefix: str) -> BucketEvent | None:
    where = f"Records[{index}]"
    name = _field(record, (), "eventName", str, where)
    change = _change(name)
    if change is None:
        return None
    if _field(record, ("s3", "bucket"), "name", str, where) != bucket:
        return None
    object_name = unquote_plus(_field(record, ("s3", "object"), "key", str, where))
    if not object_name.startswith(prefix) or object_name == prefix:
        return None
    try:
        key = check_key(object_name.removeprefix(prefix))
    except InvalidArgument:
        return None  # a name no key of ours can have: not one of our objects
    size = record["s3"]["object"].get("size") if change is Change.CREATED else None
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise InvalidArgument(f"{where}.s3.object.size must be a non-negative integer")
    return BucketEvent(change, key, size)


def _change(event_name: str) -> Change | None:
    """`s3:ObjectCreated:Put` (MinIO) and `ObjectCreated:Put` (AWS) alike."""
    kind = event_name.removeprefix("s3:").split(":", 1)[0]
    return {"ObjectCreated": Change.CREATED, "ObjectRemoved": Change.REMOVED}.get(kind)


def _field(record: Any, path: tuple[str, ...], name: str, kind: type, where: str) -> Any:
    node = record
    for step in path:
        node = node.get(step) if isinstance(node, Mapping) else None
    value = node.get(name) if isinstance(node, Mapping) else None
    if not isinstance(value, kind):
        dotted = ".".join((*path, name))
        raise InvalidArgument(f"{where}.{dotted} is missing or not a {kind.__name__}")
    return value

"""Bucket notifications as MinIO (and S3) post them → the creations and removals of our
own objects; everything else dropped, malformed bodies refused with the field named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from latchlike.errors import InvalidArgument
from latchlike.files.bucket_events import BucketEvent, Change, parse_events

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bucket_events"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _parse(name: str, prefix: str = "latchlike/") -> list[BucketEvent]:
    return parse_events(_load(name), bucket="lab-data", prefix=prefix)


def test_a_put_names_the_store_key_with_its_escapes_undone() -> None:
    assert _parse("put.json") == [BucketEvent(Change.CREATED, "files/lab/run 1/reads.fastq.gz", 1234)]


@pytest.mark.parametrize(
    ("fixture", "key", "size"),
    [
        ("multipart.json", "files/lab/big/sample_R1.fastq.gz", 734003200),
        ("copy.json", "files/lab/ref/genome.fa", 5242880),
        ("aws-put.json", "files/lab/run 1/reads.fastq.gz", 1234),
    ],
)
def test_every_way_an_object_is_created_counts(fixture: str, key: str, size: int) -> None:
    assert _parse(fixture) == [BucketEvent(Change.CREATED, key, size)]


def test_a_removal_has_no_size() -> None:
    assert _parse("delete.json") == [BucketEvent(Change.REMOVED, "files/lab/run 1/reads.fastq.gz", None)]


@pytest.mark.parametrize("fixture", ["accessed.json", "outside-prefix.json"])
def test_reads_and_keys_outside_the_prefix_are_dropped(fixture: str) -> None:
    assert _parse(fixture) == []


def test_another_bucket_is_dropped_and_an_empty_prefix_keeps_whole_names() -> None:
    assert parse_events(_load("put.json"), bucket="someone-else", prefix="latchlike/") == []
    event = parse_events(_load("outside-prefix.json"), bucket="lab-data", prefix="")[0]
    assert event.key == "other-tool/cache/x.bin"


def test_a_name_no_store_key_can_have_is_dropped() -> None:
    body = _load("put.json")
    body["Records"][0]["s3"]["object"]["key"] = "latchlike%2Ffiles%2Flab%2F..%2F..%2Fetc%2Fpasswd"
    assert _parse_body(body) == []


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (lambda body: body.pop("Records"), "'Records' list"),
        (lambda body: body["Records"][0].pop("eventName"), "Records[0].eventName"),
        (lambda body: body["Records"][0]["s3"].pop("object"), "Records[0].s3.object.key"),
        (lambda body: body["Records"][0]["s3"]["bucket"].update(name=7), "Records[0].s3.bucket.name"),
        (lambda body: body["Records"][0]["s3"]["object"].update(size=-1), "Records[0].s3.object.size"),
        (lambda body: body["Records"][0]["s3"]["object"].update(size="12"), "Records[0].s3.object.size"),
        (lambda body: body.update(Records=[{}] * 1001), "at most 1000"),
    ],
)
def test_a_malformed_notification_is_refused_naming_the_field(mutate: Any, named: str) -> None:
    body = _load("put.json")
    mutate(body)
    with pytest.raises(InvalidArgument, match=named.replace("[", r"\[").replace("]", r"\]")):
        _parse_body(body)


def test_a_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="JSON object"):
        parse_events([1, 2], bucket="lab-data", prefix="")


def _parse_body(body: Any) -> list[BucketEvent]:
    return parse_events(body, bucket="lab-data", prefix="latchlike/")

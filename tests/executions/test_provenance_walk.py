"""Files are found in every literal shape flytekit writes: records (msgpack, and the older
Struct format), lists of records, dict values and optional files."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.core import literals_pb2
from flytekit import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from google.protobuf import struct_pb2

from latchlike.executions.provenance import blob_uris


@dataclass
class Reads:
    r1: FlyteFile
    r2: FlyteFile | None


@dataclass
class Sample:
    name: str
    reads: Reads
    extra: dict[str, FlyteFile]
    qc: FlyteDirectory | None = None


def _literals(python_type: type, value: object) -> literals_pb2.LiteralMap:
    context = FlyteContextManager.current_context()
    literal = TypeEngine.to_literal(context, value, python_type, TypeEngine.to_literal_type(python_type))
    return literals_pb2.LiteralMap(literals={"samples": literal.to_flyte_idl()})


def test_files_inside_a_list_of_records_are_named_by_where_they_sit() -> None:
    sheet = [
        Sample("a", Reads(FlyteFile("s3://runs/a_R1.fq"), FlyteFile("s3://runs/a_R2.fq")), {"log": FlyteFile("s3://runs/a.log")},
               FlyteDirectory("s3://runs/a_qc/")),
        Sample("b", Reads(FlyteFile("s3://runs/b_R1.fq"), None), {}),
    ]  # fmt: skip
    literals = _literals(list[Sample], sheet)
    assert literals.literals["samples"].collection.literals[0].scalar.binary.tag == "msgpack"
    assert list(blob_uris(literals)) == [
        ("samples[0].extra.log", "s3://runs/a.log"),
        ("samples[0].qc", "s3://runs/a_qc/"),
        ("samples[0].reads.r1", "s3://runs/a_R1.fq"),
        ("samples[0].reads.r2", "s3://runs/a_R2.fq"),
        ("samples[1].reads.r1", "s3://runs/b_R1.fq"),
    ]


def test_files_in_dict_values_and_optionals_are_found() -> None:
    literals = _literals(dict[str, FlyteFile | None], {"x": FlyteFile("s3://runs/x.bam"), "y": None})
    assert list(blob_uris(literals)) == [("samples.x", "s3://runs/x.bam")]


def test_a_record_in_the_older_struct_format_is_walked() -> None:
    record = struct_pb2.Struct()
    record.update({"name": "a", "r1": {"path": "s3://runs/a_R1.fq"}, "path": "not a file: a plain field"})
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=record))
    assert list(blob_uris(literals_pb2.LiteralMap(literals={"sample": literal}))) == [
        ("sample.r1", "s3://runs/a_R1.fq")
    ]


def test_bytes_that_are_not_msgpack_hold_no_file() -> None:
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=b"\xc1", tag="msgpack")))
    assert list(blob_uris(literals_pb2.LiteralMap(literals={"x": literal}))) == []

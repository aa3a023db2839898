"""The gzip read-ahead of the FASTQ QC: it starts before numpy and numba are imported, and
hands out exactly what the inflating reader does, errors after the bytes before them."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workflows.fastq_inflate import Inflated
from workflows.fastq_readahead import Readahead, start

REPO = Path(__file__).resolve().parents[2]


def _reads(count: int) -> bytes:
    rng = np.random.default_rng(4)
    seqs = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (count, 100))]
    return b"".join(b"@r%d\n%s\n+\n%s\n" % (i, seq.tobytes(), b"I" * 100) for i, seq in enumerate(seqs))


def _read_all(stream: Readahead | Inflated, size: int = 1 << 16) -> tuple[bytes, str]:
    """Everything the stream hands out, and the EOFError it ends with ('' at a clean end)."""
    out, buf = bytearray(), bytearray(size)
    try:
        while got := stream.readinto(memoryview(buf)):
            out += buf[:got]
    except EOFError as error:
        return bytes(out), str(error)
    return bytes(out), ""


def test_the_qc_starts_inflating_before_importing_numpy_and_numba() -> None:
    """A cold QC process spends ~0.4 s importing numpy and numba: the report module (which
    starts the read-ahead) must not import them itself."""
    probe = "import sys; from workflows import fastq_report; print(sorted({'numpy', 'numba'} & set(sys.modules)))"
    child = subprocess.run(
        [sys.executable, "-c", probe], env=os.environ | {"PYTHONPATH": str(REPO)}, capture_output=True, text=True,
        check=True, cwd=REPO,
    )  # fmt: skip
    assert child.stdout.strip() == "[]"


@pytest.mark.parametrize("ahead", [1, 300_000, 64 << 20])  # the thread stops early, midway, or at the end
def test_the_bytes_are_those_of_the_inflating_reader(tmp_path: Path, ahead: int) -> None:
    data = _reads(20_000)
    path = tmp_path / "reads.fastq.gz"
    path.write_bytes(gzip.compress(data[:1_000_000], 3) + gzip.compress(data[1_000_000:], 3))  # two members
    with Readahead(path, ahead) as stream:
        assert _read_all(stream) == (data, "")


@pytest.mark.parametrize("ahead", [1, 300_000, 64 << 20])
def test_a_truncated_gzip_gives_every_byte_then_the_error(tmp_path: Path, ahead: int) -> None:
    path = tmp_path / "cut.fastq.gz"
    path.write_bytes(gzip.compress(_reads(20_000), 3)[:700_000])
    with Inflated(path) as stream:
        expected = _read_all(stream)
    assert expected[1] == "the compressed data ends inside a gzip member"
    with Readahead(path, ahead) as stream:
        assert _read_all(stream, 1000) == expected


def test_only_gzip_is_read_ahead(tmp_path: Path) -> None:
    plain = tmp_path / "reads.fastq"
    plain.write_bytes(_reads(10))
    assert start(plain) is None
    packed = tmp_path / "reads.fq"
    packed.write_bytes(gzip.compress(_reads(10)))
    ahead = start(packed)
    assert ahead is not None
    with ahead:
        assert _read_all(ahead)[0] == _reads(10)

"""The FASTQ fixtures and their recorded reference outputs (tests/fixtures/fastq/make.py)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

FASTQ = Path(__file__).resolve().parents[1] / "fixtures" / "fastq"
REFERENCE = FASTQ / "reference"


@dataclass(frozen=True)
class Seqtk:
    """`seqtk fqchk -q0`: the ALL row and one row per position, by column name."""

    all: dict[str, float]
    positions: list[dict[str, float]]


def seqkit(name: str) -> dict[str, str]:
    [row] = csv.DictReader((REFERENCE / f"{name}.seqkit").read_text().splitlines(), delimiter="\t")
    return row


def seqtk(name: str) -> Seqtk:
    lines = (REFERENCE / f"{name}.seqtk").read_text().splitlines()
    header = lines[1].split("\t")
    rows = [dict(zip(header[1:], map(float, line.split("\t")[1:]), strict=True)) for line in lines[2:]]
    return Seqtk(all=rows[0], positions=rows[1:])

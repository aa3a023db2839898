"""CSV/TSV QC: shape, each column's type and summary statistics, and the first rows, in one
streamed pass. The first row is the header. Memory is bounded by the number of columns
(each keeps at most `DISTINCT_KEPT` distinct values), not by the number of rows. The
summary's schema is in docs/qc.md (`latchlike.qc.table/1`).
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from flytekit import task, workflow
from flytekit.types.file import FlyteFile

from workflows import reports
from workflows.qc_common import QcInputError, QcOutputs, open_input, write_page

SCHEMA = "latchlike.qc.table/1"
DISTINCT_KEPT = 200
TOP_VALUES = 5
FIRST_ROWS = 10
MAX_CELL = 200
RAGGED_SHOWN = 5
SAMPLED = 5000
_CHOOSE = random.Random(17)  # a fixed seed: the same file draws the same report
MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"})
_BOOLEANS = frozenset({"true", "false", "yes", "no"})
csv.field_size_limit(1 << 24)


@dataclass
class Column:
    """One column's running profile: what every value could be, and Welford's moments."""

    name: str
    missing: int = 0
    present: int = 0
    integers: int = 0
    numbers: int = 0
    booleans: int = 0
    mean: float = 0.0
    m2: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    values: Counter[str] = field(default_factory=Counter)
    sample: list[float] = field(default_factory=list)
    """Up to `SAMPLED` of the numbers, a uniform sample (reservoir), for the report's histogram."""
    capped: bool = False
    textual: bool = False
    """A present value was no number: the column is boolean or string from now on."""

    def add(self, value: str) -> None:
        value = value.strip()
        if value in MISSING:
            self.missing += 1
            return
        self.present += 1
        values = self.values
        if value in values:
            values[value] += 1
        elif len(values) < DISTINCT_KEPT:
            values[value] = 1
        else:
            self.capped = True
        if self.textual:  # no longer a number column: only "all booleans" is left to tell
            if self.booleans == self.present - 1:
                self.booleans += value.lower() in _BOOLEANS
            return
        try:
            number = float(value)
        except ValueError:  # raising is what costs: a text column stops trying after its first
            self.textual = True
            self.booleans += value.lower() in _BOOLEANS
            return
        if number != number or number in (math.inf, -math.inf):
            return  # NaN spelled otherwise, or infinity: not a statistic
        self.numbers += 1
        if self.numbers <= SAMPLED:
            self.sample.append(number)
        else:
            slot = _CHOOSE.randrange(self.numbers)
            if slot < SAMPLED:
                self.sample[slot] = number
        self.integers += number.is_integer() and "." not in value and "e" not in value and "E" not in value
        delta = number - self.mean
        self.mean += delta / self.numbers
        self.m2 += delta * (number - self.mean)
        if number < self.low:
            self.low = number
        if number > self.high:
            self.high = number

    @property
    def type(self) -> str:
        """integer, float, boolean or string: the narrowest type every present value has
        ("empty" when none is present)."""
        if not self.present:
            return "empty"
        if self.integers == self.present:
            return "integer"
        if self.numbers == self.present:
            return "float"
        if self.booleans == self.present:
            return "boolean"
        return "string"

    def summary(self) -> dict[str, Any]:
        numeric = self.type in ("integer", "float")
        found: dict[str, Any] = {
            "name": self.name, "type": self.type, "missing": self.missing, "present": self.present,
            "distinct": len(self.values), "distinct_capped": self.capped,
            "top": [{"value": v[:MAX_CELL], "count": n} for v, n in self.values.most_common(TOP_VALUES)],
        }  # fmt: skip
        if numeric:
            std = math.sqrt(self.m2 / (self.numbers - 1)) if self.numbers > 1 else 0.0
            found |= {"min": self.low, "max": self.high, "mean": self.mean, "std": std}
        return found


def table_summary(stream: IO[bytes], *, delimiter: str = "") -> dict[str, Any]:
    """The profile of the CSV/TSV in `stream` (decompressed bytes). `delimiter` '' means a tab
    if the header has one, else a comma. Raises QcInputError naming the line at fault."""
    return table_profile(stream, delimiter=delimiter)[0]


def table_profile(stream: IO[bytes], *, delimiter: str = "") -> tuple[dict[str, Any], list[Column]]:
    """The summary, and the columns it was made from (their samples draw the report)."""
    text = _lines(stream)
    reader = None
    rows = 0
    try:
        first = next(text, "")
        chosen = delimiter or ("\t" if "\t" in first else ",")
        reader = csv.reader(itertools.chain([first], text), delimiter=chosen)
        header = next(reader, [])
        columns = [Column(name or f"column_{i + 1}") for i, name in enumerate(header)]
        ragged, first_rows = 0, []
        ragged_lines: list[int] = []
        for row in reader:
            if not row:
                continue  # a blank line
            rows += 1
            if len(row) != len(columns):
                ragged += 1
                if len(ragged_lines) < RAGGED_SHOWN:
                    ragged_lines.append(reader.line_num)
            for column, value in zip(columns, row, strict=False):
                column.add(value)
            for column in columns[len(row) :]:
                column.missing += 1
            if len(first_rows) < FIRST_ROWS:
                first_rows.append([cell[:MAX_CELL] for cell in row])
    except csv.Error as error:
        raise QcInputError(f"not a valid table at line {reader.line_num if reader else 1}: {error}") from error
    except EOFError as error:
        raise QcInputError(f"the compressed stream ends early (truncated?) after {rows} rows") from error
    summary = {
        "schema": SCHEMA,
        "delimiter": chosen,
        "rows": rows,
        "columns": len(columns),
        "column_summaries": [column.summary() for column in columns],
        "ragged_rows": ragged,
        "first_ragged_lines": ragged_lines,
        "header": header,
        "first_rows": first_rows,
    }
    return summary, columns


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """The stream's lines as text, each decoded alone so a bad byte is placed on its line."""
    for number, line in enumerate(stream, 1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise QcInputError(f"not UTF-8 text at line {number}, byte {error.start + 1} of the line") from error


def _sections(summary: dict[str, Any], columns: list[Column]) -> list[reports.Section]:
    shape = [("Rows", f"{summary['rows']:,}"), ("Columns", f"{summary['columns']:,}"),
             ("Ragged rows", f"{summary['ragged_rows']:,}"), ("Delimiter", repr(summary["delimiter"])),
             ("Compression", summary["compression"])]  # fmt: skip
    profiles = summary["column_summaries"]
    keys = ("name", "type", "present", "missing", "distinct", "min", "max", "mean", "std")
    cells = [[_cell(c.get(key)) for c in profiles] for key in keys]
    header, rows = summary["header"], summary["first_rows"]
    width = max([len(header), *map(len, rows)], default=0)
    first = [[row[i] if i < len(row) else "" for row in rows] for i in range(width)]
    figures = [
        _table("Columns", list(keys), cells),
        _table("First rows", [*header, *[""] * (width - len(header))], first),
    ]
    histograms = [
        reports.Figure(
            f"{column.name} ({profile['type']})",
            [{"type": "histogram", "x": column.sample, "name": column.name}],
            {"title": {"text": f"{column.name}" + (f" (a sample of {len(column.sample):,})"
                       if column.numbers > len(column.sample) else "")},
             "xaxis": {"title": {"text": column.name}}, "yaxis": {"title": {"text": "Rows"}}},
        )
        for column, profile in zip(columns, profiles, strict=True)
        if profile["type"] in ("integer", "float")
    ]  # fmt: skip
    return [
        reports.Section("Shape", shape, figures),
        reports.Section("Numeric columns", figures=histograms, notes=[] if histograms else ["No numeric column."]),
    ]


def _table(title: str, header: list[str], columns: list[list[str]]) -> reports.Figure:
    """A plotly table (scrolls and resizes in the page): `columns` holds each column's cells."""
    trace = {"type": "table", "header": {"values": header}, "cells": {"values": columns, "align": "left"}}
    return reports.Figure(title, [trace], {"title": {"text": title}, "margin": {"t": 48, "r": 16, "l": 16}})


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


@task
def table_stats(file: FlyteFile, delimiter: str = "") -> QcOutputs:
    """Profile one CSV or TSV file and write its summary and report.

    Args:
        file: A CSV or TSV file with a header row, plain or compressed.
        delimiter: The field separator; empty to take a tab if the header has one, else a comma.
    """
    if len(delimiter) > 1:
        raise QcInputError("delimiter is one character, or empty to detect it")
    with open_input(file) as (stream, compression):
        found, columns = table_profile(stream, delimiter=delimiter)
    summary = {**found, "compression": compression}
    return write_page(summary, "Table QC", _sections(summary, columns))


@workflow
def table_qc(file: FlyteFile, delimiter: str = "") -> QcOutputs:
    """CSV/TSV quality control.

    Reports a table's shape, each column's type (integer, float, boolean, string) with its
    missing values, distinct values and summary statistics, and its first rows.
    Runs by itself on every uploaded CSV or TSV file; run it here by hand for any other.

    __metadata__:
        display_name: Table QC
        license:
            id: Apache-2.0
        tags: [qc, table]

    Args:
        file: A CSV or TSV file with a header row, plain or compressed.
          __metadata__:
            display_name: Table
        delimiter: The field separator; empty to take a tab if the header has one, else a comma.
          __metadata__:
            display_name: Delimiter
            placeholder: detect
    """
    return table_stats(file=file, delimiter=delimiter)

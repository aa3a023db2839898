#!/usr/bin/env python3
"""FASTQ QC throughput beside fastp, seqtk fqchk and seqkit stats, plain and gzipped.

Generates (once, cached by its parameters) a seeded FASTQ: 150 bp reads, 15 % trimmed to
35–149 bp, qualities falling along the read, ~0.1 % N, 10 % with an Illumina universal and
2 % with a Nextera adapter read-through, 5 % duplicated reads; and its gzip (igzip level 3).
Then times, on each file, in one run:

    latchlike  the `fastq_qc` task's work (workflows.fastq_report.run_qc: scan, summary, report)
               in a process of its own (what a task in a pod pays: imports, loading the kernel)
    latchlike forked  the same, forked from a process that imported the task's module first,
               as the fork server runs tasks by default (imports and kernel paid once)
    fastp      fastp -i IN -w 2 -A -G -Q -L -j /dev/null -h /dev/null (QC only: no -o, no
               trimming, no adapter, quality or length filter)
    seqtk      seqtk fqchk IN
    seqkit     seqkit stats -a -j 2 IN

MB/s is the size of the file as given (compressed for .gz) over wall time; cpu is user +
system time (what the run costs, whatever else the machine does); peak RSS is the child's
maxrss. The load average is printed first and before each file: on a shared machine, wall
figures follow it (cpu figures much less).
A tool that is not installed prints "absent" (`bench/setup` installs them).

Then the parts of the gzip run, each alone in CPU time (start-up, inflating, the kernel per
core), and the gzip ceiling on 2 cores they imply.

Then a BAM (`--bam-records`, default 2,000,000, 0 skips it: sorted properly paired 100 bp
reads on two references, seeded random bases and qualities) timed the same way: latchlike's
`alignments_qc` work (workflows.alignment_report.run_qc: counts, histograms, per-contig depth,
index, report) and its scan alone (the statistics: no index, no report) beside `samtools
flagstat` (one thread, its default), with the ratios.

    .venv/bin/python bench/qc.py --reads 2000000
    .venv/bin/python bench/qc.py --only bam        # one kind alone (fastq, bam or vcf)

VCF: a seeded VCF (4 samples, GT:DP:GQ, INFO/DP; 85 % SNPs, indels, 2 % multiallelic) and
its gzip, the `variants_qc` task's work (workflows.variants_report.run_qc: summary and
report, in a bare process without flytekit, after one warm-up run that fills the numba
cache) beside `bcftools stats` (`--variants 0` skips it). At 1 M records (86 MB) about
0.45 CPU-s of our 0.75 is fixed start-up (numpy, `import numba`, numba's set-up before it
loads the cached kernel); the kernel's 0.22 runs on both cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from isal import igzip_threaded

REPO = Path(__file__).resolve().parents[1]
CHUNK = 100_000
READ_LEN = 150
UNIVERSAL = b"AGATCGGAAGAGCACACGTCTGAACTCCAGTCAC"
NEXTERA = b"CTGTCTCTTATACACATCTCCGAGCCCACGAGAC"


def generate(path: Path, reads: int, seed: int) -> None:
    """Write `reads` records to path, chunk by chunk, reproducibly from seed."""
    with path.open("wb") as out:
        for first in range(0, reads, CHUNK):
            out.write(_chunk(first, min(CHUNK, reads - first), np.random.default_rng([seed, first])))


def _chunk(first: int, n: int, rng: np.random.Generator) -> bytes:
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)
    seq = bases[rng.integers(0, 4, size=(n, READ_LEN))]
    seq[rng.random((n, READ_LEN)) < 0.001] = ord("N")
    for adapter, share in ((UNIVERSAL, 0.10), (NEXTERA, 0.02)):
        for row in np.flatnonzero(rng.random(n) < share):
            insert = int(rng.integers(40, READ_LEN - 10))
            tail = np.frombuffer(adapter, dtype=np.uint8)[: READ_LEN - insert]
            seq[row, insert : insert + len(tail)] = tail
    dup = np.flatnonzero(rng.random(n) < 0.05)
    seq[dup] = seq[rng.integers(0, n, size=len(dup))]
    lengths = np.full(n, READ_LEN)
    trimmed = rng.random(n) < 0.15
    lengths[trimmed] = rng.integers(35, READ_LEN, size=int(trimmed.sum()))
    mean = 38 - 8 * (np.arange(READ_LEN) / READ_LEN) ** 2
    qual = np.clip(mean + rng.normal(0, 3, (n, READ_LEN)) - 10 * (rng.random((n, 1)) < 0.03), 2, 41)
    qual = (qual.astype(np.uint8) + 33).astype(np.uint8)
    header = np.array([f"@SIM:1:FCX:1:{first + i:010d}\n".encode() for i in range(n)], dtype=bytes)
    head = np.frombuffer(header.tobytes(), dtype=np.uint8).reshape(n, -1)
    nl = np.full((n, 1), ord("\n"), dtype=np.uint8)
    plus = np.frombuffer(b"+\n", dtype=np.uint8)[None, :].repeat(n, axis=0)
    rows = np.hstack([head, seq, nl, plus, qual, nl])
    keep = np.ones(rows.shape, dtype=bool)
    cols = np.arange(READ_LEN)[None, :] >= lengths[:, None]
    h = head.shape[1]
    keep[:, h : h + READ_LEN] = ~cols
    keep[:, h + READ_LEN + 3 : h + 2 * READ_LEN + 3] = ~cols
    return rows[keep].tobytes()


def dataset(reads: int, seed: int, folder: Path) -> tuple[Path, Path]:
    plain = folder / f"sim-{reads}-{seed}.fastq"
    packed = plain.with_suffix(".fastq.gz")
    if not plain.exists():
        generate(plain.with_suffix(".part"), reads, seed)
        plain.with_suffix(".part").rename(plain)
    if not packed.exists():
        with (
            plain.open("rb") as source,
            igzip_threaded.open(packed.with_suffix(".part"), "wb", compresslevel=3) as sink,
        ):
            shutil.copyfileobj(source, sink, 8 << 20)
        packed.with_suffix(".part").rename(packed)
    return plain, packed


def bam_dataset(records: int, seed: int, folder: Path) -> Path:
    """Sorted properly paired 100 bp reads alternating between two references, with seeded
    random bases and qualities (so the BAM compresses like a real one, ~3×, not ~20×),
    MAPQ 54–60 and 3 % of pairs marked duplicate."""
    import pysam

    path = folder / f"sim-{records}-{seed}.bam"
    if path.exists():
        return path
    refs = [{"SN": f"chr{i}", "LN": 100_000_000} for i in (1, 2)]
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": refs})
    segment = pysam.AlignedSegment(header)
    with pysam.AlignmentFile(str(path.with_suffix(".part")), "wb", header=header) as out:
        for first in range(0, records, CHUNK):
            rng = np.random.default_rng([seed, first])
            n = min(CHUNK, records - first)
            seqs = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (n, 100))]
            quals = np.clip(36 - np.arange(100) // 10 + rng.normal(0, 3, (n, 100)), 2, 41).astype(np.uint8)
            duplicate = rng.random(n // 2 + 1) < 0.03
            for j in range(n):
                i = first + j
                mate1 = i % 2 == 0
                segment.query_name = f"p{i // 2}"
                segment.flag = (99 if mate1 else 147) | (0x400 if duplicate[j // 2] else 0)
                segment.reference_id, segment.reference_start = i * 2 // records, (i % (records // 2)) * 20
                segment.mapping_quality = 60 - i % 7
                segment.query_sequence = seqs[j].tobytes().decode()
                segment.query_qualities = quals[j]
                segment.cigarstring = "100M"
                segment.next_reference_id = segment.reference_id
                segment.next_reference_start = segment.reference_start + (200 if mate1 else -200)
                segment.template_length = 300 if mate1 else -300
                out.write(segment)
    path.with_suffix(".part").rename(path)
    return path


# The statistics alone (flagstat's work and the histograms): no index, no report.
BAM_SCAN = """
import sys, pysam
from workflows import bam_scan
references = list(pysam.AlignmentFile(sys.argv[1]).references)
with open(sys.argv[1], "rb", buffering=0) as raw:
    bam_scan.scan(raw, references, 1000)
"""


def bam_commands(path: Path, out: Path) -> dict[str, list[str] | None]:
    ours = [sys.executable, "-c", "import sys; from workflows.alignment_report import run_qc; run_qc(*sys.argv[1:])",
            str(path), str(out)]  # fmt: skip
    samtools = shutil.which("samtools")
    return {
        "latchlike": ours,
        "latchlike scan": [sys.executable, "-c", BAM_SCAN, str(path)],
        "samtools flagstat": [samtools, "flagstat", str(path)] if samtools else None,
    }


def commands(path: Path, out: Path) -> dict[str, list[str] | None]:
    def tool(name: str, *args: str) -> list[str] | None:
        found = shutil.which(name)
        return [found, *args] if found else None

    ours = [sys.executable, "-c", "import sys; from workflows.fastq_report import run_qc; run_qc(*sys.argv[1:])",
            str(path), str(out)]  # fmt: skip
    forked = [sys.executable, "-c", FORKED, "workflows.qc_fastq", "workflows.fastq_report", str(path), str(out)]
    return {
        "latchlike": ours,
        "latchlike forked": forked,
        "fastp": tool(
            "fastp", "-i", str(path), "-w", "2", "-A", "-G", "-Q", "-L", "-j", "/dev/null", "-h", "/dev/null"
        ),
        "seqtk fqchk": tool("seqtk", "fqchk", str(path)),
        "seqkit stats": tool("seqkit", "stats", "-a", "-j", "2", str(path)),
    }


# Runs one command from a bare interpreter, so the child's peak RSS (which Linux counts from
# the process that forked it) starts at ~10 MB rather than at this script's size.
MEASURE = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, status)
"""


# The QC task as the local executor runs it by default: forked from the fork server, which
# imported the task's module (and so loaded its kernels: workflows/qc_fastq.py) before any
# task came. Timed from the fork to the child's end, as MEASURE times a command.
FORKED = """
import importlib, os, sys, time
importlib.import_module(sys.argv[1])
run_qc = importlib.import_module(sys.argv[2]).run_qc
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    run_qc(sys.argv[3], sys.argv[4])
    os._exit(0)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, status)
"""


def timed(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one run; output discarded. A FORKED
    command measures itself."""
    env = os.environ | {"PYTHONPATH": str(REPO)}
    measured = command if FORKED in command else [sys.executable, "-S", "-c", MEASURE, *command]
    probe = subprocess.run(measured, capture_output=True, text=True, env=env, check=False)
    wall, rss, cpu, status = probe.stdout.split("\n")[-2].split()
    if status != "0":
        raise SystemExit(f"{command[0]} failed: {probe.stderr[-2000:]}")
    return float(wall), float(rss), float(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--bam-records", type=int, default=2_000_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "latchlike-bench-qc")
    parser.add_argument("--variants", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("fastq", "bam", "vcf"), help="time one kind of file alone")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; {args.reads:,} reads")
    with tempfile.TemporaryDirectory() as out:
        files: list[tuple[Path, Callable[[Path, Path], dict[str, list[str] | None]]]] = []
        if args.only in (None, "fastq"):
            plain, packed = dataset(args.reads, args.seed, args.data)
            files += [(plain, commands), (packed, commands)]
        bam = bam_dataset(args.bam_records, args.seed, args.data) if args.bam_records else None
        if bam and args.only in (None, "bam"):
            files.append((bam, bam_commands))
        for path, runs in files[:1] + files[-1:]:  # warm the page cache and the kernel caches
            timed(runs(path, Path(out))["latchlike"] or [])
        measured: dict[Path, dict[str, float]] = {}
        for path, runs in files:
            size = path.stat().st_size / 1e6
            print(f"\n{path.name}  {size:,.0f} MB  (load average {os.getloadavg()[0]:.2f})")
            rates = measured[path] = {}
            for name, command in runs(path, Path(out)).items():
                if command is None:
                    print(f"  {name:<13} absent")
                    continue
                wall, rss, cpu = timed(command)
                rates[name] = size / wall
                print(f"  {name:<16} {rates[name]:8.1f} MB/s  {wall:7.2f} s  cpu {cpu:6.2f} s  peak RSS {rss:6.0f} MB")
            for ours in ("latchlike", "latchlike forked"):
                for name, rate in rates.items():
                    if not name.startswith("latchlike") and ours in rates:
                        print(f"  {ours} / {name:<13} {rates[ours] / rate:5.2f}×")
            if path == bam and "samtools flagstat" in rates:
                for ours in ("latchlike", "latchlike scan"):
                    ratio = rates["samtools flagstat"] / rates[ours]
                    print(f"  samtools flagstat / {ours:<14} {ratio:5.2f}× (target ≤ 2×)")
        if args.only in (None, "fastq"):
            parts(plain, packed, measured[packed].get("fastp"))
    if args.variants and args.only in (None, "vcf"):
        variants_bench(args.variants, args.seed, args.data)
    return 0


# The FASTQ QC's parts in CPU seconds of one thread (best of 3), in one fresh process:
# start-up (imports, loading the cached kernel, as run_qc does them: the collector off, the
# heap frozen after), inflating the .gz alone, the kernel alone.
PARTS = """
import json, mmap, sys, time
from pathlib import Path
start = time.process_time()
from workflows.qc_gc import loading_kernels
with loading_kernels():
    import numpy as np
    from workflows import fastq_stats as k
    from workflows.fastq_inflate import Inflated
    k.load()
startup = time.process_time() - start
inflate = kernel = float("inf")
buf = np.empty(4 << 20, dtype=np.uint8)
with open(sys.argv[1], "rb") as file:
    data = np.frombuffer(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ), dtype=np.uint8)
for _ in range(3):
    began = time.thread_time()
    with Inflated(Path(sys.argv[2])) as stream:
        while stream.readinto(buf.data):
            pass
    inflate = min(inflate, time.thread_time() - began)
    began = time.thread_time()
    k.scan(data, 0, len(data), True, k.new_tables())
    kernel = min(kernel, time.thread_time() - began)
print(json.dumps({"startup": startup, "inflate": inflate, "kernel": kernel}))
"""


def parts(plain: Path, packed: Path, fastp_gz: float | None) -> None:
    """What bounds the gzip run: one stream inflates on one core while the kernel scans;
    so wall ≥ start-up + max(inflate, (inflate + kernel) / 2) on 2 cores."""
    env = os.environ | {"PYTHONPATH": str(REPO)}
    child = subprocess.run([sys.executable, "-c", PARTS, str(plain), str(packed)], env=env, capture_output=True,
                           text=True, check=True)  # fmt: skip
    t = json.loads(child.stdout)
    text, gz = plain.stat().st_size / 1e6, packed.stat().st_size / 1e6
    print(f"\nparts (cpu s, one thread, best of 3)  start-up {t['startup']:.2f} s"
          f"  inflate alone {text / t['inflate']:.0f} MB/s out ({gz / t['inflate']:.0f} MB/s of .gz)"
          f"  kernel alone {text / t['kernel']:.0f} MB/s per core")  # fmt: skip
    ceiling = gz / (t["startup"] + max(t["inflate"], (t["inflate"] + t["kernel"]) / 2))
    versus = f" = {ceiling / fastp_gz:.2f}× fastp" if fastp_gz else ""
    print(f"  gzip ceiling on 2 cores {ceiling:.0f} MB/s of .gz{versus}")


def variants_bench(records: int, seed: int, folder: Path) -> None:
    """The variant QC beside `bcftools stats`, plain and gzipped VCF."""
    plain = folder / f"variants-{records}-{seed}.vcf"
    if not plain.exists():
        with plain.with_suffix(".part").open("w") as out:
            out.writelines(_vcf_lines(records, np.random.default_rng(seed)))
        plain.with_suffix(".part").rename(plain)
    packed = plain.with_name(plain.name + ".gz")
    if not packed.exists():
        with plain.open("rb") as source, igzip_threaded.open(packed, "wb", compresslevel=3, threads=2) as sink:
            shutil.copyfileobj(source, sink, 8 << 20)
    found = shutil.which("bcftools")
    scratch = Path(tempfile.mkdtemp())
    timed(variants_command(plain, scratch))  # warm the page cache and the kernel cache
    for path in (plain, packed):
        size = path.stat().st_size / 1e6
        print(f"\n{path.name}  {size:,.0f} MB  {records:,} records")
        rates: dict[str, float] = {}
        forked = [sys.executable, "-c", FORKED, "workflows.qc_variants", "workflows.variants_report", str(path),
                  str(scratch)]  # fmt: skip
        runs = {"latchlike": variants_command(path, scratch), "latchlike forked": forked,
                "bcftools stats": [found, "stats", str(path)] if found else None}  # fmt: skip
        for name, command in runs.items():
            if command is None:
                print(f"  {name:<13} absent")
                continue
            wall, rss, cpu = timed(command)
            rates[name] = size / wall
            print(f"  {name:<16} {rates[name]:8.1f} MB/s  {wall:7.2f} s  cpu {cpu:6.2f} s  peak RSS {rss:6.0f} MB")
        if "bcftools stats" in rates:
            for ours in ("latchlike", "latchlike forked"):
                print(f"  bcftools stats / {ours:<16} {rates['bcftools stats'] / rates[ours]:5.2f}× (target ≤ 2×)")
    shutil.rmtree(scratch)


def variants_command(path: Path, out: Path) -> list[str]:
    """The variant QC (summary and report, no flytekit) as a command of its own."""
    run = "import sys; from workflows.variants_report import run_qc; run_qc(*sys.argv[1:])"
    return [sys.executable, "-c", run, str(path), str(out)]


def _vcf_lines(records: int, rng: np.random.Generator) -> Iterator[str]:
    yield "##fileformat=VCFv4.2\n"
    yield "".join(f"##contig=<ID=chr{c}>\n" for c in range(1, 23))
    yield '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">\n##FILTER=<ID=q10,Description="Low">\n'
    yield '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
    yield '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">\n'
    yield '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">\n'
    yield "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\n"
    bases = np.array(list("ACGT"))
    genotypes = np.array(["0/0", "0/1", "1/1"])
    for first in range(0, records, CHUNK):
        n = min(CHUNK, records - first)
        pos = np.cumsum(rng.integers(1, 200, n)) + first * 100
        ref = bases[rng.integers(0, 4, n)]
        shift = rng.integers(1, 4, n)
        alt = bases[(np.searchsorted(bases, ref) + shift) % 4]
        kind = rng.random(n)
        extra = ["".join(bases[rng.integers(0, 4, 3)]) for _ in range(n)]
        qual, dp, filt = rng.uniform(1, 500, n), rng.integers(20, 160, n), rng.random(n) < 0.9
        gt, sdp, gq = genotypes[rng.integers(0, 3, (n, 4))], rng.integers(5, 40, (n, 4)), rng.integers(10, 99, (n, 4))
        lines = []
        for i in range(n):
            r, a = ref[i], alt[i]
            if kind[i] > 0.98:
                a = f"{a},{bases[(np.searchsorted(bases, r) + shift[i] % 3 + 1) % 4]}"
            elif kind[i] > 0.93:
                r, a = r + extra[i], r
            elif kind[i] > 0.85:
                a = r + extra[i]
            samples = "\t".join(f"{gt[i, j]}:{sdp[i, j]}:{gq[i, j]}" for j in range(4))
            lines.append(f"chr{1 + (first + i) * 22 // records}\t{pos[i]}\t.\t{r}\t{a}\t{qual[i]:.1f}\t"
                         f"{'PASS' if filt[i] else 'q10'}\tDP={dp[i]}\tGT:DP:GQ\t{samples}\n")  # fmt: skip
        yield "".join(lines)


if __name__ == "__main__":
    sys.exit(main())

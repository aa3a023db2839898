"""A large file through `PUT /api/files/...`, beside a plain copy of the same file.

Usage: python bench/files_put.py [--megabytes N]

Starts `latchlike serve` (engine off, no built-in workflows), writes an N MB file of
random bytes, copies it once with `shutil.copyfile` on the same disk (the baseline: what
the disk does), then streams it to the server (which stages, hashes and types it as it
arrives, and moves it into the local store). Prints both throughputs, their ratio (target
≥ 0.5), the server's peak RSS (target < 200 MB whatever the size) and whether the SHA-256
the server recorded is the file's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from server import serve

CHUNK = 1024 * 1024
RATIO_TARGET = 0.5
RSS_TARGET_MB = 200


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (Linux `VmHWM`)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=512)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=".") as tmp:  # the data dir's disk, not a tmpfs
        root = Path(tmp)
        source = root / "big.bin"
        digest = hashlib.sha256()
        with source.open("wb") as handle:
            for _ in range(args.megabytes):
                block = os.urandom(CHUNK)
                digest.update(block)
                handle.write(block)
        started = time.perf_counter()
        shutil.copyfile(source, root / "copy.bin")
        os.sync()
        copy_seconds = time.perf_counter() - started
        (root / "copy.bin").unlink()
        process, port = serve(
            root / "data", {"LATCHLIKE_RUN_ENGINE": "false", "LATCHLIKE_REGISTER_BUILTIN_WORKFLOWS": "false"}
        )
        url = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            response = httpx.put(f"{url}/api/files/flytesnacks/bench/big.bin", content=chunks(source), timeout=600)
            put_seconds = time.perf_counter() - started
            rss = peak_rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    response.raise_for_status()
    copy_rate, put_rate = args.megabytes / copy_seconds, args.megabytes / put_seconds
    ratio = put_rate / copy_rate
    print(f"{args.megabytes} MB of random bytes")
    print(f"cp (copyfile + sync)   {copy_rate:8.1f} MB/s  {copy_seconds:6.2f} s")
    print(f"PUT /api/files         {put_rate:8.1f} MB/s  {put_seconds:6.2f} s  ratio {ratio:.2f}")
    print(f"server peak RSS        {rss:8.1f} MB")
    print(f"sha256 recorded        {'matches' if response.json()['sha256'] == digest.hexdigest() else 'DIFFERS'}")
    passed = ratio >= RATIO_TARGET and rss < RSS_TARGET_MB
    print(f"target ratio >= {RATIO_TARGET}, peak RSS < {RSS_TARGET_MB} MB: {'PASS' if passed else 'FAIL'}")


if __name__ == "__main__":
    main()

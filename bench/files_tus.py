"""A large file through the tus endpoint, beside a plain copy of the same file.

Usage: python bench/files_tus.py [--megabytes N]

Starts `latchlike serve` (engine off, no built-in workflows), writes an N MB file of
random bytes, copies it once with `shutil.copyfile` on the same disk (the baseline), then
uploads it twice: as Uppy sends it by default (one creation, one streamed PATCH), and
with `latchlike cp` (tuspy, 8 MB PATCHes, each fsynced). Prints the rates, their ratios to
the copy (target ≥ 0.5), the server's peak RSS (target < 200 MB whatever the size) and
whether the SHA-256 recorded is the file's.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from files_put import CHUNK, RATIO_TARGET, RSS_TARGET_MB, chunks, peak_rss_mb
from server import serve

REPO = Path(__file__).resolve().parent.parent
TUS = {"Tus-Resumable": "1.0.0"}


def tus_upload(url: str, source: Path, path: str) -> None:
    """One creation, then the whole file in one streamed PATCH."""
    metadata = f"path {base64.b64encode(path.encode()).decode()}"
    size = source.stat().st_size
    created = httpx.post(
        f"{url}/api/tus/bench", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata}
    )
    created.raise_for_status()
    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    httpx.patch(
        url + created.headers["Location"], content=chunks(source), headers=headers, timeout=600
    ).raise_for_status()


def cli_upload(url: str, source: Path, path: str, cache: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "latchlike", "cp", "--server", url, str(source), f"latchlike://bench/{path}"]
    subprocess.run(command, env=env, check=True, capture_output=True)


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
            tus_upload(url, source, "patch.bin")
            patch_seconds = time.perf_counter() - started
            started = time.perf_counter()
            cli_upload(url, source, "cli.bin", root / "cache")
            cli_seconds = time.perf_counter() - started
            rss = peak_rss_mb(process.pid)
            recorded = {
                name: httpx.get(f"{url}/api/files/bench/{name}").json()["sha256"] for name in ("patch.bin", "cli.bin")
            }
        finally:
            process.terminate()
            process.wait(timeout=30)
    copy_rate = args.megabytes / copy_seconds
    rates = {"tus, one PATCH": args.megabytes / patch_seconds, "latchlike cp (tuspy)": args.megabytes / cli_seconds}
    print(f"{args.megabytes} MB of random bytes")
    print(f"cp (copyfile + sync)   {copy_rate:8.1f} MB/s  {copy_seconds:6.2f} s")
    for name, rate in rates.items():
        print(f"{name:<22} {rate:8.1f} MB/s  {args.megabytes / rate:6.2f} s  ratio {rate / copy_rate:.2f}")
    print(f"server peak RSS        {rss:8.1f} MB")
    matches = all(sha == digest.hexdigest() for sha in recorded.values())
    print(f"sha256 recorded        {'matches' if matches else 'DIFFERS'}")
    passed = min(rates.values()) / copy_rate >= RATIO_TARGET and rss < RSS_TARGET_MB and matches
    print(f"target ratio >= {RATIO_TARGET}, peak RSS < {RSS_TARGET_MB} MB: {'PASS' if passed else 'FAIL'}")


if __name__ == "__main__":
    main()

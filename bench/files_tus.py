"""A large file through the tus endpoint, beside a plain copy of the same file.

Usage: python bench/files_tus.py [--megabytes N]

Starts `latchlike serve` (engine off, no built-in workflows), writes an N MB file of
random bytes, copies it once with `shutil.copyfile` on the same disk (the baseline), then
uploads it twice: as Uppy sends it by default (one creation, one streamed PATCH), and
with `latchlike cp` (tuspy, 8 MB PATCHes, each fsynced). Prints the rates, their ratios to
the copy (target ≥ 0.5), the server's peak RSS (target < 200 MB whatever the size) and
whether the SHA-256 recorded is the file's. Then once more with a `kill -9` of the server
halfway through the PATCH, a restart and the rest: whether anything was visible before
the end, how fast the resuming PATCH went (it re-hashes the half the server has) and
whether the SHA-256 is right.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from files_put import CHUNK, RATIO_TARGET, RSS_TARGET_MB, chunks, peak_rss_mb
from server import serve

REPO = Path(__file__).resolve().parent.parent
TUS = {"Tus-Resumable": "1.0.0"}
SERVER_ENV = {"LATCHLIKE_RUN_ENGINE": "false", "LATCHLIKE_REGISTER_BUILTIN_WORKFLOWS": "false"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


def create(url: str, size: int, path: str) -> str:
    """A new upload's URL."""
    metadata = f"path {base64.b64encode(path.encode()).decode()}"
    created = httpx.post(
        f"{url}/api/tus/bench", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata}
    )
    created.raise_for_status()
    return url + created.headers["Location"]


def part(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while start < end and (chunk := handle.read(min(CHUNK, end - start))):
            start += len(chunk)
            yield chunk


def crash_and_resume(root: Path, source: Path) -> tuple[bool, float, str]:
    """(whether the file was visible before its end, seconds of the resuming PATCH, the
    SHA-256 recorded) for an upload whose server is killed halfway through its PATCH."""
    size, cut = source.stat().st_size, source.stat().st_size // 2
    process, port = serve(root / "crash", SERVER_ENV)
    upload = create(f"http://127.0.0.1:{port}", size, "crash.bin")
    partial, hold = root / "crash" / "tus" / upload.rsplit("/", 1)[1], threading.Event()

    def half() -> Iterator[bytes]:
        yield from part(source, 0, cut)
        hold.wait(600)  # the body stays open: the server dies mid-request

    def send() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
            httpx.patch(upload, content=half(), headers={**PATCH, "Upload-Offset": "0"}, timeout=600)

    sending = threading.Thread(target=send)
    sending.start()
    while partial.stat().st_size < cut:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    hold.set()
    sending.join()
    process, port = serve(root / "crash", SERVER_ENV)
    url = f"http://127.0.0.1:{port}"
    upload = url + "/api/tus" + upload.split("/api/tus", 1)[1]  # the restarted server's port
    try:
        visible = httpx.get(f"{url}/api/files/bench/crash.bin").status_code != 404
        offset = int(httpx.head(upload, headers=TUS).headers["Upload-Offset"])
        started = time.perf_counter()
        headers = {**PATCH, "Upload-Offset": str(offset)}
        httpx.patch(upload, content=part(source, offset, size), headers=headers, timeout=600).raise_for_status()
        seconds = time.perf_counter() - started
        return visible, seconds, httpx.get(f"{url}/api/files/bench/crash.bin").json()["sha256"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def tus_upload(url: str, source: Path, path: str) -> None:
    """One creation, then the whole file in one streamed PATCH."""
    upload = create(url, source.stat().st_size, path)
    headers = {**PATCH, "Upload-Offset": "0"}
    httpx.patch(upload, content=chunks(source), headers=headers, timeout=600).raise_for_status()


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
        process, port = serve(root / "data", SERVER_ENV)
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
        visible, resume_seconds, crash_sha = crash_and_resume(root, source)
    copy_rate = args.megabytes / copy_seconds
    rates = {"tus, one PATCH": args.megabytes / patch_seconds, "latchlike cp (tuspy)": args.megabytes / cli_seconds}
    print(f"{args.megabytes} MB of random bytes")
    print(f"cp (copyfile + sync)   {copy_rate:8.1f} MB/s  {copy_seconds:6.2f} s")
    for name, rate in rates.items():
        print(f"{name:<22} {rate:8.1f} MB/s  {args.megabytes / rate:6.2f} s  ratio {rate / copy_rate:.2f}")
    print(f"server peak RSS        {rss:8.1f} MB")
    matches = all(sha == digest.hexdigest() for sha in recorded.values())
    print(f"sha256 recorded        {'matches' if matches else 'DIFFERS'}")
    rest = args.megabytes - args.megabytes // 2
    print(f"kill -9 halfway        {'VISIBLE before the end' if visible else 'nothing visible before the end'}; "
          f"resumed {rest} MB at {rest / resume_seconds:.1f} MB/s (after re-hashing the first half); "
          f"sha256 {'matches' if crash_sha == digest.hexdigest() else 'DIFFERS'}")  # fmt: skip
    matches = matches and crash_sha == digest.hexdigest() and not visible
    # The target is the web endpoint's (Uppy's one PATCH); `latchlike cp` is shown beside it.
    passed = rates["tus, one PATCH"] / copy_rate >= RATIO_TARGET and rss < RSS_TARGET_MB and matches
    verdict = "PASS" if passed else "FAIL"
    print(f"target one-PATCH ratio >= {RATIO_TARGET}, peak RSS < {RSS_TARGET_MB} MB, kill -9 resumed right: {verdict}")


if __name__ == "__main__":
    main()

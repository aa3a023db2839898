"""`latchlike cp`, `ls`, `mv`, `rm`: a project's managed files from any machine, over the
server's HTTP API (`--server`, env LATCHLIKE_SERVER). Remote paths are
`latchlike://<project>/<path>`; anything else is a local path. Uploads go through tus and
resume when the same copy is run again after an interruption. A refusal prints the
server's message and exits 1, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from latchlike.client_token import resolve_token
from latchlike.files_client import CHUNK_BYTES, DEFAULT_SERVER, ClientError, FilesClient, Remote, parse_remote

if TYPE_CHECKING:
    from rich.progress import Progress

_MB = 1024 * 1024
NEEDS_TOKEN = (
    "latchlike: this server needs an API token: create one on its /account page, then pass --token, "
    "set LATCHLIKE_TOKEN, or put it in ~/.config/latchlike/token (readable by you only)"
)


def add_commands(commands: Any) -> None:
    """Register the commands on `latchlike`'s subparsers; each sets `over_http`."""
    server = argparse.ArgumentParser(add_help=False)
    server.add_argument("--server", default=os.environ.get("LATCHLIKE_SERVER", DEFAULT_SERVER),
                        help=f"the server's web address (LATCHLIKE_SERVER, default {DEFAULT_SERVER})")  # fmt: skip
    server.add_argument("--token", help="an API token for a server with accounts (default: LATCHLIKE_TOKEN, "
                        "else the --token-file)")  # fmt: skip
    server.add_argument("--token-file", help="a file holding the API token (LATCHLIKE_TOKEN_FILE, default "
                        "~/.config/latchlike/token if it exists)")  # fmt: skip
    cp = commands.add_parser("cp", parents=[server], help="copy files to or from a project (latchlike://<project>/…)")
    cp.add_argument("sources", nargs="+", metavar="SOURCE")
    cp.add_argument("target", metavar="TARGET")
    cp.add_argument("-r", "--recursive", action="store_true", help="copy folders with everything inside")
    cp.add_argument("-f", "--force", action="store_true", help="replace files that exist at the target")
    cp.add_argument("--chunk-mb", type=int, default=CHUNK_BYTES // _MB, help="MB per upload request (default 8)")
    cp.set_defaults(over_http=_cp)
    ls = commands.add_parser("ls", parents=[server], help="list a project's folder or show a file")
    ls.add_argument("remote", metavar="latchlike://PROJECT/PATH")
    ls.set_defaults(over_http=_ls)
    mv = commands.add_parser("mv", parents=[server], help="rename or move a file or folder within a project")
    mv.add_argument("source", metavar="latchlike://PROJECT/PATH")
    mv.add_argument("target", metavar="latchlike://PROJECT/PATH")
    mv.add_argument("-f", "--force", action="store_true", help="replace a file at the target")
    mv.set_defaults(over_http=_mv)
    rm = commands.add_parser("rm", parents=[server], help="delete to the project's trash (restorable)")
    rm.add_argument("remotes", nargs="+", metavar="latchlike://PROJECT/PATH")
    rm.add_argument("-r", "--recursive", action="store_true", help="delete folders with everything inside")
    rm.add_argument("--purge", action="store_true", help="delete for good, not to the trash")
    rm.set_defaults(over_http=_rm)


def run(args: argparse.Namespace) -> None:
    """One command against the server; errors become one line on stderr and exit status 1 (a
    401 to a call sent with no token adds a line on how to give one)."""
    try:
        token = resolve_token(args.token, args.token_file)
    except OSError as error:
        raise SystemExit(f"latchlike: cannot read the token file: {error.strerror}: {error.filename}") from None
    client = FilesClient(args.server, cache_dir=_cache_dir(), token=token)
    try:
        args.over_http(client, args)
    except ClientError as error:
        if error.status == 401 and token is None:
            raise SystemExit(f"latchlike: {error}\n{NEEDS_TOKEN}") from None
        raise SystemExit(f"latchlike: {error}") from None
    except OSError as error:
        raise SystemExit(f"latchlike: {error.strerror or error}: {error.filename or ''}".rstrip(": ")) from None
    except KeyboardInterrupt:
        raise SystemExit("latchlike: interrupted; run the same command again to resume an upload") from None
    finally:
        client.close()


def _cache_dir() -> Path:
    """Where interrupted uploads are remembered (tuspy's URL storage)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "latchlike"


def _remote(text: str) -> Remote:
    remote = parse_remote(text)
    if remote is None:
        raise ClientError(f"{text!r} is not a remote path: write latchlike://<project>/<path>")
    return remote


def _cp(client: FilesClient, args: argparse.Namespace) -> None:
    target = parse_remote(args.target)
    sources = [(text, parse_remote(text)) for text in args.sources]
    if target is not None and any(remote for _, remote in sources):
        raise ClientError("copy between two remote paths is not supported: use `latchlike mv`, or copy via here")
    if target is None and not all(remote for _, remote in sources):
        raise ClientError("one side must be remote: latchlike://<project>/<path>")
    chunk_bytes = max(1, args.chunk_mb) * _MB
    if target is not None:
        uploads = [
            job for text, _ in sources for job in _uploads(client, Path(text), target, args, many=len(sources) > 1)
        ]
        with _progress() as progress:
            for path, remote, size in uploads:
                done = _bar(progress, str(remote), size)
                resumed = client.upload(path, remote, overwrite=args.force, progress=done, chunk_bytes=chunk_bytes)
                progress.console.print(f"{path} → {remote}" + (" (resumed)" if resumed else ""))
        return
    downloads = [job for _, remote in sources if remote for job in _downloads(client, remote, Path(args.target), args)]
    with _progress() as progress:
        for remote, path, size in downloads:
            client.download(remote, path, _bar(progress, str(path), size))
            progress.console.print(f"{remote} → {path}")


Upload = tuple[Path, Remote, int]
Download = tuple[Remote, Path, int]
"""(from, to, size in bytes)."""


def _uploads(
    client: FilesClient, source: Path, target: Remote, args: argparse.Namespace, *, many: bool
) -> list[Upload]:
    """What to send where: a folder's files keep their relative paths; its folders (empty ones
    too) are made on the server first."""
    if not source.exists():
        raise ClientError(f"no file or folder {source}")
    found = client.info(target)
    into = many or args.target.endswith("/") or bool(found and found["is_folder"])
    if source.is_file():
        return [(source, target.child(source.name) if into else target, source.stat().st_size)]
    if not args.recursive:
        raise ClientError(f"{source} is a folder: pass -r to copy it with everything inside")
    top = target.child(source.resolve().name) if into else target
    jobs: list[Upload] = []
    for folder, names, files in os.walk(source):
        names.sort()
        relative = Path(folder).relative_to(source).as_posix()
        remote_folder = top if relative == "." else top.child(relative)
        client.make_folder(remote_folder)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file():
                jobs.append((path, remote_folder.child(name), path.stat().st_size))
    return jobs


def _downloads(client: FilesClient, source: Remote, target: Path, args: argparse.Namespace) -> list[Download]:
    record = client.info(source)
    if record is None:
        raise ClientError(f"nothing at {source}")
    name = source.name or source.project
    destination = target / name if target.is_dir() else target
    if not record["is_folder"]:
        return [_download_job(source, destination, int(record["size"]), force=args.force)]
    if not args.recursive:
        raise ClientError(f"{source} is a folder: pass -r to copy it with everything inside")
    return list(_folder_downloads(client, source, destination, force=args.force))


def _folder_downloads(client: FilesClient, folder: Remote, local: Path, *, force: bool) -> Iterator[Download]:
    local.mkdir(parents=True, exist_ok=True)
    for entry in client.entries(folder):
        child = folder.child(entry["name"])
        if entry["is_folder"]:
            yield from _folder_downloads(client, child, local / entry["name"], force=force)
        else:
            yield _download_job(child, local / entry["name"], int(entry["size"]), force=force)


def _download_job(source: Remote, destination: Path, size: int, *, force: bool) -> Download:
    if destination.exists() and not force:
        raise ClientError(f"{destination} exists: pass -f to replace it")
    return (source, destination, size)


def _ls(client: FilesClient, args: argparse.Namespace) -> None:
    remote = _remote(args.remote)
    record = client.info(remote)
    if record is None:
        raise ClientError(f"nothing at {remote}")
    entries = client.entries(remote) if record["is_folder"] else iter([record])
    for entry in entries:
        name = entry["name"] + ("/" if entry["is_folder"] else "")
        kind = "-" if entry["is_folder"] else entry.get("kind") or "?"
        print(f"{entry['size']:>14}  {kind:<8}  {entry['uploaded_at'][:19].replace('T', ' ')}  {name}")


def _mv(client: FilesClient, args: argparse.Namespace) -> None:
    source, target = _remote(args.source), _remote(args.target)
    found = client.info(target)
    if found and found["is_folder"]:
        target = target.child(source.name)  # into the folder, as mv does
    client.move(source, target, overwrite=args.force)
    print(f"{source} → {target}")


def _rm(client: FilesClient, args: argparse.Namespace) -> None:
    for remote in map(_remote, args.remotes):
        if not remote.path:
            raise ClientError(f"{remote} is the whole project: name what to delete")
        found = client.info(remote)
        if found and found["is_folder"] and not args.recursive:
            raise ClientError(f"{remote} is a folder: pass -r to delete it with everything inside")
        client.remove(remote, purge=args.purge)
        print(f"{'purged' if args.purge else 'trashed'} {remote}")


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True)  # fmt: skip


def _bar(progress: Progress, name: str, size: int) -> Callable[[int], None]:
    """A progress bar for one file; the function to tell it the bytes done."""
    task = progress.add_task(name if len(name) <= 48 else "…" + name[-47:], total=size)
    return lambda done: progress.update(task, completed=done)

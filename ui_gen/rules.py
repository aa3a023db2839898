"""Checks that are not plain HTML5 constraints, written once here and once, line for line,
in `static/forms.js`; a property test holds the two to the same answers."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Protocol

from ui_gen.metadata import Rule

COMPRESSION_SUFFIXES = frozenset({".gz", ".bgz", ".bz2", ".xz", ".zst"})
FORMAT_ALIASES = {
    "fastq": {"fastq", "fq"},
    "fasta": {"fasta", "fa", "fna", "faa", "ffn"},
    "bam": {"bam"},
    "vcf": {"vcf"},
    "csv": {"csv"},
    "tsv": {"tsv", "tab"},
}


# What JavaScript's `\s` matches; its `.` stops at these line terminators too.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_LINE_ENDS = "\n\r\u2028\u2029"


def rule_failure(rules: Iterable[Rule], value: str) -> str | None:
    """The message of the first rule the value does not match; None when all match.

    A rule is searched for, as Latch's console (JavaScript's `RegExp.test`) does: Latch's
    own `(.fastq|.fq)$` asks for an ending; `^...$` asks for the whole value."""
    for rule in rules:
        if browser_regex(rule.regex).search(value) is None:
            return rule.message
    return None


@functools.lru_cache(maxsize=1024)
def browser_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` as the browser reads it (a JavaScript RegExp with the `u` flag), so both
    sides accept the same values: `\\w`, `\\d` and `\b` are ASCII-only, `\\s` is Unicode
    whitespace, `.` stops at every line terminator, and `$` is the very end (not the end
    before a final line break, as in Python)."""
    translated: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped == "s":
                translated.append(_JS_SPACE if in_class else f"[{_JS_SPACE}]")
            elif escaped == "S" and not in_class:
                translated.append(f"[^{_JS_SPACE}]")
            else:
                translated.append(char + escaped)
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "." and not in_class:
            char = f"[^{_JS_LINE_ENDS}]"
        elif char == "$" and not in_class:
            char = r"\Z"
        translated.append(char)
        index += 1
    return re.compile("".join(translated), re.ASCII)


def matches_format(name: str, blob_format: str) -> bool:
    """A blob `format` accepts files whose extension (under any compression) names it."""
    if not blob_format:
        return True
    path = PurePosixPath(name.lower())
    suffixes = path.suffixes
    while suffixes and suffixes[-1] in COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    extension = suffixes[-1].lstrip(".") if suffixes else ""
    wanted = blob_format.lower()
    return extension in FORMAT_ALIASES.get(wanted, {wanted})


class StoredFile(Protocol):
    @property
    def uri(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def is_directory(self) -> bool: ...


class FileCatalog(Protocol):
    """What validation needs of a file store: look a form's file value up. The value is a
    URI, or however else the catalog lets people name a file (say, a path in their project);
    what launches is the found file's `uri`. (Pickers ask the server for candidates at the
    URL the form is rendered with.)"""

    def lookup(self, uri: str) -> StoredFile | None: ...


def file_failure(found: StoredFile | None, uri: str, *, directory: bool, blob_format: str) -> str | None:
    """Why `found` (what the catalog found for the value `uri`) cannot fill the field, or None."""
    what = "directory" if directory else "file"
    if found is None:
        return f"no {what} {uri!r} in the file store"
    if found.is_directory != directory:
        return f"{uri!r} is a {'directory' if found.is_directory else 'file'}; this needs a {what}"
    if not directory and not matches_format(found.name, blob_format):
        return f"{found.name!r} is not a {blob_format} file"
    return None

"""Key checks: what flytekit sends is accepted, anything that could leave its folder is not."""

from __future__ import annotations

import pytest

from latchlike.errors import InvalidArgument
from latchlike.store.keys import check_key, upload_key


@pytest.mark.parametrize(
    ("root", "filename"),
    [("LI4HURDMPSZQIWVLTOPC5XDAFA======", "sample.fastq"), ("a3f0c2", "sample 1 (copy).txt"),
     ("fast-bundle", "fastq_ñ.gz")],
)  # fmt: skip
def test_upload_keys_take_what_flytekit_sends(root: str, filename: str) -> None:
    key = upload_key("flytesnacks", "development", root, filename)
    assert key == f"uploads/flytesnacks/development/{root}/{filename}"
    assert check_key(key) == key


@pytest.mark.parametrize(
    "filename", ["..", ".", "../x", "a/b", "/etc/passwd", "a\\b", "reads.fastq\n", "a\x00b", "\x1b[31m", "x" * 256, ""]
)
def test_upload_keys_refuse_names_that_leave_their_folder(filename: str) -> None:
    with pytest.raises(InvalidArgument, match="not a safe name"):
        upload_key("flytesnacks", "development", "root", filename)


@pytest.mark.parametrize("key", ["uploads/x/\n", "uploads/../x", "/uploads/x", "uploads//x", "uploads/x\n", ""])
def test_store_keys_refuse_traversal_absolute_and_control_characters(key: str) -> None:
    with pytest.raises(InvalidArgument, match="not a valid store key"):
        check_key(key)


@pytest.mark.parametrize("key", ["uploads/p/d/root/reads.fastq\n", "uploads/p/d/root\n/reads.fastq"])
def test_a_key_with_a_newline_in_a_part_is_refused(key: str) -> None:
    with pytest.raises(InvalidArgument, match="not a valid store key"):
        check_key(key)

"""Store keys a client can influence: every part whole, nothing trailing."""

from __future__ import annotations

import pytest

from latchlike.errors import InvalidArgument
from latchlike.store.keys import check_key, upload_key


@pytest.mark.parametrize("key", ["uploads/p/d/root/reads.fastq\n", "uploads/p/d/root\n/reads.fastq", "files/p/a b"])
def test_a_key_with_a_newline_or_space_in_a_part_is_refused(key: str) -> None:
    with pytest.raises(InvalidArgument, match="not a valid store key"):
        check_key(key)


def test_an_upload_filename_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="filename"):
        upload_key("flytesnacks", "development", "root", "reads.fastq\n")

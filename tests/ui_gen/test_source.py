"""Signature order from the source, for every layout flytekit can name a workflow in."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from latchlike.specs.sources import bundle_sources, package_sources, split_workflow_name
from latchlike.store.local import LocalFileStore
from ui_gen.source import source_hints

WORKFLOW = '''
from dataclasses import dataclass

@dataclass
class Reads:
    zeta: str
    alpha: int

def run(zebra: str, apple: int, reads: Reads) -> None:
    """Run."""
'''


@pytest.mark.parametrize(
    ("path", "flytekit_name"),
    [
        ("wf/__init__.py", "wf.__init__.run"),  # Latch's `latch init` layout
        ("wf/main.py", "wf.main.run"),
        ("pkg/sub/__init__.py", "pkg.sub.__init__.run"),
        ("pkg/sub/deep.py", "pkg.sub.deep.run"),
        ("single.py", "single.run"),
    ],
)
def test_hints_are_found_for_every_layout(tmp_path: Path, path: str, flytekit_name: str) -> None:
    root = tmp_path / "project"
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    for parent in Path(path).parents:  # packages all the way down, as flytekit needs
        if parent != Path("."):
            (root / parent / "__init__.py").touch(exist_ok=True)
    (root / path).write_text(WORKFLOW)
    bundle = tmp_path / "bundle.tar.gz"
    with tarfile.open(bundle, mode="w:gz") as tar:
        tar.add(root, arcname=".")
    store = LocalFileStore(tmp_path / "store")
    store.put_file("bundle.tar.gz", bundle)
    sources = bundle_sources(store, store.uri("bundle.tar.gz"))
    assert sources is not None
    hints = source_hints(sources, *split_workflow_name(flytekit_name))
    assert hints is not None, sorted(sources)
    assert hints.parameter_order == ("zebra", "apple", "reads")
    assert hints.class_fields["Reads"] == ("zeta", "alpha")


def test_package_sources_name_an_init_by_its_package(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "__init__.py").write_text(WORKFLOW)
    (tmp_path / "sub" / "__init__.py").write_text(WORKFLOW)
    sources = package_sources(tmp_path, "wf")
    assert source_hints(sources, "wf.__init__", "run") is not None
    assert source_hints(sources, "wf.sub.__init__", "run") is not None

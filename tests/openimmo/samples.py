"""Where the reader tests find their sample files -- without importing Django.

``tests/helpers.py`` imports Django models; the reader tests must not, so they use this module.
Permissively licensed samples are copied into ``tests/fixtures/openimmo/`` (see SOURCES.md);
GPL-licensed ones may not be copied and are read from ``../shared/openimmo/samples/``.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openimmo"
SHARED_SAMPLES = Path(
    os.environ.get("OPENIMMO_SHARED_SAMPLES")
    or Path(__file__).resolve().parents[3] / "shared" / "openimmo" / "samples"
)


def fixture(name: str) -> Path:
    """A sample copied into ``tests/fixtures/openimmo``."""
    path = FIXTURES / name
    assert path.exists(), f"missing fixture {path}"
    return path


def shared_sample(name: str) -> Path:
    """A GPL sample from ../shared/openimmo/samples, or skip the test with the reason."""
    path = SHARED_SAMPLES / name
    if not path.exists():
        pytest.skip(f"GPL sample {name} is read from {SHARED_SAMPLES}, which is absent here")
    return path


def zip_member(name: str, member: str) -> bytes:
    """The bytes of one member of a GPL ZIP sample (ZIP handling is the importer's job)."""
    with zipfile.ZipFile(shared_sample(name)) as archive:
        return archive.read(member)

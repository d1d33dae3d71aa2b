"""Plain helper functions that build brokers, pages and feeds for tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from wagtail_openimmo.brokers import create_broker
from wagtail_openimmo.models import Broker

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# GPL-licensed samples may not be copied into the project: tests read them from ../shared
# when it is there (see tests/fixtures/README.md).
SHARED_SAMPLES = Path(
    os.environ.get("OPENIMMO_SHARED_SAMPLES")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "openimmo" / "samples"
)


def shared_sample(name: str) -> Path:
    """A sample from ../shared/openimmo/samples, or skip the test with the reason."""
    path = SHARED_SAMPLES / name
    if not path.exists():
        pytest.skip(f"GPL sample {name} is read from {SHARED_SAMPLES}, which is absent here")
    return path


def make_broker(slug: str = "acme", *, approved: bool = True, **kwargs) -> Broker:
    kwargs.setdefault("name", slug.replace("-", " ").title())
    kwargs.setdefault("email", f"{slug}@example.com")
    kwargs.setdefault("anid", f"{slug.upper()}-ANID")
    kwargs.setdefault("language", "de")  # the suite was written for German brokers
    return create_broker(slug, approved=approved, **kwargs)


def wait_for(condition, timeout: float = 5.0) -> bool:
    """Poll ``condition`` every 20 ms until it is true (True) or ``timeout`` passed (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False

"""Small OpenImmo uploads for the scale tests, dropped into an inbox as broker software does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

from wagtail_openimmo.openimmo import generate

BASE = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def prop(n: int, *, images: int = 1, **changes) -> generate.DemoProperty:
    """The ``n``-th demo property with tiny pictures, with some values changed."""
    return dataclasses.replace(generate.demo_property(n, images=images, image_size=(48, 32)),
                               **changes)


def drop(
    inbox: Path,
    folder: str,
    name: str,
    properties,
    *,
    anid: str,
    minutes: int = 0,
    umfang: str = "TEIL",
    mtime: float | None = None,
    marker: bool = True,
) -> Path:
    """Write ``<inbox>/<folder>/<name>`` (a ZIP transferred at BASE + ``minutes``) and its
    ``.done`` marker (the broker's "upload finished")."""
    path = inbox / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    generate.write_zip(
        tmp, properties, anid=anid, umfang=umfang, timestamp=BASE + dt.timedelta(minutes=minutes)
    )
    os.replace(tmp, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    if marker:
        path.with_name(path.name + ".done").write_bytes(b"")
    return path

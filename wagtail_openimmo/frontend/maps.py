"""A small map of a listing's location, built from slippy-map tiles without any JavaScript
library.

The operator configures a tile source (``MAP_TILE_URL`` with ``{z}``, ``{x}``, ``{y}``, as
OpenStreetMap-style servers use, and ``MAP_ATTRIBUTION``; per site under Settings →
OpenImmo website, see ``site_config``). The page renders a grid of
``cols × rows`` tiles around the property with a marker on top — but only after the visitor
asked for it ("two-click" consent): until then no request goes to the tile server. Without
a tile source, or when the broker does not release the address, there is no map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from .site_config import resolve

TILE_SIZE = 256


@dataclass(frozen=True)
class TileMap:
    rows: list[list[str]]  # tile URLs, row by row
    marker_left: float  # marker position in percent of the grid's width
    marker_top: float  # … and height
    attribution: str
    zoom: int

    @property
    def host(self) -> str:
        """The tile server's host name, named in the consent notice."""
        if not self.rows:
            return ""
        return urlsplit(self.rows[0][0]).hostname or ""

    @property
    def cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def tile_position(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Fractional tile coordinates (Web Mercator) of a point at ``zoom``."""
    n = 2**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * n
    rad = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
    return x, y


def tile_map(lat, lon, *, cols: int = 3, rows: int = 2, config=None) -> TileMap | None:
    """The tiles around ``lat``/``lon``, or None when no tile source is configured.
    ``config``: the site's switches (``site_config``); None: the Python settings."""
    config = config or resolve(None)
    template = config.map_tile_url
    if not template or lat is None or lon is None:
        return None
    zoom = config.map_zoom
    x, y = tile_position(float(lat), float(lon), zoom)
    n = 2**zoom
    x0 = math.floor(x - cols / 2)
    y0 = max(0, min(n - rows, math.floor(y - rows / 2)))
    grid = [
        [
            template.replace("{s}", "a")
            .replace("{z}", str(zoom))
            .replace("{x}", str((x0 + col) % n))
            .replace("{y}", str(y0 + row))
            for col in range(cols)
        ]
        for row in range(rows)
    ]
    return TileMap(
        rows=grid,
        marker_left=round((x - x0) / cols * 100, 3),
        marker_top=round((y - y0) / rows * 100, 3),
        attribution=config.map_attribution,
        zoom=zoom,
    )


def map_link(lat, lon, *, config=None) -> str | None:
    """A link to the location on a map site (``MAP_LINK_URL``, OpenStreetMap by default):
    no tiles on our page, nothing requested before the visitor clicks."""
    config = config or resolve(None)
    template = config.map_link_url
    if not template or lat is None or lon is None:
        return None
    return template.format(lat=f"{float(lat):.5f}", lon=f"{float(lon):.5f}", zoom=config.map_zoom)

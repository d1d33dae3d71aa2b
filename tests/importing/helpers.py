"""Building OpenImmo uploads by hand, counting writes, and a real HTTP server for REMOTE files."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail_openimmo.openimmo.generate import jpeg

RUN_TABLES = ("wagtail_openimmo_importrun",)  # also matches ..._importrunentry
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def small_jpeg(seed: int, size=(64, 48)) -> bytes:
    return jpeg(seed, size=size)


@dataclass
class Anhang:
    pfad: str | None = None
    gruppe: str | None = "BILD"
    titel: str | None = None
    location: str = "EXTERN"
    md5: str | None = None
    inhalt: bytes | None = None  # INTERN: base64 in <anhanginhalt>
    format: str = "image/jpeg"

    def xml(self) -> str:
        import base64

        gruppe = f' gruppe="{self.gruppe}"' if self.gruppe else ""
        parts = [f'<anhang location="{self.location}"{gruppe}>']
        if self.titel is not None:
            parts.append(f"<anhangtitel>{escape(self.titel)}</anhangtitel>")
        parts.append(f"<format>{self.format}</format>")
        if self.md5:
            parts.append(f'<check ctype="MD5">{self.md5}</check>')
        parts.append("<daten>")
        if self.pfad is not None:
            parts.append(f"<pfad>{escape(self.pfad)}</pfad>")
        if self.inhalt is not None:
            parts.append(f"<anhanginhalt>{base64.b64encode(self.inhalt).decode()}</anhanginhalt>")
        parts.append("</daten></anhang>")
        return "\n".join(parts)


@dataclass
class Prop:
    """A hand-made ``<immobilie>``; None leaves an element out."""

    intern: str | None = "100"
    extern: str | None = "E100"
    obid: str | None = None
    titel: str | None = "Schöne Wohnung"
    ort: str | None = "Mainz"
    plz: str | None = "55116"
    kaufpreis: str | None = "250000.00"
    wohnflaeche: str | None = "80.00"
    aktion: str | None = None
    sprache: str | None = None
    lage: str | None = None
    dreizeiler: str | None = None
    anhaenge: list[Anhang] = field(default_factory=list)

    def xml(self) -> str:
        def el(tag, value):
            return f"<{tag}>{escape(value)}</{tag}>" if value is not None else ""

        vt = "".join(
            [
                el("objektnr_intern", self.intern),
                el("objektnr_extern", self.extern),
                f'<aktion aktionart="{self.aktion}"/>' if self.aktion else "",
                el("openimmo_obid", self.obid),
                el("sprache", self.sprache),
            ]
        )
        anhaenge = ""
        if self.anhaenge:
            anhaenge = "<anhaenge>\n" + "\n".join(a.xml() for a in self.anhaenge) + "\n</anhaenge>"
        freitexte = (
            el("objekttitel", self.titel)
            + el("dreizeiler", self.dreizeiler)
            + el("lage", self.lage)
        )
        return "\n".join(
            [
                "<immobilie>",
                "<objektkategorie>",
                '<nutzungsart WOHNEN="true" GEWERBE="false"/>',
                '<vermarktungsart KAUF="true" MIETE_PACHT="false"/>',
                '<objektart><wohnung wohnungtyp="ETAGE"/></objektart>',
                "</objektkategorie>",
                f"<geo>{el('plz', self.plz)}{el('ort', self.ort)}</geo>",
                f"<preise>{el('kaufpreis', self.kaufpreis)}</preise>",
                f"<flaechen>{el('wohnflaeche', self.wohnflaeche)}</flaechen>",
                f"<freitexte>{freitexte}</freitexte>",
                anhaenge,
                f"<verwaltung_techn>{vt}</verwaltung_techn>",
                "</immobilie>",
            ]
        )


def transfer(
    *props: Prop,
    umfang: str | None = "TEIL",
    anid: str | None = "ACME-ANID",
    anbieternr: str | None = None,
    firma: str = "Acme Immobilien",
) -> bytes:
    umfang_attr = f' umfang="{umfang}"' if umfang else ""
    ids = ""
    if anbieternr is not None:
        ids += f"<anbieternr>{escape(anbieternr)}</anbieternr>\n"
    ids += f"<firma>{escape(firma)}</firma>\n"
    if anid is not None:
        ids += f"<openimmo_anid>{escape(anid)}</openimmo_anid>\n"
    body = "\n".join(p.xml() for p in props)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<openimmo>\n'
        f'<uebertragung art="OFFLINE"{umfang_attr} modus="CHANGE" version="1.2.7b" '
        'sendersoftware="tests" senderversion="1" timestamp="2026-11-01T12:00:00+01:00"/>\n'
        f"<anbieter>\n{ids}{body}\n</anbieter>\n</openimmo>\n"
    ).encode()


def write_upload(
    path: Path, xml: bytes, files: dict[str, bytes] | None = None, xml_name: str = "openimmo.xml"
) -> Path:
    """A ZIP with the XML and ``files``; a bare XML when ``path`` ends in .xml."""
    if path.suffix.lower() == ".xml":
        path.write_bytes(xml)
        return path
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(xml_name, xml)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@dataclass
class Writes:
    queries: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.queries)


@contextlib.contextmanager
def count_writes():
    """INSERT/UPDATE/DELETE statements on every table but the run log."""
    writes = Writes()
    with CaptureQueriesContext(connection) as ctx:
        yield writes
    for query in ctx.captured_queries:
        sql = query["sql"]
        if _WRITE.match(sql) and not any(t in sql for t in RUN_TABLES):
            writes.queries.append(sql)


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def storage_files(kind: str = "original_images") -> set[str]:
    return {f for f in media_files() if f.startswith(kind)}


class FileServer:
    """A real HTTP server on 127.0.0.1 serving ``files`` (path -> bytes).

    ``fail[path] = n`` answers the first n requests for ``path`` with HTTP 503;
    ``stall[path] = s`` waits ``s`` seconds before answering; ``drip[path] = s`` sends the
    body one byte every ``s`` seconds.
    """

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.fail: dict[str, int] = {}
        self.stall: dict[str, float] = {}
        self.drip: dict[str, float] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append(self.path)
                if self.path in server.stall and server.stopping.wait(server.stall[self.path]):
                    return
                if server.fail.get(self.path, 0) > 0:
                    server.fail[self.path] -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.path.startswith("/redirect-to/"):
                    self.send_response(302)
                    self.send_header("Location", self.path[len("/redirect-to/") :])
                    self.end_headers()
                    return
                data = server.files.get(self.path)
                if data is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.path not in server.drip:
                    self.wfile.write(data)
                    return
                for byte in data:
                    if server.stopping.wait(server.drip[self.path]):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def openimmo_settings(**values):
    """``override_settings`` for keys of the WAGTAIL_OPENIMMO dict (merged, not replaced)."""
    from django.test import override_settings

    return override_settings(WAGTAIL_OPENIMMO={**settings.WAGTAIL_OPENIMMO, **values})

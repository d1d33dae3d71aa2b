"""A seeded, structure-aware mutation fuzzer for OpenImmo uploads.

Seeds are real files (``tests/fixtures/openimmo``, the shared samples when present, the
regressions in ``tests/fixtures/fuzz``), generated exporter ZIPs with pictures and hand-made
transfers. A case takes one seed and applies one to three mutations:

* tree level (the XML parsed with lxml): an element removed, duplicated, moved elsewhere or
  renamed; text or an attribute replaced by junk (huge and odd numbers, impossible dates,
  long and strange text), an attribute added;
* byte level (the serialised XML): truncated, bytes flipped, inserted or deleted, the
  declared encoding changed, the text re-encoded;
* the ZIP around it: a picture removed, truncated or swapped for junk.

Everything is drawn from ``random.Random(seed)``: a case is reproduced from its number.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from tests.helpers import SHARED_SAMPLES
from tests.importing.helpers import Anhang, Prop, transfer
from wagtail_openimmo.openimmo.generate import demo_property, jpeg, xml_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REGRESSIONS = FIXTURES / "fuzz"

JUNK_TEXT = [
    "1e309",
    "-1e309",
    "9" * 400,
    "1" + "0" * 30,
    "999999999999.995",
    "1e-999999",
    "1e99999999",
    "-0",
    "NaN",
    "Infinity",
    "sNaN",
    "0x1F",
    "1,5",
    "1.234.567,89",
    "12 345,00 €",
    "3000000000",
    "-2147483649",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00",
    "31.02.2020",
    "2020-13-45",
    "true",
    "ja",
    "vielleicht",
    "",
    "   ",
    "x" * 5000,
    "Ä" * 300,
    "🏠" * 100,
    "\u202eRTL\u202c",
    "&amp;lt;script&amp;gt;",
    "<b>fett</b>",
    "../../etc/passwd",
    "http://127.0.0.1:9/x.jpg",
    "file:///etc/passwd",
    "C:\\bilder\\a.jpg",
    "KAUF",
    "DELETE",
    "VOLL",
]
ENCODINGS = ["ISO-8859-1", "UTF-16", "windows-1252", "ascii", "utf-8", "no-such-encoding"]


@dataclass
class Seed:
    name: str
    xml: bytes
    files: dict[str, bytes] = field(default_factory=dict)  # other ZIP members; {} = bare XML
    zipped: bool = False


@dataclass
class Case:
    number: int
    seed: str
    mutations: list[str]
    name: str
    content: bytes

    def describe(self) -> str:
        return f"case {self.number} (seed {self.seed}: {', '.join(self.mutations)})"


def _zip_seed(name: str, data: bytes) -> Seed | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None
    xml_names = [n for n in members if n.lower().endswith(".xml")]
    if not xml_names:
        return None
    xml = members.pop(xml_names[0])
    return Seed(name, xml, members, zipped=True)


def load_seeds() -> list[Seed]:
    """The seeds; the GPL samples of ``SHARED_SAMPLES`` are read from there when present."""
    seeds: list[Seed] = []
    for folder in [FIXTURES / "openimmo", REGRESSIONS, SHARED_SAMPLES]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() == ".xml":
                seeds.append(Seed(path.name, path.read_bytes()))
            elif path.suffix.lower() == ".zip":
                seed = _zip_seed(path.name, path.read_bytes())
                if seed is not None:
                    seeds.append(seed)
    # Generated exporter files with real pictures in the ZIP, and hand-made transfers: most
    # samples above are skeletons the rules reject, these reach every step of the importer
    # (so they are drawn more often).
    props = [demo_property(n, images=2, image_size=(32, 24)) for n in range(3)]
    files = {pic.name: pic.data for prop in props for pic in prop.pictures}
    hand = [
        Prop(intern="1", extern="H1", anhaenge=[Anhang(pfad="a.jpg", titel="Außen")]),
        Prop(intern="2", extern="H2", aktion="REFERENZ", lage="Ruhig<br/>zentral"),
        Prop(intern="3", extern="H3", aktion="DELETE"),
    ]
    good = [
        Seed("generated-voll.zip", xml_bytes(props, umfang="VOLL"), files, True),
        Seed("generated-teil.xml", xml_bytes(props[:1], umfang="TEIL")),
        Seed("hand-made.zip", transfer(*hand, anid=None), {"a.jpg": jpeg(7, size=(24, 16))}, True),
    ]
    return seeds + good * 3


# --- mutations -------------------------------------------------------------------------------


def _elements(root) -> list:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _junk(rng: random.Random) -> str:
    return rng.choice(JUNK_TEXT)


def mutate_tree(rng: random.Random, xml: bytes) -> tuple[bytes, str] | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    elements = _elements(root)
    if len(elements) < 2:
        return None
    target = rng.choice(elements[1:])
    parent = target.getparent()
    kind = rng.choice(["remove", "duplicate", "move", "rename", "text", "text", "attr", "add-attr"])
    tag = etree.QName(target).localname
    if kind == "remove":
        parent.remove(target)
    elif kind == "duplicate":
        parent.insert(parent.index(target) + 1, _copy(target))
    elif kind == "move":
        parent.remove(target)
        host = rng.choice(_elements(root))
        host.insert(rng.randint(0, len(host)), target)
    elif kind == "rename":
        other = etree.QName(rng.choice(elements)).localname
        target.tag = other
        tag = f"{tag}->{other}"
    elif kind == "text":
        target.text = _junk(rng)
    elif kind == "attr":
        if not target.attrib:
            return None
        key = rng.choice(list(target.attrib))
        target.set(key, _junk(rng))
        tag = f"{tag}@{etree.QName(key).localname}"
    else:
        target.set(
            rng.choice(["gruppe", "location", "aktionart", "umfang", "WOHNEN", "x"]), _junk(rng)
        )
    try:
        out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    except (ValueError, etree.SerialisationError):
        return None
    return out, f"{kind} {tag}"


def _copy(element):
    return etree.fromstring(etree.tostring(element))


def mutate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    kind = rng.choice(["truncate", "flip", "insert", "delete", "encoding", "reencode"])
    if not data:
        return b"\x00", "empty->nul"
    if kind == "truncate":
        cut = rng.randint(0, len(data) - 1)
        return data[:cut], f"truncate@{cut}"
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out), "flip"
    if kind == "insert":
        i = rng.randrange(len(data))
        junk = rng.choice([b"\x00", b"\xff\xfe", b"&", b"<", b"]]>", b"\xc3", b"&#0;", b"&bogus;"])
        return data[:i] + junk + data[i:], f"insert@{i}"
    if kind == "delete":
        i = rng.randrange(len(data))
        return data[:i] + data[i + rng.randint(1, 64) :], f"delete@{i}"
    if kind == "encoding":
        enc = rng.choice(ENCODINGS)
        out, n = re.subn(rb'encoding="[^"]*"', f'encoding="{enc}"'.encode(), data, count=1)
        return out, f"declare {enc}" if n else "declare (none)"
    try:
        text = data.decode("utf-8")
        enc = rng.choice(["latin-1", "utf-16", "cp1252"])
        return text.encode(enc, errors="replace"), f"reencode {enc}"
    except UnicodeDecodeError:
        return data, "reencode (not utf-8)"


def mutate_files(rng: random.Random, files: dict[str, bytes]) -> tuple[dict[str, bytes], str]:
    files = dict(files)
    name = rng.choice(sorted(files))
    kind = rng.choice(["drop", "truncate", "junk", "other-picture"])
    if kind == "drop":
        del files[name]
    elif kind == "truncate":
        files[name] = files[name][: len(files[name]) // 2]
    elif kind == "junk":
        files[name] = rng.randbytes(rng.randint(0, 256))
    else:
        files[name] = jpeg(rng.randrange(1000), size=(16, 12))
    return files, f"{kind} {name}"


def make_case(number: int, seeds: list[Seed], base_seed: int) -> Case:
    rng = random.Random(base_seed * 1_000_003 + number)
    seed = rng.choice(seeds)
    xml, files, mutations = seed.xml, dict(seed.files), []
    for _ in range(rng.choice([1, 1, 2, 3])):
        roll = rng.random()
        if roll < 0.7:
            done = mutate_tree(rng, xml)
            if done is not None:
                xml, what = done
                mutations.append(what)
                continue
        if roll < 0.9 or not files:
            xml, what = mutate_bytes(rng, xml)
        else:
            files, what = mutate_files(rng, files)
        mutations.append(what)
    if seed.zipped:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("openimmo.xml", xml)
            for name, data in files.items():
                zf.writestr(name, data)
        return Case(number, seed.name, mutations, f"case-{number}.zip", out.getvalue())
    return Case(number, seed.name, mutations, f"case-{number}.xml", xml)

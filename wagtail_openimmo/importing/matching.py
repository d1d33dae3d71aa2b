"""Which existing listing a property of a file is.

A property is the broker plus ``objektnr_intern``, falling back to ``openimmo_obid`` and then
``objektnr_extern`` (exporters differ in which number stays stable), plus its language when
the file carries ``verwaltung_techn/sprache``. Lookups always filter by broker: a file can
never reach another broker's listings, whatever numbers it contains.

``objektnr_extern`` is the number shown to visitors and the least reliable: a listing found
only through it is taken only if its stronger numbers do not contradict the file's.

A dry run must see its own (unwritten) effects -- a property created earlier in the file is
"there" for a later DELETE -- so matching works on ``Known`` snapshots, which the dry run
overlays with what it would have done (``Overlay``).

An import loads the broker's listings once, up front (``Catalogue``: a constant number of
queries whatever the number of properties), and matches in memory; it updates the catalogue
after each listing it writes, so later properties of the file see what earlier ones did.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q

from .. import get_listing_page_model
from ..exporting.records import DERIVED_NUMBER_PREFIX
from ..models import AbstractListingPage, Broker, ListingAttachment
from ..openimmo import PropertyRecord

KEYS = ("objektnr_intern", "openimmo_obid", "objektnr_extern")
KNOWN_VALUES = (
    "id",
    *KEYS,
    "sprache",
    "live",
    "withdrawn_at",
    "is_reference",
    "imported",
    "openimmo_fingerprint",
    "openimmo_quick_fingerprint",
    "title",
)


@dataclass(frozen=True)
class Known:
    """What the importer needs to know about a listing (real, or virtual in a dry run)."""

    id: int
    objektnr_intern: str | None = None
    openimmo_obid: str | None = None
    objektnr_extern: str | None = None
    sprache: str | None = None
    live: bool = True
    withdrawn: bool = False
    is_reference: bool = False
    imported: bool = True
    fingerprint: str = ""
    quick_fingerprint: str = ""
    title: str = ""

    @classmethod
    def from_row(cls, row: dict) -> Known:
        return cls(
            id=row["id"],
            objektnr_intern=row["objektnr_intern"],
            openimmo_obid=row["openimmo_obid"],
            objektnr_extern=row["objektnr_extern"],
            sprache=row["sprache"],
            live=row["live"],
            withdrawn=row["withdrawn_at"] is not None,
            is_reference=row["is_reference"],
            imported=row["imported"],
            fingerprint=row["openimmo_fingerprint"] or "",
            quick_fingerprint=row["openimmo_quick_fingerprint"] or "",
            title=row["title"],
        )

    @classmethod
    def from_page(cls, page: AbstractListingPage) -> Known:
        return cls.from_row({name: getattr(page, name) for name in KNOWN_VALUES})

    @property
    def objektnr(self) -> str | None:
        return self.objektnr_extern or self.objektnr_intern or self.openimmo_obid

    @property
    def active(self) -> bool:
        """Live and not a reference object: what counts against quota and VOLL withdrawal."""
        return self.live and not self.is_reference

    @property
    def hidden_by_editor(self) -> bool:
        """Unpublished, but not by the importer: an editor took it offline (or never
        published it); the importer keeps it offline."""
        return not self.live and not self.withdrawn


def _norm(value: str | None) -> str:
    """Object numbers compare as sent (as the database does); only blanks are trimmed."""
    return (value or "").strip()


@dataclass
class Overlay:
    """A dry run's view of what it would have written. Empty (and unused) in a real run."""

    changed: dict[int, Known | None] = field(default_factory=dict)  # None: deleted
    _next_virtual: int = -1

    def virtual_id(self) -> int:
        self._next_virtual -= 1
        return self._next_virtual + 1

    def put(self, known: Known) -> None:
        self.changed[known.id] = known

    def delete(self, listing_id: int) -> None:
        self.changed[listing_id] = None

    def apply(self, rows: Iterable[Known]) -> list[Known]:
        """``rows`` from the database as the dry run would see them."""
        out = []
        for known in rows:
            if known.id in self.changed:
                known = self.changed[known.id]
                if known is None:
                    continue
            out.append(known)
        return out

    def matching(self, key: str, value: str) -> list[Known]:
        return [
            k
            for k in self.changed.values()
            if k is not None and _norm(getattr(k, key)) == _norm(value)
        ]


@dataclass(frozen=True)
class FileRow:
    """What the unchanged check needs of one of a listing's attachment rows."""

    kind: str
    content_hash: str
    url: str
    source_check: str


_FILE_VALUES = ("listing_id", "kind", "content_hash", "url", "source_check")


class Catalogue:
    """The broker's listings and their attachments' identities, loaded in two queries.

    Lookups by number give what ``ListingPage.objects.filter(broker=..., <key>=value)``
    ordered by id would (the database compares numbers exactly, and so do these dicts).
    ``refresh`` re-reads one listing after the import wrote it, ``forget`` drops a deleted one.
    """

    def __init__(self, broker: Broker):
        self.broker = broker
        self.by_id: dict[int, Known] = {}
        self.files: dict[int, list[FileRow]] = defaultdict(list)
        self.by_key: dict[str, dict[str, list[Known]]] = {key: defaultdict(list) for key in KEYS}
        rows = (
            get_listing_page_model()
            .objects.filter(broker=broker)
            .values(*KNOWN_VALUES)
            .order_by("id")
        )
        for row in rows:
            known = self.by_id[row["id"]] = Known.from_row(row)
            for key in KEYS:
                value = getattr(known, key)
                if value is not None:
                    self.by_key[key][value].append(known)
        attachments = ListingAttachment.objects.filter(listing__broker=broker)
        for row in attachments.values(*_FILE_VALUES).order_by("sort_order", "id"):
            self.files[row["listing_id"]].append(_file_row(row))

    def candidates(self, key: str, value: str) -> list[Known]:
        return list(self.by_key[key].get(value, ()))

    def get(self, listing_id: int) -> Known | None:
        return self.by_id.get(listing_id)

    def all(self) -> list[Known]:
        return [self.by_id[i] for i in sorted(self.by_id)]

    def refresh(self, listing_id: int) -> None:
        rows = get_listing_page_model().objects.filter(pk=listing_id, broker=self.broker)
        row = rows.values(*KNOWN_VALUES).first()
        self.files.pop(listing_id, None)
        if row is None:
            self.forget(listing_id)
            return
        old = self.by_id.get(listing_id)
        new = self.by_id[listing_id] = Known.from_row(row)
        attachments = ListingAttachment.objects.filter(listing_id=listing_id)
        for file_row in attachments.values(*_FILE_VALUES).order_by("sort_order", "id"):
            self.files[listing_id].append(_file_row(file_row))
        if old is not None:
            self._unindex(old)
        for key in KEYS:
            value = getattr(new, key)
            if value is not None:
                found = self.by_key[key][value]
                found.insert(bisect.bisect([k.id for k in found], new.id), new)

    def _unindex(self, old: Known) -> None:
        for key in KEYS:
            value = getattr(old, key)
            if value is not None:
                found = self.by_key[key][value]
                found[:] = [k for k in found if k.id != old.id]

    def forget(self, listing_id: int) -> None:
        old = self.by_id.pop(listing_id, None)
        if old is not None:
            self._unindex(old)
        self.files.pop(listing_id, None)


def _file_row(row: dict) -> FileRow:
    return FileRow(
        kind=row["kind"],
        content_hash=row["content_hash"] or "",
        url=row["url"] or "",
        source_check=row["source_check"] or "",
    )


def _candidates(
    broker: Broker,
    key: str,
    value: str,
    overlay: Overlay | None,
    catalogue: Catalogue | None = None,
) -> list[Known]:
    if catalogue is not None:
        known = catalogue.candidates(key, value)
    else:
        listings = get_listing_page_model().objects.filter(broker=broker, **{key: value})
        rows = listings.values(*KNOWN_VALUES)
        known = [Known.from_row(row) for row in rows.order_by("id")]
    if overlay is None or not overlay.changed:
        return known
    found = overlay.apply(known)
    ids = {k.id for k in found}
    # an overlaid listing may carry this number only in the dry run (a renamed number)
    found = [k for k in found if _norm(getattr(k, key)) == _norm(value)]
    found.extend(k for k in overlay.matching(key, value) if k.id not in ids)
    return sorted(found, key=lambda k: (k.id < 0, abs(k.id)))


def _language(candidates: list[Known], sprache: str | None) -> list[Known]:
    if sprache:
        same = [c for c in candidates if _norm(c.sprache).casefold() == sprache.casefold()]
        return same or [c for c in candidates if not c.sprache]
    without = [c for c in candidates if not c.sprache]
    if without:
        return without
    return candidates if len(candidates) == 1 else []


def _conflicts(known: Known, record: PropertyRecord, key: str) -> bool:
    """Whether ``known`` (found by ``key``) has a stronger number that differs."""
    for stronger in KEYS[: KEYS.index(key)]:
        ours, theirs = record.fields.get(stronger), getattr(known, stronger)
        if ours and theirs and _norm(ours) != _norm(theirs):
            return True
    return False


def find_listing(
    broker: Broker,
    record: PropertyRecord,
    overlay: Overlay | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[Known | None, str | None]:
    """The broker's listing this record is, and the number it was found by.

    With a ``catalogue`` (the broker's listings loaded up front) no query is made.
    """
    sprache = record.fields.get("sprache")
    for key, value in record.identity_keys():
        candidates = _language(_candidates(broker, key, value, overlay, catalogue), sprache)
        if key == "objektnr_extern":
            candidates = [c for c in candidates if not _conflicts(c, record, key)]
        if candidates:
            return candidates[0], key
    derived = _by_derived_number(broker, record, catalogue)
    if derived is not None:
        return derived, "objektnr_extern"
    return None, None


def _by_derived_number(
    broker: Broker, record: PropertyRecord, catalogue: Catalogue | None = None
) -> Known | None:
    """An editor-made listing without numbers, coming back in the site's own export.

    The export numbers it ``wagtail-<page id>`` (the schema requires a number); without
    this, importing the export into the same site would create it a second time.
    """
    number = _norm(record.fields.get("objektnr_extern"))
    page_id = number.removeprefix(DERIVED_NUMBER_PREFIX)
    if number == page_id or not page_id.isdigit():
        return None
    if catalogue is not None:
        known = catalogue.get(int(page_id))
        if known is None or known.objektnr_extern or known.objektnr_intern:
            return None
        return known
    row = (
        get_listing_page_model().objects.filter(broker=broker, pk=int(page_id))
        .filter(Q(objektnr_extern__isnull=True) | Q(objektnr_extern=""))
        .filter(Q(objektnr_intern__isnull=True) | Q(objektnr_intern=""))
        .values(*KNOWN_VALUES)
        .first()
    )
    return Known.from_row(row) if row else None


def with_values(known: Known, values: dict, **state) -> Known:
    """``known`` with the column ``values`` an update would write (for a dry run's overlay)."""
    identity = {name: values.get(name, getattr(known, name)) for name in (*KEYS, "sprache")}
    return replace(known, **identity, **state)

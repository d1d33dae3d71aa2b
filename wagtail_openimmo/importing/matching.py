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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q

from ..exporting.records import DERIVED_NUMBER_PREFIX
from ..models import Broker, ListingPage
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
            title=row["title"],
        )

    @classmethod
    def from_page(cls, page: ListingPage) -> Known:
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


def _candidates(broker: Broker, key: str, value: str, overlay: Overlay | None) -> list[Known]:
    rows = ListingPage.objects.filter(broker=broker, **{key: value}).values(*KNOWN_VALUES)
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
    broker: Broker, record: PropertyRecord, overlay: Overlay | None = None
) -> tuple[Known | None, str | None]:
    """The broker's listing this record is, and the number it was found by."""
    sprache = record.fields.get("sprache")
    for key, value in record.identity_keys():
        candidates = _language(_candidates(broker, key, value, overlay), sprache)
        if key == "objektnr_extern":
            candidates = [c for c in candidates if not _conflicts(c, record, key)]
        if candidates:
            return candidates[0], key
    derived = _by_derived_number(broker, record)
    if derived is not None:
        return derived, "objektnr_extern"
    return None, None


def _by_derived_number(broker: Broker, record: PropertyRecord) -> Known | None:
    """An editor-made listing without numbers, coming back in the site's own export.

    The export numbers it ``wagtail-<page id>`` (the schema requires a number); without
    this, importing the export into the same site would create it a second time.
    """
    number = _norm(record.fields.get("objektnr_extern"))
    page_id = number.removeprefix(DERIVED_NUMBER_PREFIX)
    if number == page_id or not page_id.isdigit():
        return None
    row = (
        ListingPage.objects.filter(broker=broker, pk=int(page_id))
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

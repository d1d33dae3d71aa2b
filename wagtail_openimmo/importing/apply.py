"""One property of a file -> one listing page, each in its own transaction.

For every ``<immobilie>`` the importer first decides what to do without writing anything
(match the listing, compare fingerprints, merge fields, check the quota, locate and check the
attachments) and then, unless it is a dry run, applies that decision inside
``transaction.atomic()``. A property either is applied completely -- page, revision,
attachments and its log entry -- or not at all; files already written to storage for it are
deleted again when its transaction fails.

Updates edit the *same* page (same id, same slug) with a new revision, and keep what editors
changed: a field the broker does not send any more is cleared only if it still holds the
value the broker sent last time (a three-way merge against the stored ``openimmo_data``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_noop as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update

from .. import get_listing_page_model
from ..conf import DEFAULTS, get_setting
from ..exporting.records import has_stored_record, identity, listing_tree
from ..models import (
    AbstractListingPage,
    Broker,
    ImportRun,
    ImportRunEntry,
    ListingAttachment,
    ListingIndexPage,
)
from ..models.pages import COLUMN_FOR_FIELD
from ..openimmo import PropertyRecord, patch
from ..openimmo.fields import FIELDS, FIELDS_BY_NAME, extract_fields
from ..openimmo.problems import Problem, Text, error, warning
from ..openimmo.tree import data_to_element
from . import attachments, columns, titles
from .indexing import collected_search_updates, update_references
from .matching import Catalogue, Known, Overlay, find_listing, with_values
from .result import EntryResult, ImportResult, Outcome, message_dict
from .uploads import Upload, XmlFile

logger = logging.getLogger("wagtail_openimmo.importing")

# Bump when the mapping of records to pages changes, so that the next import of an
# otherwise unchanged file rewrites every listing once.
FINGERPRINT_VERSION = 1
COLUMNS = [(f.name, COLUMN_FOR_FIELD.get(f.name, f.name)) for f in FIELDS]
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


@dataclass
class Context:
    """Everything the properties of one upload share."""

    broker: Broker
    upload: Upload
    result: ImportResult
    run: ImportRun | None
    dry_run: bool
    workdir: Path
    progress: Any = None
    overlay: Overlay | None = None
    seen: set[int] = field(default_factory=set)
    active_count: int = 0  # the broker's live, non-reference listings right now
    voll_pending: set[int] = field(default_factory=set)  # VOLL will withdraw these at the end
    now: Any = None
    withdraw_mode: str = "unpublish"
    catalogue: Catalogue | None = None  # the broker's listings, loaded once (real runs)
    pending_entries: list[tuple] = field(default_factory=list)  # ``_entry_row``
    # downloads by URL of the whole upload (REMOTE_MAX_DOWNLOADS, REMOTE_MAX_SECONDS)
    remote_budget: attachments.RemoteBudget = field(default_factory=attachments.RemoteBudget)
    quick_salt: str = ""  # what besides the file decides an import (``quick_salt()``)
    collection: Any = None  # the broker's collection, once a property committed files to it

    @property
    def quota_used(self) -> int:
        return self.active_count - len(self.voll_pending)


# --- values --------------------------------------------------------------------------------


def _model_field(column: str) -> models.Field:
    return get_listing_page_model()._meta.get_field(column)


def column_value(column: str, value):
    """``value`` as the column stores it (decimals rounded to the column's places).

    None for a value the column cannot hold (``columns.check`` reports it).
    """
    return columns.fitted(column, value)


def last_sent(page_data: dict | None) -> dict[str, Any]:
    """The field values the broker sent last time (from the stored ``<immobilie>``)."""
    if not page_data or "tag" not in page_data:
        return {}
    values, _lines, _notes = extract_fields(data_to_element(page_data))
    return values


def merged_values(
    record: PropertyRecord, page: AbstractListingPage | None, broker: Broker | None = None
) -> dict[str, Any]:
    """The columns to write: what was sent, plus clearing what the broker stopped sending.

    A value the broker no longer sends is cleared only if the page still holds what the
    broker sent before; if an editor changed it, the editor's value stays.

    A property without a title gets one composed from its values (``titles.py``): a new
    listing always, an existing one only while its title is still the composed one (an
    editor's own title, or the broker's last title, stays).
    """
    values = {}
    old = last_sent(page.openimmo_data) if page is not None else {}
    for name, column in COLUMNS:
        if name in record.fields:
            values[column] = column_value(column, record.fields[name])
        elif page is not None and column != "title":
            current = getattr(page, column)
            if current is not None and current == column_value(column, old.get(name)):
                values[column] = None
    if not record.fields.get("objekttitel"):
        broker = broker or (page.broker if page is not None else None)
        language = titles.listing_language(broker, record.fields)
        title = titles.compose_title(record.fields, language)
        composed_before = not old.get("objekttitel") and page is not None and page.title in (
            titles.compose_title(old, language),
            title,
        )
        if page is None or not page.title or composed_before:
            values["title"] = title
    return values


def validate_values(record: PropertyRecord, values: dict[str, Any]) -> list[Problem]:
    problems = []
    by_column = {column: name for name, column in COLUMNS}
    for column, value in values.items():
        if value is None:
            continue
        try:
            _model_field(column).clean(value, None)
        except ValidationError as exc:
            name = by_column[column]
            spec = FIELDS_BY_NAME[name]
            with translation.override("en"):
                detail = " ".join(str(m) for m in exc.messages)
            problems.append(
                error(
                    "value_invalid",
                    _("{label} ({path}): “{value}” cannot be stored: {detail}"),
                    line=record.field_lines.get(name),
                    path=spec.path,
                    label=Text(spec.label or name),
                    value=value,
                    detail=detail,
                )
            )
    return problems


def storable(data: dict) -> dict:
    """``data`` without the Base64 payload of INTERN attachments (``anhanginhalt``).

    The file itself is stored as a Wagtail image or document (and its SHA-256 is in the
    fingerprint); keeping megabytes of Base64 in ``openimmo_data`` -- and in every revision
    -- would only bloat the database. The element stays, empty, so the structure is intact.
    """
    if data.get("tag") == "anhanginhalt" and "text" in data:
        return {key: value for key, value in data.items() if key != "text"}
    if "children" not in data:
        return data
    return {**data, "children": [storable(child) for child in data["children"]]}


def fingerprint(record: PropertyRecord, located: list[attachments.Located]) -> str:
    """Equal fingerprints mean the property and its files have not changed."""
    payload = {
        "v": FINGERPRINT_VERSION,
        "aktion": record.aktion,
        "data": storable(record.data),
        "attachments": [item.fingerprint() for item in located],
    }
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Bump when anything that decides how a property is read, checked or mapped changes in a way
# the other parts of ``quick_salt`` do not show (the package's version, FINGERPRINT_VERSION).
QUICK_VERSION = 1


def quick_salt() -> str:
    """What decides the outcome of an unchanged property besides its bytes and files: the
    importer's versions and every setting of the app (strict or lenient mode, the XSD and
    the file behind it, the limits). A different salt makes every quick fingerprint miss."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("wagtail-openimmo")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout
        package = "?"
    settings = {name: get_setting(name) for name in sorted(DEFAULTS)}
    xsd = settings.get("XSD_PATH")
    xsd_stat = None
    if xsd:
        try:
            info = Path(xsd).stat()
            xsd_stat = [info.st_size, info.st_mtime_ns]
        except OSError:
            xsd_stat = "missing"
    payload = [QUICK_VERSION, FINGERPRINT_VERSION, package, settings, xsd_stat]
    text = json.dumps(payload, sort_keys=True, default=_stable)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stable(value) -> Any:
    """A setting's value that JSON cannot hold, the same in every process (a set's order
    and an object's address would make every quick fingerprint miss in the next one)."""
    if isinstance(value, set | frozenset):
        return sorted(repr(item) for item in value)
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return repr(value)


def quick_fingerprint(
    ctx: Context, record: PropertyRecord, xml: XmlFile | None
) -> tuple[str, list[str]] | None:
    """The quick fingerprint of ``record`` and the SHA-256 of each of its files, or None
    when the property cannot take the shortcut (an attachment inline, by URL, not in the
    upload, or not a ZIP member hashed when the ZIP was checked).

    It covers the ``<immobilie>`` element's canonical bytes, the SHA-256 of the member each
    ``pfad`` resolves to, and ``ctx.quick_salt``: whatever ``fingerprint()`` and the
    property's checks depend on. Stored (``openimmo_quick_fingerprint``) only together with
    ``openimmo_fingerprint`` and only when the property had nothing to report, so an equal
    one means the full reading would find the property unchanged and without a message.
    """
    if not record.source_digest or record.source_paths is None:
        return None
    hashes = []
    for pfad in record.source_paths:
        known = ctx.upload.lookup_digest(pfad, xml)
        if known is None:
            return None
        hashes.append(known[0])
    payload = [ctx.quick_salt, record.source_digest, record.source_paths, hashes]
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), hashes


def take_unchanged(ctx: Context, entry: EntryResult) -> EntryResult:
    """Log a property that ``unchanged_entry`` found unchanged, and count its listing as
    seen (a VOLL transfer does not withdraw it)."""
    ctx.seen.add(entry.listing_id)
    save_entry(ctx, entry)
    return entry


def unchanged_entry(ctx: Context, record: PropertyRecord, xml: XmlFile, position: int):
    """The log entry of a property found unchanged by its quick fingerprint, or None.

    Decides only; nothing is written or noted (``take_unchanged`` does that). ``record``
    is the reader's light record (numbers, title, ``aktion``, source). None sends the
    property down the full path (``process``), which decides it from scratch: whenever
    anything might differ from the last import that stored the fingerprint -- the
    listing's state, a file missing from it -- the full path is taken.
    """
    if ctx.dry_run or ctx.catalogue is None or not ctx.quick_salt:
        return None
    if record.problems or record.aktion == "DELETE" or not record.identity_keys():
        return None
    known, _key = find_listing(ctx.broker, record, ctx.overlay, ctx.catalogue)
    if known is None or not known.quick_fingerprint or known.id <= 0:
        return None
    if not _expected_state(known, record.aktion == "REFERENZ"):
        return None
    quick = quick_fingerprint(ctx, record, xml)
    if quick is None or quick[0] != known.quick_fingerprint:
        return None
    on_listing = {r.content_hash for r in ctx.catalogue.files.get(known.id, ()) if r.content_hash}
    if not set(quick[1]) <= on_listing:  # a file is missing from the listing
        return None
    return _entry(record, position, Outcome.UNCHANGED, known=known)


def unique_slug(parent: ListingIndexPage, title: str, objektnr: str | None) -> str:
    """Made once, at creation: from the title and the object number, unique among siblings."""
    text = f"{title} {objektnr or ''}".translate(_UMLAUTS)
    base = slugify(text)[:80].strip("-") or "listing"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _indexed_models() -> list:
    """The models whose search entries a property's write updates."""
    return [get_listing_page_model(), get_image_model(), get_document_model()]


# --- the property ----------------------------------------------------------------------------


def _entry(
    record: PropertyRecord,
    position: int,
    outcome: str,
    *,
    known: Known | None = None,
    listing_id: int | None = None,
    problems: list[Problem] = (),
    title: str | None = None,
) -> EntryResult:
    return EntryResult(
        position=position,
        objektnr=record.objektnr or (known.objektnr if known else None),
        title=title or record.title or (known.title if known else None),
        action=record.aktion,
        outcome=outcome,
        line=record.line,
        listing_id=listing_id
        if listing_id is not None
        else (known.id if known is not None and known.id > 0 else None),
        messages=[message_dict(p) for p in problems],
    )


# Log lines of properties that wrote nothing wait for the next write (or the end of the run)
# and are inserted together; at most this many wait.
ENTRY_BATCH = 500


def save_entry(ctx: Context, entry: EntryResult, *, now: bool = False) -> None:
    """The run log line.

    A property that writes something passes ``now=True`` inside its transaction: its line
    (and those waiting before it, so that the order stays the file's) is written with it.
    Other lines wait, so that an unchanged file costs one insert per ``ENTRY_BATCH`` lines
    instead of one per property.
    """
    if ctx.run is None:
        return
    ctx.pending_entries.append(_entry_row(ctx, entry))
    if now or len(ctx.pending_entries) >= ENTRY_BATCH:
        flush_entries(ctx)


def flush_entries(ctx: Context) -> None:
    """Write the waiting run log lines."""
    if ctx.pending_entries:
        # taken off first: lines that fail to insert must not come back with a later batch
        rows, ctx.pending_entries = ctx.pending_entries, []
        _insert_entries(rows)


# The run log's columns in the order of ``_entry_row``.
_ENTRY_FIELDS = (
    "run",
    "position",
    "listing",
    "objektnr",
    "title",
    "action",
    "outcome",
    "line",
    "messages",
)


def _entry_row(ctx: Context, entry: EntryResult) -> tuple:
    """The line as it will be inserted (taken now: the entry may change later on)."""
    return (
        ctx.run.pk,
        entry.position,
        entry.listing_id if entry.listing_id and entry.listing_id > 0 else None,
        (entry.objektnr or "")[:255],
        (entry.title or "")[:255],
        entry.action[:20],
        str(entry.outcome),
        entry.line,
        entry.messages,
    )


def _insert_entries(rows: list[tuple]) -> None:
    """Insert run log lines with one ``executemany``.

    What ``ImportRunEntry.objects.bulk_create`` would write, without a model instance per
    line and the per-value work of compiling the insert: for an unchanged file, whose
    only writes are these lines, that was a fifth of the import's time.
    """
    meta = ImportRunEntry._meta
    fields = [meta.get_field(name) for name in _ENTRY_FIELDS]
    connection = connections[router.db_for_write(ImportRunEntry)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted names, values bound
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    messages = fields[-1]
    params = [
        (*row[:-1], messages.get_db_prep_save(row[-1], connection=connection)) for row in rows
    ]
    # one transaction, not one per line (as bulk_create does); inside a property's, part of it
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cur:
        cur.executemany(sql, params)


def process(ctx: Context, record: PropertyRecord, xml: XmlFile, position: int) -> EntryResult:
    """Decide and (unless dry run) apply one property; return its log entry."""
    problems = list(record.problems)
    known = None
    if record.identity_keys():
        known, _key = find_listing(ctx.broker, record, ctx.overlay, ctx.catalogue)
    if known is not None:
        ctx.seen.add(known.id)
    if record.aktion != "DELETE":
        problems.extend(columns.check(record, strict=get_setting("STRICT_VALIDATION")))
    if any(p.severity == "error" for p in problems):
        entry = _entry(record, position, Outcome.REJECTED, known=known, problems=problems)
        save_entry(ctx, entry)
        return entry
    if record.aktion == "DELETE":
        return _delete(ctx, record, position, known, problems)
    return _upsert(ctx, record, xml, position, known, problems)


def _delete(ctx: Context, record, position, known: Known | None, problems) -> EntryResult:
    if known is None:
        problems.append(
            warning(
                "delete_unknown",
                _(
                    "The property is to be deleted, but there is no such listing (it may "
                    "have been deleted before)."
                ),
                line=record.line,
                path="verwaltung_techn/aktion",
            )
        )
        entry = _entry(record, position, Outcome.SKIPPED, problems=problems)
        save_entry(ctx, entry)
        return entry
    if known.withdrawn:
        entry = _entry(record, position, Outcome.UNCHANGED, known=known, problems=problems)
        save_entry(ctx, entry)
        return entry
    entry = _entry(record, position, Outcome.WITHDRAWN, known=known, problems=problems)
    withdraw(ctx, known, entry)
    return entry


def withdraw(ctx: Context, known: Known, entry: EntryResult) -> None:
    """Take a listing offline (``WITHDRAW_MODE`` "unpublish") or delete it ("delete")."""
    if known.active:
        ctx.active_count -= 1
    ctx.voll_pending.discard(known.id)
    if ctx.dry_run:
        if ctx.withdraw_mode == "delete":
            ctx.overlay.delete(known.id)
        else:
            ctx.overlay.put(replace(known, live=False, withdrawn=True))
        return
    with transaction.atomic():
        page = get_listing_page_model().objects.select_for_update().get(pk=known.id)
        if ctx.withdraw_mode == "delete":
            entry.listing_id = None
            page.delete()
        else:
            page.withdrawn_at = ctx.now
            if page.live:
                page.unpublish(user=None)  # saves the page, logs "wagtail.unpublish"
            else:
                page.save(update_fields=["withdrawn_at"], clean=False)
        save_entry(ctx, entry, now=True)
    if ctx.catalogue is not None:
        ctx.catalogue.refresh(known.id)


def _expected_state(known: Known, reference: bool) -> bool:
    """Whether the listing is where an unchanged property leaves it."""
    if known.withdrawn or known.is_reference != reference or not known.imported:
        return False
    return known.live or known.hidden_by_editor


def _same_attachment(item: attachments.Located, row) -> bool:
    ref = item.ref
    if (row.gruppe, row.titel, row.format, row.file_name) != (
        (ref.gruppe or "")[:30],
        (ref.titel or "")[:255],
        (ref.format or "")[:50],
        (item.name or "")[:255],
    ):
        return False
    if item.kind == "link" or row.kind == "link":
        return item.kind == row.kind and row.url == (item.url or "")[:2000]
    if item.url is not None:
        return (row.url, row.source_check) == (item.url, item.source_check)
    if row.content_hash:
        return row.content_hash == item.sha256
    # a file an editor added: the importer never hashed it
    stored = row.image if row.kind == "image" else row.document
    if stored is None or not stored.file:
        return False
    if getattr(stored, "file_hash", ""):
        return stored.file_hash == item.sha1
    digest = hashlib.sha256()
    try:
        with stored.file.storage.open(stored.file.name, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == item.sha256


def same_as_listing(
    record: PropertyRecord,
    located: list[attachments.Located],
    page: AbstractListingPage,
    values: dict[str, Any] | None = None,
) -> bool:
    """Whether the property says nothing the listing does not say already.

    True for the site's own export of the listing (``openimmo_export``) coming back: its
    fingerprint differs from the broker's original file (the pictures are files in the ZIP
    now, the tree is in schema order, an editor's changes are in it), but applying it would
    change no column, no attachment and nothing of the OpenImmo record the site would export
    -- so nothing is written, not even a revision.
    """
    # an editor-made listing without numbers went out with numbers made up for it
    derived = {} if has_stored_record(page) else identity(page, page.broker)

    def same(column: str, value) -> bool:
        current = getattr(page, column)
        return current == value or (not current and value == derived.get(column))

    if values is None:
        values = merged_values(record, page)
    if not all(same(column, value) for column, value in values.items()):
        return False
    if any(item.missing for item in located):
        return False
    rows = list(
        ListingAttachment.objects.filter(listing=page)
        .select_related("image", "document")
        .title_first()  # the order the site shows and exports them in
    )
    if len(rows) != len(located) or not all(
        _same_attachment(item, row) for item, row in zip(located, rows, strict=True)
    ):
        return False
    current, _unresolved = listing_tree(page, page.broker, anhaenge=[])  # compared above
    return patch.comparable(storable(record.data)) == patch.comparable(current)


def _not_on_listing(
    ctx: Context, known: Known, located: list[attachments.Located]
) -> list[attachments.Located]:
    """Attachments of an unchanged property that the listing lacks (skipped last time)."""
    files = [item for item in located if item.kind != "link" and not item.missing]
    if not files:
        return []
    if ctx.catalogue is not None and known.id > 0:
        rows = ctx.catalogue.files.get(known.id, [])
    else:
        rows = attachments.existing_attachments(known.id)
    hashes = {r.content_hash for r in rows if r.content_hash}
    urls = {(r.url, r.source_check) for r in rows if r.kind != "link"}
    return [
        item
        for item in files
        if not (item.url is None and item.sha256 in hashes)
        and not (item.url is not None and (item.url, item.source_check) in urls)
    ]


def _retry_downloads(
    ctx: Context, lacking: list[attachments.Located]
) -> tuple[bool, list[Problem]]:
    """Try the URLs that failed last time again: a server that was down may be back.

    Returns whether anything arrived (then the property is applied again) and the warnings
    for what still fails. Nothing is written when nothing arrived.
    """
    arrived, problems = False, []
    for item in lacking:
        if item.url is None:
            continue
        failure = attachments.fetch(item, ctx.workdir)
        if failure is None:
            arrived = True
        else:
            problems.append(failure)
    return arrived, problems


def _still_skipped(lacking: list[attachments.Located], *, retried: bool) -> list[Problem]:
    problems = []
    for item in lacking:
        if retried and item.url is not None:
            continue  # reported by the retry
        problems.append(
            warning(
                "attachment_still_skipped",
                _(
                    "Attachment {name} ({gruppe}) was not imported with an earlier upload "
                    "(see that report) and is still missing from the listing."
                ),
                line=item.ref.line,
                path="anhaenge/anhang",
                name=item.name,
                gruppe=item.ref.gruppe or "-",
            )
        )
    return problems


def _upsert(ctx: Context, record, xml, position, known: Known | None, problems) -> EntryResult:
    reference = record.aktion == "REFERENZ"
    refs = attachments.picture_order(record.attachments)
    located = [attachments.locate(ref, i, ctx.upload, xml) for i, ref in enumerate(refs)]
    digest = fingerprint(record, located)

    if known is not None and known.fingerprint == digest and _expected_state(known, reference):
        lacking = _not_on_listing(ctx, known, located)
        arrived, retry_problems = (False, []) if ctx.dry_run else _retry_downloads(ctx, lacking)
        if not arrived:
            problems.extend(p for item in located for p in item.problems)
            problems.extend(retry_problems)
            problems.extend(_still_skipped(lacking, retried=not ctx.dry_run))
            entry = _entry(record, position, Outcome.UNCHANGED, known=known, problems=problems)
            save_entry(ctx, entry)
            return entry
        # a file that failed to download last time is there now: apply the property again

    for item in located:  # from here on the files are read, not only their hashes
        attachments.extract(item)
    page = None
    if known is not None and known.id > 0:
        page = get_listing_page_model().objects.get(pk=known.id)
    values = merged_values(record, page, ctx.broker)
    if (
        page is not None
        and known.fingerprint != digest
        and not known.withdrawn
        and known.is_reference == reference
        and same_as_listing(record, located, page, values)
    ):
        problems.extend(p for item in located for p in item.problems)
        entry = _entry(record, position, Outcome.UNCHANGED, known=known, problems=problems)
        save_entry(ctx, entry)
        return entry
    stays_hidden = known is not None and known.hidden_by_editor
    becomes_active = not reference and not stays_hidden and not (known and known.active)
    quota = ctx.broker.live_listing_quota
    if becomes_active and quota is not None and ctx.quota_used >= quota:
        problems.append(
            error(
                "quota_exceeded",
                _(
                    "Your limit of {quota} live listings is reached, so this property was not "
                    "published. Withdraw another listing or ask the portal for a larger "
                    "package."
                ),
                line=record.line,
                quota=quota,
            )
        )
        entry = _entry(record, position, Outcome.REJECTED, known=known, problems=problems)
        save_entry(ctx, entry)
        return entry

    invalid = validate_values(record, values)
    if invalid:
        entry = _entry(
            record, position, Outcome.REJECTED, known=known, problems=[*problems, *invalid]
        )
        save_entry(ctx, entry)
        return entry

    prepared, attachment_problems = attachments.prepare(
        located,
        page.pk if page is not None else None,
        dry_run=ctx.dry_run,
        workdir=ctx.workdir,
        progress=ctx.progress,
        budget=ctx.remote_budget,
    )
    problems.extend(attachment_problems)
    if stays_hidden:
        problems.append(
            warning(
                "listing_hidden",
                _(
                    "The listing was taken offline in the portal's editor; it was updated "
                    "but stays offline until an editor publishes it."
                ),
                line=record.line,
            )
        )
    outcome = Outcome.CREATED if known is None else Outcome.UPDATED
    after_active = not reference and not stays_hidden
    delta = int(after_active) - int(bool(known and known.active))

    if ctx.dry_run:
        state = {
            "live": not stays_hidden,
            "withdrawn": False,
            "is_reference": reference,
            "imported": True,
            "fingerprint": digest,
            "quick_fingerprint": "",
            "title": values.get("title") or (known.title if known else ""),
        }
        if known is None:
            known = Known(id=ctx.overlay.virtual_id())
        ctx.overlay.put(with_values(known, values, **state))
        ctx.seen.add(known.id)
        ctx.active_count += delta
        for item in prepared:
            if item.reuse is None and item.kind == "image" and not item.pending_download:
                ctx.result.images_created += 1
        return _entry(
            record, position, outcome, known=known, problems=problems, title=values.get("title")
        )

    entry = _entry(
        record, position, outcome, known=known, problems=problems, title=values.get("title")
    )
    # the shortcut for the next import of the same property: only when this one had
    # nothing to report (an unchanged property reports its warnings again, every time)
    quick = ""
    if not entry.messages and ctx.quick_salt:
        found = quick_fingerprint(ctx, record, xml)
        quick = found[0] if found is not None else ""
    stored = attachments.Stored()
    try:
        with transaction.atomic():
            if page is None:
                # A new listing: lock its parent before anything else, so that imports adding
                # children to one index page (brokers sharing it) queue up there and never
                # hold other locks while they wait -- a lock taken later (after the pictures)
                # made two of them deadlock on PostgreSQL.
                _lock_index_page(ctx.broker)
            # Every save of the page and of each attachment row would re-index the page's
            # references (a dozen times per property) and its search entry (three times);
            # index each object once instead.
            with (
                disable_reference_index_auto_update(),
                collected_search_updates(_indexed_models()),
            ):
                rows = attachments.store(
                    prepared, ctx.broker, stored, collection=ctx.collection
                )
                page = _write_page(
                    ctx,
                    record,
                    page,
                    values,
                    rows,
                    digest,
                    reference,
                    publish=not stays_hidden,
                    quick=quick,
                )
            update_references(page, fresh=True)  # as published a moment ago
            for obj in stored.objects:
                update_references(obj, fresh=True)
            entry.listing_id = page.pk
            save_entry(ctx, entry, now=True)
    except ValidationError as exc:
        stored.delete_files()
        with translation.override("en"):
            detail = " ".join(str(m) for m in exc.messages)
        entry.outcome = Outcome.REJECTED
        entry.messages.append(
            message_dict(
                error(
                    "page_invalid",
                    _("The listing could not be saved: {detail}"),
                    line=record.line,
                    detail=detail,
                )
            )
        )
        save_entry(ctx, entry)
        return entry
    except BaseException:
        stored.delete_files()
        raise
    if ctx.catalogue is not None:
        ctx.catalogue.refresh(page.pk)
    # committed: the next properties need not look the collection up again
    ctx.collection = ctx.collection or stored.collection
    ctx.seen.add(page.pk)
    ctx.active_count += delta
    ctx.result.images_created += stored.images_created
    ctx.result.images_reused += stored.images_reused
    ctx.result.documents_created += stored.documents_created
    return entry


def _lock_index_page(broker: Broker) -> None:
    """Lock the broker's index page until the transaction ends.

    Only the one ``wagtailcore_page`` row is locked, not the ListingIndexPage join: a join
    locks two rows (page and listingindexpage) in an order PostgreSQL does not promise, and
    two importers then deadlock. The row lock also covers ``add_child``'s numchild update.
    """
    Page.objects.select_for_update().filter(pk=broker.index_page_id).values_list("pk").first()


def _write_page(
    ctx: Context,
    record,
    page: AbstractListingPage | None,
    values,
    rows,
    digest: str,
    reference: bool,
    *,
    publish: bool,
    quick: str = "",
) -> AbstractListingPage:
    creating = page is None
    draft = None
    if creating:
        page = get_listing_page_model()(broker=ctx.broker, live=False)
    else:
        page = get_listing_page_model().objects.select_for_update().get(pk=page.pk)
        draft = editors_draft(page)
    for column, value in values.items():
        setattr(page, column, value)
    page.broker = ctx.broker
    page.imported = True
    page.is_reference = reference
    page.openimmo_data = storable(record.data)
    page.openimmo_fingerprint = digest
    page.openimmo_quick_fingerprint = quick
    page.last_imported_at = ctx.now
    page.withdrawn_at = None
    page.attachments = rows
    if creating:
        # Locked since the start of the transaction (``_lock_index_page``): another broker's
        # import may want to add a child with the same slug under the same index page.
        parent = ListingIndexPage.objects.get(pk=ctx.broker.index_page_id)
        page.slug = unique_slug(parent, page.title, page.objektnr_extern)
        parent.add_child(instance=page)  # validates the page (Page.save cleans)
        log(instance=page, action="wagtail.create", user=None, content_changed=True)
        _publish(page, page.save_revision(user=None, log_action=False, clean=False))
    elif publish:
        _publish(page, page.save_revision(user=None, log_action=True))
    else:
        # an editor took it offline: store the broker's data, leave publishing to editors
        page.save()
        page.save_revision(user=None, log_action=True)
    if draft is not None:
        try:
            with transaction.atomic():  # a savepoint: a broken draft must not sink the import
                carry_draft(draft, record, page)
        except Exception:
            logger.exception(
                "The editor's draft (revision %s) of listing %s could not be kept after "
                "the import; it stays in the page's history.",
                draft.pk,
                page.pk,
            )
    return page


def _publish(page: AbstractListingPage, revision) -> None:
    """Publish ``revision``, which was saved from ``page`` a moment ago, as Wagtail would.

    Wagtail's publish action first rebuilds the page from the revision's JSON (the page, each
    attachment row and its picture, loaded and deserialized again) to get what ``page``
    already is in memory; the revision is told so, which spares that work and changes
    nothing else (the rebuilt page would take the same values from the same row).
    """
    revision.as_object = lambda: page
    page.publish(revision, user=None)


# Columns the importer owns: the draft an editor is working on takes them from the import.
_IMPORT_STATE = (
    "broker_id",
    "imported",
    "is_reference",
    "openimmo_data",
    "openimmo_fingerprint",
    "openimmo_quick_fingerprint",
    "last_imported_at",
    "withdrawn_at",
)


def editors_draft(page: AbstractListingPage):
    """The unpublished revision an editor saved on top of the live listing, or None.

    Publishing the import's revision supersedes it; ``carry_draft`` saves it again on top,
    so the editor does not lose the work (Wagtail's editor always opens the latest revision).
    """
    if not page.has_unpublished_changes or page.latest_revision_id is None:
        return None
    revision = page.latest_revision
    if revision is None or revision.user_id is None:  # the importer's own revision
        return None
    return revision


def carry_draft(revision, record: PropertyRecord, page: AbstractListingPage) -> None:
    """Save an editor's draft again after an import, with the broker's new values merged in.

    The same three-way merge as for the live page, against what the broker had sent when the
    draft was made: what the broker sends wins, a value the broker stopped sending is
    cleared only where the editor's draft still holds the broker's old value, and whatever
    else the editor changed in the draft stays.
    """
    draft = revision.as_object()
    for column, value in merged_values(record, draft).items():
        setattr(draft, column, value)
    for name in _IMPORT_STATE:
        setattr(draft, name, getattr(page, name))
    draft.attachments = list(page.attachments.all())
    draft.save_revision(user=revision.user, log_action=False, clean=False)

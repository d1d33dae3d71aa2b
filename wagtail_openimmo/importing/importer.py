"""Apply one upload of one broker: ``import_file`` and ``identify_broker``.

    result = import_file("upload.zip", broker)          # or dry_run=True for a preview
    result.status, result.created, result.as_json()

What happens, in order:

1. The upload is opened safely (``uploads.py``); an unsafe or unreadable one is refused as a
   whole. Its ``<anbieter>`` blocks must be the broker's (``check_anbieter``).
2. A full transfer (``umfang="VOLL"``) is the broker's whole stock: its listings that are
   missing from the file will be withdrawn. Before anything is applied, the properties are
   read once to see which listings that would be; if the file has no property at all, or it
   would withdraw more than ``VOLL_MAX_WITHDRAW_SHARE`` of the broker's live imported
   listings, the file is *held* (nothing applied) until an operator confirms it
   (``force=True``). A truncated export must not empty a broker's stock.
3. Each property is applied in its own transaction (``apply.py``), in document order.
4. VOLL only: the broker's live imported listings that the file did not contain are
   withdrawn (editors' own listings and reference objects never are).
5. Images and documents of the broker that no listing uses any more are removed.

Bad input never raises out of ``import_file``: it ends as status ``rejected`` (the file) or
as rejected properties. An unexpected error while applying one property (a bug) rejects that
property with an ``internal_error`` finding and the import goes on (``isolation.py``). Failures
of the file as a whole (database gone, disk full, memory) propagate, so that the caller can
keep the file and retry it; the properties applied until then stay applied, and a re-run
completes the file without duplicates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from .. import workspace
from ..conf import get_setting
from ..locks import broker_lock, check_broker_lock
from ..models import Broker, ImportRun, ImportRunEntry
from ..openimmo import TransferRefused
from ..openimmo.problems import Problem, error, warning
from . import apply, attachments, isolation
from .matching import Catalogue, Known, Overlay, find_listing
from .result import EntryResult, ImportResult, Outcome, Status, message_dict
from .uploads import Upload, UploadRefused, file_checksum, open_upload

logger = logging.getLogger("wagtail_openimmo.importing")

Progress = Callable[[str, int, int], None]
ANID_SEPARATORS = "-_./: "


# --- whose upload is it? ---------------------------------------------------------------------


def _norm(value: str | None) -> str:
    return (value or "").strip().casefold()


def _stem(anid: str) -> str:
    cut = max(anid.rfind(s) for s in ANID_SEPARATORS)
    return anid[:cut] if cut > 0 else anid


def anid_variant(anid: str | None, known: set[str]) -> bool:
    """Whether ``anid`` is a variant of one of the ``known`` ANIDs.

    Some broker software sends a slightly different ANID from one transfer to the next
    (``ABC123-1``, ``ABC123-2``): they share a prefix up to a separator. Accepted: one ANID
    is the other plus a separator and a suffix (the shorter one with at least four
    characters), or both differ only after their last separator and the shared part has at
    least four characters and a digit (a customer number, not a word like ``ACME``).
    """
    new = _norm(anid)
    if not new:
        return False
    for old in known:
        for longer, shorter in ((new, old), (old, new)):
            if (
                len(shorter) >= 4
                and longer.startswith(shorter)
                and len(longer) > len(shorter)
                and longer[len(shorter)] in ANID_SEPARATORS
            ):
                return True
        stem = _stem(new)
        if (
            stem != new
            and len(stem) >= 4
            and any(c.isdigit() for c in stem)
            and stem == _stem(old)
            and _stem(old) != old
        ):
            return True
    return False


def _identified(anbieternr, anid, brokers: list[Broker]) -> list[Broker]:
    exact = [b for b in brokers if b.matches_anbieter(anbieternr, anid)]
    if exact or not anid:
        return exact
    return [b for b in brokers if anid_variant(anid, b.all_anids())]


def identify_broker(path) -> Broker | None:
    """The broker whose ``anbieternr``/ANID the upload carries, or None.

    None when the upload cannot be read, carries no identifiers, or its identifiers do not
    point to exactly one broker.
    """
    try:
        with open_upload(path, xml_only=True, checksum=False) as upload:
            blocks = [a for t in upload.transfers for a in t.anbieter]
    except UploadRefused:
        return None
    brokers = list(Broker.objects.all())
    found: dict[int, Broker] = {}
    for block in blocks:
        if not block.anbieternr and not block.openimmo_anid:
            continue
        matches = _identified(block.anbieternr, block.openimmo_anid, brokers)
        if len(matches) != 1:
            return None
        found[matches[0].pk] = matches[0]
    return next(iter(found.values())) if len(found) == 1 else None


def check_anbieter(upload: Upload, broker: Broker, *, dry_run: bool) -> list[Problem]:
    """Refuse an upload whose ``<anbieter>`` identifiers are not ``broker``'s; learn new ANIDs.

    Returns warnings (an anonymous ``<anbieter>``, a new ANID accepted as a variant).
    """
    others = list(Broker.objects.exclude(pk=broker.pk))
    problems: list[Problem] = []
    learnt: list[str] = []
    for transfer in upload.transfers:
        for block in transfer.anbieter:
            nr, anid = block.anbieternr, block.openimmo_anid
            if not nr and not anid:
                problems.append(
                    warning(
                        "anbieter_anonymous",
                        _(
                            "The file does not say which broker it is from (no anbieternr "
                            "or openimmo_anid); it was imported for {broker}."
                        ),
                        line=block.line,
                        broker=broker.name,
                    )
                )
                continue
            if any(other.matches_anbieter(nr, anid) for other in others):
                raise UploadRefused(
                    error(
                        "foreign_anbieter",
                        _(
                            "The file belongs to another broker (anbieternr “{anbieternr}”, "
                            "openimmo_anid “{anid}”), not to {broker}; it was refused."
                        ),
                        line=block.line,
                        anbieternr=nr or "-",
                        anid=anid or "-",
                        broker=broker.name,
                    )
                )
            if broker.matches_anbieter(nr, anid):
                if anid and _norm(anid) not in broker.all_anids():
                    learnt.append(anid)
                continue
            if nr and broker.anbieternr:
                raise UploadRefused(
                    error(
                        "anbieternr_mismatch",
                        _(
                            "The file is for anbieternr “{anbieternr}”, but {broker} has "
                            "anbieternr “{expected}”; it was refused."
                        ),
                        line=block.line,
                        anbieternr=nr,
                        expected=broker.anbieternr,
                        broker=broker.name,
                    )
                )
            if not anid:
                problems.append(
                    warning(
                        "anbieternr_unchecked",
                        _(
                            "The file carries anbieternr “{anbieternr}”, which is not set up "
                            "for {broker}; it was imported for {broker}."
                        ),
                        line=block.line,
                        anbieternr=nr,
                        broker=broker.name,
                    )
                )
                continue
            first_contact = not broker.anbieternr and not broker.all_anids()
            variant = anid_variant(anid, broker.all_anids()) and not any(
                anid_variant(anid, other.all_anids()) for other in others
            )
            if not first_contact and not variant:
                raise UploadRefused(
                    error(
                        "anid_mismatch",
                        _(
                            "The file's openimmo_anid “{anid}” is not one of {broker}'s "
                            "({known}); it was refused. If the broker software changed the "
                            "ANID, ask the portal to add it to the broker."
                        ),
                        line=block.line,
                        anid=anid,
                        broker=broker.name,
                        known=", ".join(sorted(broker.all_anids())) or "-",
                    )
                )
            learnt.append(anid)
            problems.append(
                warning(
                    "anid_learnt",
                    _(
                        "The file's openimmo_anid “{anid}” was new for {broker} and has been "
                        "added to its known ANIDs."
                    ),
                    line=block.line,
                    anid=anid,
                    broker=broker.name,
                )
            )
    changed = False
    for anid in learnt:
        changed = broker.remember_anid(anid) or changed
    if changed and not dry_run:
        broker.save(update_fields=["known_anids"])
    return problems


# --- the import ----------------------------------------------------------------------------


def import_file(
    path,
    broker: Broker | None,
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    run: ImportRun | None = None,
) -> ImportResult:
    """Import one upload (ZIP or XML) for ``broker``; see the module docstring.

    ``dry_run`` reports what would be created, updated, withdrawn and rejected and writes
    nothing at all (not even an ``ImportRun``). ``force`` applies a file that the VOLL guard
    would hold. ``progress(kind, done, total)`` is called with kind ``"properties"`` after
    each property and ``"attachments"`` after each attachment of a property. ``run`` is an
    ``ImportRun`` to fill (the inbox creates it when it picks a file up); otherwise one is
    created. A crash propagates; the exception carries the result so far as
    ``import_result`` (status ``failed``, the properties applied before it counted).
    """
    path = Path(path)
    if broker is None:
        broker = identify_broker(path)
    result = ImportResult(
        file=str(path), broker=broker.slug if broker else None, dry_run=dry_run, forced=force
    )
    workspace.sweep()  # what imports killed with -9 left behind
    if not dry_run:
        result.run = _start_run(run, path, broker, force)
    try:
        if broker is None:
            _refuse(
                result,
                error(
                    "broker_unknown",
                    _(
                        "The file does not belong to any broker set up on this "
                        "site (its anbieternr/openimmo_anid are unknown)."
                    ),
                ),
            )
        else:
            with broker_lock(broker.pk):
                broker.refresh_from_db()
                if not dry_run:
                    _mark_interrupted(broker, result.run)
                _import(path, broker, result, dry_run=dry_run, force=force, progress=progress)
    except BaseException as exc:
        _fail_run(result, exc)
        # what was applied until the crash, for callers that report it (openimmo_import)
        with contextlib.suppress(AttributeError, TypeError):
            exc.import_result = result
        raise
    _finish_run(result)
    if not dry_run and (result.created or result.updated):
        _after_changes(result)
    return result


def _after_changes(result: ImportResult) -> None:
    """What follows an import that created or changed listings: search agents are matched
    in django-q once the import's transactions have committed (``leads.agents``)."""
    from ..leads.agents import queue_matching

    changed = (Outcome.CREATED, Outcome.UPDATED)
    queue_matching(e.listing_id for e in result.entries if e.outcome in changed and e.listing_id)


def _refuse(result: ImportResult, problem: Problem) -> None:
    result.refused = True
    result.status = Status.REJECTED
    result.message = problem.render()
    result.message_data = message_dict(problem)
    result.problems.append(message_dict(problem))


def _import(
    path: Path, broker: Broker, result: ImportResult, *, dry_run: bool, force: bool, progress
) -> None:
    workdir = workspace.make_dir("import")
    try:
        run = result.run
        on_checksum = functools.partial(_note_checksum, run) if run is not None else None
        with open_upload(path, on_checksum=on_checksum) as upload:
            _describe(result, upload)
            for problem in check_anbieter(upload, broker, dry_run=dry_run):
                result.problems.append(message_dict(problem))
            if broker.index_page_id is None:
                raise UploadRefused(
                    error(
                        "no_index_page",
                        _(
                            "{broker} has no listing index page to put listings under; an "
                            "administrator must choose one in the broker's settings."
                        ),
                        broker=broker.name,
                    )
                )
            ctx = apply.Context(
                broker=broker,
                upload=upload,
                result=result,
                run=result.run,
                dry_run=dry_run,
                workdir=workdir,
                progress=progress,
                overlay=Overlay() if dry_run else None,
                now=timezone.now(),
                withdraw_mode=_withdraw_mode(),
            )
            _Importer(ctx, force=force).run()
    except UploadRefused as exc:
        _refuse(result, exc.problem)
    except TransferRefused as exc:  # the XML changed between the two readings
        _refuse(result, exc.problem)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _withdraw_mode() -> str:
    mode = get_setting("WITHDRAW_MODE")
    if mode not in ("unpublish", "delete"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f'WAGTAIL_OPENIMMO["WITHDRAW_MODE"] must be "unpublish" or "delete", not {mode!r}'
        )
    return mode


def _describe(result: ImportResult, upload: Upload) -> None:
    transfers = upload.transfers
    umfangs = {t.umfang for t in transfers}
    result.umfang = "VOLL" if "VOLL" in umfangs else "TEIL"
    for problem in upload.problems:
        result.problems.append(message_dict(problem))
    for xml in upload.xml_files:
        for problem in xml.transfer.problems:
            result.problems.append(message_dict(problem))
    if len(umfangs) > 1:
        result.problems.append(
            message_dict(
                warning(
                    "umfang_mixed",
                    _(
                        "The upload mixes full (VOLL) and partial (TEIL) files; it was treated "
                        "as a full transfer."
                    ),
                )
            )
        )
    run = result.run
    if run is not None:
        header = transfers[0].uebertragung
        run.umfang = result.umfang
        run.sendersoftware = (header.sendersoftware or "")[:255]
        run.transfer_timestamp = _storable_timestamp(result, header.timestamp)


def _storable_timestamp(result: ImportResult, timestamp):
    """The header's timestamp as the run stores it; None (and a warning) if it cannot be.

    ``0001-01-01T00:00:00`` in the local zone is a valid datetime but lies before year 1 in
    UTC: saving the run would fail after every property was applied.
    """
    if timestamp is None:
        return None
    try:
        if timezone.is_naive(timestamp):
            timestamp = timezone.make_aware(timestamp)
        timestamp.astimezone(dt.UTC)
        timestamp.astimezone(timezone.get_current_timezone())
    except (OverflowError, ValueError):
        result.problems.append(
            message_dict(
                warning(
                    "timestamp_out_of_range",
                    _(
                        "The transfer's timestamp (uebertragung timestamp “{value}”) is not "
                        "a sensible date and time; it was ignored."
                    ),
                    path="uebertragung@timestamp",
                    value=timestamp.replace(tzinfo=None).isoformat(),
                )
            )
        )
        return None
    return timestamp


class _Importer:
    def __init__(self, ctx: apply.Context, *, force: bool):
        self.ctx = ctx
        self.force = force
        self.result = ctx.result
        self.broker = ctx.broker
        self.total = sum(t.property_count for t in ctx.upload.transfers)
        self.position = 0  # of the property being read, across the upload's XML files
        # The first properties of the file, decided unchanged while the VOLL guard read it
        # (``guard``): their log entries, in file order, not yet taken.
        self.decided: list[EntryResult] = []
        self.decided_all = False  # every property of the upload is in ``decided``

    def records(self):
        """Each property as a full record, or as the log entry of the shortcut (an unchanged
        property whose full record is never built; ``apply.unchanged_entry``).

        When the guard found every property unchanged, the file is not read again."""
        if self.decided_all:
            for entry in self.decided:
                yield None, apply.take_unchanged(self.ctx, entry)
            return
        for xml in self.ctx.upload.xml_files:
            for item in xml.transfer.records(shortcut=self.shortcut_for(xml)):
                yield xml, item

    def decide(self, record, xml, position: int) -> EntryResult | None:
        """The shortcut's decision for one property (``apply.unchanged_entry``), or None."""
        check_broker_lock(self.broker.pk)  # nothing is decided without the lock
        try:
            return apply.unchanged_entry(self.ctx, record, xml, position)
        except Exception as exc:
            if isolation.whole_file_failure(exc):
                raise
            # the full path decides the property (and reports what fails there)
            logger.exception("The shortcut failed for property %s", record.objektnr)
            return None

    def guard_shortcut(self, xml):
        """The guard's shortcut: decides (``decide``) while every property before was
        unchanged."""

        def shortcut(record):
            if len(self.decided) != self.position:  # one before was not unchanged
                return None
            return self.decide(record, xml, self.position)

        return shortcut

    def shortcut_for(self, xml):
        ctx = self.ctx
        if not ctx.quick_salt:
            return None

        def shortcut(record):
            if self.position < len(self.decided):  # decided while the guard read the file
                entry = self.decided[self.position]
            else:
                entry = self.decide(record, xml, self.position)
            return apply.take_unchanged(ctx, entry) if entry is not None else None

        return shortcut

    def run(self) -> None:
        ctx = self.ctx
        # the broker's listings, once: matching, the guard and the unchanged check use it
        ctx.catalogue = Catalogue(self.broker)
        ctx.active_count = sum(1 for k in ctx.catalogue.all() if k.active)
        self.result.live_before = ctx.active_count
        if not ctx.dry_run:
            ctx.quick_salt = apply.quick_salt()
        if self.result.umfang == "VOLL" and self.guard():
            return
        try:
            self.position = 0
            for xml, item in self.records():
                check_broker_lock(self.broker.pk)
                if isinstance(item, EntryResult):  # unchanged, logged by the shortcut
                    entry = item
                else:
                    entry = isolation.process(ctx, item, xml, self.position)
                self.add(entry)
                self.position += 1
                if ctx.progress is not None:
                    ctx.progress("properties", self.position, self.total)
            if self.result.umfang == "VOLL":
                check_broker_lock(self.broker.pk)
                self.withdraw_missing(self.position)
        except BaseException:
            # the log lines of the properties done before the crash (best effort: the
            # database may be what failed)
            with contextlib.suppress(Exception):
                apply.flush_entries(ctx)
            raise
        apply.flush_entries(ctx)
        if not ctx.dry_run:
            self.adopt_interrupted()
            self.result.files_removed = attachments.remove_unused(self.broker)
        self.result.status = self.status()
        self.result.message = self.summary()

    def add(self, entry: EntryResult) -> None:
        self.result.entries.append(entry)
        self.result.count(entry.outcome)

    def adopt_interrupted(self) -> None:
        """Report what an interrupted, never reported import of this file did as done now.

        A run killed in the middle (``kill -9``, django-q's timeout) has committed the
        properties before it; the run that completes the file finds them unchanged. The
        broker never got the killed run's report, so its new and updated listings are
        counted as such here, not as "unchanged".
        """
        run = self.ctx.run
        if run is None or not run.pk or not run.checksum:
            return
        same_file = ImportRun.objects.filter(
            broker=self.broker, checksum=run.checksum, dry_run=False, pk__lt=run.pk
        )
        # only the attempts since the file last went through completely
        completed = (
            same_file.exclude(status__in=[Status.FAILED, Status.RUNNING])
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        interrupted = same_file.filter(status=Status.FAILED, report_sent_at__isnull=True)
        if completed is not None:
            interrupted = interrupted.filter(pk__gt=completed)
        interrupted = list(interrupted.values_list("pk", flat=True))
        if not interrupted:
            return
        # Their own reports ("could not be imported") would come after this one, which says
        # what became of the file: the retry job leaves them alone.
        ImportRun.objects.filter(pk__in=interrupted).update(
            report_attempts=get_setting("REPORT_MAX_ATTEMPTS"),
            report_error=f"Not sent: import run {run.pk} completed the file and reported it.",
        )
        done: dict[int, str] = {}
        for listing_id, outcome in ImportRunEntry.objects.filter(
            run__in=interrupted,
            outcome__in=[Outcome.CREATED, Outcome.UPDATED],
            listing_id__isnull=False,
        ).values_list("listing_id", "outcome"):
            if done.get(listing_id) != Outcome.CREATED:
                done[listing_id] = outcome
        if not done:
            return
        adopted: dict[str, list[int]] = {Outcome.CREATED: [], Outcome.UPDATED: []}
        for entry in self.result.entries:
            if entry.outcome == Outcome.UNCHANGED and entry.listing_id in done:
                outcome = done[entry.listing_id]
                entry.outcome = outcome
                self.result.unchanged -= 1
                self.result.count(outcome)
                adopted[outcome].append(entry.listing_id)
        for outcome, listing_ids in adopted.items():
            if listing_ids:
                ImportRunEntry.objects.filter(
                    run=run, outcome=Outcome.UNCHANGED, listing_id__in=listing_ids
                ).update(outcome=outcome)

    def active_imported(self) -> list[Known]:
        known = [k for k in self.ctx.catalogue.all() if k.active and k.imported]
        if self.ctx.overlay is not None:
            known = [k for k in self.ctx.overlay.apply(known) if k.active and k.imported]
        return known

    def guard(self) -> bool:
        """VOLL: hold the file if it would withdraw too much. True if held.

        While it reads the file, the first properties are decided as the shortcut would
        decide them (``self.decided``), as long as each one before was unchanged: a file
        that changed nothing is then read once here, not again for its records. Deciding
        writes nothing; the entries are taken only if the file is applied.
        """
        active = {k.id for k in self.active_imported()}
        present = set()
        self.position = 0
        for xml in self.ctx.upload.xml_files:
            shortcut = self.guard_shortcut(xml) if self.ctx.quick_salt else None
            for item in xml.transfer.identities(shortcut=shortcut):
                if isinstance(item, EntryResult):
                    if len(self.decided) == self.position:
                        self.decided.append(item)
                    present.add(item.listing_id)
                elif item.identity_keys():
                    known, _key = find_listing(self.broker, item, catalogue=self.ctx.catalogue)
                    if known is not None:
                        present.add(known.id)
                self.position += 1
        self.decided_all = self.position == len(self.decided) == self.total
        self.position = 0
        pending = active - present
        self.ctx.voll_pending = set(pending)
        self.result.withdraw_pending = len(pending)
        limit = float(get_setting("VOLL_MAX_WITHDRAW_SHARE"))
        problem = None
        if self.total == 0:
            problem = error(
                "voll_empty",
                _(
                    "This full transfer (VOLL) contains no property: applying it would withdraw "
                    "all {count} of your live listings. It was not applied and waits for an "
                    "operator's confirmation."
                ),
                count=len(pending),
            )
        elif active and len(pending) / len(active) > limit:
            problem = error(
                "voll_guard",
                _(
                    "This full transfer (VOLL) would withdraw {count} of your {total} live "
                    "listings ({share} %), more than the {limit} % allowed at once. It was not "
                    "applied and waits for an operator's confirmation."
                ),
                count=len(pending),
                total=len(active),
                share=round(100 * len(pending) / len(active)),
                limit=round(100 * limit),
            )
        if problem is None:
            return False
        if self.force:
            self.result.problems.append(
                message_dict(
                    warning(
                        "voll_forced",
                        _(
                            "The full transfer was applied on an operator's confirmation "
                            "although it withdraws {count} listings."
                        ),
                        count=len(pending),
                    )
                )
            )
            return False
        self.result.status = Status.HELD
        self.result.message = problem.render()
        self.result.message_data = message_dict(problem)
        self.result.problems.append(message_dict(problem))
        return True

    def withdraw_missing(self, position: int) -> None:
        """VOLL: withdraw the broker's live imported listings that the file did not list."""
        for known in self.active_imported():
            if known.id in self.ctx.seen:
                continue
            entry = EntryResult(
                position=position,
                objektnr=known.objektnr,
                title=known.title,
                action="VOLL",
                outcome=Outcome.WITHDRAWN,
                listing_id=known.id,
                messages=[
                    message_dict(
                        warning(
                            "voll_missing",
                            _(
                                "The listing was not in this full transfer (VOLL) and was "
                                "withdrawn."
                            ),
                        )
                    )
                ],
            )
            isolation.withdraw(self.ctx, known, entry)
            self.add(entry)
            position += 1

    def status(self) -> str:
        r = self.result
        if r.rejected and not (r.created or r.updated or r.unchanged or r.withdrawn or r.skipped):
            return Status.REJECTED
        if r.rejected:
            return Status.PARTLY
        return Status.IMPORTED

    def summary(self) -> str:
        r = self.result
        if r.rejected:
            total = len([e for e in r.entries if e.action != "VOLL"])
            problem = warning(
                "summary_rejected",
                _("{rejected} of {total} properties were rejected; see the errors."),
                rejected=r.rejected,
                total=total,
            )
            r.message_data = message_dict(problem)
            return problem.render()
        return ""


# --- the run log ---------------------------------------------------------------------------


def _mark_interrupted(broker: Broker, current: ImportRun | None) -> None:
    """Runs of ``broker`` still "running" while we hold its lock were killed (``kill -9``,
    django-q's timeout, a power cut): say so, whichever path started them."""
    stale = ImportRun.objects.filter(broker=broker, status=ImportRun.Status.RUNNING)
    if current is not None and current.pk:
        stale = stale.exclude(pk=current.pk)
    stale.update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        message=gettext(
            "The import was interrupted (the process was stopped) and did not finish."
        ),
    )


def _note_checksum(run: ImportRun, checksum: str, size: int) -> None:
    """The upload's SHA-256 and size, learnt while it is unpacked, before any property is
    applied (a run killed later is recognised by them as an attempt at the same file)."""
    run.checksum, run.size = checksum, size
    run.save(update_fields=["checksum", "size"])


def _complete_checksum(result: ImportResult) -> None:
    """An import that ended before it unpacked the upload (unknown broker, a failure):
    its run gets the file's SHA-256 now."""
    run = result.run
    if run is None or run.checksum:
        return
    with contextlib.suppress(OSError):
        run.checksum, run.size = file_checksum(Path(result.file))


def _start_run(run: ImportRun | None, path: Path, broker: Broker | None, force: bool) -> ImportRun:
    try:
        size = path.stat().st_size
    except OSError:
        size = None
    run = run or ImportRun(file_name=path.name[:255])
    run.broker = run.broker or broker
    run.file_name = run.file_name or path.name[:255]
    run.file_path = run.file_path or str(path)[:1000]
    run.checksum = ""  # learnt while the upload is unpacked (``_note_checksum``)
    run.size = size
    run.forced = force
    run.dry_run = False
    run.status = ImportRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.save()
    return run


def _store_counts(run: ImportRun, result: ImportResult) -> None:
    for name in ("created", "updated", "unchanged", "withdrawn", "rejected"):
        setattr(run, name, getattr(result, name))
    run.warnings = len(result.warnings)
    run.problems = result.problems
    run.umfang = result.umfang or run.umfang


def _finish_run(result: ImportResult) -> None:
    run = result.run
    if run is None:
        return
    _complete_checksum(result)
    _store_counts(run, result)
    run.status = result.status
    run.message = result.message
    # the same message as data, rendered where it is read (report, admin) in its language
    run.message_data = [result.message_data] if result.message_data else []
    run.finished_at = timezone.now()
    run.save()


def _fail_run(result: ImportResult, exc: BaseException) -> None:
    """Record a crash on the run (best effort: the database may be what failed)."""
    run = result.run
    result.status = Status.FAILED
    result.message = f"{type(exc).__name__}: {exc}"
    if run is None:
        return
    with contextlib.suppress(Exception):
        _complete_checksum(result)
        _store_counts(run, result)
        run.status = ImportRun.Status.FAILED
        run.message = result.message[:10000]
        run.finished_at = timezone.now()
        run.save()
    logger.exception("Import of %s for broker %s failed", result.file, result.broker)

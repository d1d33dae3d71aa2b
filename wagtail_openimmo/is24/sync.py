"""The diff sync of one broker's listings to ImmobilienScout24.

IS24 blocks clients that do a "Vollabgleich" (delete everything and post it again, or upload
every image again). This sync compares each listing with what it last sent (the state rows
in ``models.py``) and sends only the difference:

- new listing → POST the real estate, upload its images, publish it on channel 10000;
- changed listing (payload hash differs) → PUT on the same IS24 id; unchanged → nothing;
- withdrawn listing (unpublished page, ``withdrawn_at`` or a reference object) →
  remove the publication only (``DELETE /publish/{id}_{channel}``); a real estate itself is
  never deleted;
- a deactivated listing that comes back → PUT if changed, publish again, same IS24 id;
- images are matched by checksum (``externalCheckSum``): only new or changed files are
  uploaded, only removed ones deleted, titles and the title picture changed in place, and
  the order set only when it differs;
- the first sync of an account adopts the objects already on IS24 by ``externalId``;
- a listing's contact person becomes an IS24 realtor contact, POSTed once per person and
  account, PUT when the person's details change, and named by each of the person's real
  estates (see ``mapping.contact_of``); a listing without one keeps the account default;
- video and other links (FILMLINK, LINKS) are IS24 link attachments, matched by URL;
- a listing whose IS24 type changes (rent → buy), which a PUT cannot do, becomes a new IS24
  object; the old one gets its external id freed and is deactivated, and the state row
  says so (``notice``) for the admin and the broker's report.

Crash safety: the state row is marked before the POST that creates an object and the IS24
id is stored the moment IS24 answers, before any image. A sync that died in between looks
the object up by ``ext-{externalId}`` instead of creating it twice; so does a POST that
timed out or got a 5xx.

``sync_broker(broker, dry_run=True)`` plans without a single request and returns the
planned requests.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from .. import conf, get_listing_page_model
from ..models import AbstractListingPage, Broker, ListingAttachment
from .client import (
    IS24AuthError,
    IS24Client,
    IS24Conflict,
    IS24Error,
    IS24NotFound,
    IS24OutcomeUnknown,
    IS24Unavailable,
)
from .mapping import (
    DesiredAttachment,
    DesiredContact,
    MappedListing,
    MappingProblem,
    attachments_hash,
    contact_of,
    desired_attachments,
    map_listing,
)
from .models import (
    IS24AttachmentState,
    IS24Connection,
    IS24Contact,
    IS24ListingState,
    render_message,
)

logger = logging.getLogger(__name__)

# A sync holds its connection's lease and renews it while it works; a lease not renewed for
# this long belongs to a sync that died, and the next one may take over.
LEASE = dt.timedelta(minutes=10)
TYPE_CHANGED = gettext_noop(
    "The IS24 type changed from {old_type} to {new_type}, which IS24 cannot change in place: "
    "the listing became a new IS24 object and the old object {old_id} was deactivated."
)
HEARTBEAT = dt.timedelta(minutes=1)
CHUNK = 200  # listings read (with their attachments) per query
CREATE_ATTEMPTS = 2


@dataclass
class SyncResult:
    """What one broker's sync did (or, in a dry run, would do). Keys are a contract."""

    broker: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    images_uploaded: int = 0
    images_deleted: int = 0
    adopted: int = 0
    replaced: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    errors: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    dry_run: bool = False
    stopped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def error(self, objektnr: str | None, message: str, code: str) -> None:
        self.errors.append({"objektnr": objektnr, "message": message, "code": code})

    def plan(self, method: str, path: str) -> None:
        self.requests.append({"method": method, "path": path})


class StopSync(Exception):
    """Stop this broker's sync: the account needs re-authorisation or IS24 is unavailable."""


@dataclass
class CurrentAttachment:
    """An attachment as it is on IS24 (from IS24's list or from our state rows)."""

    id: str
    checksum: str
    title: str = ""
    is_title: bool = False
    floorplan: bool = False

    @classmethod
    def from_is24(cls, data: dict) -> CurrentAttachment:
        return cls(
            id=str(data.get("@id")),
            checksum=str(data.get("externalCheckSum") or "").lower(),
            title=str(data.get("title") or ""),
            is_title=str(data.get("titlePicture")).lower() == "true",
            floorplan=str(data.get("floorplan")).lower() == "true",
        )


@dataclass
class AttachmentDiff:
    upload: list[DesiredAttachment]
    delete: list[CurrentAttachment]
    metadata: list[tuple[DesiredAttachment, CurrentAttachment]]
    kept: list[tuple[DesiredAttachment, CurrentAttachment]]

    @property
    def empty(self) -> bool:
        return not (self.upload or self.delete or self.metadata)


def diff_attachments(
    desired: list[DesiredAttachment], current: list[CurrentAttachment]
) -> AttachmentDiff:
    """Which files to upload, delete or re-describe so that IS24 shows ``desired``.

    A file is the same when its checksum is: an unchanged picture is never uploaded again,
    whatever happened to its title or position. A changed picture (same place, new bytes)
    is an upload plus a delete.
    """
    free = list(current)
    kept, upload, metadata = [], [], []
    for want in desired:
        match = next((c for c in free if want.matches(c.checksum)), None)
        if match is None:
            upload.append(want)
            continue
        free.remove(match)
        kept.append((want, match))
        title = want.metadata()["common.attachment"].get("title") or ""
        if (
            title != match.title
            or want.is_title != match.is_title
            or want.floorplan != match.floorplan
        ):
            metadata.append((want, match))
    return AttachmentDiff(upload=upload, delete=free, metadata=metadata, kept=kept)


@dataclass
class Plan:
    """What to do for one listing (or one orphaned state row)."""

    listing: AbstractListingPage | None
    state: IS24ListingState | None
    active: bool
    mapped: MappedListing | None = None
    desired: list[DesiredAttachment] | None = None
    contact: DesiredContact | None = None
    problems: list[MappingProblem] = field(default_factory=list)
    step: str = ""  # what the runner is doing for it (for error handling)

    @property
    def objektnr(self) -> str | None:
        if self.listing is not None:
            return self.listing.objektnr_extern
        return self.state.external_id if self.state else None


# --- public API ---------------------------------------------------------------------------
def sync_broker(broker: Broker | int | str, *, dry_run: bool = False, sleep=None) -> SyncResult:
    """Sync one broker's listings to its IS24 account (by broker, pk or slug)."""
    broker = _broker(broker)
    result = SyncResult(broker=broker.slug, dry_run=dry_run)
    connection = IS24Connection.objects.filter(broker=broker).first()
    if connection is None:
        result.stopped = "no_connection"
        return result
    if not connection.active:
        result.stopped = "inactive"
        return result
    if not connection.access_token or connection.needs_reauth:
        result.stopped = "needs_reauth"
        result.error(None, _connection_message(connection), "NEEDS_REAUTH")
        return result
    if dry_run:
        _Planner(connection, result).dry_run()
        return result
    if not _acquire(connection):
        result.stopped = "running"
        return result
    try:
        _Runner(connection, result, sleep=sleep).run()
    finally:
        IS24Connection.objects.filter(pk=connection.pk).update(sync_started_at=None)
    return result


def sync_all(*, dry_run: bool = False) -> list[SyncResult]:
    """Sync every active connection (one broker's failure never stops the others)."""
    results = []
    for connection in IS24Connection.objects.filter(active=True).select_related("broker"):
        try:
            results.append(sync_broker(connection.broker, dry_run=dry_run))
        except Exception:  # a bug for one broker must not hide the others' listings
            logger.exception("IS24 sync of broker %s failed", connection.broker.slug)
            result = SyncResult(broker=connection.broker.slug, dry_run=dry_run, stopped="crashed")
            result.error(None, gettext("Unexpected error; see the server log."), "CRASHED")
            results.append(result)
    return results


def listing_errors(broker: Broker) -> list[dict[str, Any]]:
    """The broker's listings that IS24 does not show as they are here, and why.

    For the broker's report: one dict per listing with ``objektnr``, ``title``,
    ``message`` (in the active language), ``code``, ``listing_id``, ``is24_id`` and
    ``since`` (the last sync that found it). Empty when everything is on IS24.
    """
    states = (
        IS24ListingState.objects.filter(connection__broker=broker)
        .exclude(last_error="")
        .select_related("listing")
    )
    return [
        {
            "objektnr": s.external_id or (s.listing.objektnr_extern if s.listing else None),
            "title": s.listing.title if s.listing else s.title,
            "message": s.error_message(),
            "code": s.last_error_code,
            "listing_id": s.listing_id,
            "is24_id": s.is24_id or None,
            "since": s.last_synced_at,
        }
        for s in states
    ]


def listing_notices(broker: Broker, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Things the broker should know that are not errors (e.g. a new IS24 object)."""
    states = IS24ListingState.objects.filter(connection__broker=broker).exclude(notice="")
    if since is not None:
        states = states.filter(notice_at__gte=since)
    return [
        {
            "objektnr": s.external_id,
            "title": s.title,
            "message": s.notice_message(),
            "is24_id": s.is24_id or None,
            "replaced_is24_ids": s.replaced_is24_ids,
            "at": s.notice_at,
        }
        for s in states.select_related("listing")
    ]


# --- helpers ------------------------------------------------------------------------------
def _broker(value) -> Broker:
    if isinstance(value, Broker):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return Broker.objects.get(pk=int(value))
    return Broker.objects.get(slug=value)


def _acquire(connection: IS24Connection) -> bool:
    now = timezone.now()
    taken = IS24Connection.objects.filter(
        Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - LEASE),
        pk=connection.pk,
    ).update(sync_started_at=now)
    return taken == 1


def _connection_message(connection: IS24Connection) -> str:
    if not connection.access_token:
        return gettext("The IS24 account is not connected yet.")
    return gettext("IS24 refused the access token; authorise the IS24 account again in the admin.")


def unreadable(exc: OSError) -> MappingProblem:
    return MappingProblem(
        "ATTACHMENT_UNREADABLE",
        gettext_noop("A picture or document of the listing cannot be read: {error}"),
        {"error": exc.__class__.__name__},
    )


def is_active(listing: AbstractListingPage) -> bool:
    """Whether a listing should be visible on IS24."""
    return bool(listing.live and listing.withdrawn_at is None and not listing.is_reference)


class _Planner:
    """Builds the per-listing plans; the dry run turns them into planned requests."""

    def __init__(self, connection: IS24Connection, result: SyncResult):
        self.connection = connection
        self.broker = connection.broker
        self.result = result
        self.channel = int(conf.get_setting("IS24_CHANNEL_ID"))

    def listings(self) -> Iterator[AbstractListingPage]:
        """The broker's listings, in chunks: a broker may have thousands."""
        ids = list(
            get_listing_page_model().objects.filter(broker=self.broker)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        attachments = Prefetch(
            "attachments",
            queryset=ListingAttachment.objects.select_related("image", "document"),
        )
        for start in range(0, len(ids), CHUNK):
            yield from (
                get_listing_page_model().objects.filter(pk__in=ids[start : start + CHUNK])
                .select_related("is24_state")
                .prefetch_related(attachments)
                .order_by("pk")
            )

    def plans(self) -> Iterator[Plan]:
        """One plan per listing of the broker, then one per orphaned state row."""
        seen_external: dict[str, int] = {}
        for listing in self.listings():
            state = getattr(listing, "is24_state", None)
            if state is not None and state.connection_id != self.connection.pk:
                state = None  # the listing moved here from another broker's account
            plan = Plan(listing=listing, state=state, active=is_active(listing))
            if plan.active:
                plan.contact = contact_of(listing, self.broker.pk)
                plan.mapped = map_listing(
                    listing,
                    contact_external_id=plan.contact.external_id if plan.contact else None,
                )
                plan.problems = list(plan.mapped.problems)
                ext = plan.mapped.external_id
                if plan.mapped.ok and ext in seen_external:
                    plan.problems.append(
                        MappingProblem(
                            "DUPLICATE_EXTERNAL_ID",
                            gettext_noop(
                                "Another listing of this broker has the same "
                                "objektnr_extern {objektnr}; IS24 needs it unique."
                            ),
                            {"objektnr": ext},
                        )
                    )
                elif plan.mapped.ok:
                    seen_external[ext] = listing.pk
                if not plan.problems:
                    try:
                        plan.desired = desired_attachments(listing)
                    except OSError as exc:
                        plan.problems.append(unreadable(exc))
            yield plan
        # State rows whose listing was deleted or moved to another broker.
        orphans = self.connection.listing_states.filter(
            Q(listing__isnull=True) | ~Q(listing__broker=self.broker)
        )
        for state in orphans:
            yield Plan(listing=None, state=state, active=False)

    def dry_run(self) -> None:
        plans = list(self.plans())
        result = self.result
        needs_create = any(
            p.active and not p.problems and not (p.state and p.state.is24_id) for p in plans
        )
        if self.connection.adopted_at is None and needs_create:
            result.plan("GET", "/user/me/realestate?pagesize=100&pagenumber=1")
        contacts = {c.external_id: c for c in self.connection.contacts.all()}
        planned_contacts: set[str] = set()
        for plan in plans:
            state = plan.state
            contact = plan.contact
            if (
                contact
                and plan.active
                and not plan.problems
                and contact.external_id not in planned_contacts
            ):
                planned_contacts.add(contact.external_id)
                row = contacts.get(contact.external_id)
                if row is None or not row.is24_id:
                    result.plan("POST", "/user/me/contact")
                    result.contacts_created += 1
                elif row.payload_hash != contact.payload_hash:
                    result.plan("PUT", f"/user/me/contact/{row.is24_id}")
                    result.contacts_updated += 1
            if plan.problems:
                for problem in plan.problems:
                    result.error(
                        plan.objektnr,
                        render_message(problem.detail(), problem.message),
                        problem.code,
                    )
                continue
            if not plan.active:
                if state and state.is24_id and state.published:
                    result.plan("DELETE", f"/publish/{state.is24_id}_{self.channel}")
                    result.deactivated += 1
                continue
            if _permanent_error(state, plan.mapped):
                result.error(plan.objektnr, state.error_message(), state.last_error_code)
                continue
            ident = state.is24_id if state else ""
            wrote = False
            if ident and state.realestate_type != plan.mapped.realestate_type:
                result.plan("GET", f"/user/me/realestate/{ident}")
                result.plan("PUT", f"/user/me/realestate/{ident}")
                result.plan("DELETE", f"/publish/{ident}_{self.channel}")
                result.replaced += 1
                ident = ""
                state = None
            if not ident:
                result.plan("POST", "/user/me/realestate")
                result.created += 1
                for _want in plan.desired:
                    result.plan("POST", "/user/me/realestate/{new}/attachment")
                    result.images_uploaded += 1
                result.plan("POST", "/publish")
                continue
            if state.payload_hash != plan.mapped.payload_hash:
                result.plan("PUT", f"/user/me/realestate/{ident}")
                result.updated += 1
                wrote = True
            if state.attachments_hash != attachments_hash(plan.desired):
                wrote = self._plan_attachments(plan, ident) or wrote
            if not state.published:
                result.plan("POST", "/publish")
                if state.deactivated_at:
                    result.reactivated += 1
                wrote = True
            if not wrote:
                result.unchanged += 1

    def _plan_attachments(self, plan: Plan, ident: str) -> bool:
        result = self.result
        rows = list(plan.state.attachments.all())
        current = [
            CurrentAttachment(
                id=r.is24_attachment_id, checksum=r.checksum.lower(), is_title=r.is_title
            )
            for r in rows
        ]
        by_id = {r.is24_attachment_id: r for r in rows}
        diff = diff_attachments(plan.desired, current)
        result.plan("GET", f"/user/me/realestate/{ident}/attachment")
        for _want in diff.upload:
            result.plan("POST", f"/user/me/realestate/{ident}/attachment")
            result.images_uploaded += 1
        for gone in diff.delete:
            result.plan("DELETE", f"/user/me/realestate/{ident}/attachment/{gone.id}")
            result.images_deleted += 1
        for want, have in diff.kept:
            if by_id[have.id].metadata_hash != want.metadata_hash:
                result.plan("PUT", f"/user/me/realestate/{ident}/attachment/{have.id}")
        final = [have.id for _w, have in diff.kept] + ["{new}"] * len(diff.upload)
        wanted = [next((h.id for w, h in diff.kept if w is want), "{new}") for want in plan.desired]
        if final != wanted:
            result.plan("PUT", f"/user/me/realestate/{ident}/attachment/attachmentsorder")
        return True


def _permanent_error(state: IS24ListingState | None, mapped: MappedListing | None) -> bool:
    """IS24 refused exactly this payload before: do not send it again until it changes."""
    return bool(
        state
        and state.last_error_code
        and mapped
        and (state.last_error_detail or {}).get("permanent")
        and state.payload_hash == mapped.payload_hash
    )


class _Runner(_Planner):
    """Carries the plans out against IS24, writing state as soon as IS24 answers."""

    def __init__(self, connection, result, *, sleep=None):
        super().__init__(connection, result)
        kwargs = {"sleep": sleep} if sleep else {}
        self.client = IS24Client(connection, **kwargs)
        self.adoptable: dict[str, tuple[str, str, bool]] | None = None
        self.contacts: dict[str, IS24Contact] = {}
        self.contacts_synced: set[str] = set()
        # A contact IS24 refused in this run: its other listings get the same error
        # without asking IS24 again.
        self.contacts_refused: dict[str, IS24Error] = {}

    def run(self) -> None:
        connection = self.connection
        try:
            if connection.adopted_at is None:
                try:
                    self.adoptable = self._existing_objects()
                except IS24Error as exc:
                    raise self._stop_for(exc) from exc
            self.contacts = {c.external_id: c for c in connection.contacts.all()}
            beat = timezone.now()
            for plan in self.plans():
                self._run_plan(plan)
                if timezone.now() - beat > HEARTBEAT:
                    beat = timezone.now()
                    IS24Connection.objects.filter(pk=connection.pk).update(sync_started_at=beat)
        except StopSync as stop:
            self.result.stopped = str(stop)
        finally:
            self.client.close()
        update = {"last_sync_at": timezone.now()}
        if not self.result.stopped:
            update["last_error"] = ""
            if connection.adopted_at is None:
                update["adopted_at"] = timezone.now()
        IS24Connection.objects.filter(pk=connection.pk).update(**update)

    # --- errors -----------------------------------------------------------------------------
    def _stop_for(self, exc: IS24Error) -> StopSync:
        connection = self.connection
        if isinstance(exc, IS24AuthError):
            IS24Connection.objects.filter(pk=connection.pk).update(
                needs_reauth=True, last_error=f"{exc.code}: {exc.message}"[:2000]
            )
            connection.needs_reauth = True
            self.result.error(None, _connection_message(connection), "NEEDS_REAUTH")
            logger.warning(
                "IS24 sync of %s stopped: the access token was refused", self.broker.slug
            )
            return StopSync("needs_reauth")
        IS24Connection.objects.filter(pk=connection.pk).update(
            last_error=f"{exc.code}: {exc.message}"[:2000]
        )
        self.result.error(
            None, gettext("IS24 is not available: {message}").format(message=exc.message), exc.code
        )
        logger.warning("IS24 sync of %s stopped: %s", self.broker.slug, exc.message)
        return StopSync("unavailable")

    def _run_plan(self, plan: Plan) -> None:
        state = plan.state
        try:
            if plan.problems:
                self._record_problems(plan)
            elif not plan.active:
                self._withdraw(plan)
            elif _permanent_error(state, plan.mapped):
                self.result.error(plan.objektnr, state.error_message(), state.last_error_code)
            else:
                self._sync_active(plan)
        except (IS24AuthError, IS24Unavailable) as exc:
            raise self._stop_for(exc) from exc
        except IS24Error as exc:
            self._record_is24_error(plan, exc)
        except OSError as exc:  # a picture file vanished between planning and upload
            plan.problems = [unreadable(exc)]
            self._record_problems(plan)

    def _record_problems(self, plan: Plan) -> None:
        state = self._state_for(plan)
        state.set_error(
            "; ".join(p.message for p in plan.problems),
            plan.problems[0].code,
            {"items": [p.detail() for p in plan.problems]},
        )
        state.last_synced_at = timezone.now()
        state.save()
        for problem in plan.problems:
            self.result.error(
                plan.objektnr, render_message(problem.detail(), problem.message), problem.code
            )

    def _record_is24_error(self, plan: Plan, exc: IS24Error) -> None:
        state = self._state_for(plan)
        # IS24 refused this content: do not send it again until it changes. A refused
        # publication (the account's quota, say) is tried again on the next run, and so is
        # a refused contact person (whose details are not part of the listing's payload).
        permanent = (
            exc.status is not None
            and 400 <= exc.status < 500
            and plan.step not in ("publish", "contact")
        )
        refnum = f" (IS24 refnum {exc.refnum})" if exc.refnum else ""
        state.set_error(f"{exc.message}{refnum}", exc.code, {"permanent": permanent})
        if permanent and plan.mapped is not None and plan.mapped.ok:
            state.payload_hash = plan.mapped.payload_hash
        state.create_started_at = None
        state.last_synced_at = timezone.now()
        state.save()
        self.result.error(plan.objektnr, state.last_error, exc.code)
        logger.info(
            "IS24 refused listing %s of %s: %s", plan.objektnr, self.broker.slug, state.last_error
        )

    def _state_for(self, plan: Plan) -> IS24ListingState:
        if plan.state is None:
            listing = plan.listing
            # A state row left by another broker's account is detached: that account's
            # next sync deactivates its object.
            IS24ListingState.objects.filter(listing=listing).exclude(
                connection=self.connection
            ).update(listing=None)
            plan.state = IS24ListingState(listing=listing, connection=self.connection)
        state = plan.state
        if plan.listing is not None:
            state.title = (plan.listing.title or "")[:255]
            if plan.mapped and plan.mapped.external_id:
                state.external_id = plan.mapped.external_id[:255]
            elif not state.external_id:
                state.external_id = (plan.listing.objektnr_extern or "")[:255]
        return state

    # --- withdrawn ------------------------------------------------------------------------
    def _existing_objects(self) -> dict[str, tuple[str, str, bool]]:
        """externalId → (IS24 id, type, active) of everything already on the account."""
        found = {}
        for element in self.client.iter_realestates():
            ext = element.get("externalId")
            if not ext or ext in found:
                continue
            kind = str(element.get("@xsi.type", "")).rpartition(":")[2]
            kind = kind[len("Offer") :] if kind.startswith("Offer") else kind
            kind = kind[:1].lower() + kind[1:]
            found[str(ext)] = (
                str(element.get("@id")),
                kind,
                element.get("realEstateState") == "ACTIVE",
            )
        return found

    def _withdraw(self, plan: Plan) -> None:
        state = plan.state
        if state is None and plan.listing is not None and self.adoptable:
            # First sync: a withdrawn listing that another program left active on IS24.
            ext = (plan.listing.objektnr_extern or "").strip()
            if ext in self.adoptable and self.adoptable[ext][2]:
                ident, kind, _active = self.adoptable[ext]
                state = self._state_for(plan)
                state.is24_id, state.realestate_type, state.published = ident, kind, True
                state.save()
                self.result.adopted += 1
        if state is None or not state.is24_id or not state.published:
            if state is not None and (
                state.last_error or (plan.listing is None and state.listing_id)
            ):
                state.clear_error()  # an error about a listing IS24 need not show
                if plan.listing is None:
                    state.listing = None
                state.save()
            return
        self.client.unpublish(state.is24_id, self.channel)
        state.published = False
        state.deactivated_at = timezone.now()
        state.last_synced_at = timezone.now()
        if plan.listing is None:
            state.listing = None
        state.save()
        self.result.deactivated += 1

    # --- active ---------------------------------------------------------------------------
    def _sync_active(self, plan: Plan) -> None:
        state = self._state_for(plan)
        had_error = bool(state.last_error) or state.pk is None
        try:
            wrote = self._bring_up_to_date(plan)
        except IS24NotFound:
            if not state.is24_id:
                raise
            # The object was deleted on IS24 by someone else: create it again (a new id, of
            # necessity), once.
            logger.warning(
                "IS24 object %s of %s vanished; creating it again", state.is24_id, plan.objektnr
            )
            with transaction.atomic():
                state.attachments.all().delete()
                state.is24_id = ""
                state.published = False
                state.attachments_hash = ""
                state.save()
            wrote = self._bring_up_to_date(plan)
        if wrote or had_error:
            state.clear_error()
            state.last_synced_at = timezone.now()
            state.save()
        if not wrote:
            self.result.unchanged += 1

    def _bring_up_to_date(self, plan: Plan) -> bool:
        """Create, update, re-describe and publish as needed; True if anything was sent."""
        state, mapped = plan.state, plan.mapped
        wrote = fresh = False
        if plan.contact is not None:
            plan.step = "contact"
            self._sync_contact(plan.contact)
            plan.step = ""
        if not state.is24_id:
            self._find_existing(plan)
        if (
            state.is24_id
            and state.realestate_type
            and state.realestate_type != mapped.realestate_type
        ):
            self._replace(plan)
        if not state.is24_id:
            fresh = self._create(plan)
            wrote = True
        elif state.payload_hash != mapped.payload_hash:
            wrote = self._update(plan)
        if state.attachments_hash != attachments_hash(plan.desired):
            wrote = self._sync_attachments(plan, fresh=fresh) or wrote
        if not state.published:
            self._publish(plan)
            wrote = True
        return wrote

    def _find_existing(self, plan: Plan) -> None:
        """An object of this listing already on IS24: adopted, or left by a crashed sync."""
        state = plan.state
        ext = plan.mapped.external_id
        found = None
        if self.adoptable is not None and ext in self.adoptable:
            ident, kind, _active = self.adoptable[ext]
            found = (ident, kind)
            state.published = False  # publish once more: a 409 if it is already
        elif state.create_started_at is not None:
            # The last sync POSTed this listing and died before it stored the answer.
            found = self.client.find_by_external_id(ext)
        if not found:
            return
        state.is24_id, state.realestate_type = found
        if state.create_started_at is None:
            state.payload_hash = ""  # someone else's content: send ours once
        state.create_started_at = None
        state.attachments_hash = ""  # compare with what IS24 really has
        state.save()
        self.result.adopted += 1

    def _create(self, plan: Plan) -> bool:
        """POST the listing; True if IS24 made a new (empty) object, False if adopted."""
        state, mapped = plan.state, plan.mapped
        ext = mapped.external_id
        # Marked (and committed) before the POST: a crash after IS24 created the object
        # but before its id is stored makes the next sync look it up instead of posting.
        state.realestate_type = mapped.realestate_type
        state.payload_hash = mapped.payload_hash
        state.attachments_hash = ""
        state.published = False
        state.create_started_at = timezone.now()
        state.save()
        ident, fresh = None, True
        for attempt in range(CREATE_ATTEMPTS):
            try:
                ident = self.client.create_realestate(mapped.payload)
                break
            except IS24OutcomeUnknown:
                found = self.client.find_by_external_id(ext)
                if found:
                    ident, fresh = found[0], False
                    break
                if attempt + 1 == CREATE_ATTEMPTS:
                    raise
            except IS24Conflict:
                # The external id is taken: the object exists (a POST whose answer was lost,
                # or another program's). Adopt it and make it ours with a PUT.
                found = self.client.find_by_external_id(ext)
                if not found:
                    raise
                ident, fresh = found[0], False
                state.payload_hash = ""
                self.result.adopted += 1
                break
        state.is24_id = str(ident)
        state.create_started_at = None
        state.save()
        self.result.created += 1
        if not state.payload_hash:
            self._update(plan)
        return fresh

    def _update(self, plan: Plan) -> bool:
        state, mapped = plan.state, plan.mapped
        ((root, body),) = mapped.payload.items()
        self.client.update_realestate(state.is24_id, {root: {"@id": state.is24_id, **body}})
        state.payload_hash = mapped.payload_hash
        state.save()
        self.result.updated += 1
        return True

    def _publish(self, plan: Plan) -> None:
        state = plan.state
        plan.step = "publish"
        self.client.publish(state.is24_id, self.channel)
        state.published = True
        if state.deactivated_at is not None:
            self.result.reactivated += 1
            state.deactivated_at = None
        state.save()

    def _replace(self, plan: Plan) -> None:
        """The IS24 type changed: a new object; the old one is deactivated, never deleted."""
        state, mapped = plan.state, plan.mapped
        old_id, old_type = state.is24_id, state.realestate_type
        found = self.client.get_realestate(old_id)
        if found:
            # IS24 keeps external ids unique per account: free it for the new object.
            kind, body = found
            body = {**body, "externalId": f"{mapped.external_id}-{old_id}"[:255]}
            self.client.update_realestate(old_id, {f"realestates.{kind}": body})
            self.client.unpublish(old_id, self.channel)
        with transaction.atomic():
            state.attachments.all().delete()
            state.replaced_is24_ids = [*state.replaced_is24_ids, old_id]
            state.is24_id = ""
            state.published = False
            state.payload_hash = ""
            state.attachments_hash = ""
            notice = MappingProblem(
                "TYPE_CHANGED",
                TYPE_CHANGED,
                {"old_type": old_type, "new_type": mapped.realestate_type, "old_id": old_id},
            )
            state.notice = notice.message
            state.notice_detail = notice.detail()
            state.notice_at = timezone.now()
            state.save()
        self.result.replaced += 1

    # --- contacts -------------------------------------------------------------------------
    def _sync_contact(self, contact: DesiredContact) -> None:
        """Make the IS24 contact match ``contact``: POST once, PUT on change, else nothing."""
        if contact.external_id in self.contacts_synced:
            return
        if contact.external_id in self.contacts_refused:
            raise self.contacts_refused[contact.external_id]
        try:
            self._send_contact(contact)
        except (IS24AuthError, IS24Unavailable):
            raise
        except IS24Error as exc:
            self.contacts_refused[contact.external_id] = exc
            raise

    def _send_contact(self, contact: DesiredContact) -> None:
        row = self.contacts.get(contact.external_id)
        if row is None:
            row = IS24Contact(connection=self.connection, external_id=contact.external_id)
            self.contacts[contact.external_id] = row
        row.name = contact.name[:255]
        row.email = contact.email[:300]
        if not row.is24_id and row.create_started_at is not None:
            # A sync died between POST and storing the id: look before creating again.
            row.is24_id = self.client.find_contact(contact.external_id) or ""
            row.payload_hash = ""
        if not row.is24_id:
            row.create_started_at = timezone.now()
            row.payload_hash = contact.payload_hash
            row.save()
            row.is24_id = self._create_contact(contact)
            row.create_started_at = None
            if row.payload_hash:
                self.result.contacts_created += 1
        if row.payload_hash != contact.payload_hash:
            ((root, body),) = contact.payload.items()
            try:
                self.client.update_contact(row.is24_id, {root: {"@id": row.is24_id, **body}})
            except IS24NotFound:
                # Deleted on IS24 by someone else: create it again, once.
                row.is24_id = self._create_contact(contact)
                self.result.contacts_created += 1
            else:
                self.result.contacts_updated += 1
            row.payload_hash = contact.payload_hash
        row.last_synced_at = timezone.now()
        row.save()
        self.contacts_synced.add(contact.external_id)

    def _create_contact(self, contact: DesiredContact) -> str:
        """POST a contact; after a lost answer or a 409, the one IS24 has is taken."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                return self.client.create_contact(contact.payload)
            except (IS24OutcomeUnknown, IS24Conflict):
                found = self.client.find_contact(contact.external_id)
                if found:
                    # Someone else's details (or a half-finished create): PUT ours once.
                    self.contacts[contact.external_id].payload_hash = ""
                    return found
                if attempt + 1 == CREATE_ATTEMPTS:
                    raise
        raise IS24Error("IS24 contact could not be created")  # not reached

    # --- attachments ----------------------------------------------------------------------
    def _sync_attachments(self, plan: Plan, *, fresh: bool = False) -> bool:
        """Make IS24's attachments match; ``fresh``: the object was just created (empty)."""
        state, desired = plan.state, plan.desired
        ident = state.is24_id
        listed = [] if fresh else self.client.list_attachments(ident)
        current = [CurrentAttachment.from_is24(a) for a in listed]
        diff = diff_attachments(desired, current)
        wrote = False
        uploaded: dict[int, str] = {}
        for want in diff.upload:
            uploaded[id(want)] = self._upload(state, want)
            wrote = True
        for gone in diff.delete:
            self.client.delete_attachment(ident, gone.id)
            IS24AttachmentState.objects.filter(state=state, is24_attachment_id=gone.id).delete()
            self.result.images_deleted += 1
            wrote = True
        for want, have in diff.metadata:
            self.client.update_attachment(ident, have.id, want.metadata())
            wrote = True
        ids = {id(w): h.id for w, h in diff.kept} | uploaded
        wanted = [ids[id(w)] for w in desired]
        on_is24 = [h.id for _w, h in sorted(diff.kept, key=lambda p: current.index(p[1]))]
        on_is24 += [uploaded[id(w)] for w in diff.upload]
        if on_is24 != wanted and len(wanted) > 1:
            self.client.set_attachments_order(ident, wanted)
            wrote = True
        with transaction.atomic():
            rows = {r.is24_attachment_id: r for r in state.attachments.all()}
            for position, want in enumerate(desired):
                row = rows.get(ids[id(want)]) or IS24AttachmentState(
                    state=state, is24_attachment_id=ids[id(want)]
                )
                row.attachment = want.attachment
                row.external_id = want.external_id
                row.checksum = want.checksum
                row.position = position
                row.is_title = want.is_title
                row.metadata_hash = want.metadata_hash
                row.save()
            IS24AttachmentState.objects.filter(state=state).exclude(
                is24_attachment_id__in=wanted
            ).delete()
            state.attachments_hash = attachments_hash(desired)
            state.save()
        return wrote

    def _upload(self, state: IS24ListingState, want: DesiredAttachment) -> str:
        content, content_type = b"", ""
        if want.kind != "link":
            media = want.attachment.image if want.kind == "picture" else want.attachment.document
            with media.open_file() as fh:
                content = fh.read()
            content_type = mimetypes.guess_type(want.file_name)[0] or (
                "image/jpeg" if want.kind == "picture" else "application/pdf"
            )
        for attempt in range(CREATE_ATTEMPTS):
            try:
                if want.kind == "link":
                    ident = self.client.create_link(state.is24_id, want.metadata())
                else:
                    ident = self.client.upload_attachment(
                        state.is24_id, want.metadata(), content, want.file_name, content_type
                    )
                break
            except IS24OutcomeUnknown:
                listed = self.client.list_attachments(state.is24_id)
                match = next(
                    (a for a in listed if want.matches(str(a.get("externalCheckSum") or ""))), None
                )
                if match is not None:
                    ident = str(match.get("@id"))
                    break
                if attempt + 1 == CREATE_ATTEMPTS:
                    raise
        # Stored at once: a crash later in this listing never uploads this file again.
        IS24AttachmentState.objects.create(
            state=state,
            attachment=want.attachment,
            external_id=want.external_id,
            checksum=want.checksum,
            is24_attachment_id=ident,
            is_title=want.is_title,
            metadata_hash=want.metadata_hash,
            position=999,
        )
        self.result.images_uploaded += 1
        return ident

"""Push exports to the brokers' FTP targets (another portal, the broker's own software).

Each active ``ExportTarget`` gets a ZIP named ``<broker>-<YYYYmmddHHMMSS>.zip`` in its
folder. The file is uploaded as ``<name>.tmp`` and renamed when complete, so the receiver
never picks up half a file (receivers skip ``.tmp`` names). A VOLL target gets the whole
stock, a TEIL target what changed since its last successful push (the first push of a TEIL
target sends every listing); nothing is uploaded when nothing changed since the last push.

FTPS is explicit TLS (``AUTH TLS``) with the server's certificate always verified, against
the system's CAs or the ``EXPORT_FTPS_CAFILE`` bundle. The password is only ever sent to the
target server: it is not logged and not part of any error message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ftplib
import logging
import posixpath
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from ..conf import get_setting
from ..models import ExportTarget
from .export import EPOCH, ExportResult, export_broker, has_changes

logger = logging.getLogger(__name__)

PUSHED, SKIPPED, FAILED = "pushed", "skipped", "failed"


@dataclass
class PushResult:
    """How the push to one target went."""

    target: ExportTarget
    status: str
    file_name: str = ""
    export: ExportResult | None = None
    error: str = ""


def remote_name(target: ExportTarget, when: dt.datetime) -> str:
    return f"{target.broker.slug}-{timezone.localtime(when):%Y%m%d%H%M%S}.zip"


def _connect(target: ExportTarget) -> ftplib.FTP:
    timeout = get_setting("EXPORT_FTP_TIMEOUT")
    if target.use_tls:
        context = ssl.create_default_context(cafile=get_setting("EXPORT_FTPS_CAFILE"))
        ftp: ftplib.FTP = ftplib.FTP_TLS(context=context, timeout=timeout)  # noqa: S321
    else:
        # plain FTP because the receiver offers nothing else; the target chooses (use_tls)
        ftp = ftplib.FTP(timeout=timeout)  # noqa: S321
    try:
        ftp.connect(target.host, target.port)
        ftp.login(target.username, target.password)  # FTP_TLS sends AUTH TLS first
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()  # the data connection is encrypted too
        ftp.set_pasv(target.passive)
    except BaseException:
        ftp.close()
        raise
    return ftp


def upload(target: ExportTarget, path: Path, name: str) -> None:
    """Upload ``path`` as ``name`` into the target's folder: as ``name.tmp``, then renamed."""
    ftp = _connect(target)
    try:
        folder = target.folder.strip()
        if folder:
            ftp.cwd(folder)
        partial = f"{name}.tmp"
        with open(path, "rb") as fh:
            ftp.storbinary(f"STOR {partial}", fh)
        try:
            ftp.rename(partial, name)
        except ftplib.Error:
            # leave no half-named file behind for the receiver to wonder about
            with contextlib.suppress(ftplib.Error):
                ftp.delete(partial)
            raise
        ftp.quit()
    finally:
        ftp.close()


def describe(exc: BaseException) -> str:
    """An error for the operator: the server's reply or the network error, no secrets."""
    text = str(exc).strip() or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"


def push_export(
    target: ExportTarget, *, now: dt.datetime | None = None, force: bool = False
) -> PushResult:
    """Export ``target.broker``'s listings and upload them to ``target``.

    Records the outcome on the target (``last_pushed_at``, ``last_error``). ``force`` pushes
    even when nothing changed since the last push.
    """
    started = now or timezone.now()
    broker = target.broker
    previous = target.last_pushed_at
    if not force and previous is not None and not has_changes(broker, previous):
        return PushResult(target, SKIPPED)
    since = (previous or EPOCH) if target.umfang == "TEIL" else None
    name = remote_name(target, started)
    with tempfile.TemporaryDirectory(prefix="openimmo-push-") as tmp:
        path = Path(tmp) / name
        result = export_broker(broker, path, umfang=target.umfang, since=since, now=started)
        try:
            upload(target, path, name)
        except (OSError, EOFError, ftplib.Error, ssl.SSLError) as exc:
            error = describe(exc)
            logger.warning(
                "OpenImmo export push to %s (broker %s) failed: %s", target, broker.slug, error
            )
            target.last_error = error
            target.save(update_fields=["last_error"])
            return PushResult(target, FAILED, name, result, error)
    target.last_pushed_at = started
    target.last_error = ""
    target.save(update_fields=["last_pushed_at", "last_error"])
    logger.info(
        "Pushed %s (%d listings, %d deletes) to %s",
        posixpath.basename(name),
        result.listings,
        result.deletes,
        target,
    )
    return PushResult(target, PUSHED, name, result)


def push_all(*, now: dt.datetime | None = None) -> list[PushResult]:
    """Push to every active target; one failing target does not stop the others."""
    results = []
    targets = ExportTarget.objects.filter(active=True).select_related("broker").order_by("pk")
    for target in targets:
        try:
            results.append(push_export(target, now=now))
        except Exception as exc:  # an export that failed: report it, go on with the next
            logger.exception("OpenImmo export for target %s failed", target)
            target.last_error = describe(exc)
            target.save(update_fields=["last_error"])
            results.append(PushResult(target, FAILED, error=target.last_error))
    return results

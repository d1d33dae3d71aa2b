"""One property's crash is that property's problem, not the file's.

``apply.process`` writes each property in its own transaction. If it raises anyway -- a bug,
a value nothing checked, a broken image library -- the property is rolled back, recorded as
rejected with an ``internal_error`` finding, and the import goes on with the next one. The
broker reads that the portal failed on this property; the traceback goes to the log and to
the run's detail page in the admin (``traceback`` in the entry's message), for the operator.

What is not one property's fault still ends the run as failed, so that the caller keeps the
file and tries it again later: the database gone or locked, the disk full, memory exhausted,
the site misconfigured (see ``whole_file_failure``).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import traceback

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.utils import DataError
from django.utils.translation import gettext_noop as _

from ..locks import BrokerLockLost
from ..openimmo import PropertyRecord
from ..openimmo.problems import error
from . import apply
from .result import EntryResult, Outcome, message_dict

logger = logging.getLogger("wagtail_openimmo.importing")

# Operating system errors that say the machine, not the property, is in trouble.
ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EIO,
    errno.ENOMEM,
    errno.EMFILE,
    errno.ENFILE,
    errno.EACCES,
    errno.EPERM,
}
TRACEBACK_CHARS = 20000  # the end of a traceback is the part that says what failed


def whole_file_failure(exc: BaseException) -> bool:
    """Whether ``exc`` must end the run (the file is kept and tried again).

    Interrupts and exits, memory, the database (connection, locks, schema: any database
    error but a row's own integrity or data error), the disk and the settings.
    """
    if not isinstance(exc, Exception) or isinstance(
        exc, MemoryError | ImproperlyConfigured | BrokerLockLost
    ):
        return True
    if isinstance(exc, DatabaseError):
        return not isinstance(exc, IntegrityError | DataError)
    return isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS


def _savepoint():
    """A savepoint when the import runs inside a transaction, else nothing.

    Outside a transaction ``apply`` already writes each property in its own one; an outer
    transaction there would also hold the database through the property's downloads. Inside
    one (a caller's ``atomic()``, a test) the savepoint keeps the caller's transaction usable
    after a failed property.
    """
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def process(ctx: apply.Context, record: PropertyRecord, xml, position: int) -> EntryResult:
    """``apply.process`` for one property, its unexpected failure turned into a rejection."""
    try:
        with _savepoint():
            return apply.process(ctx, record, xml, position)
    except Exception as exc:
        if whole_file_failure(exc):
            raise
        entry = internal_error(ctx, record, position, exc)
    apply.save_entry(ctx, entry)
    return entry


def internal_error(
    ctx: apply.Context, record: PropertyRecord, position: int, exc: Exception
) -> EntryResult:
    """The rejected entry for ``record`` whose application raised ``exc``; logs it."""
    logger.error(
        "Property %s (position %s) of %s for broker %s failed and was rejected; the import "
        "goes on.",
        record.objektnr or "-",
        position,
        ctx.result.file,
        ctx.broker.slug,
        exc_info=exc,
    )
    problem = error(
        "internal_error",
        _(
            "The portal failed on this property (an internal error, not a mistake in the "
            "file); it was not imported. The portal's operator has the details."
        ),
        line=record.line,
    )
    message = message_dict(problem)
    message["traceback"] = "".join(traceback.format_exception(exc))[-TRACEBACK_CHARS:]
    entry = apply._entry(record, position, Outcome.REJECTED, problems=list(record.problems))
    entry.messages.append(message)
    return entry


def withdraw(ctx: apply.Context, known, entry: EntryResult) -> None:
    """``apply.withdraw`` for a listing missing from a VOLL file; a failure leaves it online.

    The entry then says the listing could not be withdrawn (rejected, ``internal_error``).
    """
    try:
        with _savepoint():
            apply.withdraw(ctx, known, entry)
    except Exception as exc:
        if whole_file_failure(exc):
            raise
        logger.error(
            "Listing %s of broker %s could not be withdrawn; it stays as it is.",
            known.id,
            ctx.broker.slug,
            exc_info=exc,
        )
        problem = error(
            "internal_error_withdraw",
            _(
                "The portal failed to withdraw this listing (an internal error); it stays "
                "online for now. The portal's operator has the details."
            ),
        )
        message = message_dict(problem)
        message["traceback"] = "".join(traceback.format_exception(exc))[-TRACEBACK_CHARS:]
        entry.outcome = Outcome.REJECTED
        entry.messages = [message]
        apply.save_entry(ctx, entry)

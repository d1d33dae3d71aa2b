"""The inbox folders and whose files arrive in each.

Every ``FTPAccount`` has a folder. A folder named like a broker's slug that no account
uses is that broker's inbox too -- the easy way to connect an external FTP server: point
the broker's home directory at ``<inbox root>/<broker slug>/``.

Whose files a folder holds:

- an account with exactly one broker: that broker's (in either FTP mode; the importer still
  refuses a file whose identifiers name another broker);
- an account with several brokers: each file's broker is found by its ``anbieternr`` /
  ``openimmo_anid``, among those brokers;
- an account with no broker: in shared mode every broker's (matched by identifiers), in
  per-broker mode nobody's -- its files are kept as unmatched and reported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_noop

from ..messages import say
from ..models import Broker, FTPAccount, FTPSettings
from . import layout

logger = logging.getLogger("wagtail_openimmo.inbox")


@dataclass
class InboxFolder:
    name: str
    path: Path
    account: FTPAccount | None = None
    broker: Broker | None = None  # the one broker whose files these are
    candidates: list[Broker] | None = None  # else: match each file among these (None: all)
    problem: str = ""  # why no file here can be imported (kept as unmatched)
    brokers: list[Broker] = field(default_factory=list)

    @property
    def identifies(self) -> bool:
        """Whether each file's broker must be found by the identifiers in it."""
        return self.broker is None and not self.problem

    def may_hold(self, broker: Broker) -> bool:
        """Whether files of ``broker`` can arrive here."""
        if self.broker is not None:
            return self.broker.pk == broker.pk
        if self.problem:
            return False
        return self.candidates is None or any(b.pk == broker.pk for b in self.candidates)


def ftp_mode() -> str:
    """The FTP mode chosen in the admin (read only: no row is created by an inbox run)."""
    mode = FTPSettings.objects.order_by("pk").values_list("mode", flat=True).first()
    return mode or FTPSettings.MODE_PER_BROKER


def inbox_folders(root: Path) -> list[InboxFolder]:
    """Every folder under ``root`` whose uploads the app imports, by name."""
    shared = ftp_mode() == FTPSettings.MODE_SHARED
    folders: dict[str, InboxFolder] = {}
    for account in FTPAccount.objects.prefetch_related("brokers").order_by("folder"):
        name = account.folder or account.username
        brokers = list(account.brokers.all())
        folder = InboxFolder(name, root / name, account=account, brokers=brokers)
        if len(brokers) == 1:
            folder.broker = brokers[0]
        elif brokers:
            folder.candidates = brokers
        elif not shared:
            folder.problem = say(
                "account_without_broker",
                gettext_noop("The FTP account “{account}” is not assigned to any broker."),
                account=account.username,
            )
        folders[name] = folder
    for broker in Broker.objects.order_by("slug"):
        if broker.slug not in folders and (root / broker.slug).is_dir():
            folders[broker.slug] = InboxFolder(
                broker.slug, root / broker.slug, broker=broker, brokers=[broker]
            )
    _warn_unknown(root, folders)
    return [folders[name] for name in sorted(folders)]


def _warn_unknown(root: Path, known: dict[str, InboxFolder]) -> None:
    try:
        names = [p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    except FileNotFoundError:
        return
    for name in sorted(names):
        if name != layout.APP_DIR and not name.startswith(".") and name not in known:
            logger.warning(
                "Inbox folder %s belongs to no FTP account and no broker slug; its files "
                "are left alone.",
                root / name,
            )

"""FTP accounts that broker software uploads to, and the site-wide FTP mode.

An operator hands each broker (or all brokers together) an FTP login. The password is kept
only as a Django password hash. Every account is jailed to its own folder under the inbox
root; what arrives there is imported for the account's broker -- or, for a shared account,
for whichever broker the file's OpenImmo identifiers (``anbieternr``/``openimmo_anid``) name.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting

# A folder is one path component under the inbox root. It may not start with a dot: the app's
# own folders (".openimmo") live there and must stay out of every FTP jail.
FOLDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$")


def validate_folder(value: str) -> None:
    """A folder name: one safe path component, never ``..``, never hidden."""
    if not value or not FOLDER_RE.match(value) or ".." in value:
        raise ValidationError(
            _(
                "Use letters, digits, dots, hyphens and underscores only (no “/”, no “..”, "
                "not starting with a dot)."
            ),
            code="invalid_folder",
        )


def validate_username(value: str) -> None:
    if not USERNAME_RE.match(value or ""):
        raise ValidationError(
            _("Use letters, digits and . _ @ - only, starting with a letter or digit."),
            code="invalid_username",
        )


def generate_password(length: int = 20) -> str:
    """A random password without look-alike characters, easy to type into broker software."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


class FTPAccount(models.Model):
    """One FTP login for broker software, jailed to ``<inbox root>/<folder>/``.

    In per-broker mode an account belongs to one broker and everything uploaded is that
    broker's (the importer still refuses a file that names another broker). An account
    with several brokers, or any account in shared mode, has each file matched to its broker
    by the identifiers in the XML; an account with no brokers in shared mode serves all.
    """

    username = models.CharField(
        _("user name"), max_length=150, unique=True, validators=[validate_username]
    )
    password = models.CharField(
        _("password hash"),
        max_length=128,
        editable=False,
        help_text=_("Only a hash is stored; the password itself cannot be shown again."),
    )
    brokers = models.ManyToManyField(
        "wagtail_openimmo.Broker",
        verbose_name=_("brokers"),
        blank=True,
        related_name="ftp_accounts",
        help_text=_(
            "Whose files arrive on this account. A shared account with no broker "
            "selected serves every broker."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    folder = models.CharField(
        _("folder"),
        max_length=100,
        unique=True,
        blank=True,
        validators=[validate_folder],
        help_text=_(
            "Folder under the inbox root that this account sees as “/”. Default: the user name."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("FTP account")
        verbose_name_plural = _("FTP accounts")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs):
        if not self.folder:
            self.folder = self.username
        validate_folder(self.folder)
        if not self.password:
            # An account without a password can never log in (useful to map a folder filled
            # by an external FTP server to a broker).
            self.password = make_password(None)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.folder:
            self.folder = self.username
        validate_folder(self.folder)

    def set_password(self, raw_password: str | None) -> None:
        """Store the hash of ``raw_password`` (None: no login possible)."""
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return bool(raw_password) and check_password(raw_password, self.password)

    @property
    def has_usable_password(self) -> bool:
        return is_password_usable(self.password)

    def inbox_path(self, root: Path | None = None) -> Path:
        """The folder this account uploads to (``<inbox root>/<folder>``)."""
        from ..conf import inbox_dir

        return (root or inbox_dir()) / (self.folder or self.username)


class FTPSettings(BaseGenericSetting):
    """Site-wide FTP choices, edited under Settings in the Wagtail admin."""

    MODE_PER_BROKER = "per_broker"
    MODE_SHARED = "shared"
    MODES = [
        (MODE_PER_BROKER, _("One FTP account per broker")),
        (MODE_SHARED, _("One shared FTP account; files are matched by anbieternr/ANID")),
    ]

    mode = models.CharField(
        _("FTP mode"),
        max_length=20,
        choices=MODES,
        default=MODE_PER_BROKER,
        help_text=_(
            "Per broker: each account's uploads belong to its broker. Shared: each "
            "file is matched to its broker by the identifiers in the XML; files that "
            "match no broker are kept and reported to the operator."
        ),
    )

    class Meta:
        verbose_name = _("OpenImmo FTP")
        verbose_name_plural = _("OpenImmo FTP")

"""Who may log in to the built-in FTP server, and where each account is jailed.

Accounts are ``FTPAccount`` rows checked with Django's password hashers; each is jailed to
``<inbox root>/<folder>/``: pyftpdlib's virtual root plus a real-path check that refuses
symbolic links pointing out of the jail, and any path with a ``..`` component.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import close_old_connections
from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS

from ..conf import inbox_dir
from ..models import FTPAccount

# e: change directory, l: list, w: upload, a: append (resume), d: delete, f: rename.
# Not r (download), m (make directories), M (chmod), T (set times): brokers only deliver.
PERMISSIONS = "elwadf"


class AccountAuthorizer(DummyAuthorizer):
    """A pyftpdlib authorizer backed by ``FTPAccount``."""

    def __init__(self, root: Path | None = None):
        super().__init__()
        self._root = root
        self._homes: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        return self._root or inbox_dir()

    def validate_authentication(self, username, password, handler):
        close_old_connections()
        try:
            account = FTPAccount.objects.filter(username=username, is_active=True).first()
            if account is None:
                make_password(password)  # same time as a real check: do not reveal names
                raise AuthenticationFailed("Authentication failed.")
            if not account.check_password(password):
                raise AuthenticationFailed("Authentication failed.")
            home = account.inbox_path(self.root)
            home.mkdir(parents=True, exist_ok=True)
            with self._lock:
                self._homes[username] = os.path.realpath(home)
        finally:
            close_old_connections()

    def get_home_dir(self, username):
        with self._lock:
            home = self._homes.get(username)
        if home is None:
            raise AuthenticationFailed("Authentication failed.")
        return home

    def has_user(self, username):
        with self._lock:
            return username in self._homes

    def has_perm(self, username, perm, path=None):
        if perm not in PERMISSIONS:
            return False
        if path is None:
            return True
        home = self.get_home_dir(username)
        real = os.path.realpath(path)
        return real == home or real.startswith(home + os.sep)

    def get_perms(self, username):
        return PERMISSIONS

    def get_msg_login(self, username):
        return "Welcome. Upload your OpenImmo files here."

    def get_msg_quit(self, username):
        return "Goodbye."

    def remove_user(self, username):
        with self._lock:
            self._homes.pop(username, None)

    def override_perm(self, *args, **kwargs):
        raise NotImplementedError("permissions come from FTPAccount")


class JailedFS(AbstractedFS):
    """pyftpdlib's virtual file system, refusing ``..`` and symlink escapes."""

    # AbstractedFS.validpath already resolves symbolic links (realpath) before comparing with
    # the home directory, so a link pointing elsewhere counts as outside and is refused.

    def listdir(self, path):
        # Hide what a broker cannot use anyway: links and folders the app may have left.
        return [n for n in super().listdir(path) if not os.path.islink(os.path.join(path, n))]

    listdirinfo = listdir


def has_parent_reference(ftp_path: str) -> bool:
    """Whether an FTP path argument contains a ``..`` component."""
    return any(part == ".." for part in ftp_path.replace("\\", "/").split("/"))

"""The FTP session: logins, throttling, the jail, upload limits and upload completion.

pyftpdlib calls ``on_file_received`` only when a transfer has finished; that is when the app
marks the upload complete and queues its import. Uploads under a temporary name
(``x.zip.tmp``) are complete once renamed to their real name. An interrupted upload is
deleted (the broker software sends it again). Every login and upload is logged to the
``wagtail_openimmo.ftp`` logger -- never a password. User names, paths and addresses in log
lines are escaped (``logsafe.escape``), and a command carrying CR, LF or NUL is refused
with 501 before anything logs or touches the file system, so nobody can forge log lines.

Hardening (issue 15): a name longer than ``layout.MAX_NAME_BYTES`` is refused at STOR and
RNTO with 553; an account deactivated (or deleted) while a session is open loses that
session at its next command.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

from django.db import close_old_connections, connections
from django.utils import timezone
from pyftpdlib.handlers import DTPHandler, FTPHandler

from .. import tasks
from ..conf import get_setting
from ..inbox import layout, scan
from ..logsafe import escape, has_line_break_or_nul
from ..models import FTPAccount
from .authorizer import has_parent_reference
from .throttle import LoginThrottle

logger = logging.getLogger("wagtail_openimmo.ftp")
pyftpdlib_logger = logging.getLogger("pyftpdlib")


class LimitedDTPMixin:
    """Abort an upload as soon as it exceeds ``FTP_MAX_UPLOAD_BYTES`` (reply 552)."""

    _upload_limit: int | None = None

    # pyftpdlib's IO loop calls handle_read_event (the TLS mixin wraps it for handshakes),
    # so the check runs after it.
    def handle_read_event(self):
        super().handle_read_event()
        if not self.receive or self.file_obj is None or self._closed:
            return
        if self._upload_limit is None:
            self._upload_limit = int(get_setting("FTP_MAX_UPLOAD_BYTES") or 0)
        if self._upload_limit and self.file_obj.tell() > self._upload_limit:
            self.cmd_channel.upload_refused = True
            self._resp = (
                f"552 Upload refused: files may be at most {self._upload_limit} bytes.",
                logging.getLogger("pyftpdlib").warning,
            )
            self.close()
            return
        room = getattr(self.cmd_channel, "quota_room", None)
        if room is not None and self.file_obj.tell() > room:
            self.cmd_channel.upload_refused = True
            self._resp = (
                "552 Upload refused: the account's disk quota is used up.",
                logging.getLogger("pyftpdlib").warning,
            )
            self.close()


    def handle_error(self):
        # pyftpdlib answers a failed write of the upload (a full disk) with "426 None": say
        # what happened, then close as it does.
        cause = getattr(sys.exc_info()[1], "__cause__", None)
        if self.receive and isinstance(cause, OSError) and cause.errno:
            self._resp = (f"426 {os.strerror(cause.errno)}; transfer aborted.", logger.warning)
            self.close()
            return
        super().handle_error()

    def close(self):
        # pyftpdlib closes the upload's file inside close() and lets an error escape: on a
        # full disk the final flush fails with ENOSPC, and then neither the reply is sent
        # nor the partial file deleted (nor, worse, is it known to be partial). Close it
        # here: a failed close makes the upload incomplete, so it is answered with 426 and
        # deleted by ``on_incomplete_file_received``.
        file_obj = getattr(self, "file_obj", None)
        if not self._closed and file_obj is not None and not file_obj.closed:
            try:
                file_obj.close()
            except OSError as exc:
                if self.receive:
                    self.transfer_finished = False
                    self._resp = (
                        f"426 {os.strerror(exc.errno) if exc.errno else exc}; "
                        "transfer aborted.",
                        logger.warning,
                    )
        super().close()


class LimitedDTPHandler(LimitedDTPMixin, DTPHandler):
    pass


class InboxHandlerMixin:
    """What the app adds to pyftpdlib's (TLS) FTP handler. Configured by ``server.py``."""

    throttle: LoginThrottle
    upload_refused = False

    # --- pyftpdlib's own log lines, with the session's values escaped -----------------------

    def _log_prefix(self) -> str:
        values = {k: escape(v) if isinstance(v, str) else v for k, v in self.__dict__.items()}
        return self.log_prefix % values

    def log(self, msg, logfun=pyftpdlib_logger.info):
        logfun(f"{self._log_prefix()} {escape(msg)}")

    def logline(self, msg, logfun=pyftpdlib_logger.debug):
        if self._log_debug:
            logfun(f"{self._log_prefix()} {escape(msg)}")

    def logerror(self, msg):
        pyftpdlib_logger.error(f"{self._log_prefix()} {escape(msg)}")

    # --- login (a banned address is refused at connection time by server.InboxFTPServer) --

    def _refuse_if_banned(self) -> bool:
        wait = self.throttle.banned_for(self.remote_ip)
        if not wait:
            return False
        logger.warning(
            "FTP connection refused: ip=%s banned for %.0f s", escape(self.remote_ip), wait
        )
        self.respond("421 Too many failed logins from your address; try again later.")
        self.close_when_done()
        return True

    def ftp_PASS(self, line):
        if self._refuse_if_banned():
            return
        return super().ftp_PASS(line)

    def handle_auth_failed(self, msg, password):
        # Count now, not when the (delayed) answer goes out, so parallel connections from
        # one address cannot slip past the delay.
        self.auth_failed_timeout = self.throttle.failure(self.remote_ip)
        super().handle_auth_failed(msg, password)

    def on_login_failed(self, username, password):
        logger.warning(
            "FTP login failed: user=%s ip=%s", escape(username), escape(self.remote_ip)
        )
        if self.throttle.banned_for(self.remote_ip):
            logger.warning(
                "FTP address banned after repeated failures: ip=%s", escape(self.remote_ip)
            )
            self.close_when_done()

    def on_login(self, username):
        self.throttle.success(self.remote_ip)
        logger.info("FTP login: user=%s ip=%s", escape(username), escape(self.remote_ip))
        close_old_connections()
        try:
            FTPAccount.objects.filter(username=username).update(last_login_at=timezone.now())
        except Exception:
            logger.exception("Could not record the login of %s", username)
        finally:
            close_old_connections()

    def on_logout(self, username):
        logger.info("FTP logout: user=%s ip=%s", escape(username), escape(self.remote_ip))

    def on_disconnect(self):
        # Each session runs in its own thread: close that thread's database connection.
        connections.close_all()

    # --- the jail -------------------------------------------------------------------------

    def pre_process_command(self, line, cmd, arg):
        if has_line_break_or_nul(line):
            # A lone CR or LF inside a command would forge log lines; NUL breaks every path
            # function. Nothing is logged of the line but its escaped form.
            self.respond("501 Line breaks and NUL bytes are not allowed in commands.")
            logger.warning(
                "FTP command refused (line break or NUL): user=%s ip=%s line=%s",
                escape(self.username or ""), escape(self.remote_ip), escape(line[:300]),
            )
            return
        if self.authenticated and not self._account_still_active():
            self.respond("421 This FTP account has been deactivated.")
            logger.warning(
                "FTP session closed, account deactivated: user=%s ip=%s",
                escape(self.username), escape(self.remote_ip),
            )
            self.close_when_done()
            return
        spec = self.proto_cmds.get(cmd) or {}
        if self.authenticated and spec.get("perm") and has_parent_reference(arg):
            msg = 'Paths containing ".." are not allowed.'
            self.respond(f"550 {msg}")
            self.log_cmd(cmd, arg, 550, msg)
            return
        return super().pre_process_command(line, cmd, arg)

    def _account_still_active(self) -> bool:
        """Whether the logged-in account still exists and is active (read on each command,
        so that deactivating an account ends its open sessions too)."""
        close_old_connections()
        try:
            return FTPAccount.objects.filter(username=self.username, is_active=True).exists()
        except Exception:
            logger.exception("Could not check the FTP account %s", escape(self.username))
            return True  # a database hiccup must not cut off every broker
        finally:
            close_old_connections()

    def _account_usage(self, exclude=None) -> int:
        """Bytes in the account's folder (it has no sub-folders: brokers cannot make any).
        ``exclude``: the file being uploaded (replaced, or appended to: the upload counts
        its bytes from the start of the file)."""
        total = 0
        with contextlib.suppress(OSError), os.scandir(self.fs.root) as entries:
            for entry in entries:
                if exclude is not None and entry.path == os.fspath(exclude):
                    continue
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
        return total

    def _name_too_long(self, file) -> bool:
        name = Path(file).name
        if len(name.encode("utf-8", "surrogateescape")) <= layout.MAX_NAME_BYTES:
            return False
        self.respond(
            f"553 File name too long: at most {layout.MAX_NAME_BYTES} bytes are allowed."
        )
        logger.warning(
            "FTP name refused (too long): user=%s ip=%s file=%s",
            escape(self.username), escape(self.remote_ip), escape(name[:80]) + "…",
        )
        return True

    # --- uploads --------------------------------------------------------------------------

    def _inbox_place(self, file) -> tuple[Path, str] | None:
        """``(inbox root, folder)`` if ``file`` lies directly in this account's folder."""
        path = Path(file)
        home = Path(self.fs.root)
        if path.parent != home:
            return None
        return home.parent, home.name

    def ftp_STOR(self, file, mode="w"):
        self.upload_refused = False
        self.quota_room = None
        if self._name_too_long(file):
            return None
        quota = int(get_setting("FTP_ACCOUNT_QUOTA_BYTES") or 0)
        if quota:
            used = self._account_usage(exclude=file)
            if used >= quota:
                self.respond("552 Upload refused: the account's disk quota is used up.")
                logger.warning(
                    "FTP upload refused (quota): user=%s ip=%s used=%s quota=%s",
                    escape(self.username), escape(self.remote_ip), used, quota,
                )
                return None
            self.quota_room = quota - used
        # Mark before the file exists, so no inbox scan ever sees it without the mark.
        place = self._inbox_place(file)
        if place:
            scan.mark_uploading(*place, Path(file).name)
        result = super().ftp_STOR(file, mode)
        if place and not result:
            scan.clear_uploading(*place, Path(file).name)
        return result

    def on_file_received(self, file):
        path = Path(file)
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # deleted or renamed meanwhile by another session
            size = None
        logger.info(
            "FTP upload: user=%s ip=%s file=%s bytes=%s",
            escape(self.username),
            escape(self.remote_ip),
            escape(path.name),
            size,
        )
        place = self._inbox_place(file)
        if place is None:
            return
        root, folder = place
        scan.clear_uploading(root, folder, path.name)
        if size is None:
            return
        scan.mark_received(root, folder, path)
        if not layout.is_temporary(path.name):
            self._queue(path)

    def on_incomplete_file_received(self, file):
        path = Path(file)
        logger.warning(
            "FTP upload %s: user=%s ip=%s file=%s; the partial file was deleted.",
            "refused (too large or over quota)" if self.upload_refused else "interrupted",
            escape(self.username),
            escape(self.remote_ip),
            escape(path.name),
        )
        place = self._inbox_place(file)
        if place is not None:
            scan.clear_marks(*place, path.name)
        with contextlib.suppress(OSError):
            os.remove(path)

    def ftp_RNTO(self, path):
        if self._name_too_long(path):
            return None
        result = super().ftp_RNTO(path)
        if result:
            src, dst = (Path(p) for p in result)
            place = self._inbox_place(dst)
            if place is not None and self._inbox_place(src) == place:
                carried = scan.rename_marks(*place, src.name, dst.name)
                if carried and not layout.is_temporary(dst.name):
                    # "x.zip.tmp" uploaded, then renamed to "x.zip": complete now.
                    self._queue(dst)
        return result

    def ftp_DELE(self, path):
        result = super().ftp_DELE(path)
        place = self._inbox_place(path) if result else None
        if place is not None:
            scan.clear_marks(*place, Path(path).name)
        return result

    def _queue(self, path: Path) -> None:
        """Queue the import; if that fails, the next scheduled inbox run takes the file."""
        close_old_connections()
        try:
            tasks.enqueue_upload(path)
        except Exception:
            logger.exception("Could not queue the import of %s", escape(path))
        finally:
            close_old_connections()


class InboxFTPHandler(InboxHandlerMixin, FTPHandler):
    dtp_handler = LimitedDTPHandler


def tls_handler_classes():
    """The FTPS (explicit TLS) handler classes; needs pyOpenSSL (the ``ftps`` extra)."""
    from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler

    class LimitedTLSDTPHandler(LimitedDTPMixin, TLS_DTPHandler):
        pass

    class InboxTLSFTPHandler(InboxHandlerMixin, TLS_FTPHandler):
        dtp_handler = LimitedTLSDTPHandler

    return InboxTLSFTPHandler

#!/usr/bin/env python3
"""Install everything and run the demo: ``python3 scripts/demo.py``.

Creates the virtual environment, the SQLite database, an admin user, a demo broker and its
listings (imported from a generated OpenImmo ZIP with real pictures), the django-q
schedules, and then serves the site and the Wagtail admin on http://127.0.0.1:8000/ — with the
FTP server (port 2121) and a django-q cluster running beside it. Ctrl+C stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _venv import PYTHON, ROOT, ensure_venv, pip_install, run, say  # noqa: E402

MANAGE = str(ROOT / "example_site" / "manage.py")


def available_commands() -> set[str]:
    out = subprocess.run(
        [str(PYTHON), MANAGE, "help", "--commands"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout
    return set(out.split())


def main() -> int:
    ensure_venv()
    pip_install("-e", ".[example,ftps]")
    say("migrating the database")
    run(MANAGE, "migrate", "--noinput", stdout=subprocess.DEVNULL)
    commands = available_commands()
    if "openimmo_schedule" in commands:
        run(MANAGE, "openimmo_schedule")
    say("preparing the demo data")
    run(MANAGE, "demo_setup")
    children = []
    if "openimmo_ftpd" in commands:
        say("starting the FTP server on 127.0.0.1:2121")
        children.append(subprocess.Popen([str(PYTHON), MANAGE, "openimmo_ftpd"], cwd=ROOT))
    say("starting the django-q cluster")
    children.append(subprocess.Popen([str(PYTHON), MANAGE, "qcluster"], cwd=ROOT))
    say("serving http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/) — Ctrl+C stops")
    try:
        run(MANAGE, "runserver", "127.0.0.1:8000", "--noreload")
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Install everything and run the demo: ``python3 scripts/demo.py``.

Creates the virtual environment, the SQLite database, an admin user, a demo broker and its
listings (imported from a generated OpenImmo ZIP with real pictures), the django-q
schedules, and then serves the site and the Wagtail admin on http://127.0.0.1:8000/ — with the
FTP server (port 2121) and a django-q cluster running beside it. Ctrl+C stops everything.

Options (all optional): ``--port`` and ``--ftp-port`` when 8000 or 2121 are taken,
``--no-serve`` to set everything up and stop before serving (CI, or a quick check).
"""

from __future__ import annotations

import argparse
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


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 scripts/demo.py",
        description="Install everything, set up the demo site and serve it on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8000, help="web port (default 8000)")
    parser.add_argument(
        "--ftp-port",
        type=int,
        default=int(os.environ.get("FTP_PORT") or 2121),
        help="port of the FTP server (default 2121, or $FTP_PORT)",
    )
    parser.add_argument(
        "--no-serve",
        action="store_true",
        help="set up the database, admin user and demo listings, then stop",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    base_url = f"http://127.0.0.1:{args.port}"
    ensure_venv()
    pip_install("-e", ".[example,ftps]")
    say("migrating the database")
    run(MANAGE, "migrate", "--noinput", stdout=subprocess.DEVNULL)
    commands = available_commands()
    if "openimmo_schedule" in commands:
        run(MANAGE, "openimmo_schedule")
    say("preparing the demo data")
    run(MANAGE, "demo_setup", "--base-url", base_url)
    if args.no_serve:
        return 0
    children = []
    env = {**os.environ, "FTP_PORT": str(args.ftp_port)}
    if "openimmo_ftpd" in commands:
        say(f"starting the FTP server on 127.0.0.1:{args.ftp_port}")
        children.append(
            subprocess.Popen([str(PYTHON), MANAGE, "openimmo_ftpd"], cwd=ROOT, env=env)
        )
    say("starting the django-q cluster")
    children.append(subprocess.Popen([str(PYTHON), MANAGE, "qcluster"], cwd=ROOT))
    say(f"serving {base_url}/ (admin: {base_url}/admin/) — Ctrl+C stops")
    try:
        run(MANAGE, "runserver", f"127.0.0.1:{args.port}", "--noreload")
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
    sys.exit(main(sys.argv[1:]))

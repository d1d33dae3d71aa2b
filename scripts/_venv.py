"""Create the project's virtual environment with nothing but python3.

Used by ``scripts/demo.py`` and ``scripts/test.py``. Debian's python3 may lack ``ensurepip``
(package python3-venv); then the venv is made without pip and pip is fetched from PyPI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("OPENIMMO_VENV", ROOT / ".venv"))
PYTHON = VENV / "bin" / "python"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _bootstrap_pip() -> None:
    say("ensurepip is missing; fetching pip from PyPI")
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as response:
        meta = json.load(response)
    wheel = next(u for u in meta["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], target)
        subprocess.check_call([str(PYTHON), f"{target}/pip", "install", "--quiet", str(target)])


def ensure_venv() -> Path:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV}")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (subprocess.CalledProcessError, OSError):
            venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
            _bootstrap_pip()
    return PYTHON


def pip_install(*requirements: str) -> None:
    marker = VENV / ".installed"
    wanted = " ".join(requirements) + "|" + str(
        (ROOT / "pyproject.toml").stat().st_mtime_ns
    )
    if marker.exists() and marker.read_text() == wanted:
        return
    say(f"installing {' '.join(requirements)}")
    subprocess.check_call(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *requirements],
        cwd=ROOT,
    )
    marker.write_text(wanted)


def run(*args: str, **kwargs) -> None:
    subprocess.check_call([str(PYTHON), *args], cwd=ROOT, **kwargs)

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


def ensure_venv(path: Path | None = None, interpreter: str | None = None) -> Path:
    """The virtual environment ``path`` (default: ``VENV``), made with ``interpreter`` (default:
    the Python running this script) if it does not exist; returns its python."""
    path = path or VENV
    python = path / "bin" / "python"
    if interpreter is None and sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not python.exists():
        say(f"creating the virtual environment {path}")
        if interpreter is not None:
            subprocess.check_call([interpreter, "-m", "venv", str(path)])
        else:
            try:
                venv.EnvBuilder(with_pip=True).create(path)
            except (subprocess.CalledProcessError, OSError):
                venv.EnvBuilder(with_pip=False, clear=True).create(path)
                _bootstrap_pip(python)
    return python


def _bootstrap_pip(python: Path = PYTHON) -> None:
    say("ensurepip is missing; fetching pip from PyPI")
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as response:
        meta = json.load(response)
    wheel = next(u for u in meta["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], target)
        subprocess.check_call([str(python), f"{target}/pip", "install", "--quiet", str(target)])


def pip_install(*requirements: str, python: Path | None = None) -> None:
    python = python or PYTHON
    marker = python.parent.parent / ".installed"
    wanted = " ".join(requirements) + "|" + str(
        (ROOT / "pyproject.toml").stat().st_mtime_ns
    )
    if marker.exists() and marker.read_text() == wanted:
        return
    say(f"installing {' '.join(requirements)}")
    subprocess.check_call(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *requirements],
        cwd=ROOT,
    )
    marker.write_text(wanted)


def run(*args: str, python: Path | None = None, **kwargs) -> None:
    subprocess.check_call([str(python or PYTHON), *args], cwd=ROOT, **kwargs)

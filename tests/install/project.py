"""A real ``wagtail start`` project with wagtail-openimmo added as the README says.

The README's code blocks are the instructions: the ``INSTALLED_APPS += [...]`` block and the
settings block (``WAGTAIL_OPENIMMO``, ``Q_CLUSTER`` ...) are taken from README.md itself and
appended to the generated ``settings/base.py``, so a README that drifts fails these tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def readme_block(language: str, first_line: str) -> str:
    """The README's ```language block whose first line starts with ``first_line``."""
    pattern = rf"```{re.escape(language)}\n(.*?)```"
    for block in re.findall(pattern, README.read_text(), flags=re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"README.md has no {language} block starting with {first_line!r}")


def readme_python_block(first_line: str) -> str:
    return readme_block("python", first_line)


def run(python: str, *args: str, cwd: Path, env: dict | None = None, timeout: int = 300):
    result = subprocess.run(
        [python, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def start_project(parent: Path, python: str = sys.executable, *, env: dict | None = None) -> Path:
    """``wagtail start mysite`` in ``parent``, then the README's installation steps."""
    run(python, "-c", "from wagtail.bin.wagtail import main; main()", "start", "mysite",
        cwd=parent, env=env)
    project = parent / "mysite"
    settings = project / "mysite" / "settings" / "base.py"
    installed = readme_python_block("INSTALLED_APPS += [")
    configured = readme_python_block("OPENIMMO_INBOX_DIR = ")
    # The README's paths are a server's; the test site keeps its inbox beside itself.
    configured = configured.replace('"/srv/openimmo/inbox"', repr(str(project / "inbox")))
    configured = re.sub(r'\s*"XSD_PATH": .*\n', "\n", configured)
    settings.write_text(
        settings.read_text()
        + "\n# --- wagtail-openimmo, as its README says ---\n"
        + installed
        + configured
    )
    # The README's URL include (the search agents' one-click unsubscribe), before the
    # page router as it says.
    urls = project / "mysite" / "urls.py"
    catch_all = '    path("", include(wagtail_urls)),'
    urls.write_text(
        urls.read_text().replace(
            catch_all, '    path("openimmo/", include("wagtail_openimmo.urls")),\n' + catch_all, 1
        )
    )
    return project


def project_env(extra_path: Path | None = None) -> dict:
    """The environment for the project's ``manage.py``: no PYTHONPATH of the checkout unless
    ``extra_path`` is given."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE"}}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return env

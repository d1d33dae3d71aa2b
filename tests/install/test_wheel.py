"""The built package installs and works without the checkout.

``python -m build`` makes the sdist and, from it, the wheel; ``twine check`` accepts both; the
wheel goes into a fresh virtual environment outside the checkout, where a ``wagtail start``
project set up as the README says passes ``manage.py check`` and ``migrate`` and finds the
package's templates, static files and German catalogue.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .project import ROOT, project_env, run, start_project

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

SOURCES = ["pyproject.toml", "setup.cfg", "README.md", "LICENSE", "CHANGELOG.md",
           "wagtail_openimmo"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """sdist and wheel, built from a copy of the sources (the checkout stays untouched)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    out = work / "dist"
    run(sys.executable, "-m", "build", "--outdir", str(out), str(source), cwd=work,
        timeout=600)
    return out


def test_twine_check_accepts_sdist_and_wheel(dist):
    files = sorted(str(p) for p in dist.iterdir())
    assert sorted(Path(f).suffix for f in files) == [".gz", ".whl"]
    result = run(sys.executable, "-m", "twine", "check", "--strict", *files, cwd=dist)
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_installs_and_runs_a_wagtail_start_site(dist, tmp_path):
    [wheel] = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    # The package from the wheel only (without the checkout on PYTHONPATH, where pip would
    # find the checkout's egg-info and call the package installed already) ...
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, text=True, timeout=300, env=project_env(),
    )
    # ... and its dependencies from this environment (no download in the test): its
    # site-packages is appended to the new environment's path by a .pth file. A .pth file
    # inside it (this environment's editable install of the checkout) is not executed.
    site_packages = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=tmp_path).stdout.strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "deps-of-the-test-environment.pth").write_text("\n".join(sorted(ours)))

    project = start_project(tmp_path, python, env=project_env())
    env = project_env()
    where = run(python, "-c", "import wagtail_openimmo; print(wagtail_openimmo.__file__)",
                cwd=project, env=env).stdout.strip()
    assert where.startswith(str(env_dir)), where

    check = run(python, "manage.py", "check", cwd=project, env=env)
    assert "wagtail_openimmo" not in check.stdout + check.stderr  # no E010/W010/W011
    run(python, "manage.py", "migrate", "--no-input", cwd=project, env=env, timeout=600)
    shown = run(python, "manage.py", "showmigrations", "wagtail_openimmo", cwd=project,
                env=env).stdout
    assert "[ ]" not in shown and "[X] 0001_initial" in shown

    # Templates, static files and the German catalogue came with the wheel.
    probe = """
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils import translation
print("template=" + get_template("wagtail_openimmo/listing_page.html").origin.name)
print("css=" + finders.find("wagtail_openimmo/openimmo.css"))
with translation.override("de"):
    print("de=" + translation.gettext("Export as OpenImmo"))
"""
    output = run(python, "manage.py", "shell", "-c", probe, cwd=project, env=env).stdout
    found = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    template, css, german = found["template"], found["css"], found["de"]
    assert template.startswith(str(env_dir)) and css.startswith(str(env_dir))
    assert german == "Als OpenImmo exportieren"

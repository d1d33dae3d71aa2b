"""The example site reads where its database, media, inbox and mail go from the environment.

Issue 2, item 2: ``DATABASE_URL`` (default an SQLite file inside ``example_site/``),
``MEDIA_ROOT``, ``OPENIMMO_INBOX_DIR``, ``EMAIL_BACKEND`` and ``EMAIL_FILE_PATH``. The
settings module is loaded in a fresh interpreter, as ``manage.py`` would load it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "example_site"
NAMES = ("DATABASE_URL", "MEDIA_ROOT", "OPENIMMO_INBOX_DIR", "EMAIL_BACKEND", "EMAIL_FILE_PATH")
SHOW = r"""
import json
import django
from django.conf import settings
django.setup()
from wagtail_openimmo.conf import inbox_dir
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST") or "",
    "media": str(settings.MEDIA_ROOT), "inbox": str(inbox_dir()),
    "backend": settings.EMAIL_BACKEND, "mail": str(settings.EMAIL_FILE_PATH),
}))
"""


def example_settings(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in NAMES}
    clean.update(env, DJANGO_SETTINGS_MODULE="example_site.settings", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_defaults_keep_everything_inside_example_site():
    found = example_settings()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(SITE / "db.sqlite3")
    assert found["media"] == str(SITE / "media") and found["inbox"] == str(SITE / "inbox")
    assert found["backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["mail"] == str(SITE / "var" / "mail")


def test_the_environment_points_it_anywhere(tmp_path):
    found = example_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        OPENIMMO_INBOX_DIR=str(tmp_path / "inbox"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    assert found == {
        "engine": "django.db.backends.sqlite3",
        "name": str(tmp_path / "other.sqlite3"),
        "host": "",
        "media": str(tmp_path / "media"),
        "inbox": str(tmp_path / "inbox"),
        "backend": "django.core.mail.backends.console.EmailBackend",
        "mail": str(tmp_path / "mail"),
    }
    postgres = example_settings(DATABASE_URL="postgres://u:p@db.example:5433/listings")
    assert postgres["engine"] == "django.db.backends.postgresql"
    assert (postgres["name"], postgres["host"]) == ("listings", "db.example")

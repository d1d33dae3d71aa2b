"""System checks for ``WAGTAIL_OPENIMMO`` (run by ``manage.py check`` and every command)."""

from wagtail_openimmo.checks import check_settings


def ids(messages):
    return [m.id for m in messages]


def test_known_settings_pass(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECONDS": 5, "WITHDRAW_MODE": "unpublish"}
    assert check_settings() == []


def test_a_misspelt_key_is_named_with_the_likely_one(settings):
    settings.WAGTAIL_OPENIMMO = {"INBOX_STABLE_SECOND": 5}
    [message] = check_settings()
    assert message.id == "wagtail_openimmo.W001"
    assert "INBOX_STABLE_SECOND" in message.msg and "INBOX_STABLE_SECONDS" in message.hint


def test_an_unreadable_schema_is_reported(settings, tmp_path):
    settings.WAGTAIL_OPENIMMO = {"XSD_PATH": str(tmp_path / "nowhere.xsd")}
    assert ids(check_settings()) == ["wagtail_openimmo.W002"]
    not_a_schema = tmp_path / "bad.xsd"
    not_a_schema.write_text("<html/>")
    settings.WAGTAIL_OPENIMMO = {"XSD_PATH": str(not_a_schema)}
    assert ids(check_settings()) == ["wagtail_openimmo.W002"]


def test_not_a_dict(settings):
    settings.WAGTAIL_OPENIMMO = ["INBOX_DIR"]
    assert ids(check_settings()) == ["wagtail_openimmo.E001"]


# --- the site's set-up: required apps, django-q, the privacy policy ------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from django.core import checks as django_checks  # noqa: E402

from wagtail_openimmo.checks import (  # noqa: E402
    REQUIRED_APPS,
    check_privacy_policy,
    check_q_cluster,
    check_required_apps,
)

ROOT = Path(__file__).resolve().parent.parent


def manage_py_check(*args, without=(), no_admin_urls=False):
    """``manage.py check`` in a fresh process whose settings lack the apps in ``without``
    (the app registry cannot drop Wagtail apps in a running test process)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_without",
        "PYTHONPATH": str(ROOT),
        "OPENIMMO_TEST_WITHOUT_APPS": ",".join(without),
    }
    if no_admin_urls:
        env["OPENIMMO_TEST_NO_ADMIN_URLS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_test_site_has_every_required_app():
    assert check_required_apps() == []


def test_missing_apps_that_wagtail_start_lacks_fail_manage_py_check():
    """django_q and wagtail.contrib.settings are not in a ``wagtail start`` project; without
    them (and without wagtail.snippets) ``manage.py check`` fails and names each."""
    missing = ["django_q", "wagtail.contrib.settings", "wagtail.snippets"]
    result = manage_py_check(without=missing)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in missing:
        assert f"{name}: (wagtail_openimmo.E010) wagtail_openimmo needs {name!r}" in result.stderr
    # Without django_q there is no Q_CLUSTER to warn about.
    assert "W010" not in result.stderr


def test_every_required_app_has_its_own_error():
    """Without wagtail.images or wagtail.documents Wagtail's own admin checks crash while
    building page forms, so the app's checks are asked for by their tag, as the README says."""
    result = manage_py_check("--tag", "wagtail_openimmo", without=list(REQUIRED_APPS))
    assert result.returncode == 1, result.stdout + result.stderr
    for name in REQUIRED_APPS:
        assert f"{name}: (wagtail_openimmo.E010)" in result.stderr
    assert result.stderr.count("wagtail_openimmo.E010") == len(REQUIRED_APPS)


def test_a_complete_site_passes_manage_py_check():
    result = manage_py_check("--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_q_cluster_is_a_warning(settings):
    assert check_q_cluster() == []
    del settings.Q_CLUSTER
    [message] = check_q_cluster()
    assert message.id == "wagtail_openimmo.W010" and message.level == django_checks.WARNING
    assert '"orm": "default"' in message.hint


def test_contact_form_without_a_privacy_policy_is_a_warning(settings):
    settings.WAGTAIL_OPENIMMO = {}
    [message] = check_privacy_policy()
    assert message.id == "wagtail_openimmo.W011" and message.level == django_checks.WARNING
    assert "PRIVACY_POLICY_URL" in message.hint


def test_a_privacy_policy_or_no_contact_form_pass(settings):
    settings.WAGTAIL_OPENIMMO = {"PRIVACY_POLICY_URL": "/datenschutz/"}
    assert check_privacy_policy() == []
    settings.WAGTAIL_OPENIMMO = {"CONTACT_FORM_ENABLED": False}
    assert check_privacy_policy() == []


def test_documents_served_directly_are_warned_about(settings):
    from wagtail_openimmo.checks import check_document_serving

    settings.WAGTAILDOCS_SERVE_METHOD = "direct"
    [message] = check_document_serving()
    assert message.id == "wagtail_openimmo.W012" and message.level == django_checks.WARNING
    for method in ("serve_view", "redirect", None):
        settings.WAGTAILDOCS_SERVE_METHOD = method
        assert check_document_serving() == []

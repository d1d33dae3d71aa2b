"""The django-q schedules: created once, updated in place, obsolete ones removed."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule

from wagtail_openimmo.schedules import JOBS, PREFIX, JobSpec, ensure_schedules

pytestmark = pytest.mark.django_db


def rows():
    return {s.name: s for s in Schedule.objects.filter(name__startswith=PREFIX)}


def test_creates_the_available_jobs_with_their_intervals():
    changes = ensure_schedules()
    by_name = {c.name: c for c in changes}
    schedules = rows()
    # My own tasks always exist; the others appear once their branches provide them.
    retry = schedules["wagtail_openimmo:report-retry"]
    assert retry.func == "wagtail_openimmo.tasks.send_pending_reports"
    assert (retry.schedule_type, retry.minutes, retry.repeats) == (Schedule.MINUTES, 15, -1)
    purge = schedules["wagtail_openimmo:run-log-purge"]
    assert purge.schedule_type == Schedule.DAILY
    assert timezone.localtime(purge.next_run).time() == dt.time(3, 30)
    assert purge.next_run > timezone.now()
    for spec in JOBS:
        change = by_name[spec.full_name]
        assert (change.action == "created") == (spec.full_name in schedules)
        if change.action == "skipped":
            assert change.detail


def test_running_twice_changes_nothing():
    ensure_schedules()
    before = {name: (s.pk, s.next_run) for name, s in rows().items()}
    changes = ensure_schedules()
    assert {c.action for c in changes} <= {"unchanged", "skipped"}
    assert {name: (s.pk, s.next_run) for name, s in rows().items()} == before


def test_changed_interval_updates_the_row_in_place():
    ensure_schedules()
    pk = rows()["wagtail_openimmo:report-retry"].pk
    with override_settings(WAGTAIL_OPENIMMO={"REPORT_RETRY_MINUTES": 7}):
        changes = ensure_schedules()
    assert [c.action for c in changes if c.name.endswith("report-retry")] == ["updated"]
    row = rows()["wagtail_openimmo:report-retry"]
    assert (row.pk, row.minutes) == (pk, 7)


def test_scan_interval_setting_is_used():
    jobs = [
        JobSpec(
            "scan",
            "wagtail_openimmo.tasks.purge_import_runs",
            Schedule.MINUTES,
            minutes="INBOX_SCAN_MINUTES",
        )
    ]
    with override_settings(WAGTAIL_OPENIMMO={"INBOX_SCAN_MINUTES": 2}):
        ensure_schedules(jobs=jobs)
    assert rows()["wagtail_openimmo:scan"].minutes == 2


def test_obsolete_and_duplicate_rows_are_removed_and_foreign_rows_kept():
    Schedule.objects.create(name="wagtail_openimmo:gone", func="x.y", schedule_type="D")
    Schedule.objects.create(
        name="wagtail_openimmo:report-retry", func="old.func", schedule_type="H"
    )
    Schedule.objects.create(
        name="wagtail_openimmo:report-retry", func="old.func", schedule_type="H"
    )
    Schedule.objects.create(name="someone-else", func="x.y", schedule_type="D")
    changes = ensure_schedules()
    assert ("wagtail_openimmo:gone", "removed") in {(c.name, c.action) for c in changes}
    assert Schedule.objects.filter(name="wagtail_openimmo:report-retry").count() == 1
    assert rows()["wagtail_openimmo:report-retry"].func.endswith("send_pending_reports")
    assert Schedule.objects.filter(name="someone-else").exists()


def test_disabled_and_unavailable_jobs_are_skipped_and_their_rows_removed():
    Schedule.objects.create(name="wagtail_openimmo:opt", func="x.y", schedule_type="D")
    jobs = [
        JobSpec(
            "opt", "wagtail_openimmo.tasks.purge_import_runs", Schedule.DAILY, enabled=lambda: False
        ),
        JobSpec("missing", "wagtail_openimmo.tasks.no_such_task", Schedule.DAILY),
    ]
    changes = ensure_schedules(jobs=jobs)
    assert [(c.name, c.action) for c in changes] == [
        ("wagtail_openimmo:opt", "skipped"),
        ("wagtail_openimmo:missing", "skipped"),
        ("wagtail_openimmo:opt", "removed"),
    ]
    assert not rows()


def test_is24_job_only_with_the_is24_app(monkeypatch):
    from django.apps import apps

    (spec,) = [j for j in JOBS if j.name == "is24-sync"]
    assert spec.enabled() is True  # the test settings install wagtail_openimmo.is24
    installed = apps.is_installed
    monkeypatch.setattr(
        apps, "is_installed", lambda name: name != "wagtail_openimmo.is24" and installed(name)
    )
    assert spec.enabled() is False


def test_command_prints_what_it_did():
    out = StringIO()
    call_command("openimmo_schedule", stdout=out)
    assert "created   wagtail_openimmo:report-retry" in out.getvalue()
    out = StringIO()
    call_command("openimmo_schedule", stdout=out)
    assert "unchanged wagtail_openimmo:report-retry" in out.getvalue()
    assert "created" not in out.getvalue()

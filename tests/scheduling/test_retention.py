"""Run-log retention: old runs go, the newest run of each broker stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.runs import make_run
from wagtail_openimmo import tasks
from wagtail_openimmo.models import ImportRun, ImportRunEntry
from wagtail_openimmo.retention import purge_import_runs

pytestmark = pytest.mark.django_db


def aged(run, days):
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )
    return run


def test_old_runs_and_their_entries_are_deleted_but_the_newest_per_broker_kept(
    broker, other_broker
):
    entry = {"objektnr": "W1", "outcome": "created"}
    old = aged(make_run(broker, entries=[entry]), 200)
    newer_but_old = aged(make_run(broker, entries=[entry]), 190)
    recent = aged(make_run(broker, entries=[entry]), 10)
    only_other = aged(make_run(other_broker, entries=[entry]), 400)
    orphan_old = aged(make_run(None), 300)
    orphan_newest = aged(make_run(None), 250)

    assert tasks.purge_import_runs() == 3

    left = set(ImportRun.objects.values_list("pk", flat=True))
    assert left == {recent.pk, only_other.pk, orphan_newest.pk}
    assert not ImportRunEntry.objects.filter(run_id__in=[old.pk, newer_but_old.pk]).exists()
    assert orphan_old.pk not in left


def test_retention_days_is_a_setting_and_zero_keeps_everything(broker):
    aged(make_run(broker), 40)
    aged(make_run(broker), 5)
    with override_settings(WAGTAIL_OPENIMMO={"RUN_RETENTION_DAYS": 0}):
        assert purge_import_runs() == 0
    with override_settings(WAGTAIL_OPENIMMO={"RUN_RETENTION_DAYS": 30}):
        assert purge_import_runs() == 1
    assert ImportRun.objects.count() == 1


def test_now_can_be_given(broker):
    make_run(broker)
    make_run(broker)
    assert purge_import_runs(now=timezone.now() + dt.timedelta(days=181)) == 1

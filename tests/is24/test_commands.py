"""The is24_sync and is24_connect commands and the django-q entry points."""

import json

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from tests.is24.fake_server import FakeIS24
from tests.is24.helpers import make_listing
from wagtail_openimmo.is24 import tasks
from wagtail_openimmo.is24.models import IS24Connection

pytestmark = pytest.mark.django_db
KEYS = {
    "broker",
    "created",
    "updated",
    "unchanged",
    "deactivated",
    "reactivated",
    "images_uploaded",
    "images_deleted",
    "errors",
    "requests",
}


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sync_json_has_the_contract_keys(broker, connection, fake_is24):
    make_listing(broker, 0, images=1)
    make_listing(broker, 1, images=0, wohnflaeche=None)
    (line,) = run("is24_sync", "--broker", "acme", "--json").splitlines()
    data = json.loads(line)
    assert set(data) >= KEYS
    assert data["broker"] == "acme" and data["created"] == 1 and data["images_uploaded"] == 1
    assert data["errors"] == [
        {"objektnr": "W00001", "message": data["errors"][0]["message"], "code": "MISSING_FIELD"}
    ]
    assert data["requests"] == []  # only a dry run lists requests


def test_dry_run_prints_the_planned_requests_and_sends_none(broker, connection, fake_is24):
    make_listing(broker, 0, images=2)
    out = run("is24_sync", "--broker", "acme", "--dry-run")
    assert fake_is24.requests == []
    assert "acme (would): 1 created" in out
    assert "  POST /user/me/realestate\n" in out
    assert out.count("POST /user/me/realestate/{new}/attachment") == 2
    data = json.loads(run("is24_sync", "--dry-run", "--json"))
    assert {"method": "POST", "path": "/publish"} in data["requests"]


def test_sync_without_broker_syncs_every_active_connection(broker, connection, fake_is24):
    make_listing(broker, 0, images=0)
    out = run("is24_sync")
    assert "acme (did): 1 created" in out


def test_unknown_broker_or_missing_connection_is_an_error(broker, fake_is24):
    with pytest.raises(CommandError, match="no broker"):
        run("is24_sync", "--broker", "nobody")
    with pytest.raises(CommandError, match="no IS24 connection"):
        run("is24_sync", "--broker", "acme")


def test_a_stopped_sync_fails_the_command(broker, connection, fake_is24):
    make_listing(broker, 0, images=0)
    fake_is24.revoke()
    with pytest.raises(CommandError, match="needs_reauth"):
        run("is24_sync", "--broker", "acme")


def test_connect_stores_the_token_without_echoing_secrets(broker, fake_is24):
    out = run(
        "is24_connect",
        "acme",
        "--consumer-key",
        FakeIS24.CONSUMER_KEY,
        "--consumer-secret",
        FakeIS24.CONSUMER_SECRET,
        "--token",
        FakeIS24.ACCESS_TOKEN,
        "--token-secret",
        FakeIS24.ACCESS_TOKEN_SECRET,
        "--sandbox",
        "--check",
    )
    connection = IS24Connection.objects.get(broker=broker)
    assert connection.sandbox and connection.is_authorised
    assert connection.access_token_secret == FakeIS24.ACCESS_TOKEN_SECRET
    assert "IS24 accepted the credentials" in out
    for secret in (FakeIS24.ACCESS_TOKEN, FakeIS24.ACCESS_TOKEN_SECRET, FakeIS24.CONSUMER_SECRET):
        assert secret not in out


def test_connect_check_reports_refused_credentials(broker, fake_is24):
    with pytest.raises(CommandError, match="did not accept"):
        run("is24_connect", "acme", "--token", "wrong", "--token-secret", "wrong", "--check")
    connection = IS24Connection.objects.get(broker=broker)
    assert not connection.sandbox  # production unless --sandbox


def test_connect_needs_consumer_credentials(broker, settings):
    settings.WAGTAIL_OPENIMMO = {}
    with pytest.raises(CommandError, match="consumer key"):
        run("is24_connect", "acme", "--token", "t", "--token-secret", "s")


def test_the_schedule_is_upserted_by_name(settings):
    settings.WAGTAIL_OPENIMMO = {"IS24_SYNC_MINUTES": 30}
    run("is24_sync", "--install-schedule")
    settings.WAGTAIL_OPENIMMO = {"IS24_SYNC_MINUTES": 15}
    out = run("is24_sync", "--install-schedule")
    (row,) = Schedule.objects.filter(name=tasks.SCHEDULE_NAME)
    assert row.minutes == 15 and row.schedule_type == Schedule.MINUTES
    assert row.func == "wagtail_openimmo.is24.tasks.sync_all"
    assert "every 15 minutes" in out
    # openimmo_schedule writes the same row: one IS24 sync schedule, whichever ran last.
    run("openimmo_schedule")
    run("is24_sync", "--install-schedule")
    (row,) = Schedule.objects.filter(func="wagtail_openimmo.is24.tasks.sync_all")
    assert row.name == tasks.SCHEDULE_NAME
    assert Schedule.objects.filter(name="wagtail_openimmo:inbox-scan").exists()


def test_the_default_schedule_is_every_30_minutes():
    run("openimmo_schedule")
    (row,) = Schedule.objects.filter(func="wagtail_openimmo.is24.tasks.sync_all")
    assert row.minutes == 30 and row.schedule_type == Schedule.MINUTES


def test_task_functions_return_json_ready_results(broker, connection, fake_is24):
    make_listing(broker, 0, images=0)
    (result,) = tasks.sync_all()
    assert result["created"] == 1
    assert json.dumps(tasks.sync_broker(broker.pk))  # JSON-ready
    assert tasks.sync_broker(broker.pk)["unchanged"] == 1


def test_the_scheduled_job_syncs_through_django_q(broker, connection, fake_is24):
    """The ``wagtail_openimmo:is24-sync`` row run by django-q's own scheduler (sync mode)."""
    from tests.scheduling.test_scheduled_import import fire

    listing = make_listing(broker, 0, images=1)
    task = fire("is24-sync")
    assert task.success, task.result
    assert task.func == "wagtail_openimmo.is24.tasks.sync_all"
    (result,) = task.result
    assert (result["broker"], result["created"], result["images_uploaded"]) == ("acme", 1, 1)
    (estate,) = fake_is24.by_external_id(listing.objektnr_extern)
    assert fake_is24.is_published(estate.id)

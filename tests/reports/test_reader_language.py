"""Findings reach their reader in the reader's language (issue 13, part 2).

A django-q worker usually runs in English; the broker reads the report in the broker's
language and the editor reads the admin in the language of their Wagtail profile. The run's
summary and the VOLL guard's hold reason are stored as codes with parameters and rendered
where they are read, whatever language the import ran in.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from tests.helpers import make_broker
from tests.importing.helpers import Prop, transfer, write_upload
from wagtail_openimmo.brokers import create_broker
from wagtail_openimmo.importing import import_file
from wagtail_openimmo.models import Broker, ImportRun
from wagtail_openimmo.models.brokers import default_report_language
from wagtail_openimmo.reports import render_run_report

pytestmark = pytest.mark.django_db

SUMMARY = {
    "de": "1 von 3 Objekten wurden abgelehnt; siehe die Fehler.",
    "en": "1 of 3 properties were rejected; see the errors.",
}
HOLD = {
    "de": "Diese Vollübertragung (VOLL) würde 3 Ihrer 4 veröffentlichten Angebote zurückziehen",
    "en": "This full transfer (VOLL) would withdraw 3 of your 4 live listings",
}
OTHER = {"de": "en", "en": "de"}


def upload(tmp_path, *props, umfang="TEIL", name="u.xml"):
    return write_upload(tmp_path / name, transfer(*props, umfang=umfang))


def partly_rejected(tmp_path, broker, language) -> ImportRun:
    """Three properties, one without a price (a property for sale needs one), imported while
    ``language`` is active."""
    props = [
        Prop(intern="1", extern="E1"),
        Prop(intern="2", extern="E2", kaufpreis=None),
        Prop(intern="3", extern="E3"),
    ]
    with override_settings(WAGTAIL_OPENIMMO={"STRICT_VALIDATION": True}), translation.override(
        language
    ):
        result = import_file(upload(tmp_path, *props), broker)
    assert result.status == ImportRun.Status.PARTLY
    return result.run


def held_voll(tmp_path, broker, language) -> ImportRun:
    """A full transfer that would withdraw 3 of the broker's 4 listings, imported while
    ``language`` is active: the guard holds it."""
    import_file(upload(tmp_path, *[Prop(intern=str(i), extern=f"E{i}") for i in range(4)]),
                broker)
    with translation.override(language):
        result = import_file(
            upload(tmp_path, Prop(intern="0", extern="E0"), umfang="VOLL", name="voll.xml"),
            broker,
        )
    assert result.status == ImportRun.Status.HELD
    return result.run


def admin_html(client, django_user_model, language, url) -> str:
    user = django_user_model.objects.create_superuser(f"admin-{language}", "a@example.com", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("worker", ["en", "de"])
def test_the_summary_is_stored_as_data_and_rendered_in_the_readers_language(
    tmp_path, client, django_user_model, worker
):
    reader = OTHER[worker]
    broker = make_broker("acme", language=reader)
    run = partly_rejected(tmp_path, broker, worker)
    run.refresh_from_db()
    assert [m["code"] for m in run.message_data] == ["summary_rejected"]
    assert run.message_data[0]["params"] == {"rejected": 1, "total": 3}

    _subject, text, html = render_run_report(run)
    assert SUMMARY[reader] in text and SUMMARY[reader] in html
    assert SUMMARY[worker] not in text

    page = admin_html(client, django_user_model, reader,
                      reverse("wagtail_openimmo_runs:inspect", args=[run.pk]))
    assert SUMMARY[reader] in page and SUMMARY[worker] not in page


@pytest.mark.parametrize("worker", ["en", "de"])
def test_the_hold_reason_is_rendered_in_the_readers_language(
    tmp_path, client, django_user_model, worker
):
    reader = OTHER[worker]
    broker = make_broker("acme", language=reader)
    run = held_voll(tmp_path, broker, worker)
    run.refresh_from_db()
    assert [m["code"] for m in run.message_data] == ["voll_guard"]

    _subject, text, _html = render_run_report(run)
    assert HOLD[reader] in text and HOLD[worker] not in text

    inspect = admin_html(client, django_user_model, reader,
                         reverse("wagtail_openimmo_runs:inspect", args=[run.pk]))
    assert HOLD[reader] in inspect and HOLD[worker] not in inspect
    with translation.override(reader):
        assert run.message_text.startswith(HOLD[reader])


def test_the_cli_shows_the_summary_in_the_active_language(tmp_path, broker):
    from io import StringIO

    from django.core.management import call_command

    path = upload(tmp_path, Prop(intern="1", extern="E1"),
                  Prop(intern="2", extern="E2", kaufpreis=None), Prop(intern="3", extern="E3"))
    out = StringIO()
    with override_settings(WAGTAIL_OPENIMMO={"STRICT_VALIDATION": True}), translation.override(
        "de"
    ):
        call_command("openimmo_import", str(path), broker=broker.slug, stdout=out)
    assert "1 von 3 Objekten wurden abgelehnt" in out.getvalue()


def test_rows_stored_before_the_codes_still_show_their_text(broker):
    plain = ImportRun.objects.create(
        broker=broker, file_name="old.zip", status=ImportRun.Status.FAILED,
        message="ValueError: boom",
    )
    assert plain.message_text == "ValueError: boom"
    # an old summary and an old hold reason are recognised and translated
    summary = ImportRun.objects.create(
        broker=broker, file_name="old2.zip", status=ImportRun.Status.PARTLY,
        message=SUMMARY["en"],
    )
    with translation.override("de"):
        assert summary.message_text == SUMMARY["de"]
    hold = {
        "code": "voll_guard", "severity": "error", "line": None, "path": None,
        "template": "This full transfer (VOLL) would withdraw {count} of your {total} live "
                    "listings ({share} %), more than the {limit} % allowed at once. It was not "
                    "applied and waits for an operator's confirmation.",
        "params": {"count": 3, "total": 4, "share": 75, "limit": 50},
    }
    held = ImportRun.objects.create(
        broker=broker, file_name="old3.zip", status=ImportRun.Status.HELD,
        message=hold["template"].format(**hold["params"]), problems=[hold],
    )
    with translation.override("de"):
        assert held.message_text.startswith(HOLD["de"])
    # in the report, the hold reason is said once (it is also a finding about the file)
    broker.language = "de"
    broker.save()
    _subject, text, _html = render_run_report(held)
    assert text.count(HOLD["de"]) == 1


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [("de", "de"), ("de-at", "de"), ("de-CH", "de"), ("en", "en"), ("en-gb", "en"), ("fr", "en")],
)
def test_a_new_brokers_report_language_follows_language_code(language_code, expected):
    with override_settings(LANGUAGE_CODE=language_code):
        assert default_report_language() == expected
        assert Broker(name="x", slug="x").language == expected
        broker = create_broker(f"b-{language_code.lower()}", name="B")
        assert broker.language == expected
    # an explicit choice wins
    with override_settings(LANGUAGE_CODE="de"):
        assert create_broker("explicit", name="E", language="en").language == "en"

"""A site rewords the broker's report by putting its own templates first on the path."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from tests.runs import make_run
from wagtail_openimmo.models import ImportRun
from wagtail_openimmo.reports import send_run_report

pytestmark = pytest.mark.django_db


def test_site_templates_override_subject_text_and_html(broker, tmp_path):
    email = tmp_path / "wagtail_openimmo" / "email"
    email.mkdir(parents=True)
    (email / "run_report_subject.txt").write_text(
        "{% load i18n %}[Portal] {{ run.file_name }}: {{ status_label }}\n"
    )
    (email / "run_report.txt").write_text(
        "{% load i18n %}{% translate 'New' %} = {{ counts.created }}\n"
    )
    (email / "run_report.html").write_text("<p>{{ broker.name }} / {{ counts.created }}</p>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    run = make_run(
        broker,
        status=ImportRun.Status.IMPORTED,
        file_name="feed-7.zip",
        entries=[{"objektnr": "W1", "outcome": "created"}],
    )
    with override_settings(TEMPLATES=templates):
        assert send_run_report(run) is True
    [message] = mail.outbox
    assert message.subject == "[Portal] feed-7.zip: importiert"  # the broker's language: de
    assert message.body == "Neu = 1\n"
    assert message.alternatives[0] == ("<p>Acme / 1</p>", "text/html")

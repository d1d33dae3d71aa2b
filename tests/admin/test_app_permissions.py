"""Only users with the app's permissions see or change brokers and FTP accounts; a user
given exactly those permissions gets them and nothing more of the app."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.inbox_support import make_account
from wagtail_openimmo.models import FTPAccount

pytestmark = pytest.mark.django_db

SNIPPETS = {
    "Brokers": "wagtailsnippets_wagtail_openimmo_broker",
    "FTP accounts": "wagtailsnippets_wagtail_openimmo_ftpaccount",
}


def test_editor_sees_and_changes_no_broker_or_ftp_account(client, editor, broker):
    account = make_account("acme", broker)
    client.force_login(editor)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "OpenImmo" not in home
    for label, namespace in SNIPPETS.items():
        assert label not in home
        for url in (reverse(f"{namespace}:list"), reverse(f"{namespace}:add")):
            assert client.get(url).status_code in (302, 403), url
    edit = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:edit", args=[account.pk])
    assert client.get(edit).status_code in (302, 403)
    response = client.post(edit, {"username": "taken-over", "folder": "acme"})
    assert response.status_code in (302, 403)
    account.refresh_from_db()
    assert account.username == "acme"


def test_ftp_account_permission_shows_only_the_ftp_accounts(client, editor, broker):
    make_account("acme", broker)
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="wagtail_openimmo", codename__endswith="_ftpaccount"
        )
    )
    client.force_login(editor)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "OpenImmo" in home and "FTP accounts" in home
    assert "Import runs" not in home and "Held files" not in home
    listing = client.get(reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:list"))
    assert listing.status_code == 200 and "acme" in listing.content.decode()
    assert client.get(reverse("wagtailsnippets_wagtail_openimmo_broker:add")).status_code in (
        302,
        403,
    )
    assert FTPAccount.objects.count() == 1

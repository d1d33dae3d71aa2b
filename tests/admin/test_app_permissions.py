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


CHOOSERS = ["ftpaccount", "exporttarget", "is24connection", "is24listingstate"]


def _chooser(model: str, view: str = "choose") -> str:
    app = "wagtail_openimmo_is24" if model.startswith("is24") else "wagtail_openimmo"
    return reverse(f"wagtailsnippetchoosers_{app}_{model}:{view}")


def test_editor_cannot_list_accounts_or_targets_through_the_snippet_choosers(
    client, editor, broker
):
    """Issue 15, item 11: Wagtail's snippet chooser listed them to any admin user."""
    account = make_account("secret-account", broker)
    client.force_login(editor)
    for model in CHOOSERS:
        for view in ("choose", "choose_results"):
            response = client.get(_chooser(model, view))
            # Wagtail's admin turns PermissionDenied into a redirect with a message
            assert response.status_code in (302, 403), (model, view)
            assert b"secret-account" not in response.content
    chosen = reverse("wagtailsnippetchoosers_wagtail_openimmo_ftpaccount:chosen",
                     args=[account.pk])
    assert client.get(chosen).status_code in (302, 403)


def test_the_chooser_opens_for_users_with_the_models_permissions(client, editor, broker):
    make_account("acme-account", broker)
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtail_openimmo",
                               codename="change_ftpaccount")
    )
    client.force_login(editor)
    response = client.get(_chooser("ftpaccount"))
    assert response.status_code == 200 and b"acme-account" in response.content
    assert client.get(_chooser("exporttarget")).status_code in (302, 403)

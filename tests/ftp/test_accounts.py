"""FTP accounts: hashed passwords, the admin form, and ``openimmo_broker ftp``."""

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.test.utils import WagtailTestUtils

from tests.inbox_support import make_account
from wagtail_openimmo.models import FTPAccount, FTPSettings

pytestmark = pytest.mark.django_db

HASH_PREFIX = "md5$"  # tests use the MD5 hasher for speed; production uses PBKDF2


def test_password_is_stored_only_as_a_hash(broker):
    account = make_account("acme", broker, password="correct horse")
    stored = FTPAccount.objects.get(pk=account.pk).password
    assert stored.startswith(HASH_PREFIX) and "correct horse" not in stored
    assert check_password("correct horse", stored)
    assert account.check_password("correct horse") and not account.check_password("wrong")
    assert account.folder == "acme"
    assert account.inbox_path().name == "acme"


@pytest.mark.parametrize("folder", ["..", "../x", "a/b", ".openimmo", "", "x" * 101, "a b"])
def test_folder_must_be_one_safe_name(folder):
    with pytest.raises(ValidationError):
        FTPAccount(username="ok", folder=folder or "/").full_clean()


def test_command_creates_and_resets_the_brokers_account(broker, capsys):
    call_command(
        "openimmo_broker", "ftp", "acme", "--user", "acme-ftp", "--password", "first-password"
    )
    account = FTPAccount.objects.get(username="acme-ftp")
    assert list(account.brokers.all()) == [broker] and account.folder == "acme-ftp"
    assert account.check_password("first-password")
    assert "Created FTP account acme-ftp" in capsys.readouterr().out
    account.is_active = False
    account.save()
    call_command(
        "openimmo_broker", "ftp", "acme", "--user", "acme-ftp", "--password", "second-password"
    )
    account.refresh_from_db()
    assert account.is_active and account.check_password("second-password")
    assert not account.check_password("first-password")
    assert FTPAccount.objects.count() == 1


def test_command_generates_a_password_when_none_is_given(broker, capsys):
    call_command("openimmo_broker", "ftp", "acme", "--user", "acme-ftp")
    out = capsys.readouterr().out
    password = out.split("Password (shown once): ")[1].strip()
    assert FTPAccount.objects.get().check_password(password)


def test_command_never_touches_another_brokers_account(broker, other_broker):
    make_account("taken", other_broker, password="others-password")
    with pytest.raises(CommandError, match="not acme's own account"):
        call_command(
            "openimmo_broker", "ftp", "acme", "--user", "taken", "--password", "my-password"
        )
    assert FTPAccount.objects.get(username="taken").check_password("others-password")
    with pytest.raises(CommandError, match="no broker"):
        call_command("openimmo_broker", "ftp", "nobody", "--user", "x", "--password", "12345678")
    with pytest.raises(CommandError, match="at least 8"):
        call_command("openimmo_broker", "ftp", "acme", "--user", "x", "--password", "short")
    with pytest.raises(CommandError, match="Invalid FTP user name"):
        call_command("openimmo_broker", "ftp", "acme", "--user", "../x", "--password", "12345678")


class TestAdmin(WagtailTestUtils):
    @pytest.fixture(autouse=True)
    def login(self, client, django_user_model):
        user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
        client.force_login(user)
        self.client = client

    def _data(self, broker, **kwargs):
        data = {
            "username": "acme-ftp",
            "folder": "",
            "new_password": "",
            "brokers": [broker.pk],
            "is_active": "on",
        }
        data.update(kwargs)
        return data

    def test_create_with_a_typed_password(self, broker):
        url = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:add")
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, self._data(broker, new_password="typed-password"))
        assert response.status_code == 302, response.context["form"].errors
        account = FTPAccount.objects.get()
        assert account.password.startswith(HASH_PREFIX)
        assert account.check_password("typed-password") and account.folder == "acme-ftp"
        assert list(account.brokers.all()) == [broker]

    def test_create_needs_a_password(self, broker):
        url = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:add")
        response = self.client.post(url, self._data(broker))
        assert response.status_code == 200
        assert "new_password" in response.context["form"].errors
        assert not FTPAccount.objects.exists()

    def test_edit_keeps_or_resets_the_password(self, broker):
        account = make_account("acme-ftp", broker, password="old-password")
        url = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:edit", args=[account.pk])
        page = self.client.get(url)
        assert page.status_code == 200 and account.password not in page.content.decode()
        self.client.post(url, self._data(broker, folder="acme-ftp"))
        account.refresh_from_db()
        assert account.check_password("old-password")
        self.client.post(url, self._data(broker, folder="acme-ftp", new_password="new-password"))
        account.refresh_from_db()
        assert account.check_password("new-password")

    def test_generated_password_is_shown_once(self, broker):
        account = make_account("acme-ftp", broker, password="old-password")
        url = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:edit", args=[account.pk])
        response = self.client.post(
            url, self._data(broker, folder="acme-ftp", generate_password="on")
        )
        assert response.status_code == 302
        shown = [str(m) for m in get_messages(response.wsgi_request) if "copy it now" in str(m)]
        assert len(shown) == 1
        password = shown[0].split("is: ")[1].split(" ")[0]
        account.refresh_from_db()
        assert account.check_password(password) and not account.check_password("old-password")
        assert password not in account.password

    def test_admin_rejects_a_folder_outside_the_inbox(self, broker):
        url = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:add")
        response = self.client.post(
            url, self._data(broker, folder=".openimmo", new_password="typed-password")
        )
        assert "folder" in response.context["form"].errors

    def test_account_without_broker_only_in_shared_mode(self, broker):
        url = reverse("wagtailsnippets_wagtail_openimmo_ftpaccount:add")
        data = self._data(broker, brokers=[], new_password="typed-password")
        response = self.client.post(url, data)
        assert "brokers" in response.context["form"].errors
        FTPSettings.objects.create(mode="shared")
        assert self.client.post(url, data).status_code == 302
        assert list(FTPAccount.objects.get().brokers.all()) == []

    def test_ftp_mode_setting_in_the_admin(self):
        url = reverse("wagtailsettings:edit", args=["wagtail_openimmo", "ftpsettings"])
        response = self.client.get(url, follow=True)
        assert response.status_code == 200 and b"One shared FTP account" in response.content
        response = self.client.post(response.redirect_chain[-1][0], {"mode": "shared"})
        assert response.status_code == 302
        assert FTPSettings.load().mode == "shared"

"""Admin forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models.ftp import generate_password


def _mode() -> str:
    from .inbox.folders import ftp_mode

    return ftp_mode()


class FTPAccountForm(WagtailAdminModelForm):
    """Set or reset an FTP account's password; only its hash is saved.

    On an existing account an empty password field keeps the old password. "Generate" makes a
    random one, which the edit view shows once (``generated_password``).
    """

    new_password = forms.CharField(
        label=_("Set or reset password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    generate_password = forms.BooleanField(
        label=_("Generate a new password"),
        required=False,
        help_text=_("A random password is set and shown once after saving."),
    )

    generated_password: str | None = None

    def clean(self):
        cleaned = super().clean()
        new, generate = cleaned.get("new_password"), cleaned.get("generate_password")
        if new and generate:
            self.add_error("new_password", _("Either type a password or generate one, not both."))
        elif not new and not generate and not self.instance.pk:
            self.add_error(
                "new_password", _("A new account needs a password: type one or generate one.")
            )
        elif new and len(new) < 8:
            self.add_error("new_password", _("Use at least 8 characters."))
        if "brokers" in cleaned and not cleaned["brokers"] and _mode() != "shared":
            self.add_error(
                "brokers",
                _(
                    "Choose the broker this account belongs to (the FTP mode is one account per "
                    "broker; a shared account is possible in shared mode)."
                ),
            )
        if not cleaned.get("folder") and cleaned.get("username"):
            cleaned["folder"] = cleaned["username"]
        return cleaned

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("generate_password"):
            self.generated_password = generate_password()
            account.set_password(self.generated_password)
        elif self.cleaned_data.get("new_password"):
            account.set_password(self.cleaned_data["new_password"])
        if commit:
            account.save()
            self.save_m2m()
        return account

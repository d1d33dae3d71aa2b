"""The editor's form for listings: coded OpenImmo values as choices, not free text.

The columns stay plain text columns (the importer keeps any value a file brings, lenient
mode); only the editor's form offers the codes OpenImmo allows (``openimmo.codes``), each
with its German or English name. A value already stored that is not one of them — a
legacy code, or one a broker's software made up — is offered too, marked as unknown, so
that saving the page never changes or refuses what the broker sent.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .openimmo.codes import CODES

NUTZUNGSART_LABELS = {
    "WOHNEN": _("Residential"),
    "GEWERBE": _("Commercial"),
    "ANLAGE": _("Investment"),
    "WAZ": _("Temporary living (WAZ)"),
}
WAEHRUNG_LABELS = {
    "EUR": _("Euro"),
    "CHF": _("Swiss franc"),
    "GBP": _("Pound sterling"),
    "USD": _("US dollar"),
    "PLN": _("Polish złoty"),
    "CZK": _("Czech koruna"),
    "HUF": _("Hungarian forint"),
    "DKK": _("Danish krone"),
    "SEK": _("Swedish krona"),
    "NOK": _("Norwegian krone"),
    "RON": _("Romanian leu"),
    "BGN": _("Bulgarian lev"),
    "TRY": _("Turkish lira"),
}
WERTKLASSE_LABELS = {"NICHT_NOETIG": _("Not required"), "OHNE": _("None")}



def code_labels(column: str) -> dict:
    """The names of ``column``'s codes. The front end's labels are imported here, when a
    form is built: the models import this module, and they must not load the front end."""
    from .frontend import presentation

    return {
        "nutzungsart": NUTZUNGSART_LABELS,
        "vermarktungsart": presentation.VERMARKTUNGSART_LABELS,
        "objektart": presentation.OBJEKTART_LABELS,
        "waehrung": WAEHRUNG_LABELS,
        "zustand": presentation.ZUSTAND_LABELS,
        "epass_epart": presentation.EPART_LABELS,
        "epass_wertklasse": WERTKLASSE_LABELS,
        "epass_primaerenergietraeger": presentation.ENERGIETRAEGER_LABELS,
    }.get(column, {})


class CodeLabel:
    """``"Apartment (wohnung)"``, translated when shown (the form is built once per request,
    but the label must follow the editor's language, as lazy strings do)."""

    def __init__(self, label, code: str):
        self.label, self.code = label, code

    def __str__(self) -> str:
        if self.label and str(self.label) != self.code:
            return f"{self.label} ({self.code})"
        return self.code


def code_choices(column: str, current: str | None = None) -> list[tuple[str, object]]:
    """The choices for ``column``: empty, OpenImmo's codes, and ``current`` if it is none."""
    labels = code_labels(column)
    choices: list[tuple[str, object]] = [("", "---------")]
    choices += [(code, CodeLabel(labels.get(code), code)) for code in CODES[column]]
    if current and current not in CODES[column]:
        choices.append((current, CodeLabel(_("unknown code"), current)))
    return choices


class ListingPageForm(WagtailAdminPageForm):
    """``WagtailAdminPageForm`` with a select for each coded column (``openimmo.codes``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for column in CODES:
            field = self.fields.get(column)
            if field is None:  # a site's edit handler without this column
                continue
            # The stored value stays selectable, known or not; nothing else is accepted.
            current = getattr(self.instance, column, None)
            self.fields[column] = forms.ChoiceField(
                label=field.label,
                help_text=field.help_text,
                required=False,
                choices=code_choices(column, current),
            )

    def clean(self):
        cleaned = super().clean()
        for column in CODES:
            if column in self.fields and cleaned.get(column) == "":
                cleaned[column] = None  # the columns store "nothing" as NULL
        return cleaned

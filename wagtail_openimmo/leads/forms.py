"""The public forms of leads: saving a search agent, withdrawing from a contract."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..frontend.contact import SpamProtectedForm
from .agents import FILTER_KEYS


class SearchAgentForm(SpamProtectedForm):
    """E-mail address and consent; the index's current filters ride along as hidden fields
    (checked again with the index's filter form when the agent is saved)."""

    email = forms.EmailField(label=_("Your e-mail address"))
    privacy = forms.BooleanField(
        label=_(
            "I agree that my e-mail address and this search are stored to send me "
            "matching listings, until I unsubscribe."
        )
    )
    field_order = ["email", "privacy", "website", "ts"]

    def __init__(self, *args, filters: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The filters travel as hidden inputs named like the index's query parameters
        # (``agent-ort``, ``agent-merkmal`` once per feature); see ``hidden_filters``.
        self.filters = filters or {}

    def hidden_filters(self) -> list[tuple[str, str]]:
        """(name, value) pairs of the hidden inputs that carry the filters."""
        pairs = []
        for key in FILTER_KEYS:
            value = self.filters.get(key)
            if not value:
                continue
            values = value if isinstance(value, list) else ["on" if value is True else value]
            pairs.extend((self.add_prefix(key), str(v)) for v in values)
        return pairs

    def filter_data(self) -> QueryDict:
        """The filters as submitted, as the index's query string would carry them (the
        index's filter form validates them)."""
        query = QueryDict(mutable=True)
        for key in FILTER_KEYS:
            values = [v for v in self.data.getlist(self.add_prefix(key)) if v]
            if values:
                query.setlist(key, values)
        return query


class WithdrawalForm(SpamProtectedForm):
    """The consumer's declaration of withdrawal from a brokerage contract (§ 356a BGB):
    who they are, which contract, and since when."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send the confirmation of receipt there."),
    )
    contract = forms.CharField(
        label=_("Which contract"),
        max_length=500,
        help_text=_("E.g. the listing's object number or title, or a contract number."),
    )
    concluded_on = forms.DateField(
        label=_("Contract concluded on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    message = forms.CharField(
        label=_("Anything else (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["name", "email", "contract", "concluded_on", "message", "website", "ts"]

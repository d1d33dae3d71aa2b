"""Filtering and sorting a broker's listings from the query string.

The query-string parameters are a public contract (links to filtered lists get bookmarked
and shared), so they are short and stable:

============  =========================================================================
``q``         free text, searched with Wagtail's search backend (title, city, texts)
``vermarktungsart``  ``kauf`` (buy) or ``miete`` (rent)
``objektart`` OpenImmo's kind of property: ``wohnung``, ``haus``, ``grundstueck``, …
``ort``       city or postcode: city contains it, or postcode starts with it (or, for a
              listing sent without a city, its district contains it)
``preis_min`` / ``preis_max``  price range (purchase price, or the rent for rentals)
``zimmer_min``  minimum number of rooms
``flaeche_min`` minimum area in m² (living area, else usable/total/plot area)
``sort``      ``neu`` (newest, default), ``preis``, ``-preis``, ``flaeche``, ``-flaeche``
``page``      page number
============  =========================================================================

Invalid values are reported next to their field and ignored; the other filters still
apply, so a typo never empties the list.
"""

from __future__ import annotations

import logging
import re

from django import forms
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .presentation import OBJEKTART_LABELS

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")

VERMARKTUNGSART_PARAMS = {"kauf": "KAUF", "miete": "MIETE_PACHT"}
SORT_CHOICES = [
    ("neu", _("Newest first")),
    ("preis", _("Price, lowest first")),
    ("-preis", _("Price, highest first")),
    ("flaeche", _("Area, smallest first")),
    ("-flaeche", _("Area, largest first")),
]
ORDERINGS = {
    "neu": (F("first_published_at").desc(nulls_last=True), "-pk"),
    "preis": (F("preis").asc(nulls_last=True), "-pk"),
    "-preis": (F("preis").desc(nulls_last=True), "-pk"),
    "flaeche": (F("flaeche").asc(nulls_last=True), "-pk"),
    "-flaeche": (F("flaeche").desc(nulls_last=True), "-pk"),
}
# Most search hits that narrow the list; a broker has far fewer listings than this.
MAX_SEARCH_RESULTS = 2000


class ListingFilterForm(forms.Form):
    """The GET form above a listing index. ``filter(queryset)`` applies the valid fields."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    vermarktungsart = forms.ChoiceField(
        label=_("Buy or rent"),
        required=False,
        choices=[
            ("", _("Buy and rent")),
            ("kauf", pgettext_lazy("marketing type", "Buy")),
            ("miete", pgettext_lazy("marketing type", "Rent")),
        ],
    )
    objektart = forms.ChoiceField(label=_("Property type"), required=False)
    ort = forms.CharField(label=_("City or postcode"), required=False, max_length=100)
    preis_min = forms.DecimalField(
        label=_("Price from"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    preis_max = forms.DecimalField(
        label=_("Price up to"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    zimmer_min = forms.DecimalField(
        label=_("Rooms (min.)"), required=False, min_value=0, max_digits=5, decimal_places=1
    )
    flaeche_min = forms.DecimalField(
        label=_("Area from (m²)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data=None, *, objektarten=None, **kwargs):
        """``objektarten``: the kinds of property to offer (those the broker has)."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        codes = sorted(
            objektarten if objektarten is not None else OBJEKTART_LABELS,
            key=lambda code: str(OBJEKTART_LABELS.get(code, code)),
        )
        self.fields["objektart"].choices = [
            ("", _("All types")),
            *((code, OBJEKTART_LABELS.get(code, code)) for code in codes if code),
        ]
        for name in ("preis_min", "preis_max", "zimmer_min", "flaeche_min"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("preis_min"), cleaned.get("preis_max")
        if low is not None and high is not None and low > high:
            self.add_error("preis_max", _("The upper price must not be below the lower."))
        return cleaned

    @property
    def active(self) -> bool:
        """Whether any filter (not the sorting) is set."""
        values = self.valid_data()
        return any(values.get(name) not in (None, "") for name in self.fields if name != "sort")

    def valid_data(self) -> dict:
        """The fields that validated; a form with errors still filters by the others."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.valid_data()
        if data.get("q"):
            # First, while the queryset has only the index's own filters (path, live,
            # is_reference), which the search backend knows as filter fields.
            queryset = self._search(queryset, data["q"])
        if data.get("vermarktungsart"):
            queryset = queryset.filter(
                vermarktungsart=VERMARKTUNGSART_PARAMS[data["vermarktungsart"]]
            )
        if data.get("objektart"):
            queryset = queryset.filter(objektart=data["objektart"])
        if data.get("ort"):
            place = data["ort"].strip()
            # a listing sent without a city is found by its district (regionaler_zusatz)
            queryset = queryset.filter(
                Q(ort__icontains=place)
                | Q(plz__startswith=place)
                | Q(ort__isnull=True, regionaler_zusatz__icontains=place)
            )
        if data.get("preis_min") is not None:
            queryset = queryset.filter(preis__gte=data["preis_min"])
        if data.get("preis_max") is not None:
            queryset = queryset.filter(preis__lte=data["preis_max"])
        if data.get("zimmer_min") is not None:
            queryset = queryset.filter(anzahl_zimmer__gte=data["zimmer_min"])
        if data.get("flaeche_min") is not None:
            queryset = queryset.filter(flaeche__gte=data["flaeche_min"])
        return queryset.order_by(*ORDERINGS[data.get("sort") or "neu"])

    @staticmethod
    def _search(queryset: QuerySet, text: str) -> QuerySet:
        """Narrow to the hits of Wagtail's search backend, keeping our own order and
        filters (search results cannot be filtered on every column afterwards).

        Only the words of the visitor's text are searched for: quotes, brackets, ``*``,
        ``:`` and upper-case AND/OR/NOT/NEAR are query syntax to the database's full-text
        search (a lone ``"`` made SQLite fail with "unterminated string"). Text without a
        word leaves the list unsearched; should the backend fail all the same, the visitor
        sees no hits, never an error.
        """
        words = [word.lower() for word in _WORD.findall(text)]
        if not words:
            return queryset
        try:
            with transaction.atomic():  # a failed query must not break the request's
                hits = queryset.order_by().search(" ".join(words), order_by_relevance=False)
                ids = [page.pk for page in hits[:MAX_SEARCH_RESULTS]]
        except DatabaseError:
            logger.warning("Listing search failed for %r", " ".join(words), exc_info=True)
            return queryset.none()
        return queryset.filter(pk__in=ids)

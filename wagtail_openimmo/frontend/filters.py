"""Filtering and sorting listings from the query string.

The query-string parameters are a public contract (links to filtered lists get bookmarked
and shared), so they are short and stable:

=================  ===============================================================
Invalid values are reported next to their field and ignored; the other filters still
apply, so a typo never empties the list.

The same rules exist twice: as a queryset filter (``ListingFilterForm.filter``) and as a
test of one listing in Python (``listing_matches``), for code that matches saved searches
against new listings. Keep them together.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .formatting import format_area, format_money, format_number
from .presentation import KEY_FEATURE_LABELS, OBJEKTART_LABELS

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")

KAUF, MIETE = "kauf", "miete"
# OpenImmo's marketing types in each group: Erbpacht is priced like a purchase, leasing
# like a rent.
MARKETING_GROUPS = {KAUF: ("KAUF", "ERBPACHT"), MIETE: ("MIETE_PACHT", "LEASING")}
VERMARKTUNGSART_PARAMS = {KAUF: "KAUF", MIETE: "MIETE_PACHT"}  # kept for existing callers
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


def marketing_q(group: str) -> Q:
    """The listings of a marketing group; a listing without a marketing type counts as a
    purchase when it has a purchase price (as ``derived_price_and_area`` prices it)."""
    purchase = Q(vermarktungsart__in=MARKETING_GROUPS[KAUF]) | Q(
        vermarktungsart__isnull=True, kaufpreis__isnull=False
    )
    return purchase if group == KAUF else ~purchase


def marketing_group(listing) -> str:
    """``kauf`` or ``miete`` for one listing (the Python twin of ``marketing_q``)."""
    if listing.vermarktungsart in MARKETING_GROUPS[KAUF] or (
        listing.vermarktungsart is None and listing.kaufpreis is not None
    ):
        return KAUF
    return MIETE


def stock_summary(queryset: QuerySet) -> tuple[set[str], dict[str, int]]:
    """The kinds of property in ``queryset`` and how many listings are for sale and for
    rent: one query."""
    rows = (
        queryset.order_by()
        .values("objektart")
        .annotate(kauf=Count("pk", filter=marketing_q(KAUF)), total=Count("pk"))
    )
    kinds, kauf, total = set(), 0, 0
    for row in rows:
        if row["objektart"]:
            kinds.add(row["objektart"])
        kauf += row["kauf"]
        total += row["total"]
    return kinds, {KAUF: kauf, MIETE: total - kauf}


def default_marketing_type(counts: dict[str, int]) -> str:
    """What the list shows before the visitor chooses: what most of the stock is (buy on a
    tie, and for an empty stock)."""
    return MIETE if counts.get(MIETE, 0) > counts.get(KAUF, 0) else KAUF


class ListingFilterForm(forms.Form):
    """The GET form above a listing index. ``filter(queryset)`` applies the valid fields."""

    vermarktungsart = forms.ChoiceField(
        label=_("Buy or rent"),
        required=False,
        choices=[
            (KAUF, pgettext_lazy("marketing type", "Buy")),
            (MIETE, pgettext_lazy("marketing type", "Rent")),
        ],
        widget=forms.RadioSelect,
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
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
    merkmal = forms.MultipleChoiceField(
        label=_("Features"),
        required=False,
        choices=list(KEY_FEATURE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    ohne_reserviert = forms.BooleanField(label=_("Hide reserved listings"), required=False)
    anbieter = forms.ChoiceField(label=_("Broker"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    # Hints for the price inputs, by marketing type: what a typical bound looks like.
    PRICE_PLACEHOLDERS = {KAUF: ("100.000", "500.000"), MIETE: ("500", "1.500")}

    def __init__(
        self,
        data=None,
        *,
        objektarten=None,
        default_marketing: str = KAUF,
        brokers: Iterable | None = None,
        **kwargs,
    ):
        """``objektarten``: the kinds of property to offer (those the broker has);
        ``default_marketing``: ``kauf`` or ``miete`` when the visitor has not chosen;
        ``brokers``: ``(slug, name)`` pairs for the broker filter (None: no such filter)."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        self.default_marketing = default_marketing
        codes = sorted(
            objektarten if objektarten is not None else OBJEKTART_LABELS,
            key=lambda code: str(OBJEKTART_LABELS.get(code, code)),
        )
        self.fields["objektart"].choices = [
            ("", _("All types")),
            *((code, OBJEKTART_LABELS.get(code, code)) for code in codes if code),
        ]
        if brokers is None:
            del self.fields["anbieter"]
        else:
            self.fields["anbieter"].choices = [("", _("All brokers")), *brokers]
        for name in ("preis_min", "preis_max", "zimmer_min", "flaeche_min"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["vermarktungsart"].initial = default_marketing
        # Price labels and hints follow the marketing type being shown.
        rent = self.marketing_type == MIETE
        self.fields["preis_min"].label = _("Rent from (€)") if rent else _("Price from (€)")
        self.fields["preis_max"].label = _("Rent up to (€)") if rent else _("Price up to (€)")
        low, high = self.PRICE_PLACEHOLDERS[self.marketing_type]
        self.fields["preis_min"].widget.attrs["placeholder"] = low
        self.fields["preis_max"].widget.attrs["placeholder"] = high

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("preis_min"), cleaned.get("preis_max")
        if low is not None and high is not None and low > high:
            self.add_error("preis_max", _("The upper price must not be below the lower."))
        return cleaned

    @property
    def marketing_type(self) -> str:
        """``kauf`` or ``miete``: the visitor's choice, else the default."""
        chosen = self.data.get("vermarktungsart") if self.is_bound else None
        if chosen in MARKETING_GROUPS:
            return chosen
        return self.default_marketing

    @property
    def active(self) -> bool:
        """Whether any filter (not the sorting or the marketing type) is set."""
        return bool(self.active_filters())

    def valid_data(self) -> dict:
        """The fields that validated; a form with errors still filters by the others."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def criteria(self) -> dict:
        """The valid filters with the marketing type filled in: what ``filter`` and
        ``listing_matches`` apply (and what a saved search would store)."""
        data = {k: v for k, v in self.valid_data().items() if v not in (None, "", [], False)}
        data["vermarktungsart"] = self.marketing_type
        return data

    def active_filters(self) -> list[str]:
        """Short texts of the filters set, for the collapsed form's summary:
        ``["Apartment", "up to 500.000 €", "Balcony / terrace"]``."""
        data = self.valid_data()
        shown: list[str] = []
        if data.get("q"):
            shown.append(f"„{data['q']}“")
        if data.get("objektart"):
            shown.append(str(OBJEKTART_LABELS.get(data["objektart"], data["objektart"])))
        if data.get("ort"):
            shown.append(data["ort"])
        if data.get("preis_min") is not None:
            shown.append(str(_("from %s")) % format_money(data["preis_min"]))
        if data.get("preis_max") is not None:
            shown.append(str(_("up to %s")) % format_money(data["preis_max"]))
        if data.get("zimmer_min") is not None:
            shown.append(str(_("%s+ rooms")) % format_number(data["zimmer_min"]))
        if data.get("flaeche_min") is not None:
            shown.append(str(_("from %s")) % format_area(data["flaeche_min"]))
        shown.extend(str(KEY_FEATURE_LABELS[code]) for code in data.get("merkmal") or ())
        if data.get("ohne_reserviert"):
            shown.append(str(_("without reserved")))
        if data.get("anbieter"):
            names = dict(self.fields["anbieter"].choices)
            shown.append(str(names.get(data["anbieter"], data["anbieter"])))
        return shown

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.criteria()
        if data.get("q"):
            # First, while the queryset has only the index's own filters (path, live,
            # is_reference), which the search backend knows as filter fields.
            queryset = self._search(queryset, data["q"])
        return filter_listings(queryset, data).order_by(*ORDERINGS[data.get("sort") or "neu"])

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


def filter_listings(queryset: QuerySet, data: dict) -> QuerySet:
    """Apply the criteria ``data`` (``ListingFilterForm.criteria()``; ``q`` excepted)."""
    queryset = queryset.filter(marketing_q(data.get("vermarktungsart") or KAUF))
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
    for code in data.get("merkmal") or ():
        queryset = queryset.filter(merkmale__contains=f" {code} ")
    if data.get("ohne_reserviert"):
        queryset = queryset.exclude(verkaufstatus="RESERVIERT")
    if data.get("anbieter"):
        queryset = queryset.filter(broker__slug=data["anbieter"])
    return queryset


def listing_matches(listing, data: dict) -> bool:
    """Whether one listing passes the criteria ``data`` — the rules of ``filter_listings``
    in Python. ``q`` (free text) matches when every word occurs in the title, city,
    postcode, object number or texts (the search backend is not asked)."""
    if marketing_group(listing) != (data.get("vermarktungsart") or KAUF):
        return False
    if data.get("q"):
        haystack = " ".join(
            str(getattr(listing, name, "") or "")
            for name in ("title", "ort", "plz", "objektnr_extern", "dreizeiler",
                         "objektbeschreibung", "lage")
        ).casefold()
        if not all(word in haystack for word in str(data["q"]).casefold().split()):
            return False
    if data.get("objektart") and listing.objektart != data["objektart"]:
        return False
    if data.get("ort"):
        place = data["ort"].strip()
        in_city = place.casefold() in (listing.ort or "").casefold()
        in_district = listing.ort is None and place.casefold() in (
            listing.regionaler_zusatz or ""
        ).casefold()
        if not (in_city or in_district or (listing.plz or "").startswith(place)):
            return False

    def at_least(value, bound) -> bool:
        return bound is None or (value is not None and Decimal(value) >= Decimal(bound))

    def at_most(value, bound) -> bool:
        return bound is None or (value is not None and Decimal(value) <= Decimal(bound))

    price, area = listing.derived_price_and_area()
    if not (at_least(price, data.get("preis_min")) and at_most(price, data.get("preis_max"))):
        return False
    if not at_least(listing.anzahl_zimmer, data.get("zimmer_min")):
        return False
    if not at_least(area, data.get("flaeche_min")):
        return False
    status, merkmale = listing.derived_status_and_features()
    if any(f" {code} " not in merkmale for code in data.get("merkmal") or ()):
        return False
    if data.get("ohne_reserviert") and status == "RESERVIERT":
        return False
    return not (data.get("anbieter") and listing.broker.slug != data["anbieter"])

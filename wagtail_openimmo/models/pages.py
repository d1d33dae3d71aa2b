"""Wagtail page models: the broker's listing index and one page per property.

The concrete ``ListingIndexPage`` and ``ListingPage`` are what the importer creates. Sites
that want more fields or other templates subclass the abstract bases instead of editing the
app, in line with Wagtail's advice for page models in reusable apps: the app owns its own
migrations, the site owns the presentation (override
``wagtail_openimmo/listing_page.html`` and ``wagtail_openimmo/listing_index_page.html``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from rest_framework import serializers
from wagtail import blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.coreutils import resolve_model_string
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from .. import get_listing_page_model, get_listing_page_model_string
from ..conf import get_setting
from ..listing_form import ListingPageForm
from ..listing_relations import ListingBrokerKey, ListingParentalKey
from ..openimmo.features import KEY_FEATURES, key_features, sale_status
from ..openimmo.fields import FIELDS_BY_NAME

# The picture the API v2 returns with a listing (the front end's specs: frontend.images).
API_RENDITION = "fill-800x600"
# Attachment groups that are pictures but not of the property: not in the gallery.
NOT_IN_GALLERY = ("ANBIETERLOGO", "QRCODE", "EPASS-SKALA")

# The field objekttitel is the page title; every other field is a column of the same name.
COLUMN_FOR_FIELD = {"objekttitel": "title"}


def listing_field(name: str) -> models.Field:
    """The Django field for the OpenImmo value ``name`` (see ``openimmo.fields.FIELDS``)."""
    spec = FIELDS_BY_NAME[name]
    # The labels are marked for translation in ``openimmo.fields`` (a package without
    # Django); translated here, in the editor's language.
    label = _(spec.label) if spec.label else name
    if spec.kind == "text":
        return models.CharField(label, max_length=spec.max_length, blank=True, null=True)
    if spec.kind == "longtext":
        return models.TextField(label, blank=True, null=True)
    if spec.kind == "decimal":
        if name in ("breitengrad", "laengengrad"):
            return models.DecimalField(
                label, max_digits=11, decimal_places=7, null=True, blank=True
            )
        return models.DecimalField(label, max_digits=14, decimal_places=2, null=True, blank=True)
    if spec.kind == "int":
        return models.IntegerField(label, null=True, blank=True)
    if spec.kind == "bool":
        return models.BooleanField(label, null=True, blank=True)
    if spec.kind == "date":
        return models.DateField(label, null=True, blank=True)
    raise ValueError(spec.kind)


def listing_page_indexes(prefix: str) -> list[models.Index]:
    """The indexes the importer's lookups and the sorting by price need, named
    ``<prefix>_intern`` etc. (index names are unique per database: a site's own listing
    model passes its own prefix, at most 18 characters, in its ``Meta.indexes``)."""
    return [
        models.Index(fields=["broker", "objektnr_intern"], name=f"{prefix}_intern"),
        models.Index(fields=["broker", "openimmo_obid"], name=f"{prefix}_obid"),
        models.Index(fields=["broker", "objektnr_extern"], name=f"{prefix}_extern"),
        models.Index(fields=["vermarktungsart", "preis"], name=f"{prefix}_price"),
    ]


class ListingBodyBlock(blocks.StreamBlock):
    """The agency's own content on a listing: headings, text and pictures."""

    heading = blocks.CharBlock(label=_("Heading"), form_classname="title", max_length=255)
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["bold", "italic", "link", "ol", "ul"]
    )
    image = ImageBlock(label=_("Image"))


class AttachmentsPanel(InlinePanel):
    """The listing's pictures and documents. Attachments belong to the listing model the site
    chose (``LISTING_PAGE_MODEL``): the other one (the app's ``ListingPage`` when a site has
    its own) has none, and there the panel stays empty instead of failing."""

    def on_model_bound(self):
        self.unused = not hasattr(self.model, self.relation_name)
        if self.unused:  # what Wagtail's checks look at: the attachment model
            self.db_field = ListingAttachment._meta.get_field("listing").remote_field
        else:
            super().on_model_bound()

    def get_form_options(self):
        return {} if self.unused else super().get_form_options()


LISTING_TEMPLATE = "wagtail_openimmo/listing_page.html"

# Sub-paths of a listing index that are not listings (see ``leads.views``). They take
# precedence over a listing whose slug happened to be one of them.
LEADS_PATHS = ("search-agent", "withdrawal")


class AbstractListingIndexPage(Page):
    """A broker's list of listings. Its children are the broker's ``ListingPage``\\ s.

    It renders the live listings with the filters of ``filters.ListingFilterForm`` (all in
    the query string), shows reference objects (sold or rented) in a section of their own or
    hides them, and answers for withdrawn listings below it (see ``route``).
    """

    REFERENCES_APART = "apart"
    REFERENCES_HIDDEN = "hidden"
    REFERENCE_DISPLAY_CHOICES = [
        (REFERENCES_APART, _("in a section of their own")),
        (REFERENCES_HIDDEN, _("hidden")),
    ]

    intro = RichTextField(_("introduction"), blank=True)
    reference_display = models.CharField(
        _("reference objects"),
        max_length=10,
        choices=REFERENCE_DISPLAY_CHOICES,
        default=REFERENCES_APART,
        help_text=_("Sold or rented objects the broker keeps as references."),
    )
    page_size = models.PositiveSmallIntegerField(
        _("listings per page"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("reference_display"), FieldPanel("page_size")]),
    ]

    class Meta:
        abstract = True

    def live_listings(self):
        """The live listings below this page, references included."""
        return get_listing_page_model().objects.child_of(self).live()

    # The views live in ``frontend.views``, which imports these models at module level; the
    # models import it only when called, so the module-level imports stay acyclic.
    def get_context(self, request, *args, **kwargs):
        from ..frontend.views import index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(index_context(self, request))
        return context

    def route(self, request, path_components):
        """Withdrawn listings are unpublished pages, which Wagtail answers with 404. The
        index is the parent of every listing, so it finds them here and serves them as
        "gone" (see ``serve``) — for visitors and search engines that followed old links.
        So are listings that were deleted (``DeletedListing``)."""
        if path_components and path_components[0] in LEADS_PATHS and self.live:
            # Search agents and the withdrawal function (``leads.views``).
            return RouteResult(self, kwargs={"leads_path": list(path_components)})
        try:
            return super().route(request, path_components)
        except Http404:
            if len(path_components) == 1 and self.live:
                withdrawn = (
                    get_listing_page_model()
                    .objects.child_of(self)
                    .filter(slug=path_components[0], live=False, withdrawn_at__isnull=False)
                    .first()
                )
                if withdrawn is None:
                    # A listing deleted (WITHDRAW_MODE "delete", or by an editor).
                    withdrawn = DeletedListing.objects.filter(
                        index_id=self.pk, slug=path_components[0]
                    ).first()
                if withdrawn is not None:
                    return RouteResult(self, kwargs={"withdrawn_listing": withdrawn})
            raise

    def serve(self, request, *args, withdrawn_listing=None, leads_path=None, **kwargs):
        from ..frontend.views import in_page_language, serve_withdrawn

        if leads_path is not None:
            from ..leads import views as leads_views

            return in_page_language(self, lambda: leads_views.serve(self, request, leads_path))
        if withdrawn_listing is not None:
            return in_page_language(self, lambda: serve_withdrawn(self, request, withdrawn_listing))
        return in_page_language(
            self, lambda: super(AbstractListingIndexPage, self).serve(request, *args, **kwargs)
        )


class ListingIndexPage(AbstractListingIndexPage):
    template = "wagtail_openimmo/listing_index_page.html"

    @classmethod
    def clean_subpage_models(cls):
        """Listings of the listing page model (``LISTING_PAGE_MODEL``), read on each call."""
        return [resolve_model_string(get_listing_page_model_string())]

    @classmethod
    def clean_parent_page_models(cls):
        """The page types a broker's index may go under: ``LISTING_INDEX_PARENT_PAGE_TYPES``
        when the site names them (read on each call, unlike ``parent_page_types``, so the
        setting needs no subclass); else any page whose ``subpage_types`` allow it."""
        names = get_setting("LISTING_INDEX_PARENT_PAGE_TYPES")
        if not names:
            return super().clean_parent_page_models()
        return [resolve_model_string(name) for name in names]

    class Meta:
        verbose_name = _("listing index page")
        verbose_name_plural = _("listing index pages")


class AbstractListingPage(Page):
    """One property, as imported from OpenImmo or written by an editor.

    What people search, filter and sort on is stored in columns named as in OpenImmo;
    the complete ``<immobilie>`` element is kept in ``openimmo_data`` so that nothing the
    broker sent is lost and an export gives it back. ``body`` is the agency's own content,
    which imports never touch.

    A site that wants more fields subclasses this (not ``ListingPage``) and names its model
    in ``WAGTAIL_OPENIMMO["LISTING_PAGE_MODEL"]`` (docs/extending.md).
    """

    parent_page_types = ["wagtail_openimmo.ListingIndexPage"]
    subpage_types: list[str] = []
    template = LISTING_TEMPLATE

    broker = ListingBrokerKey(
        "wagtail_openimmo.Broker",
        verbose_name=_("broker"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    # identity
    objektnr_intern = listing_field("objektnr_intern")
    objektnr_extern = listing_field("objektnr_extern")
    openimmo_obid = listing_field("openimmo_obid")
    sprache = listing_field("sprache")
    # category
    nutzungsart = listing_field("nutzungsart")
    vermarktungsart = listing_field("vermarktungsart")
    objektart = listing_field("objektart")
    objektart_typ = listing_field("objektart_typ")
    # address
    strasse = listing_field("strasse")
    hausnummer = listing_field("hausnummer")
    plz = listing_field("plz")
    ort = listing_field("ort")
    regionaler_zusatz = listing_field("regionaler_zusatz")
    bundesland = listing_field("bundesland")
    land = listing_field("land")
    breitengrad = listing_field("breitengrad")
    laengengrad = listing_field("laengengrad")
    etage = listing_field("etage")
    objektadresse_freigeben = listing_field("objektadresse_freigeben")
    # prices
    kaufpreis = listing_field("kaufpreis")
    kaufpreis_auf_anfrage = listing_field("kaufpreis_auf_anfrage")
    nettokaltmiete = listing_field("nettokaltmiete")
    kaltmiete = listing_field("kaltmiete")
    warmmiete = listing_field("warmmiete")
    nebenkosten = listing_field("nebenkosten")
    heizkosten = listing_field("heizkosten")
    heizkosten_enthalten = listing_field("heizkosten_enthalten")
    hausgeld = listing_field("hausgeld")
    kaution = listing_field("kaution")
    kaution_text = listing_field("kaution_text")
    aussen_courtage = listing_field("aussen_courtage")
    courtage_hinweis = listing_field("courtage_hinweis")
    provisionspflichtig = listing_field("provisionspflichtig")
    waehrung = listing_field("waehrung")
    # areas and rooms
    wohnflaeche = listing_field("wohnflaeche")
    nutzflaeche = listing_field("nutzflaeche")
    gesamtflaeche = listing_field("gesamtflaeche")
    grundstuecksflaeche = listing_field("grundstuecksflaeche")
    anzahl_zimmer = listing_field("anzahl_zimmer")
    anzahl_schlafzimmer = listing_field("anzahl_schlafzimmer")
    anzahl_badezimmer = listing_field("anzahl_badezimmer")
    anzahl_stellplaetze = listing_field("anzahl_stellplaetze")
    # condition and availability
    baujahr = listing_field("baujahr")
    zustand = listing_field("zustand")
    verfuegbar_ab = listing_field("verfuegbar_ab")
    abdatum = listing_field("abdatum")
    # energy certificate
    epass_epart = listing_field("epass_epart")
    epass_gueltig_bis = listing_field("epass_gueltig_bis")
    epass_endenergiebedarf = listing_field("epass_endenergiebedarf")
    epass_energieverbrauchkennwert = listing_field("epass_energieverbrauchkennwert")
    epass_mitwarmwasser = listing_field("epass_mitwarmwasser")
    epass_primaerenergietraeger = listing_field("epass_primaerenergietraeger")
    epass_wertklasse = listing_field("epass_wertklasse")
    epass_baujahr = listing_field("epass_baujahr")
    epass_ausstelldatum = listing_field("epass_ausstelldatum")
    epass_jahrgang = listing_field("epass_jahrgang")
    epass_gebaeudeart = listing_field("epass_gebaeudeart")
    # contact person
    kontakt_anrede = listing_field("kontakt_anrede")
    kontakt_vorname = listing_field("kontakt_vorname")
    kontakt_name = listing_field("kontakt_name")
    kontakt_firma = listing_field("kontakt_firma")
    kontakt_email = listing_field("kontakt_email")
    kontakt_telefon = listing_field("kontakt_telefon")
    kontakt_email_feedback = listing_field("kontakt_email_feedback")
    # free texts (objekttitel is the page title)
    dreizeiler = listing_field("dreizeiler")
    lage = listing_field("lage")
    ausstatt_beschr = listing_field("ausstatt_beschr")
    objektbeschreibung = listing_field("objektbeschreibung")
    sonstige_angaben = listing_field("sonstige_angaben")

    # derived, for sorting and filtering across purchase and rent
    preis = models.DecimalField(
        _("price"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Purchase price, else the rent: what the listing is sorted by."),
    )
    flaeche = models.DecimalField(
        _("area"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )

    verkaufstatus = models.CharField(
        _("sale status"),
        max_length=20,
        blank=True,
        default="",
        editable=False,
        help_text=_("OpenImmo verkaufstatus: OFFEN, RESERVIERT or VERKAUFT."),
    )
    merkmale = models.CharField(
        _("key features"),
        max_length=255,
        blank=True,
        default="",
        editable=False,
        help_text=_("The amenities visitors filter on, as codes between spaces."),
    )

    # state kept by the importer
    is_reference = models.BooleanField(
        _("reference object"),
        default=False,
        help_text=_("Sold or rented; shown as a reference (OpenImmo aktion REFERENZ)."),
    )
    imported = models.BooleanField(
        _("imported"),
        default=False,
        editable=False,
        help_text=_("Created by an OpenImmo import (not by an editor)."),
    )
    openimmo_data = models.JSONField(
        _("OpenImmo record"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The complete <immobilie> element as the broker sent it."),
    )
    openimmo_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Hash of the last imported record and its attachments: equal means unchanged.",
    )
    openimmo_quick_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=(
            "Hash of the <immobilie> element as sent, its files and the import settings, "
            "stored with openimmo_fingerprint when the import had nothing to report: equal "
            "means unchanged without reading the record (empty: always read it)."
        ),
    )
    last_imported_at = models.DateTimeField(
        _("last imported at"), null=True, blank=True, editable=False
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)

    # the agency's own content, below the broker's description; imports never touch it
    body = StreamField(
        ListingBodyBlock(),
        blank=True,
        verbose_name=_("additional content"),
        help_text=_(
            "The agency's own content, shown below the description. Imports never change it."
        ),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("ort"),
        index.SearchField("plz"),
        index.SearchField("objektnr_extern"),
        index.SearchField("dreizeiler"),
        index.SearchField("objektbeschreibung"),
        index.SearchField("lage"),
        index.AutocompleteField("ort"),
        index.FilterField("broker"),
        index.FilterField("vermarktungsart"),
        index.FilterField("objektart"),
        index.FilterField("is_reference"),
        index.FilterField("preis"),
    ]

    # Wagtail API v2 (see api.py): the key fields for sites with a separate front end.
    api_fields = [
        APIField("objektnr_extern"),
        APIField("vermarktungsart"),
        APIField("nutzungsart"),
        APIField("objektart"),
        APIField("objektart_typ"),
        APIField("plz"),
        APIField("ort"),
        APIField("address", serializer=serializers.CharField(source="address_line")),
        APIField("coordinates", serializer=serializers.DictField(source="public_coordinates")),
        APIField("preis"),
        APIField("waehrung"),
        APIField("kaufpreis"),
        APIField("kaltmiete"),
        APIField("warmmiete"),
        APIField("nebenkosten"),
        APIField("wohnflaeche"),
        APIField("flaeche"),
        APIField("anzahl_zimmer"),
        APIField("dreizeiler"),
        APIField("is_reference"),
        APIField("broker_slug"),
        APIField("title_image", serializer=ImageRenditionField(API_RENDITION)),
    ]

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("broker"),
                FieldRowPanel([FieldPanel("objektnr_extern"), FieldPanel("objektnr_intern")]),
                FieldPanel("openimmo_obid"),
                FieldRowPanel([FieldPanel("nutzungsart"), FieldPanel("vermarktungsart")]),
                FieldRowPanel([FieldPanel("objektart"), FieldPanel("objektart_typ")]),
                FieldPanel("is_reference"),
            ],
            heading=_("Property"),
        ),
        FieldPanel("dreizeiler"),
        FieldPanel("objektbeschreibung"),
        FieldPanel("lage"),
        FieldPanel("ausstatt_beschr"),
        FieldPanel("sonstige_angaben"),
        FieldPanel("body"),
        AttachmentsPanel("attachments", heading=_("Pictures and documents"), label=_("attachment")),
    ]
    facts_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kaufpreis"), FieldPanel("kaufpreis_auf_anfrage")]),
                FieldRowPanel(
                    [FieldPanel("kaltmiete"), FieldPanel("warmmiete"), FieldPanel("nettokaltmiete")]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("nebenkosten"),
                        FieldPanel("heizkosten"),
                        FieldPanel("heizkosten_enthalten"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("hausgeld"), FieldPanel("kaution"), FieldPanel("kaution_text")]
                ),
                FieldRowPanel([FieldPanel("aussen_courtage"), FieldPanel("provisionspflichtig")]),
                FieldPanel("courtage_hinweis"),
                FieldPanel("waehrung"),
            ],
            heading=_("Prices"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("wohnflaeche"),
                        FieldPanel("nutzflaeche"),
                        FieldPanel("gesamtflaeche"),
                        FieldPanel("grundstuecksflaeche"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("anzahl_zimmer"),
                        FieldPanel("anzahl_schlafzimmer"),
                        FieldPanel("anzahl_badezimmer"),
                        FieldPanel("anzahl_stellplaetze"),
                    ]
                ),
                FieldRowPanel([FieldPanel("baujahr"), FieldPanel("zustand"), FieldPanel("etage")]),
                FieldRowPanel([FieldPanel("verfuegbar_ab"), FieldPanel("abdatum")]),
            ],
            heading=_("Areas and rooms"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("strasse"), FieldPanel("hausnummer")]),
                FieldRowPanel([FieldPanel("plz"), FieldPanel("ort")]),
                FieldRowPanel(
                    [FieldPanel("regionaler_zusatz"), FieldPanel("bundesland"), FieldPanel("land")]
                ),
                FieldRowPanel([FieldPanel("breitengrad"), FieldPanel("laengengrad")]),
                FieldPanel("objektadresse_freigeben"),
            ],
            heading=_("Address"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("epass_epart"),
                        FieldPanel("epass_gueltig_bis"),
                        FieldPanel("epass_jahrgang"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("epass_endenergiebedarf"),
                        FieldPanel("epass_energieverbrauchkennwert"),
                        FieldPanel("epass_mitwarmwasser"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("epass_primaerenergietraeger"), FieldPanel("epass_wertklasse")]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("epass_baujahr"),
                        FieldPanel("epass_ausstelldatum"),
                        FieldPanel("epass_gebaeudeart"),
                    ]
                ),
            ],
            heading=_("Energy certificate"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("kontakt_anrede"),
                        FieldPanel("kontakt_vorname"),
                        FieldPanel("kontakt_name"),
                    ]
                ),
                FieldPanel("kontakt_firma"),
                FieldRowPanel([FieldPanel("kontakt_email"), FieldPanel("kontakt_telefon")]),
                FieldPanel("kontakt_email_feedback"),
            ],
            heading=_("Contact person"),
        ),
    ]
    base_form_class = ListingPageForm
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(facts_panels, heading=_("Facts")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        abstract = True

    @classmethod
    def can_create_at(cls, parent) -> bool:
        """Only the listing model the site chose (``LISTING_PAGE_MODEL``) is offered to
        editors; the other one keeps its table but takes no new pages."""
        return cls is get_listing_page_model() and super().can_create_at(parent)

    def save(self, *args, **kwargs):
        self.preis, self.flaeche = self.derived_price_and_area()
        self.verkaufstatus, self.merkmale = self.derived_status_and_features()
        return super().save(*args, **kwargs)

    def derived_status_and_features(self) -> tuple[str, str]:
        """``verkaufstatus`` and ``merkmale`` from the stored record (see
        ``openimmo.features``): ``("RESERVIERT", " balkon_terrasse aufzug ")``. The codes
        sit between spaces so that one ``contains`` filter finds a code on any database."""
        codes = key_features(self.openimmo_data)
        if "stellplatz" not in codes and (self.anzahl_stellplaetze or 0) > 0:
            codes = [c for c in KEY_FEATURES if c in {*codes, "stellplatz"}]
        return sale_status(self.openimmo_data) or "", f" {' '.join(codes)} " if codes else ""

    @property
    def key_features(self) -> list[str]:
        return self.merkmale.split()

    @property
    def is_reserved(self) -> bool:
        return self.verkaufstatus == "RESERVIERT"

    def derived_price_and_area(self) -> tuple[Decimal | None, Decimal | None]:
        if self.vermarktungsart == "KAUF" or (
            self.vermarktungsart is None and self.kaufpreis is not None
        ):
            price = self.kaufpreis
        else:
            price = next(
                (v for v in (self.kaltmiete, self.warmmiete, self.nettokaltmiete) if v is not None),
                self.kaufpreis,
            )
        area = next(
            (
                v
                for v in (
                    self.wohnflaeche,
                    self.nutzflaeche,
                    self.gesamtflaeche,
                    self.grundstuecksflaeche,
                )
                if v is not None
            ),
            None,
        )
        return price, area

    @property
    def is_purchase(self) -> bool:
        return self.vermarktungsart == "KAUF"

    @property
    def address_line(self) -> str:
        street = " ".join(x for x in (self.strasse, self.hausnummer) if x)
        city = self.place
        if self.objektadresse_freigeben is False:
            return city
        return ", ".join(x for x in (street, city) if x)

    @property
    def place(self) -> str:
        """Postcode and city; without a city (a file that left ``geo/ort`` empty), the
        district or the state the broker sent; "" when nothing is known."""
        where = self.ort or self.regionaler_zusatz or self.bundesland
        return " ".join(x for x in (self.plz, where) if x)

    @property
    def place_line(self) -> str:
        """``place``, or "Location on request" for a listing that says nothing of where it
        is (lenient imports keep such listings: ``ort_missing``)."""
        return self.place or pgettext("listing location", "Location on request")

    @property
    def public_coordinates(self) -> dict | None:
        """Latitude and longitude, only when the broker releases the address."""
        if self.objektadresse_freigeben is False or None in (self.breitengrad, self.laengengrad):
            return None
        return {"lat": float(self.breitengrad), "lon": float(self.laengengrad)}

    @property
    def broker_slug(self) -> str:
        return self.broker.slug if self.broker_id else ""

    @property
    def title_image(self):
        """The title picture (else the first picture), for the API and social previews."""
        attachment = (
            ListingAttachment.objects.gallery()
            .filter(listing=self)
            .select_related("image")
            .title_first()
            .first()
        )
        return attachment.image if attachment else None

    def get_template(self, request, *args, **kwargs):
        """The model's own template (Wagtail's default ``<app>/<model>.html`` for a site's
        listing model) if there is one, else the app's ``listing_page.html``."""
        own = super().get_template(request, *args, **kwargs)
        return own if own == LISTING_TEMPLATE else [own, LISTING_TEMPLATE]

    def get_context(self, request, *args, contact_form=None, **kwargs):
        from ..frontend.views import listing_context

        context = super().get_context(request, *args, **kwargs)
        context.update(listing_context(self, request, contact_form=contact_form))
        return context

    def route(self, request, path_components):
        """``…/expose/`` is the listing's PDF exposé (``frontend.views.serve_expose``)."""
        if path_components == ["expose"] and self.live:
            return RouteResult(self, kwargs={"expose": True})
        return super().route(request, path_components)

    def serve(self, request, *args, expose=False, **kwargs):
        """GET shows the listing; POST is the contact form (POST/redirect/GET). Both in
        the page's language when Wagtail's i18n is on (``frontend.views.page_language``)."""
        from ..frontend.views import in_page_language, serve_contact, serve_expose

        if expose:
            return in_page_language(self, lambda: serve_expose(self, request))
        if request.method == "POST":
            return in_page_language(self, lambda: serve_contact(self, request, *args, **kwargs))
        return in_page_language(
            self, lambda: super(AbstractListingPage, self).serve(request, *args, **kwargs)
        )

    def get_sitemap_urls(self, request=None):
        """Withdrawn listings are unpublished, so Wagtail's sitemap leaves them out; the
        last change is the later of the last publication and the last import."""
        urls = super().get_sitemap_urls(request)
        changes = [d for d in (self.last_published_at, self.last_imported_at) if d]
        if changes:
            for url in urls:
                url["lastmod"] = max(changes)
        return urls


class ListingPage(AbstractListingPage):
    """The app's listing model, used unless the site chooses its own
    (``LISTING_PAGE_MODEL``)."""

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        indexes = listing_page_indexes("openimmo_lst")


class ListingAttachmentQuerySet(models.QuerySet):
    def title_first(self):
        """Ordered as the site shows, exports and imports them: the TITELBILD first, then
        the broker's order."""
        return self.order_by(
            Case(
                When(gruppe="TITELBILD", then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "sort_order",
            "pk",
        )

    def gallery(self):
        """The pictures of the property: images, without logos, QR codes and energy scales."""
        return self.filter(kind=ListingAttachment.KIND_IMAGE, image__isnull=False).exclude(
            gruppe__in=NOT_IN_GALLERY
        )


class ListingAttachment(Orderable):
    """A picture, document or link of a listing, in the broker's order.

    Images are Wagtail images and documents Wagtail documents, in the broker's collection,
    shared between listings when the bytes are the same (``content_hash``).
    """

    KIND_IMAGE = "image"
    KIND_DOCUMENT = "document"
    KIND_LINK = "link"
    KINDS = [(KIND_IMAGE, _("image")), (KIND_DOCUMENT, _("document")), (KIND_LINK, _("link"))]

    listing = ListingParentalKey(on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS, default=KIND_IMAGE)
    gruppe = models.CharField(
        _("group"),
        max_length=30,
        blank=True,
        help_text=_("OpenImmo group: TITELBILD, BILD, GRUNDRISS, …"),
    )
    titel = models.CharField(
        _("title"),
        max_length=255,
        blank=True,
        help_text=_("Shown as the picture's alternative text."),
    )
    image = models.ForeignKey(
        get_image_model_string(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    document = models.ForeignKey(
        get_document_model_string(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    file_name = models.CharField(_("original file name"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=50, blank=True)
    content_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the file."
    )
    md5 = models.CharField(max_length=32, blank=True, editable=False)
    source_check = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        help_text="The broker's <check> value or URL the file came from, to skip re-downloads.",
    )

    objects = ListingAttachmentQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("gruppe")]),
        FieldPanel("titel"),
        FieldPanel("image"),
        FieldPanel("document"),
        FieldPanel("url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.titel or self.file_name or self.gruppe or str(self.pk)


class DeletedListing(models.Model):
    """Where a deleted listing page was, so that old links still learn it is gone.

    A withdrawn listing is normally unpublished and answers "gone" (410) or redirects to
    its index (``WITHDRAWN_LISTING_RESPONSE``). With ``WITHDRAW_MODE = "delete"`` — or when
    an editor deletes a listing — the page itself is gone; this row keeps its address
    (index and slug) and title so that ``ListingIndexPage.route()`` answers the same way
    instead of 404. No personal data: the address and title of an ad.

    ``index_id`` is a plain reference without a database constraint: the rows are written
    while pages are being deleted, possibly together with their index.
    """

    index = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("listing index page"),
    )
    slug = models.SlugField(_("slug"), max_length=255, allow_unicode=True)
    title = models.CharField(_("title"), max_length=255)
    objektnr_extern = models.CharField(_("object number"), max_length=255)
    deleted_at = models.DateTimeField(_("withdrawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("deleted listing")
        verbose_name_plural = _("deleted listings")
        constraints = [
            models.UniqueConstraint(
                fields=["index", "slug"], name="wagtail_openimmo_deletedlisting_slug"
            )
        ]

    def __str__(self) -> str:
        return self.title

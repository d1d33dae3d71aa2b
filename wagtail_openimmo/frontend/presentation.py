"""What a listing page shows, as labelled and formatted lists the templates loop over.

The labels follow the German conventions of property ads (Kaltmiete, Nebenkosten, Kaution,
Provision, Kaufpreis, Wohnfläche, Zimmer) with English source strings; the ``de`` catalogue
gives them their German names. Codes OpenImmo uses as values (``wohnung``, ``BEDARF``,
``FERN``) get labels here too; an unknown code is shown as sent, never dropped.

Sites that want other facts override the templates and call these functions, or read the
page's columns directly with the filters of ``openimmo_tags``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from ..conf import get_setting
from ..openimmo.features import features as openimmo_features
from .formatting import format_area, format_energy, format_money, format_number, to_decimal

OBJEKTART_LABELS = {
    "zimmer": _("Room"),
    "wohnung": _("Apartment"),
    "haus": _("House"),
    "grundstueck": _("Plot of land"),
    "buero_praxen": _("Office / practice"),
    "einzelhandel": _("Retail"),
    "gastgewerbe": _("Hospitality"),
    "hallen_lager_prod": _("Hall / warehouse / production"),
    "land_und_forstwirtschaft": _("Agriculture and forestry"),
    "parken": _("Parking"),
    "sonstige": _("Other"),
    "freizeitimmobilie_gewerblich": _("Leisure property"),
    "zinshaus_renditeobjekt": _("Investment property"),
}
VERMARKTUNGSART_LABELS = {
    "KAUF": pgettext_lazy("marketing type", "Buy"),
    "MIETE_PACHT": pgettext_lazy("marketing type", "Rent"),
    "ERBPACHT": _("Leasehold"),
    "LEASING": _("Leasing"),
}
EPART_LABELS = {
    "BEDARF": _("Energy demand certificate (Bedarfsausweis)"),
    "VERBRAUCH": _("Energy consumption certificate (Verbrauchsausweis)"),
    "OHNE_ENERGIEPASS": _("No energy certificate"),
    "NICHT_NOETIG": _("Not required (e.g. listed building)"),
    "AB_MAI_2014": _("Energy certificate issued from May 2014"),
}
ENERGIETRAEGER_LABELS = {
    "OEL": _("Oil"),
    "GAS": _("Gas"),
    "ELEKTRO": _("Electricity"),
    "ALTERNATIV": _("Alternative energy"),
    "SOLAR": _("Solar"),
    "ERDWAERME": _("Geothermal"),
    "LUFTWP": _("Air-source heat pump"),
    "FERN": _("District heating"),
    "BLOCK": _("Combined heat and power"),
    "WASSER-ELEKTRO": _("Hydroelectric heating"),
    "PELLET": _("Wood pellets"),
    "KOHLE": _("Coal"),
    "HOLZ": _("Wood"),
    "FLUESSIGGAS": _("Liquid gas"),
}
ZUSTAND_LABELS = {
    "ERSTBEZUG": _("First occupancy"),
    "NEUWERTIG": _("As new"),
    "MODERNISIERT": _("Modernised"),
    "GEPFLEGT": _("Well kept"),
    "TEIL_VOLLRENOVIERT": _("Renovated"),
    "TEIL_VOLLSANIERT": _("Refurbished"),
    "VOLL_SANIERT": _("Fully refurbished"),
    "TEIL_SANIERT": _("Partly refurbished"),
    "TEIL_VOLLRENOVIERUNGSBED": _("In need of renovation"),
    "SANIERUNGSBEDUERFTIG": _("In need of refurbishment"),
    "BAUFAELLIG": _("Dilapidated"),
    "NACH_VEREINBARUNG": _("By arrangement"),
    "ROHBAU": _("Shell construction"),
    "ENTKERNT": _("Gutted"),
    "ABRISSOBJEKT": _("For demolition"),
    "PROJEKTIERT": _("Planned"),
}
# Amenities: by (code, value) first, then by code. See openimmo/features.py for the codes.
FEATURE_LABELS = {
    ("kueche", "EBK"): _("Fitted kitchen"),
    ("kueche", "OFFEN"): _("Open kitchen"),
    ("kueche", "PANTRY"): _("Kitchenette"),
    ("bad", "DUSCHE"): _("Shower"),
    ("bad", "WANNE"): _("Bathtub"),
    ("bad", "FENSTER"): _("Bathroom with window"),
    ("bad", "BIDET"): _("Bidet"),
    ("heizungsart", "OFEN"): _("Stove heating"),
    ("heizungsart", "ETAGE"): _("Self-contained central heating"),
    ("heizungsart", "ZENTRAL"): _("Central heating"),
    ("heizungsart", "FERN"): _("District heating"),
    ("heizungsart", "FUSSBODEN"): _("Underfloor heating"),
    ("fahrstuhl", "PERSONEN"): _("Passenger lift"),
    ("fahrstuhl", "LASTEN"): _("Goods lift"),
    ("stellplatzart", "GARAGE"): _("Garage"),
    ("stellplatzart", "TIEFGARAGE"): _("Underground parking"),
    ("stellplatzart", "CARPORT"): _("Carport"),
    ("stellplatzart", "FREIPLATZ"): _("Outdoor parking space"),
    ("stellplatzart", "PARKHAUS"): _("Multi-storey car park"),
    ("stellplatzart", "DUPLEX"): _("Duplex parking"),
    ("moebliert", "VOLL"): _("Furnished"),
    ("moebliert", "TEIL"): _("Partly furnished"),
    ("unterkellert", "JA"): _("Cellar"),
    ("unterkellert", "TEIL"): _("Partial cellar"),
    ("boden", "PARKETT"): _("Parquet flooring"),
    ("boden", "FLIESEN"): _("Tiled floors"),
    ("boden", "LAMINAT"): _("Laminate flooring"),
    ("boden", "DIELEN"): _("Floorboards"),
    ("boden", "TEPPICH"): _("Carpet"),
    ("energietyp", "PASSIVHAUS"): _("Passive house"),
    ("energietyp", "NIEDRIGENERGIE"): _("Low-energy house"),
    "balkon": _("Balcony"),
    "terrasse": _("Terrace"),
    "einliegerwohnung": _("Granny flat"),
    "kamin": _("Fireplace"),
    "gaestewc": _("Guest WC"),
    "gartennutzung": _("Use of garden"),
    "klimatisiert": _("Air conditioning"),
    "barrierefrei": _("Barrier-free"),
    "rollstuhlgerecht": _("Wheelchair accessible"),
    "seniorengerecht": _("Suitable for seniors"),
    "wg_geeignet": _("Suitable for flat-sharing"),
    "sauna": _("Sauna"),
    "swimmingpool": _("Swimming pool"),
    "wintergarten": _("Conservatory"),
    "wasch_trockenraum": _("Laundry room"),
    "abstellraum": _("Storage room"),
    "fahrradraum": _("Bicycle storage"),
    "rolladen": _("Roller shutters"),
    "dachboden": _("Attic"),
    "kabel_sat_tv": _("Cable / satellite TV"),
    "breitband_zugang": _("Broadband"),
    "ausstatt_kategorie": _("Standard of fittings"),
    "ausricht_balkon_terrasse": _("Balcony / terrace facing"),
    "fahrstuhl": _("Lift"),
    "stellplatzart": _("Parking"),
    "heizungsart": _("Heating"),
    "befeuerung": _("Energy source"),
    "bad": _("Bathroom"),
    "kueche": _("Kitchen"),
    "boden": _("Flooring"),
    "dachform": _("Roof"),
    "bauweise": _("Construction"),
}
VALUE_LABELS = {
    "STANDARD": _("standard"),
    "GEHOBEN": _("upmarket"),
    "LUXUS": _("luxury"),
    "EINFACH": _("simple"),
    "NORD": _("north"),
    "OST": _("east"),
    "SUED": _("south"),
    "WEST": _("west"),
    "NORDOST": _("north-east"),
    "NORDWEST": _("north-west"),
    "SUEDOST": _("south-east"),
    "SUEDWEST": _("south-west"),
    **ENERGIETRAEGER_LABELS,
}


@dataclass(frozen=True)
class Fact:
    """One line of a facts table: ``code`` is the column (or feature) it comes from."""

    code: str
    label: str
    value: str


def humanize_code(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").strip().capitalize()


def label_for(labels: dict, code: str | None) -> str:
    if not code:
        return ""
    return str(labels.get(code) or labels.get(code.upper()) or humanize_code(code))


def objektart_label(page) -> str:
    """The kind of property; the neutral "Property" when the broker sent none (lenient
    imports never guess one: ``objektart_missing``)."""
    return label_for(OBJEKTART_LABELS, page.objektart) or str(
        pgettext("kind of property", "Property")
    )


def currency(page) -> str:
    return page.waehrung or "EUR"


def headline_price(page) -> Fact | None:
    """The one price a listing card shows: Kaufpreis for sale, Kaltmiete (or what there is)
    for rent."""
    if page.is_purchase or (page.vermarktungsart is None and page.kaufpreis is not None):
        if page.kaufpreis_auf_anfrage or page.kaufpreis is None:
            return Fact("kaufpreis", str(_("Purchase price")), str(_("on request")))
        return Fact(
            "kaufpreis", str(_("Purchase price")), format_money(page.kaufpreis, currency(page))
        )
    for code, label in (
        ("kaltmiete", _("Rent (excl. heating)")),
        ("warmmiete", _("Rent (incl. heating)")),
        ("nettokaltmiete", _("Net rent (excl. service charges)")),
    ):
        value = getattr(page, code)
        if value is not None:
            return Fact(code, str(label), format_money(value, currency(page)))
    if page.preis is not None:
        return Fact("preis", str(_("Price")), format_money(page.preis, currency(page)))
    if page.vermarktungsart:  # to let, but no rent sent (lenient: miete_missing)
        return Fact("preis", str(_("Price")), str(_("on request")))
    return None


def price_facts(page) -> list[Fact]:
    """Prices in the order German ads give them, with the commission."""
    money = currency(page)
    facts: list[Fact] = []

    def add(code: str, label, value=None, *, text: str | None = None):
        if text:
            facts.append(Fact(code, str(label), text))
        elif value is not None:
            facts.append(Fact(code, str(label), format_money(value, money)))

    if page.is_purchase or page.kaufpreis is not None or page.kaufpreis_auf_anfrage:
        if page.kaufpreis_auf_anfrage and page.kaufpreis is None:
            add("kaufpreis", _("Purchase price"), text=str(_("on request")))
        else:
            add("kaufpreis", _("Purchase price"), page.kaufpreis)
        add("hausgeld", _("Maintenance fee (Hausgeld)"), page.hausgeld)
    add("kaltmiete", _("Rent (excl. heating)"), page.kaltmiete)
    add("nettokaltmiete", _("Net rent (excl. service charges)"), page.nettokaltmiete)
    add("nebenkosten", _("Service charges"), page.nebenkosten)
    if page.heizkosten_enthalten and page.heizkosten is None:
        add("heizkosten", _("Heating costs"), text=str(_("included in service charges")))
    else:
        add("heizkosten", _("Heating costs"), page.heizkosten)
    add("warmmiete", _("Rent (incl. heating)"), page.warmmiete)
    if page.kaution is not None:
        add("kaution", _("Deposit"), page.kaution)
    else:
        add("kaution", _("Deposit"), text=page.kaution_text)
    commission_label = _("Buyer's commission") if page.is_purchase else _("Commission")
    if page.aussen_courtage:
        add("aussen_courtage", commission_label, text=page.aussen_courtage)
    elif page.provisionspflichtig is False:
        add("aussen_courtage", commission_label, text=str(_("none")))
    add("courtage_hinweis", _("Commission note"), text=page.courtage_hinweis)
    return facts


def listing_facts(page) -> list[Fact]:
    """Type, areas, rooms, condition and availability."""
    facts: list[Fact] = []

    def add(code: str, label, text: str | None):
        if text:
            facts.append(Fact(code, str(label), text))

    add("objektnr_extern", _("Object number"), page.objektnr_extern)
    kind = objektart_label(page)
    if kind and page.objektart_typ:
        kind = f"{kind} ({humanize_code(page.objektart_typ)})"
    add("objektart", _("Property type"), kind)
    add("wohnflaeche", _("Living area"), format_area(page.wohnflaeche))
    add("nutzflaeche", _("Usable area"), format_area(page.nutzflaeche))
    add("gesamtflaeche", _("Total area"), format_area(page.gesamtflaeche))
    add("grundstuecksflaeche", _("Plot area"), format_area(page.grundstuecksflaeche))
    add("anzahl_zimmer", _("Rooms"), format_number(page.anzahl_zimmer))
    add("anzahl_schlafzimmer", _("Bedrooms"), format_number(page.anzahl_schlafzimmer))
    add("anzahl_badezimmer", _("Bathrooms"), format_number(page.anzahl_badezimmer))
    add("anzahl_stellplaetze", _("Parking spaces"), format_number(page.anzahl_stellplaetze))
    if page.etage is not None:
        add("etage", _("Floor"), str(_("ground floor")) if page.etage == 0 else str(page.etage))
    add("baujahr", _("Year built"), str(page.baujahr) if page.baujahr else None)
    add("zustand", _("Condition"), label_for(ZUSTAND_LABELS, page.zustand))
    if page.abdatum:
        add("verfuegbar_ab", _("Available from"), date_format(page.abdatum))
    else:
        add("verfuegbar_ab", _("Available from"), page.verfuegbar_ab)
    return facts


def summary_facts(page) -> list[Fact]:
    """The three or four facts next to the price at the top: rooms, areas, availability."""
    wanted = ("anzahl_zimmer", "wohnflaeche", "nutzflaeche", "grundstuecksflaeche",
              "verfuegbar_ab")
    facts = {f.code: f for f in listing_facts(page)}
    chosen = [facts[code] for code in wanted if code in facts]
    if "wohnflaeche" in facts:
        chosen = [f for f in chosen if f.code != "nutzflaeche"]
    return chosen[:4]


def energy_facts(page) -> list[Fact]:
    """What the Gebäudeenergiegesetz (GEG § 87) requires an ad to state, when there is a
    certificate: its type, the final energy demand or consumption, the main energy source,
    the year of construction and the efficiency class — plus validity when sent."""
    facts: list[Fact] = []

    def add(code: str, label, text: str | None):
        if text:
            facts.append(Fact(code, str(label), text))

    add("epass_epart", _("Energy certificate"), label_for(EPART_LABELS, page.epass_epart))
    add(
        "epass_endenergiebedarf",
        _("Final energy demand"),
        format_energy(page.epass_endenergiebedarf),
    )
    consumption = format_energy(page.epass_energieverbrauchkennwert)
    if consumption and page.epass_mitwarmwasser:
        hot_water = _("including hot water")
        consumption = f"{consumption} ({hot_water})"
    add("epass_energieverbrauchkennwert", _("Final energy consumption"), consumption)
    add(
        "epass_primaerenergietraeger",
        _("Main energy source"),
        label_for(ENERGIETRAEGER_LABELS, page.epass_primaerenergietraeger),
    )
    year = page.epass_baujahr or (str(page.baujahr) if page.baujahr and facts else None)
    add("epass_baujahr", _("Year of construction (certificate)"), year)
    if page.epass_wertklasse and page.epass_wertklasse.upper() not in ("OHNE", "NICHT_NOETIG"):
        add("epass_wertklasse", _("Energy efficiency class"), page.epass_wertklasse)
    add("epass_gueltig_bis", _("Valid until"), _date_text(page.epass_gueltig_bis))
    if page.epass_ausstelldatum:
        add("epass_ausstelldatum", _("Issued on"), date_format(page.epass_ausstelldatum))
    add("epass_jahrgang", _("Regulation (EnEV/GEG year)"), page.epass_jahrgang)
    return facts


def _date_text(text: str | None) -> str | None:
    """``gueltig_bis`` is free text in OpenImmo; show ISO dates in the local format."""
    if not text:
        return None
    try:
        return date_format(dt.date.fromisoformat(text.strip()[:10]))
    except ValueError:
        return text


def feature_label(code: str, value: str | None) -> str:
    label = FEATURE_LABELS.get((code, value)) if value else None
    if label:
        return str(label)
    base = FEATURE_LABELS.get(code)
    if value is None:
        return str(base) if base else humanize_code(code)
    value_text = label_for(VALUE_LABELS, value)
    return f"{base}: {value_text}" if base else f"{humanize_code(code)}: {value_text}"


def feature_labels(page) -> list[str]:
    """The amenities of the listing, labelled: ``["Fitted kitchen", "Balcony", …]``."""
    return [feature_label(code, value) for code, value in openimmo_features(page.openimmo_data)]


# --- key features, badges, the price line under the headline price -----------------------

# The amenities of ``openimmo.features.KEY_FEATURES``: the checklist and the index filters.
KEY_FEATURE_LABELS = {
    "balkon_terrasse": _("Balcony / terrace"),
    "einbaukueche": _("Fitted kitchen"),
    "aufzug": _("Lift"),
    "keller": _("Cellar"),
    "garten": _("Garden"),
    "stellplatz": _("Parking space"),
    "barrierefrei": _("Barrier-free"),
}


def key_feature_labels(page) -> list[tuple[str, str]]:
    """``[("aufzug", "Lift"), …]``: the key amenities the listing has."""
    return [(code, str(KEY_FEATURE_LABELS[code])) for code in page.key_features
            if code in KEY_FEATURE_LABELS]


@dataclass(frozen=True)
class Badge:
    code: str  # neu, reserviert, verkauft, vermietet, provisionsfrei
    label: str


def is_new(page, now: dt.datetime | None = None) -> bool:
    """Published within the last ``NEW_LISTING_DAYS`` days."""
    days = get_setting("NEW_LISTING_DAYS")
    if not days or page.first_published_at is None:
        return False
    return page.first_published_at >= (now or timezone.now()) - dt.timedelta(days=days)


def is_commission_free(page) -> bool:
    """No buyer's or tenant's commission: ``provisionspflichtig`` false, or a commission
    text that says so ("provisionsfrei", "0 %", "keine")."""
    if page.provisionspflichtig is False:
        return True
    text = (page.aussen_courtage or "").strip().casefold()
    if not text:
        return False
    if "provisionsfrei" in text or "courtagefrei" in text or text in ("keine", "nein", "none"):
        return True
    digits = text.replace("%", "").replace(",", ".").replace("€", "").strip()
    try:
        return float(digits) == 0
    except ValueError:
        return False


def badges(page) -> list[Badge]:
    """The badges on a card and above a listing, most important first."""
    found: list[Badge] = []
    if page.is_reference:
        found.append(
            Badge("verkauft", str(_("Sold"))) if page.is_purchase
            else Badge("vermietet", str(_("Rented")))
        )
    elif page.verkaufstatus == "RESERVIERT":
        found.append(Badge("reserviert", str(_("Reserved"))))
    elif page.verkaufstatus == "VERKAUFT":
        found.append(Badge("verkauft", str(_("Sold"))))
    if not page.is_reference and is_new(page):
        found.append(Badge("neu", str(_("New"))))
    if not page.is_reference and is_commission_free(page):
        found.append(Badge("provisionsfrei", str(_("Commission-free"))))
    return found


def total_rent(page):
    """Warmmiete as sent, else Kaltmiete + Nebenkosten (+ Heizkosten when they are not in
    the Nebenkosten): ``(code, amount)`` or None. Visitors compare rents by this."""
    if page.warmmiete is not None:
        return "warmmiete", page.warmmiete
    base = page.kaltmiete if page.kaltmiete is not None else page.nettokaltmiete
    if base is None or page.nebenkosten is None:
        return None
    total = Decimal(base) + Decimal(page.nebenkosten)
    if page.heizkosten is not None and not page.heizkosten_enthalten:
        total += Decimal(page.heizkosten)
    return "gesamtmiete", total


def secondary_price(page) -> Fact | None:
    """The line under the headline price: Warmmiete/Gesamtmiete for rentals, Hausgeld for
    flats for sale."""
    if page.is_purchase:
        if page.hausgeld is not None:
            return Fact("hausgeld", str(_("Maintenance fee (Hausgeld)")),
                        format_money(page.hausgeld, currency(page)))
        return None
    headline = headline_price(page)
    rent = total_rent(page)
    if rent is None or (headline and headline.code == rent[0]):
        return None
    code, amount = rent
    label = _("Rent (incl. heating)") if code == "warmmiete" else _("Total rent")
    return Fact(code, str(label), format_money(amount, currency(page)))


# --- the energy scale of the Energieausweis -----------------------------------------------

# GEG Anlage 10: the classes by final energy in kWh/(m²·a), upper bounds (H: 250 and more).
ENERGY_CLASSES = (
    ("A+", 30), ("A", 50), ("B", 75), ("C", 100), ("D", 130),
    ("E", 160), ("F", 200), ("G", 250), ("H", None),
)
# Colours of the scale, green to red, as on the certificates.
ENERGY_COLOURS = ("#00843d", "#2ca02c", "#7cbd2e", "#c6d82b", "#f2e52b",
                  "#f7b92d", "#ef7d2d", "#e3452b", "#c4162a")
ENERGY_SCALE_MAX = 275  # where the scale ends (H is open-ended)


def energy_class(value) -> str | None:
    """The GEG efficiency class of a final energy value (demand or consumption)."""
    number = to_decimal(value)
    if number is None:
        return None
    for name, upper in ENERGY_CLASSES:
        if upper is None or number < upper:
            return name
    return None


@dataclass(frozen=True)
class EnergyScale:
    value_text: str  # "85,5 kWh/(m²·a)"
    klasse: str | None  # the certificate's class, else the class of the value
    marker_percent: float  # where the value sits on the scale, 0–100
    segments: list[tuple[str, str, float, float]]  # (class, colour, start %, width %)
    description: str  # the text alternative

    @property
    def marker_x(self) -> float:
        return round(self.marker_percent * 10, 1)  # in the SVG's 1000-wide coordinates


def energy_scale(page) -> EnergyScale | None:
    """The scale A+ to H with the listing's value marked, when it has a value."""
    value = page.epass_endenergiebedarf
    if value is None:
        value = page.epass_energieverbrauchkennwert
    if value is None:
        return None
    number = float(value)
    klasse = page.epass_wertklasse
    if not klasse or klasse.upper() in ("OHNE", "NICHT_NOETIG"):
        klasse = energy_class(value)
    segments = []
    start = 0.0
    for (name, upper), colour in zip(ENERGY_CLASSES, ENERGY_COLOURS, strict=True):
        end = upper if upper is not None else ENERGY_SCALE_MAX
        segments.append((name, colour, start / ENERGY_SCALE_MAX * 100,
                         (end - start) / ENERGY_SCALE_MAX * 100))
        start = end
    percent = max(0.0, min(number, ENERGY_SCALE_MAX)) / ENERGY_SCALE_MAX * 100
    text = format_energy(value)
    description = str(_("Energy scale from A+ to H: %(value)s, efficiency class %(class)s")) % {
        "value": text, "class": klasse or "–"}
    return EnergyScale(text, klasse, round(percent, 2), segments, description)

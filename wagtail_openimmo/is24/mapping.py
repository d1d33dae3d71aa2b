"""From a ``ListingPage`` to the JSON IS24's offer API expects.

IS24 has one real-estate type per kind of property and marketing (``apartmentRent``,
``houseBuy``, ``office``, ``livingBuySite`` …), each an XSD type in IS24's
``realestates-1.0.xsd``. The XSD fixes the element order, and IS24 insists on it in XML and
in JSON alike, so every payload is built from the per-type order in ``ORDER`` below (taken
from the XSD's groups). ``to_xml()`` turns any payload into the equivalent XML document,
which the test suite validates against IS24's XSDs.

IS24's JSON convention: the root key is ``"prefix.element"`` (``"realestates.houseBuy"``),
XML attributes are ``"@name"`` keys (``"@xsi.type"``, ``"@id"``), repeated elements are lists
and booleans are the strings ``"true"``/``"false"``.

A listing that cannot be mapped, or lacks a field IS24 requires, gets ``MappingProblem``\\ s
instead of a payload; the sync stores them on the listing's state row and reports them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop as _
from lxml import etree

from ..openimmo.fields import FIELDS_BY_NAME

NAMESPACES = {
    "realestates": "http://rest.immobilienscout24.de/schema/offer/realestates/1.0",
    "common": "http://rest.immobilienscout24.de/schema/common/1.0",
    "attachmentsorder": "http://rest.immobilienscout24.de/schema/attachmentsorder/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xlink": "http://www.w3.org/1999/xlink",
}

# --- element order, per IS24's realestates-1.0.xsd / common-1.0.xsd ------------------------
# Only elements this mapping may fill are needed, but whole groups are listed so that the
# order stays easy to check against the XSD.
HEAD = (
    "externalId",
    "title",
    "address",
    "descriptionNote",
    "furnishingNote",
    "locationNote",
    "otherNote",
    "showAddress",
)
EXTENDED_APARTMENT = ("apartmentType", "floor", "lift", "assistedLiving", "energyCertificate")
LIVING_INFORMATION = (
    "cellar",
    "handicappedAccessible",
    "numberOfParkingSpaces",
    "condition",
    "lastRefurbishment",
    "interiorQuality",
    "constructionYear",
    "freeFrom",
    "heatingType",
    "heatingTypeEnev2014",
    "firingTypes",
    "energySourcesEnev2014",
    "buildingEnergyRatingType",
    "thermalCharacteristic",
    "energyConsumptionContainsWarmWater",
    "numberOfFloors",
    "usableFloorSpace",
    "numberOfBedRooms",
    "numberOfBathRooms",
    "guestToilet",
    "parkingSpaceType",
)
LIVING_RENT = (
    "baseRent",
    "totalRent",
    "serviceCharge",
    "deposit",
    "heatingCosts",
    "heatingCostsInServiceCharge",
    "petsAllowed",
    "parkingSpacePrice",
    "useAsFlatshareRoom",
)
LIVING_BUY = ("rented", "rentalIncome", "listed", "parkingSpacePrice", "summerResidencePractical")
BASE_APARTMENT = (
    "price",
    "livingSpace",
    "numberOfRooms",
    "energyPerformanceCertificate",
    "builtInKitchen",
    "balcony",
    "certificateOfEligibilityNeeded",
    "garden",
    "courtage",
)
BASE_HOUSE = (
    "price",
    "livingSpace",
    "plotArea",
    "numberOfRooms",
    "energyPerformanceCertificate",
    "courtage",
)
EXTENDED_HOUSE = ("buildingType", "energyCertificate")
EXTENDED_OFFICE = (
    "officeType",
    "lift",
    "cellar",
    "handicappedAccessible",
    "flooringType",
    "deposit",
    "energyCertificate",
)
COMMERCIAL_INFORMATION = (
    "condition",
    "numberOfParkingSpaces",
    "parkingSpacePrice",
    "lastRefurbishment",
    "interiorQuality",
    "constructionYear",
    "freeFrom",
    "heatingType",
    "heatingTypeEnev2014",
    "firingTypes",
    "energySourcesEnev2014",
    "thermalCharacteristic",
    "energyConsumptionContainsWarmWater",
    "buildingEnergyRatingType",
    "additionalArea",
    "numberOfFloors",
    "additionalCosts",
)
BASE_COMMERCIAL = (
    "commercializationType",
    "price",
    "calculatedPrice",
    "totalFloorSpace",
    "netFloorSpace",
    "minDivisible",
    "courtage",
)
BASE_SITE = ("price", "plotArea", "minDivisible", "courtage")
SITE_INFORMATION = (
    "freeFrom",
    "shortTermConstructible",
    "buildingPermission",
    "demolition",
    "siteDevelopmentType",
    "siteConstructibleType",
    "grz",
    "gfz",
)

ORDER: dict[str, tuple[str, ...]] = {
    "apartmentRent": HEAD + EXTENDED_APARTMENT + LIVING_INFORMATION + LIVING_RENT + BASE_APARTMENT,
    "apartmentBuy": HEAD
    + EXTENDED_APARTMENT
    + LIVING_INFORMATION
    + LIVING_BUY
    + BASE_APARTMENT
    + ("serviceCharge",),
    "houseRent": HEAD
    + BASE_HOUSE
    + EXTENDED_HOUSE
    + LIVING_INFORMATION
    + LIVING_RENT
    + ("builtInKitchen",),
    "houseBuy": HEAD
    + ("lodgerFlat", "constructionPhase")
    + EXTENDED_HOUSE
    + LIVING_INFORMATION
    + LIVING_BUY
    + BASE_HOUSE,
    "office": HEAD + EXTENDED_OFFICE + COMMERCIAL_INFORMATION + BASE_COMMERCIAL,
    "livingBuySite": HEAD
    + ("commercializationType", "recommendedUseTypes", "tenancy")
    + BASE_SITE
    + SITE_INFORMATION,
    "livingRentSite": HEAD
    + ("commercializationType", "recommendedUseTypes", "tenancy")
    + BASE_SITE
    + SITE_INFORMATION,
    "tradeSite": HEAD
    + ("commercializationType", "recommendedUseTypes", "utilizationTradeSite", "tenancy")
    + BASE_SITE
    + SITE_INFORMATION,
}
REALESTATE_TYPES = tuple(ORDER)

# Fields IS24 requires (XSD minOccurs=1, plus what IS24's documentation adds), by the
# OpenImmo column that feeds them.
REQUIRED: dict[str, tuple[str, ...]] = {
    "apartmentRent": ("plz", "ort", "kaltmiete", "wohnflaeche", "anzahl_zimmer"),
    "apartmentBuy": ("plz", "ort", "kaufpreis", "wohnflaeche", "anzahl_zimmer"),
    "houseRent": ("plz", "ort", "kaltmiete", "wohnflaeche", "grundstuecksflaeche", "anzahl_zimmer"),
    "houseBuy": ("plz", "ort", "kaufpreis", "wohnflaeche", "grundstuecksflaeche", "anzahl_zimmer"),
    "office": ("plz", "ort"),  # and a price: kaufpreis or a rent, checked below
    "livingBuySite": ("plz", "ort", "kaufpreis", "grundstuecksflaeche"),
    "livingRentSite": ("plz", "ort", "kaltmiete", "grundstuecksflaeche"),
    "tradeSite": ("plz", "ort", "grundstuecksflaeche"),
}

# OpenImmo sub-types → IS24 enumerations. Unknown values fall back to IS24's "no
# information" value or are left out.
APARTMENT_TYPES = {
    "DACHGESCHOSS": "ROOF_STOREY",
    "ATTIKAWOHNUNG": "ROOF_STOREY",
    "MAISONETTE": "MAISONETTE",
    "LOFT-STUDIO-ATELIER": "LOFT",
    "PENTHOUSE": "PENTHOUSE",
    "TERRASSEN": "TERRACED_FLAT",
    "ETAGE": "APARTMENT",
    "APARTMENT": "APARTMENT",
    "ERDGESCHOSS": "GROUND_FLOOR",
    "SOUTERRAIN": "HALF_BASEMENT",
    "HOCHPARTERRE": "RAISED_GROUND_FLOOR",
    "FERIENWOHNUNG": "OTHER",
    "GALERIE": "OTHER",
    "ROHDACHBODEN": "OTHER",
}
BUILDING_TYPES = {
    "EINFAMILIENHAUS": "SINGLE_FAMILY_HOUSE",
    "STADTHAUS": "SINGLE_FAMILY_HOUSE",
    "LANDHAUS": "SINGLE_FAMILY_HOUSE",
    "FERTIGHAUS": "SINGLE_FAMILY_HOUSE",
    "REIHENHAUS": "TERRACE_HOUSE",
    "REIHENMITTEL": "MID_TERRACE_HOUSE",
    "REIHENEND": "END_TERRACE_HOUSE",
    "REIHENECK": "END_TERRACE_HOUSE",
    "DOPPELHAUSHAELFTE": "SEMIDETACHED_HOUSE",
    "BUNGALOW": "BUNGALOW",
    "VILLA": "VILLA",
    "BAUERNHAUS": "FARMHOUSE",
    "RESTHOF": "FARMHOUSE",
    "SCHLOSS": "CASTLE_MANOR_HOUSE",
    "BURG": "CASTLE_MANOR_HOUSE",
    "HERRENHAUS": "CASTLE_MANOR_HOUSE",
    "ZWEIFAMILIENHAUS": "MULTI_FAMILY_HOUSE",
    "MEHRFAMILIENHAUS": "MULTI_FAMILY_HOUSE",
    "APARTMENTHAUS": "MULTI_FAMILY_HOUSE",
}
OFFICE_TYPES = {
    "BUEROFLAECHE": "OFFICE",
    "BUEROHAUS": "OFFICE_BUILDING",
    "BUEROZENTRUM": "OFFICE_CENTRE",
    "LOFT_ATELIER": "LOFT",
    "ATELIER": "STUDIO",
    "PRAXIS": "SURGERY",
    "PRAXISFLAECHE": "SURGERY_FLOOR",
    "PRAXISHAUS": "SURGERY_BUILDING",
    "AUSSTELLUNGSFLAECHE": "OFFICE",
    "COWORKING": "OFFICE",
    "SHARED_OFFICE": "OFFICE",
    "BUERO_UND_LAGERGEBAEUDE": "OFFICE_STORAGE_BUILDING",
    "WOHN_UND_GESCHAEFTSHAUS": "LIVING_AND_COMMERCIAL_BUILDING",
    "BUERO_UND_GESCHAEFTSHAUS": "OFFICE_AND_COMMERCIAL_BUILDING",
    "GEWERBEZENTRUM": "COMMERCIAL_CENTRE",
}
CONDITIONS = {
    "ERSTBEZUG": "FIRST_TIME_USE",
    "ERSTBEZUG_NACH_SANIERUNG": "FIRST_TIME_USE_AFTER_REFURBISHMENT",
    "NEUWERTIG": "MINT_CONDITION",
    "TEIL_VOLLRENOVIERT": "REFURBISHED",
    "TEIL_SANIERT": "REFURBISHED",
    "VOLL_SANIERT": "FULLY_RENOVATED",
    "MODERNISIERT": "MODERNIZED",
    "GEPFLEGT": "WELL_KEPT",
    "RENOVIERUNGSBEDUERFTIG": "NEED_OF_RENOVATION",
    "SANIERUNGSBEDUERFTIG": "NEED_OF_RENOVATION",
    "TEIL_VOLLRENOVIERUNGSBED": "NEED_OF_RENOVATION",
    "NACH_VEREINBARUNG": "NEGOTIABLE",
    "ABRISSOBJEKT": "RIPE_FOR_DEMOLITION",
    "BAUFAELLIG": "RIPE_FOR_DEMOLITION",
}
ENERGY_SOURCES = {
    "OEL": "OIL",
    "GAS": "GAS",
    "ELEKTRO": "ELECTRICITY",
    "SOLAR": "SOLAR_HEATING",
    "ERDWAERME": "GEOTHERMAL",
    "FERN": "DISTRICT_HEATING",
    "PELLET": "PELLET_HEATING",
    "KOHLE": "COAL",
    "HOLZ": "WOOD",
    "HOLZ-HACKSCHNITZEL": "WOOD_CHIPS",
    "FLUESSIGGAS": "LIQUID_GAS",
    "NAHWAERME": "LOCAL_HEATING",
    "WAERMELIEFERUNG": "HEAT_SUPPLY",
    "BIOENERGIE": "BIO_ENERGY",
    "WINDENERGIE": "WIND_ENERGY",
    "WASSERENERGIE": "HYDRO_ENERGY",
    "UMWELTWAERME": "ENVIRONMENTAL_THERMAL_ENERGY",
    "LUFTWP": "ENVIRONMENTAL_THERMAL_ENERGY",
    "FERNWAERME_DAMPF": "STEAM_DISTRICT_HEATING",
    "BLOCK": "COMBINED_HEAT_AND_POWER_FOSSIL_FUELS",
}
EFFICIENCY_CLASSES = {"A+", "A", "B", "C", "D", "E", "F", "G", "H"}
# grundst_typ values that make a plot a commercial "tradeSite", with IS24's utilisation.
TRADE_SITES = {
    "GEWERBE": "TRADE",
    "INDUSTRIE": "TRADE",
    "GEWERBEPARK": "TRADE",
    "SONDERNUTZUNG": "TRADE",
    "LAND_FORSTWIRSCHAFT": "AGRICULTURE_FORESTRY",
    "FREIZEIT": "LEISURE",
}
# Buyer's commission texts that mean "no commission".
NO_COURTAGE = re.compile(
    r"provisionsfrei|courtagefrei|maklerfrei|keine|^\s*0+([.,]0+)?\s*%?\s*$", re.IGNORECASE
)

MAX_TEXT = 3999
MAX_ATTACHMENTS = 150  # IS24 accepts at most 150 files per real estate
MAX_ATTACHMENT_TITLE = 30
MAX_EXTERNAL_ID = 50


@dataclass
class MappingProblem:
    """Why a listing cannot go to IS24: an English template (translated when shown)."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in English, for logs and as the stored fallback."""
        return str(self.template).format(**{k: str(v) for k, v in self.params.items()})

    def detail(self) -> dict:
        return {
            "template": str(self.template),
            "params": {k: str(v) for k, v in self.params.items()},
        }


@dataclass
class MappedListing:
    """A listing as an IS24 real estate, or the problems that stop it from being one."""

    realestate_type: str | None
    payload: dict | None
    problems: list[MappingProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.payload is not None and not self.problems

    @property
    def external_id(self) -> str | None:
        if not self.payload:
            return None
        return next(iter(self.payload.values())).get("externalId")

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.payload) if self.payload else ""


def payload_hash(payload: dict) -> str:
    """SHA-256 of the canonical JSON of a payload: equal hashes, equal listing on IS24."""
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def canonical_json(payload: dict) -> str:
    # Key order is meaningful for IS24 (element order), so it is kept, not sorted.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# --- values -------------------------------------------------------------------------------
def _num(value) -> int | float | None:
    """A JSON number: whole numbers as int (``100`` not ``100.0``), else float."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _int(value) -> int | None:
    return None if value is None else int(Decimal(value))


def _bool(value) -> str | None:
    return None if value is None else ("true" if value else "false")


def _text(value, limit: int) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _euro_text(value) -> str:
    return f"{Decimal(value):.2f}".replace(".", ",") + " EUR"


def _label(name: str):
    spec = FIELDS_BY_NAME.get(name)
    return spec.label if spec and spec.label else name


# --- the type -----------------------------------------------------------------------------
def realestate_type(listing) -> tuple[str | None, MappingProblem | None]:
    """The IS24 real-estate type for a listing's objektart and vermarktungsart."""
    art = (listing.objektart or "").lower()
    vermarktung = (listing.vermarktungsart or "").upper()
    buy = vermarktung == "KAUF"
    rent = vermarktung == "MIETE_PACHT"
    if not art:
        return None, MappingProblem(
            "UNSUPPORTED_TYPE",
            _("The listing has no property type (objektart); IS24 needs one."),
        )
    if not (buy or rent):
        return None, MappingProblem(
            "UNSUPPORTED_TYPE",
            _(
                "IS24 sync handles purchase (KAUF) and rent (MIETE_PACHT) only, not "
                "vermarktungsart {vermarktungsart}."
            ),
            {"vermarktungsart": listing.vermarktungsart or "-"},
        )
    if art == "wohnung":
        return ("apartmentBuy" if buy else "apartmentRent"), None
    if art == "haus":
        return ("houseBuy" if buy else "houseRent"), None
    if art == "buero_praxen":
        return "office", None
    if art == "grundstueck":
        typ = (listing.objektart_typ or "").upper()
        if typ in TRADE_SITES or (listing.nutzungsart or "").upper() == "GEWERBE":
            return "tradeSite", None
        return ("livingBuySite" if buy else "livingRentSite"), None
    return None, MappingProblem(
        "UNSUPPORTED_TYPE",
        _("IS24 sync does not handle the property type {objektart} yet."),
        {"objektart": art},
    )


# --- the payload --------------------------------------------------------------------------
def map_listing(listing) -> MappedListing:
    """The IS24 payload of ``listing`` (a ``ListingPage``), or why there is none."""
    kind, problem = realestate_type(listing)
    if problem:
        return MappedListing(None, None, [problem])
    problems = _missing(listing, kind)
    courtage, courtage_problem = _courtage(listing)
    if courtage_problem:
        problems.append(courtage_problem)
    if problems:
        return MappedListing(kind, None, problems)

    values = _common_values(listing)
    values["courtage"] = courtage
    if kind.startswith(("apartment", "house")):
        values.update(_living_values(listing, kind))
    elif kind == "office":
        values.update(_office_values(listing))
    else:
        values.update(_site_values(listing, kind))
    body = {name: values[name] for name in ORDER[kind] if values.get(name) is not None}
    return MappedListing(kind, {f"realestates.{kind}": body})


def _missing(listing, kind: str) -> list[MappingProblem]:
    problems = []
    if not (listing.objektnr_extern or "").strip():
        problems.append(
            MappingProblem(
                "MISSING_FIELD",
                _("{label} is missing; IS24 identifies the listing by it (externalId)."),
                {"label": _label("objektnr_extern"), "field": "objektnr_extern"},
            )
        )
    for name in REQUIRED[kind]:
        value = getattr(listing, name, None)
        if name == "kaltmiete":
            value = listing.kaltmiete if listing.kaltmiete is not None else (listing.nettokaltmiete)
        if value is None or value == "":
            problems.append(
                MappingProblem(
                    "MISSING_FIELD",
                    _("{label} is required by IS24 for {type} but missing."),
                    {"label": _label(name), "type": kind, "field": name},
                )
            )
    if kind in ("office", "tradeSite") and _price_value(listing) is None:
        problems.append(
            MappingProblem(
                "MISSING_FIELD",
                _("{label} is required by IS24 for {type} but missing."),
                {
                    "label": _label("kaufpreis" if listing.is_purchase else "kaltmiete"),
                    "type": kind,
                    "field": "kaufpreis" if listing.is_purchase else "kaltmiete",
                },
            )
        )
    return problems


def commission_label(listing) -> str:
    """The name of ``aussen_courtage`` for the listing's marketing type.

    OpenImmo's ``aussen_courtage`` is what the customer pays: the buyer of a property for
    sale, the tenant of one to let. A rental has no buyer's commission.
    """
    if listing.is_purchase:
        return _label("aussen_courtage")  # "Buyer's commission"
    if (listing.vermarktungsart or "").upper() in ("MIETE_PACHT", "ERBPACHT", "LEASING"):
        return _("Tenant's commission")
    return _("Commission")


def _courtage(listing) -> tuple[dict | None, MappingProblem | None]:
    """IS24's required commission block from ``aussen_courtage``/``provisionspflichtig``."""
    text = (listing.aussen_courtage or "").strip()
    note = _text(listing.courtage_hinweis, 1800)
    if text and not NO_COURTAGE.search(text):
        block = {"hasCourtage": "YES", "courtage": _text(text, 100)}
    elif text or listing.provisionspflichtig is False:
        block = {"hasCourtage": "NO"}
    else:
        return None, MappingProblem(
            "MISSING_FIELD",
            _("{label} is required by IS24 (say whether a commission is payable) but missing."),
            {"label": commission_label(listing), "field": "aussen_courtage"},
        )
    if note:
        block["courtageNote"] = note
    return block, None


def _common_values(listing) -> dict[str, Any]:
    address = {
        "street": _text(listing.strasse, 100),
        "houseNumber": _text(listing.hausnummer, 30),
        "postcode": _text(listing.plz, 20),
        "city": _text(listing.ort, 50),
    }
    if listing.land and listing.bundesland and len(listing.land) == 3:
        address["internationalCountryRegion"] = {
            "country": listing.land.upper(),
            "region": _text(listing.bundesland, 100),
        }
    if listing.breitengrad is not None and listing.laengengrad is not None:
        address["wgs84Coordinate"] = {
            "latitude": _num(listing.breitengrad),
            "longitude": _num(listing.laengengrad),
        }
    return {
        "externalId": listing.objektnr_extern.strip(),
        "title": _text(listing.title, 100),
        "address": {k: v for k, v in address.items() if v is not None},
        "descriptionNote": _text(listing.objektbeschreibung, MAX_TEXT),
        "furnishingNote": _text(listing.ausstatt_beschr, MAX_TEXT),
        "locationNote": _text(listing.lage, MAX_TEXT),
        "otherNote": _text(listing.sonstige_angaben, MAX_TEXT),
        "showAddress": _bool(bool(listing.objektadresse_freigeben)),
        "condition": CONDITIONS.get((listing.zustand or "").upper()),
        "constructionYear": listing.baujahr
        if listing.baujahr and 0 < listing.baujahr <= 9999
        else None,
        "freeFrom": _free_from(listing),
        "numberOfParkingSpaces": _int(listing.anzahl_stellplaetze),
        **_energy_values(listing),
    }


def _free_from(listing) -> str | None:
    if listing.verfuegbar_ab:
        return _text(listing.verfuegbar_ab, 50)
    if isinstance(listing.abdatum, dt.date):
        return listing.abdatum.strftime("%d.%m.%Y")
    return None


def _energy_values(listing) -> dict[str, Any]:
    epart = (listing.epass_epart or "").upper()
    if not epart and not listing.epass_wertklasse:
        return {}
    certificate = {
        "energyCertificateAvailability": {
            "BEDARF": "AVAILABLE",
            "VERBRAUCH": "AVAILABLE",
            "AB_MAI_2014": "AVAILABLE",
            "OHNE_ENERGIEPASS": "NOT_AVAILABLE_YET",
            "NICHT_NOETIG": "NOT_REQUIRED",
        }.get(epart),
        "energyCertificateCreationDate": _certificate_date(listing),
        "energyEfficiencyClass": listing.epass_wertklasse
        if listing.epass_wertklasse in EFFICIENCY_CLASSES
        else None,
    }
    values: dict[str, Any] = {
        "energyCertificate": {k: v for k, v in certificate.items() if v} or None,
    }
    if epart in ("BEDARF", "VERBRAUCH"):
        values["buildingEnergyRatingType"] = (
            "ENERGY_REQUIRED" if epart == "BEDARF" else "ENERGY_CONSUMPTION"
        )
        value = (
            listing.epass_endenergiebedarf
            if epart == "BEDARF"
            else listing.epass_energieverbrauchkennwert
        )
        values["thermalCharacteristic"] = _num(value)
        if listing.epass_mitwarmwasser:
            values["energyConsumptionContainsWarmWater"] = "YES"
    source = ENERGY_SOURCES.get((listing.epass_primaerenergietraeger or "").upper())
    if source:
        values["energySourcesEnev2014"] = {"energySourceEnev2014": [source]}
    return values


def _certificate_date(listing) -> str | None:
    jahrgang = (listing.epass_jahrgang or "").strip()
    if jahrgang == "2014":
        return "FROM_01_MAY_2014"
    if jahrgang == "2008":
        return "BEFORE_01_MAY_2014"
    if isinstance(listing.epass_ausstelldatum, dt.date):
        return (
            "FROM_01_MAY_2014"
            if listing.epass_ausstelldatum >= dt.date(2014, 5, 1)
            else "BEFORE_01_MAY_2014"
        )
    return None


def _base_rent(listing):
    return listing.kaltmiete if listing.kaltmiete is not None else listing.nettokaltmiete


def _price_value(listing):
    return listing.kaufpreis if listing.is_purchase else _base_rent(listing)


def _price(listing) -> dict | None:
    value = _price_value(listing)
    if value is None:
        return None
    if listing.is_purchase:
        return {
            "value": _num(value),
            "currency": "EUR",
            "marketingType": "PURCHASE",
            "priceIntervalType": "ONE_TIME_CHARGE",
        }
    return {
        "value": _num(value),
        "currency": "EUR",
        "marketingType": "RENT",
        "priceIntervalType": "MONTH",
    }


def _living_values(listing, kind: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "livingSpace": _num(listing.wohnflaeche),
        "numberOfRooms": _num(listing.anzahl_zimmer),
        "usableFloorSpace": _num(listing.nutzflaeche),
        "numberOfBedRooms": _int(listing.anzahl_schlafzimmer),
        "numberOfBathRooms": _int(listing.anzahl_badezimmer),
    }
    if kind.startswith("apartment"):
        values["apartmentType"] = APARTMENT_TYPES.get(
            (listing.objektart_typ or "").upper(), "NO_INFORMATION"
        )
        values["floor"] = listing.etage
    else:
        values["buildingType"] = BUILDING_TYPES.get(
            (listing.objektart_typ or "").upper(),
            "OTHER" if listing.objektart_typ else "NO_INFORMATION",
        )
        values["plotArea"] = _num(listing.grundstuecksflaeche)
    if kind.endswith("Rent"):
        values.update(
            {
                "baseRent": _num(_base_rent(listing)),
                "totalRent": _num(listing.warmmiete),
                "serviceCharge": _num(listing.nebenkosten),
                "deposit": _text(listing.kaution_text, 50)
                or (_euro_text(listing.kaution) if listing.kaution is not None else None),
                "heatingCosts": _num(listing.heizkosten),
                "heatingCostsInServiceCharge": None
                if listing.heizkosten_enthalten is None
                else ("YES" if listing.heizkosten_enthalten else "NO"),
            }
        )
    else:
        values["price"] = _price(listing)
        if kind == "apartmentBuy":
            values["serviceCharge"] = _num(listing.hausgeld)  # the monthly Hausgeld
    return values


def _office_values(listing) -> dict[str, Any]:
    return {
        "officeType": OFFICE_TYPES.get((listing.objektart_typ or "").upper(), "OFFICE"),
        "deposit": _text(listing.kaution_text, 50)
        or (_euro_text(listing.kaution) if listing.kaution is not None else None),
        "commercializationType": "BUY" if listing.is_purchase else "RENT",
        "price": _price(listing),
        "totalFloorSpace": _num(
            listing.gesamtflaeche if listing.gesamtflaeche is not None else listing.nutzflaeche
        ),
        "netFloorSpace": _num(listing.nutzflaeche),
    }


def _site_values(listing, kind: str) -> dict[str, Any]:
    values = {
        "commercializationType": "BUY" if listing.is_purchase else "RENT",
        "price": _price(listing),
        "plotArea": _num(listing.grundstuecksflaeche),
    }
    if kind == "tradeSite":
        values["utilizationTradeSite"] = TRADE_SITES.get(
            (listing.objektart_typ or "").upper(), "TRADE"
        )
    return values


# --- attachments --------------------------------------------------------------------------
@dataclass
class DesiredAttachment:
    """A picture or PDF of the listing as it should be on IS24."""

    attachment: Any  # the ListingAttachment
    external_id: str
    checksum: str
    alt_checksums: tuple[str, ...]
    title: str
    is_title: bool
    floorplan: bool
    kind: str  # "picture" or "pdf"
    file_name: str

    def metadata(self) -> dict:
        return attachment_metadata(
            kind=self.kind,
            title=self.title,
            external_id=self.external_id,
            checksum=self.checksum,
            is_title=self.is_title,
            floorplan=self.floorplan,
        )

    @property
    def metadata_hash(self) -> str:
        return payload_hash(self.metadata())

    def matches(self, checksum: str | None) -> bool:
        checksum = (checksum or "").lower()
        return bool(checksum) and (checksum == self.checksum or checksum in self.alt_checksums)


def attachment_metadata(
    *,
    kind: str,
    title: str,
    external_id: str,
    checksum: str,
    is_title: bool = False,
    floorplan: bool = False,
) -> dict:
    """The ``common.attachment`` metadata of an upload (and of a metadata PUT)."""
    body: dict[str, Any] = {
        "@xsi.type": "common:Picture" if kind == "picture" else "common:PDFDocument"
    }
    if title:
        body["title"] = _text(title, MAX_ATTACHMENT_TITLE)
    body["externalId"] = external_id[:MAX_EXTERNAL_ID]
    body["externalCheckSum"] = checksum
    body["floorplan"] = _bool(floorplan)
    if kind == "picture":
        body["titlePicture"] = _bool(is_title)
    return {"common.attachment": body}


def _file_checksums(attachment) -> tuple[str, tuple[str, ...]]:
    """(checksum, other known checksums such as the MD5) of an attachment's file.

    The importer's SHA-256 (``content_hash``) when there is one, else the SHA-1 Wagtail keeps
    of every image and document (``file_hash``, computed once and stored by Wagtail).
    """
    others = tuple(c.lower() for c in (attachment.md5,) if c)
    if attachment.content_hash:
        return attachment.content_hash.lower(), others
    media = attachment.image if attachment.kind == "image" else attachment.document
    return media.get_file_hash().lower(), others


def desired_attachments(listing) -> list[DesiredAttachment]:
    """The pictures (and PDF documents) of a listing in IS24's order: title picture first.

    The title picture is the first in the OpenImmo group TITELBILD, else the first picture;
    floor plans (GRUNDRISS) are marked as such. Identical files are sent once.
    """
    rows = list(listing.attachments.all())
    pictures = [a for a in rows if a.kind == "image" and a.image_id]
    documents = [
        a
        for a in rows
        if a.kind == "document"
        and a.document_id
        and (a.document.file.name or "").lower().endswith(".pdf")
    ]
    title_row = next(
        (a for a in pictures if (a.gruppe or "").upper() == "TITELBILD"),
        pictures[0] if pictures else None,
    )
    ordered = ([title_row] if title_row else []) + [a for a in pictures if a is not title_row]
    desired, seen = [], set()
    for row in [*ordered, *documents][:MAX_ATTACHMENTS]:
        checksum, others = _file_checksums(row)
        if checksum in seen:
            continue
        seen.add(checksum)
        media = row.image if row.kind == "image" else row.document
        file_name = row.file_name or (media.file.name or "").rsplit("/", 1)[-1]
        desired.append(
            DesiredAttachment(
                attachment=row,
                external_id=f"wo-{row.pk}",
                checksum=checksum,
                alt_checksums=others,
                title=row.titel or "",
                is_title=row is title_row,
                floorplan=(row.gruppe or "").upper() == "GRUNDRISS",
                kind="picture" if row.kind == "image" else "pdf",
                file_name=file_name,
            )
        )
    return desired


def attachments_hash(desired: list[DesiredAttachment]) -> str:
    """Hash of the attachment list as IS24 should show it (files, metadata, order)."""
    return hashlib.sha256(
        json.dumps([[d.checksum, d.metadata_hash] for d in desired]).encode()
    ).hexdigest()


# --- the other payloads -------------------------------------------------------------------
def publish_payload(is24_id: str, channel_id: int) -> dict:
    return {
        "common.publishObject": {
            "realEstate": {"@id": str(is24_id)},
            "publishChannel": {"@id": int(channel_id)},
        }
    }


def attachments_order_payload(attachment_ids: list[str]) -> dict:
    return {
        "attachmentsorder.attachmentsorder": {
            "@xmlns": {"attachmentsorder": NAMESPACES["attachmentsorder"]},
            "attachmentId": [str(i) for i in attachment_ids],
        }
    }


# --- JSON → XML -----------------------------------------------------------------------------
def to_xml(payload: dict) -> bytes:
    """The XML document equivalent to an IS24 JSON payload (for validation and debugging)."""
    ((root_key, body),) = payload.items()
    prefix, _sep, name = root_key.partition(".")
    root = etree.Element(
        f"{{{NAMESPACES[prefix]}}}{name}",
        nsmap={prefix: NAMESPACES[prefix], "xsi": NAMESPACES["xsi"]},
    )
    _fill(root, body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _qualified(name: str) -> str:
    prefix, sep, local = name.partition(".")
    if sep and prefix in NAMESPACES:
        return f"{{{NAMESPACES[prefix]}}}{local}"
    return name


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element, body) -> None:
    if not isinstance(body, dict):
        element.text = _scalar(body)
        return
    for key, value in body.items():
        if key == "@xmlns":
            continue
        if key.startswith("@"):
            element.set(_qualified(key[1:]), _scalar(value))
            continue
        for item in value if isinstance(value, list) else [value]:
            _fill(etree.SubElement(element, _qualified(key)), item)

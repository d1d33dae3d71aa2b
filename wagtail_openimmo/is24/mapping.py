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

from ..openimmo.features import features
from ..openimmo.fields import FIELDS_BY_NAME, OBJEKTARTEN
from ..openimmo.tree import find
from ..openimmo.values import parse_bool

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
    "contact",
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

GARAGE_INFORMATION = (
    "garageType",
    "constructionYear",
    "lengthGarage",
    "widthGarage",
    "heightGarage",
    "condition",
    "lastRefurbishment",
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
    "garageRent": HEAD
    + ("price", "usableFloorSpace", "courtage", "freeFrom", "freeUntil")
    + GARAGE_INFORMATION,
    "garageBuy": HEAD + ("price", "usableFloorSpace", "courtage") + GARAGE_INFORMATION,
    "store": HEAD
    + (
        "storeType",
        "locationClassificationType",
        "areaDivisibleFrom",
        "shopWindowLength",
        "listed",
        "lift",
        "goodsLift",
        "goodsLiftLoad",
        "floorLoad",
        "ramp",
        "cellar",
        "supplyType",
        "flooringType",
        "deposit",
        "energyCertificate",
    )
    + BASE_COMMERCIAL
    + COMMERCIAL_INFORMATION,
    "gastronomy": HEAD
    + (
        "gastronomyType",
        "listed",
        "lift",
        "terrace",
        "numberSeats",
        "numberBeds",
        "cellar",
        "deposit",
        "energyCertificate",
    )
    + BASE_COMMERCIAL
    + COMMERCIAL_INFORMATION,
    "industry": HEAD
    + (
        "industryType",
        "areaDivisibleFrom",
        "plotArea",
        "hallHeight",
        "flooringType",
        "ramp",
        "lift",
        "autoLift",
        "goodsLift",
        "goodsLiftLoad",
        "craneRunway",
        "craneRunwayLoad",
        "floorLoad",
        "connectedLoad",
        "deposit",
        "energyCertificate",
    )
    + BASE_COMMERCIAL
    + COMMERCIAL_INFORMATION,
    "specialPurpose": HEAD
    + (
        "specialPurposePropertyType",
        "areaDivisibleFrom",
        "plotArea",
        "listed",
        "lift",
        "basement",
        "flooringType",
        "deposit",
        "energyCertificate",
    )
    + BASE_COMMERCIAL
    + COMMERCIAL_INFORMATION,
    "investment": HEAD
    + (
        "price",
        "industrialArea",
        "plotArea",
        "netFloorSpace",
        "investmentType",
        "energyPerformanceCertificate",
        "courtage",
        "totalFloorSpace",
        "livingSpace",
        "pricePerSQM",
        "priceMultiplier",
        "rentalIncomeActual",
        "rentalIncomeTarget",
        "otherCosts",
        "listed",
        "lift",
        "energyCertificate",
    )
    + COMMERCIAL_INFORMATION,
    # IS24's "Wohnen auf Zeit": one flat group, alphabetical in the XSD, then the base.
    "shortTermAccommodation": HEAD
    + (
        "baseRent",
        "buildingEnergyRatingType",
        "cellar",
        "condition",
        "deposit",
        "endRentalDate",
        "energyConsumptionContainsWarmWater",
        "firingTypes",
        "energySourcesEnev2014",
        "floor",
        "gender",
        "guestToilet",
        "handicappedAccessible",
        "hasFurniture",
        "heatingType",
        "heatingTypeEnev2014",
        "lift",
        "maxNumberOfPersons",
        "maxRentalTime",
        "minRentalTime",
        "numberOfFloors",
        "numberOfParkingSpaces",
        "parkingSpacePrice",
        "parkingSpaceType",
        "petsAllowed",
        "serviceCharge",
        "thermalCharacteristic",
        "totalRent",
        "constructionYear",
        "constructionYearUnknown",
        "energyCertificate",
        "price",
        "livingSpace",
        "numberOfRooms",
        "startRentalDate",
        "balcony",
        "garden",
        "nonSmoker",
        "shortTermAccomodationType",  # sic: IS24's spelling
        "courtage",
    ),
    "flatShareRoom": HEAD
    + (
        "roomSize",
        "flooringType",
        "numberOfRooms",
        "apartmentType",
        "cellar",
        "heatingType",
        "heatingTypeEnev2014",
        "barrierFree",
        "courtage",
        "energyCertificate",
        "energySourcesEnev2014",
        "buildingEnergyRatingType",
        "thermalCharacteristic",
        "energyConsumptionContainsWarmWater",
        "constructionYear",
        "constructionYearUnknown",
        "baseRent",
        "totalRent",
        "serviceCharge",
        "deposit",
        "heatingCosts",
        "heatingCostsInServiceCharge",
        "freeFrom",
        "freeUntil",
        "minimumTermOfLease",
        "totalSpace",
        "floor",
        "numberOfFloors",
        "numberOfBathRooms",
        "petsAllowed",
        "internetConnection",
        "smokingAllowed",
        "requestedGender",
        "furnishing",
        "tvConnection",
        "telephoneConnection",
        "parkingSituation",
        "flatShareSize",
    ),
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
    "garageRent": ("plz", "ort", "kaltmiete"),
    "garageBuy": ("plz", "ort", "kaufpreis"),
    # and a price (checked below) and an area, nutzflaeche or gesamtflaeche
    "store": ("plz", "ort"),
    "gastronomy": ("plz", "ort"),
    "industry": ("plz", "ort"),
    "specialPurpose": ("plz", "ort"),  # and a price
    "investment": ("plz", "ort", "kaufpreis"),
    "shortTermAccommodation": ("plz", "ort"),  # and a rent and a start date, checked below
    "flatShareRoom": ("plz", "ort", "kaltmiete", "wohnflaeche", "anzahl_zimmer"),
}
# Types whose price is kaufpreis or the rent, by vermarktungsart, and whose area is
# nutzflaeche or gesamtflaeche (IS24's commercial types).
COMMERCIAL = ("office", "store", "gastronomy", "industry", "specialPurpose")
NEEDS_AREA = ("store", "gastronomy", "industry")

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
# OpenImmo sub-types of the commercial kinds → IS24's enumerations.
STORE_TYPES = {
    "LADENLOKAL": "STORE",
    "EINZELHANDELSLADEN": "STORE",
    "VERBRAUCHERMARKT": "SELF_SERVICE_MARKET",
    "SB_MARKT": "SELF_SERVICE_MARKET",
    "EINKAUFSZENTRUM": "SHOPPING_CENTRE",
    "KAUFHAUS": "DEPARTMENT_STORE",
    "FACTORY_OUTLET": "FACTORY_OUTLET",
    "KIOSK": "KIOSK",
    "VERKAUFSFLAECHE": "SALES_AREA",
    "VERKAUFSHALLE": "SALES_HALL",
    "AUSSTELLUNGSFLAECHE": "SHOWROOM_SPACE",
}
GASTRONOMY_TYPES = {
    "GASTRONOMIE": "RESTAURANT",
    "GASTRONOMIE_UND_WOHNUNG": "RESTAURANT",
    "RESTAURANT": "RESTAURANT",
    "PENSIONEN": "PENSION",
    "HOTELS": "HOTEL",
    "HOTEL_GARNI": "HOTEL_GARNI",
    "WEITERE_BEHERBERGUNGSBETRIEBE": "GUESTS_HOUSE",
    "BAR": "BAR_LOUNGE",
    "CAFE": "CAFE",
    "DISCOTHEK": "CLUB_DISCO",
    "RAUCHERLOKAL": "TAVERN",
    "EINRAUMLOKAL": "TAVERN",
}
INDUSTRY_TYPES = {
    "HALLE": "HALL",
    "INDUSTRIEHALLE": "INDUSTRY_HALL",
    "PRODUKTION": "INDUSTRY_HALL",
    "LAGER": "STORAGE_HALL",
    "LAGERFLAECHEN": "STORAGE_AREA",
    "LAGER_MIT_FREIFLAECHE": "STORAGE_WITH_OPEN_AREA",
    "FREIFLAECHEN": "STORAGE_WITH_OPEN_AREA",
    "HOCHREGALLAGER": "HIGH_LACK_STORAGE",
    "SPEDITIONSLAGER": "SHIPPING_STORAGE",
    "KUEHLHAUS": "COLD_STORAGE",
    "WERKSTATT": "REPAIR_SHOP",
    "SERVICE": "SERVICE_AREA",
    "SERVICEFLAECHEN": "SERVICE_AREA",
    "AUSSTELLUNGSFLAECHE": "SHOWROOM_SPACE",
}
SPECIAL_PURPOSE_TYPES = {
    "land_und_forstwirtschaft": {
        "LANDWIRTSCHAFTLICHE_BETRIEBE": "FARM",
        "BAUERNHOF": "FARM",
        "AUSSIEDLERHOF": "FARM",
        "VIEHWIRTSCHAFT": "FARM",
        "REITERHOEFE": "HORSE_FARM",
        "WEINBAU": "VINEYARD",
        "ANWESEN": "RESIDENCE",
    },
    "freizeitimmobilie_gewerblich": {
        "SPORTANLAGEN": "LEISURE_FACILITY",
        "VERGNUEGUNGSPARKS_UND_CENTER": "LEISURE_FACILITY",
        "FREIZEITANLAGE": "LEISURE_FACILITY",
    },
    "sonstige": {
        "TANKSTELLE": "SPECIAL_ESTATE",
        "KRANKENHAUS": "SPECIAL_ESTATE",
        "GEWERBEPARK": "COMMERCIAL_CENTRE",
    },
}
# zinshaus_renditeobjekt@zins_typ → IS24's investment type; other kinds by objektart.
INVESTMENT_TYPES = {
    "MEHRFAMILIENHAUS": "MULTI_FAMILY_HOUSE",
    "WOHN_UND_GESCHAEFTSHAUS": "LIVING_BUSINESS_HOUSE",
    "GESCHAEFTSHAUS": "COMMERCIAL_BUILDING",
    "BUEROGEBAEUDE": "OFFICE_BUILDING",
    "SB_MAERKTE": "SUPERMARKET",
    "EINKAUFSCENTREN": "SHOPPING_CENTRE",
    "WOHNANLAGEN": "HOUSING_ESTATE",
    "VERBRAUCHERMAERKTE": "SUPERMARKET",
    "INDUSTRIEANLAGEN": "INDUSTRIAL_PROPERTY",
    "PFLEGEHEIM": "OTHER",
    "SANATORIUM": "OTHER",
    "SENIORENHEIM": "OTHER",
    "BETREUTES-WOHNEN": "OTHER",
    "EINFAMILIENHAUS": "SINGLE_FAMILY_HOUSE",
    "ZWEIFAMILIENHAUS": "MULTI_FAMILY_HOUSE",
}
INVESTMENT_BY_ART = {
    "wohnung": "FREEHOLD_FLAT",
    "buero_praxen": "OFFICE_BUILDING",
    "einzelhandel": "SHOP_SALES_FLOOR",
    "gastgewerbe": "RESTAURANT",
    "hallen_lager_prod": "HALL_STORAGE",
    "freizeitimmobilie_gewerblich": "LEISURE_FACILITY",
}
GARAGE_TYPES = {
    "EINZELGARAGE": "GARAGE",
    "DOPPELGARAGE": "GARAGE",
    "GARAGE": "GARAGE",
    "DUPLEX": "DUPLEX",
    "TIEFGARAGE": "UNDERGROUND_GARAGE",
    "TIEFGARAGENSTELLPLATZ": "UNDERGROUND_GARAGE",
    "PARKHAUS": "CAR_PARK",
    "CARPORT": "CARPORT",
    "STELLPLATZ": "STREET_PARKING",
    "AUSSENSTELLPLATZ": "STREET_PARKING",
    "PARKPLATZ_STROM": "STREET_PARKING",
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
# Kinds of property that a purchase with nutzungsart ANLAGE (an investment) turns into
# IS24's "investment" type; plots and parking keep their own types.
INVESTABLE = (
    "wohnung",
    "haus",
    "buero_praxen",
    "einzelhandel",
    "gastgewerbe",
    "hallen_lager_prod",
    "zinshaus_renditeobjekt",
    "freizeitimmobilie_gewerblich",
)
# land_und_forstwirtschaft sub-types that are land rather than buildings: a trade site
# used for agriculture or forestry. The others (farms, stables, estates) are special
# purpose properties.
AGRICULTURAL_LAND = {
    "ACKERBAU",
    "GARTENBAU",
    "JAGD_UND_FORSTWIRTSCHAFT",
    "JAGDREVIER",
    "TEICH_UND_FISCHWIRTSCHAFT",
}


def _problem_type(template: str, **params) -> tuple[None, MappingProblem]:
    return None, MappingProblem("UNSUPPORTED_TYPE", template, params)


def realestate_type(listing) -> tuple[str | None, MappingProblem | None]:
    """The IS24 real-estate type for a listing's objektart, vermarktungsart and nutzungsart.

    Every ``objektart`` OpenImmo knows has a type: ``nutzungsart`` WAZ ("Wohnen auf Zeit")
    makes a rented flat, house or room IS24's short-term accommodation, and ANLAGE makes a
    purchase an investment. Land for agriculture or forestry is a trade site; farms,
    leisure properties and other special properties are IS24's "special purpose" type.
    """
    art = (listing.objektart or "").lower()
    vermarktung = (listing.vermarktungsart or "").upper()
    nutzung = (listing.nutzungsart or "").upper()
    typ = (listing.objektart_typ or "").upper()
    buy = vermarktung == "KAUF"
    rent = vermarktung == "MIETE_PACHT"
    if not art:
        return _problem_type(_("The listing has no property type (objektart); IS24 needs one."))
    if not (buy or rent):
        return _problem_type(
            _(
                "IS24 sync handles purchase (KAUF) and rent (MIETE_PACHT) only, not "
                "vermarktungsart {vermarktungsart}."
            ),
            vermarktungsart=listing.vermarktungsart or "-",
        )
    if rent and nutzung == "WAZ" and art in ("wohnung", "haus", "zimmer"):
        return "shortTermAccommodation", None
    if buy and nutzung == "ANLAGE" and art in INVESTABLE:
        return "investment", None
    if art == "wohnung":
        return ("apartmentBuy" if buy else "apartmentRent"), None
    if art == "haus":
        return ("houseBuy" if buy else "houseRent"), None
    if art == "zimmer":
        if rent:
            return "flatShareRoom", None
        return _problem_type(
            _(
                "IS24 lists single rooms for rent only (as a room in a shared flat); a room "
                "for sale cannot go to IS24. Send it as a wohnung."
            )
        )
    if art == "buero_praxen":
        return "office", None
    if art == "grundstueck":
        if typ in TRADE_SITES or nutzung == "GEWERBE":
            return "tradeSite", None
        return ("livingBuySite" if buy else "livingRentSite"), None
    if art == "parken" or (art == "sonstige" and typ == "PARKHAUS"):
        return ("garageBuy" if buy else "garageRent"), None
    if art == "einzelhandel":
        return "store", None
    if art == "gastgewerbe":
        return "gastronomy", None
    if art == "hallen_lager_prod":
        return "industry", None
    if art == "zinshaus_renditeobjekt":
        if buy:
            return "investment", None
        return _problem_type(
            _(
                "IS24 lists investment properties (zinshaus_renditeobjekt) for purchase "
                "only; send vermarktungsart KAUF."
            )
        )
    if art == "land_und_forstwirtschaft" and typ in AGRICULTURAL_LAND:
        return "tradeSite", None
    if art in ("land_und_forstwirtschaft", "freizeitimmobilie_gewerblich", "sonstige"):
        return "specialPurpose", None
    return _problem_type(
        _("IS24 sync does not handle the property type {objektart} yet."), objektart=art
    )


# --- the payload --------------------------------------------------------------------------
def map_listing(listing, *, contact_external_id: str | None = None) -> MappedListing:
    """The IS24 payload of ``listing`` (a ``ListingPage``), or why there is none.

    ``contact_external_id``: the IS24 contact (see ``contact_of``) the listing names; None
    leaves IS24's account default.
    """
    kind, problem = realestate_type(listing)
    if problem:
        return MappedListing(None, None, [problem])
    problems = _missing(listing, kind)
    courtage, courtage_problem = _courtage(listing)
    if courtage_problem:
        problems.append(courtage_problem)
    values: dict[str, Any] = {}
    if not problems:
        values = _common_values(listing)
        values["courtage"] = courtage
        if contact_external_id:
            values["contact"] = {"@externalId": contact_external_id}
        builder = VALUE_BUILDERS[kind]
        values.update(builder(listing, kind, problems))
    if problems:
        return MappedListing(kind, None, problems)
    body = {name: values[name] for name in ORDER[kind] if values.get(name) is not None}
    return MappedListing(kind, {f"realestates.{kind}": body})


MISSING = _("{label} is required by IS24 for {type} but missing; send <{element}> in the file.")


def missing(name: str, kind: str, *, element: str | None = None) -> MappingProblem:
    """A required IS24 field without its OpenImmo source ``name`` (a column or an element)."""
    spec = FIELDS_BY_NAME.get(name)
    return MappingProblem(
        "MISSING_FIELD",
        MISSING,
        {
            "label": _label(name),
            "type": kind,
            "field": name,
            "element": element or (spec.path if spec else name),
        },
    )


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
            value = _base_rent(listing)
        if value is None or value == "":
            problems.append(missing(name, kind))
    if kind in (*COMMERCIAL, "tradeSite") and _price_value(listing) is None:
        problems.append(missing("kaufpreis" if listing.is_purchase else "kaltmiete", kind))
    if kind == "shortTermAccommodation" and _short_term_rent(listing) is None:
        problems.append(missing("warmmiete", kind))
    if kind in NEEDS_AREA and listing.nutzflaeche is None and listing.gesamtflaeche is None:
        problems.append(missing("nutzflaeche", kind))
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
        "constructionYear": _construction_year(listing),
        "freeFrom": _free_from(listing),
        "numberOfParkingSpaces": _int(listing.anzahl_stellplaetze),
        **_energy_values(listing),
    }


def _construction_year(listing) -> int | None:
    """``baujahr``, else the building year the energy certificate names."""
    if listing.baujahr and 0 < listing.baujahr <= 9999:
        return listing.baujahr
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", listing.epass_baujahr or "")
    return int(match.group(1)) if match else None


def _free_from(listing) -> str | None:
    if listing.verfuegbar_ab:
        return _text(listing.verfuegbar_ab, 50)
    if isinstance(listing.abdatum, dt.date):
        return listing.abdatum.strftime("%d.%m.%Y")
    return None


def _date(listing) -> dt.date | None:
    """The date a property is free from: ``abdatum``, else ``verfuegbar_ab`` if it is one."""
    if isinstance(listing.abdatum, dt.date):
        return listing.abdatum
    text = (listing.verfuegbar_ab or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _iso_date(listing) -> str | None:
    day = _date(listing)
    return day.isoformat() if day else None


# OpenImmo's energiepass/epart (and a wertklasse of NICHT_NOETIG/OHNE) → IS24's availability.
AVAILABILITY = {
    "BEDARF": "AVAILABLE",
    "VERBRAUCH": "AVAILABLE",
    "AB_MAI_2014": "AVAILABLE",
    "OHNE_ENERGIEPASS": "NOT_AVAILABLE_YET",
    "OHNE": "NOT_AVAILABLE_YET",
    "NICHT_NOETIG": "NOT_REQUIRED",
}
# ausstattung/heizungsart flags → IS24's heating type (EnEV 2014 list), first match wins.
HEATING_TYPES = {
    "FERN": "DISTRICT_HEATING",
    "FUSSBODEN": "FLOOR_HEATING",
    "ZENTRAL": "CENTRAL_HEATING",
    "ETAGE": "SELF_CONTAINED_CENTRAL_HEATING",
    "OFEN": "STOVE_HEATING",
}
# ausstattung/befeuerung flags → energy sources, when the certificate names none.
FIRING_SOURCES = {
    **ENERGY_SOURCES,
    "ALTERNATIV": "BIO_ENERGY",
    "WASSER-ELEKTRO": "HYDRO_ENERGY",
}
# The kinds IS24 refuses without energy certificate information (GEG: flats and houses).
NEEDS_CERTIFICATE = ("apartmentRent", "apartmentBuy", "houseRent", "houseBuy")


def _availability(listing) -> str | None:
    epart = (listing.epass_epart or "").upper()
    klasse = (listing.epass_wertklasse or "").upper()
    return (
        AVAILABILITY.get(epart)
        or AVAILABILITY.get(klasse)
        or ("AVAILABLE" if klasse in EFFICIENCY_CLASSES else None)
    )


def _amenities(listing) -> list[tuple[str, str | None]]:
    return features(getattr(listing, "openimmo_data", None) or {})


def _energy_values(listing) -> dict[str, Any]:
    """The energy certificate and the heating, as IS24 wants them since EnEV 2014.

    ``energyCertificate`` carries the availability (available, "not yet available",
    "not required"), the regulation it was issued under and the efficiency class; the value
    (``thermalCharacteristic``) with its kind (demand or consumption), the main energy
    sources, the heating type and the building year sit beside it.
    """
    availability = _availability(listing)
    amenities = _amenities(listing)
    values: dict[str, Any] = {}
    heating = next(
        (HEATING_TYPES[v] for code, v in amenities if code == "heizungsart" and v in HEATING_TYPES),
        None,
    )
    if heating:
        values["heatingTypeEnev2014"] = heating
    sources = []
    primary = ENERGY_SOURCES.get((listing.epass_primaerenergietraeger or "").upper())
    if primary:
        sources.append(primary)
    for code, value in amenities:
        source = FIRING_SOURCES.get(value or "") if code == "befeuerung" else None
        if source and source not in sources:
            sources.append(source)
    if sources:
        values["energySourcesEnev2014"] = {"energySourceEnev2014": sources[:25]}
    if availability is None:
        return values
    available = availability == "AVAILABLE"
    klasse = listing.epass_wertklasse if listing.epass_wertklasse in EFFICIENCY_CLASSES else None
    certificate = {
        "energyCertificateAvailability": availability,
        "energyCertificateCreationDate": _certificate_date(listing) if available else None,
        "energyEfficiencyClass": klasse if available else None,
    }
    values["energyCertificate"] = {k: v for k, v in certificate.items() if v}
    values["energyPerformanceCertificate"] = _bool(available)
    epart = (listing.epass_epart or "").upper()
    if available and epart in ("BEDARF", "VERBRAUCH"):
        values["buildingEnergyRatingType"] = (
            "ENERGY_REQUIRED" if epart == "BEDARF" else "ENERGY_CONSUMPTION"
        )
        value = (
            listing.epass_endenergiebedarf
            if epart == "BEDARF"
            else listing.epass_energieverbrauchkennwert
        )
        if value is not None and 0 <= value <= Decimal("1999.99"):
            values["thermalCharacteristic"] = _num(value)
        if listing.epass_mitwarmwasser:
            values["energyConsumptionContainsWarmWater"] = "YES"
    return values


def _certificate_date(listing) -> str | None:
    jahrgang = (listing.epass_jahrgang or "").strip()
    if jahrgang == "2014" or (listing.epass_epart or "").upper() == "AB_MAI_2014":
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


def _short_term_rent(listing):
    """The monthly rent of a short-term let: all-in (warmmiete) if given, else the base rent."""
    return listing.warmmiete if listing.warmmiete is not None else _base_rent(listing)


def _money(value, marketing: str, interval: str) -> dict:
    return {
        "value": _num(value),
        "currency": "EUR",
        "marketingType": marketing,
        "priceIntervalType": interval,
    }


def _price(listing) -> dict | None:
    value = _price_value(listing)
    if value is None:
        return None
    if listing.is_purchase:
        return _money(value, "PURCHASE", "ONE_TIME_CHARGE")
    return _money(value, "RENT", "MONTH")


def _deposit(listing) -> str | None:
    return _text(listing.kaution_text, 50) or (
        _euro_text(listing.kaution) if listing.kaution is not None else None
    )


def _subtype(listing, table: dict[str, str], default: str | None) -> str | None:
    return table.get((listing.objektart_typ or "").upper(), default)


def _subtype_element(listing) -> str:
    """Where OpenImmo carries the listing's sub-type, e.g. ``…/gastgewerbe@gastgew_typ``."""
    art = (listing.objektart or "").lower()
    return f"objektkategorie/objektart/{art}@{OBJEKTARTEN.get(art, 'typ')}"


def _living_values(listing, kind: str, problems: list) -> dict[str, Any]:
    values: dict[str, Any] = {
        "livingSpace": _num(listing.wohnflaeche),
        "numberOfRooms": _num(listing.anzahl_zimmer),
        "usableFloorSpace": _num(listing.nutzflaeche),
        "numberOfBedRooms": _int(listing.anzahl_schlafzimmer),
        "numberOfBathRooms": _int(listing.anzahl_badezimmer),
    }
    if _availability(listing) is None:
        problems.append(missing("epass_epart", kind, element="zustand_angaben/energiepass/epart"))
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
                "deposit": _deposit(listing),
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


def _commercial_values(listing) -> dict[str, Any]:
    """What IS24's commercial types share: price, areas, deposit."""
    return {
        "deposit": _deposit(listing),
        "commercializationType": "BUY" if listing.is_purchase else "RENT",
        "price": _price(listing),
        "totalFloorSpace": _num(
            listing.gesamtflaeche if listing.gesamtflaeche is not None else listing.nutzflaeche
        ),
        "netFloorSpace": _num(listing.nutzflaeche),
    }


def _office_values(listing, kind: str, problems: list) -> dict[str, Any]:
    return {
        "officeType": OFFICE_TYPES.get((listing.objektart_typ or "").upper(), "OFFICE"),
        **_commercial_values(listing),
    }


def _store_values(listing, kind: str, problems: list) -> dict[str, Any]:
    return {"storeType": _subtype(listing, STORE_TYPES, None), **_commercial_values(listing)}


def _gastronomy_values(listing, kind: str, problems: list) -> dict[str, Any]:
    gastronomy = _subtype(listing, GASTRONOMY_TYPES, None)
    if gastronomy is None:
        # IS24 needs the kind of business and has no "unknown" value for it.
        problems.append(
            MappingProblem(
                "MISSING_FIELD",
                _(
                    "IS24 needs the kind of business for {type} (restaurant, hotel, bar …): "
                    "send <{element}> with one of {values}."
                ),
                {
                    "type": kind,
                    "field": "objektart_typ",
                    "element": _subtype_element(listing),
                    "values": ", ".join(sorted(GASTRONOMY_TYPES)),
                },
            )
        )
    return {"gastronomyType": gastronomy, **_commercial_values(listing)}


def _industry_values(listing, kind: str, problems: list) -> dict[str, Any]:
    return {
        "industryType": _subtype(listing, INDUSTRY_TYPES, "HALL"),
        "plotArea": _num(listing.grundstuecksflaeche),
        **_commercial_values(listing),
    }


def _special_values(listing, kind: str, problems: list) -> dict[str, Any]:
    art = (listing.objektart or "").lower()
    table = SPECIAL_PURPOSE_TYPES.get(art, {})
    default = "LEISURE_FACILITY" if art == "freizeitimmobilie_gewerblich" else "SPECIAL_ESTATE"
    if art == "land_und_forstwirtschaft":
        default = "FARM"
    return {
        "specialPurposePropertyType": _subtype(listing, table, default),
        "plotArea": _num(listing.grundstuecksflaeche),
        **_commercial_values(listing),
    }


def _investment_values(listing, kind: str, problems: list) -> dict[str, Any]:
    art = (listing.objektart or "").lower()
    investment = INVESTMENT_TYPES.get((listing.objektart_typ or "").upper()) or (
        INVESTMENT_BY_ART.get(art, "OTHER")
    )
    if art == "haus" and investment == "OTHER":
        investment = "SINGLE_FAMILY_HOUSE"
    return {
        "price": _price(listing),
        "plotArea": _num(listing.grundstuecksflaeche),
        "netFloorSpace": _num(listing.nutzflaeche),
        "investmentType": investment,
        "totalFloorSpace": _num(listing.gesamtflaeche),
        "livingSpace": _num(listing.wohnflaeche),
    }


def _site_values(listing, kind: str, problems: list) -> dict[str, Any]:
    values = {
        "commercializationType": "BUY" if listing.is_purchase else "RENT",
        "price": _price(listing),
        "plotArea": _num(listing.grundstuecksflaeche),
    }
    if kind == "tradeSite":
        if (listing.objektart or "").lower() == "land_und_forstwirtschaft":
            values["utilizationTradeSite"] = "AGRICULTURE_FORESTRY"
        else:
            values["utilizationTradeSite"] = TRADE_SITES.get(
                (listing.objektart_typ or "").upper(), "TRADE"
            )
    return values


def _garage_values(listing, kind: str, problems: list) -> dict[str, Any]:
    return {
        "price": _price(listing),
        "usableFloorSpace": _num(listing.nutzflaeche),
        "freeFrom": _iso_date(listing),  # a date for garages, not IS24's usual free text
        "garageType": _subtype(listing, GARAGE_TYPES, "NO_INFORMATION")
        if (listing.objektart or "").lower() == "parken"
        else "CAR_PARK",
    }


def _short_term_values(listing, kind: str, problems: list) -> dict[str, Any]:
    start = _iso_date(listing)
    if start is None:
        problems.append(missing("abdatum", kind, element="verwaltung_objekt/abdatum"))
    rent = _short_term_rent(listing)
    art = (listing.objektart or "").lower()
    return {
        "baseRent": _num(_base_rent(listing)),
        "deposit": _deposit(listing),
        "floor": _text(listing.etage, 20),
        "hasFurniture": _furnished(listing),
        "serviceCharge": _num(listing.nebenkosten),
        "totalRent": _num(listing.warmmiete),
        "price": _money(rent, "RENT", "MONTH") if rent is not None else None,
        "livingSpace": _num(listing.wohnflaeche),
        "numberOfRooms": _num(listing.anzahl_zimmer),
        "startRentalDate": start,
        "shortTermAccomodationType": {"haus": "HOUSE", "zimmer": "ROOM"}.get(art, "FLAT"),
    }


def _flat_share_values(listing, kind: str, problems: list) -> dict[str, Any]:
    rooms = _int(listing.anzahl_zimmer)
    if rooms is not None and not 2 <= rooms <= 11:
        problems.append(
            MappingProblem(
                "MISSING_FIELD",
                _(
                    "IS24 needs the size of the shared flat (2 to 11 rooms) for a room: send "
                    "<{element}> with the rooms of the whole flat, not {value}."
                ),
                {
                    "type": kind,
                    "field": "anzahl_zimmer",
                    "element": "flaechen/anzahl_zimmer",
                    "value": rooms,
                },
            )
        )
    furnished = _furnished(listing)
    return {
        "roomSize": _num(listing.wohnflaeche),
        "baseRent": _num(_base_rent(listing)),
        "totalRent": _num(listing.warmmiete),
        "serviceCharge": _num(listing.nebenkosten),
        "deposit": _deposit(listing),
        "heatingCosts": _num(listing.heizkosten),
        "freeFrom": _iso_date(listing),  # a date here
        "floor": listing.etage,
        "numberOfBathRooms": _int(listing.anzahl_badezimmer),
        # Required by IS24 with a "no information" value where OpenImmo has no element.
        "petsAllowed": _pets(listing),
        "internetConnection": "NO_INFORMATION",
        "smokingAllowed": "NO_INFORMATION",
        "requestedGender": "MALE_OR_FEMALE",
        "furnishing": furnished or "NOT_APPLICABLE",
        "tvConnection": "NO_INFORMATION",
        "telephoneConnection": "NO_INFORMATION",
        "parkingSituation": "NO_INFORMATION",
        "flatShareSize": rooms,
        "numberOfRooms": _num(listing.anzahl_zimmer),
    }


def _furnished(listing) -> str | None:
    for code, value in _amenities(listing):
        if code == "moebliert":
            return "YES" if value in ("VOLL", "TEIL", None) else "NO"
    return None


def _pets(listing) -> str:
    for code, value in _amenities(listing):
        if code == "haustiere":
            return "YES" if value in (None, "JA", "TRUE") else "NO_INFORMATION"
    data = getattr(listing, "openimmo_data", None) or {}
    node = find(data, "verwaltung_objekt/haustiere")
    if node is not None:
        flag, _note = parse_bool(node.get("text"))
        if flag is not None:
            return "YES" if flag else "NO"
    return "NO_INFORMATION"


VALUE_BUILDERS = {
    "apartmentRent": _living_values,
    "apartmentBuy": _living_values,
    "houseRent": _living_values,
    "houseBuy": _living_values,
    "office": _office_values,
    "livingBuySite": _site_values,
    "livingRentSite": _site_values,
    "tradeSite": _site_values,
    "garageRent": _garage_values,
    "garageBuy": _garage_values,
    "store": _store_values,
    "gastronomy": _gastronomy_values,
    "industry": _industry_values,
    "specialPurpose": _special_values,
    "investment": _investment_values,
    "shortTermAccommodation": _short_term_values,
    "flatShareRoom": _flat_share_values,
}


# --- attachments --------------------------------------------------------------------------
@dataclass
class DesiredAttachment:
    """A picture, PDF or link of the listing as it should be on IS24."""

    attachment: Any  # the ListingAttachment
    external_id: str
    checksum: str
    alt_checksums: tuple[str, ...]
    title: str
    is_title: bool
    floorplan: bool
    kind: str  # "picture", "pdf" or "link"
    file_name: str
    url: str = ""  # of a link

    def metadata(self) -> dict:
        return attachment_metadata(
            kind=self.kind,
            title=self.title,
            external_id=self.external_id,
            checksum=self.checksum,
            is_title=self.is_title,
            floorplan=self.floorplan,
            url=self.url,
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
    url: str = "",
) -> dict:
    """The ``common.attachment`` metadata of an upload (and of a metadata PUT).

    A link (``kind="link"``) is all metadata: IS24's ``common:Link`` with its URL.
    """
    xsi_type = {"picture": "common:Picture", "link": "common:Link"}.get(kind, "common:PDFDocument")
    body: dict[str, Any] = {"@xsi.type": xsi_type}
    if title:
        body["title"] = _text(title, MAX_ATTACHMENT_TITLE)
    body["externalId"] = external_id[:MAX_EXTERNAL_ID]
    body["externalCheckSum"] = checksum
    if kind == "link":
        body["url"] = url
        return {"common.attachment": body}
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


# OpenImmo link groups that become IS24 link attachments: videos (FILMLINK) and other
# links such as virtual tours (LINKS). IS24's own VirtualTour type needs preview images
# hosted by IS24's tour partners, so a tour goes as a link. ANBOBJURL (the listing on the
# broker's site) is left out: IS24 shows no links to other listing sites.
LINK_GROUPS = ("FILMLINK", "LINKS")
LINK_TITLES = {"FILMLINK": "Video", "LINKS": "Link"}
LINK_URL = re.compile(r"^https?://\w.*[.]\w.*$")  # IS24's pattern for a link's URL


def desired_attachments(listing) -> list[DesiredAttachment]:
    """The pictures, PDF documents and links of a listing in IS24's order.

    The title picture is the first in the OpenImmo group TITELBILD, else the first picture;
    floor plans (GRUNDRISS) are marked as such. Identical files are sent once. Video links
    (FILMLINK) and other links (LINKS, e.g. a virtual tour) follow as IS24 links.
    """
    rows = list(listing.attachments.all())
    links = [
        a
        for a in rows
        if a.kind == "link" and (a.gruppe or "").upper() in LINK_GROUPS and LINK_URL.match(a.url)
    ]
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
    for row in [*ordered, *documents, *links][:MAX_ATTACHMENTS]:
        if row.kind == "link":
            checksum = hashlib.sha256(row.url.encode()).hexdigest()
            if checksum not in seen:
                seen.add(checksum)
                desired.append(
                    DesiredAttachment(
                        attachment=row,
                        external_id=f"wo-{row.pk}",
                        checksum=checksum,
                        alt_checksums=(),
                        title=row.titel or LINK_TITLES[(row.gruppe or "").upper()],
                        is_title=False,
                        floorplan=False,
                        kind="link",
                        file_name="",
                        url=row.url,
                    )
                )
            continue
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


# --- the contact person ---------------------------------------------------------------------
SALUTATIONS = {"FRAU": "FEMALE", "HERR": "MALE", "FIRMA": "COMPANY"}


@dataclass
class DesiredContact:
    """A listing's ``kontaktperson`` as the IS24 realtor contact it should be."""

    external_id: str
    name: str
    email: str
    payload: dict

    @property
    def payload_hash(self) -> str:
        return payload_hash(self.payload)


def contact_of(listing, broker_id: int) -> DesiredContact | None:
    """The IS24 contact for a listing's contact person; None keeps IS24's account default.

    IS24 forwards enquiries to the contact's e-mail address, so a person needs a last name
    and an e-mail address to become one. The external id is made from the broker and the
    person's identity (the e-mail address): the same person on many listings is one IS24
    contact, whose other details (phone, name, company) are updated in place.
    """
    email = (listing.kontakt_email or "").strip()
    lastname = _text(listing.kontakt_name, 50)
    if not (lastname and EMAIL.match(email)):
        return None
    identity = hashlib.sha256(f"{broker_id}:{email.lower()}".encode()).hexdigest()[:24]
    external_id = f"wo-{broker_id}-{identity}"
    anrede = (listing.kontakt_anrede or "").strip().upper()
    body = {
        "email": email[:300],
        "salutation": SALUTATIONS.get(anrede, "NO_SALUTATION"),
        "firstname": _text(listing.kontakt_vorname, 30),
        "lastname": lastname,
        "phoneNumber": _phone(listing.kontakt_telefon),
        "company": _text(listing.kontakt_firma, 100),
        "externalId": external_id,
    }
    name = " ".join(p for p in (body["firstname"], lastname) if p)
    return DesiredContact(
        external_id=external_id,
        name=name,
        email=email,
        payload={"common.realtorContactDetail": {k: v for k, v in body.items() if v is not None}},
    )


# IS24 takes a phone number as "+country area number" and nothing else.
PHONE = re.compile(r"^(\+[1-9]\d{0,3}) +\d{1,10} +([\d][\d \-]{0,24}[\d])$")
GERMAN_PHONE = re.compile(
    r"^(?:(?:\+49|0049)\s*\(?0?\)?\s*|\(?0)(\d{2,5})\)?[\s/-]+(\d[\d \-]{0,24}\d)$"
)


def _phone(value) -> str | None:
    """A phone number in IS24's form, or None when it cannot be brought into it."""
    text = " ".join((value or "").split())
    if PHONE.match(text):
        return text
    match = GERMAN_PHONE.match(text)
    if match:
        return f"+49 {match.group(1)} {match.group(2)}"
    return None


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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

"""The codes OpenImmo allows for the coded values a listing keeps in columns.

``CODES[column]`` lists the values the OpenImmo 1.2.7 schema allows for that column (for
``objektart``, the element names of ``<objektart>``'s children; for ``waehrung``, the
currencies met in German-speaking markets out of the ISO 4217 list OpenImmo refers to).
The editor offers them as choices (``wagtail_openimmo.listing_form``); the reader does not
check against them: a value a file brings that is not listed is kept as sent (lenient
mode), and the editor shows it as it is.

No Django here (like the rest of this sub-package); the labels people read are in
``frontend.presentation`` (German and English).
"""

from __future__ import annotations

from .fields import EPARTEN, NUTZUNGSARTEN, OBJEKTARTEN, VERMARKTUNGSARTEN, WERTKLASSEN

# <zustand zustand_art="...">
ZUSTAENDE = (
    "ERSTBEZUG",
    "TEIL_VOLLRENOVIERUNGSBED",
    "NEUWERTIG",
    "TEIL_VOLLSANIERT",
    "TEIL_VOLLRENOVIERT",
    "TEIL_SANIERT",
    "VOLL_SANIERT",
    "SANIERUNGSBEDUERFTIG",
    "BAUFAELLIG",
    "NACH_VEREINBARUNG",
    "MODERNISIERT",
    "GEPFLEGT",
    "ROHBAU",
    "ENTKERNT",
    "ABRISSOBJEKT",
    "PROJEKTIERT",
)
# <energiepass><primaerenergietraeger>
ENERGIETRAEGER = (
    "OEL",
    "GAS",
    "ELEKTRO",
    "ALTERNATIV",
    "SOLAR",
    "ERDWAERME",
    "LUFTWP",
    "FERN",
    "BLOCK",
    "WASSER-ELEKTRO",
    "PELLET",
    "KOHLE",
    "HOLZ",
    "FLUESSIGGAS",
)
# <waehrung iso_waehrung="..."> (ISO 4217)
WAEHRUNGEN = (
    "EUR",
    "CHF",
    "GBP",
    "USD",
    "PLN",
    "CZK",
    "HUF",
    "DKK",
    "SEK",
    "NOK",
    "RON",
    "BGN",
    "TRY",
)

CODES: dict[str, tuple[str, ...]] = {
    "nutzungsart": NUTZUNGSARTEN,
    "vermarktungsart": VERMARKTUNGSARTEN,
    "objektart": tuple(OBJEKTARTEN),
    "waehrung": WAEHRUNGEN,
    "zustand": ZUSTAENDE,
    "epass_epart": EPARTEN,
    "epass_wertklasse": WERTKLASSEN,
    "epass_primaerenergietraeger": ENERGIETRAEGER,
}

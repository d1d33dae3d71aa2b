"""Facts about the OpenImmo 1.2.7b structure that the app relies on, written from the
published specification (the official XSD is not shipped; see ``xsd.py``).

``ELEMENT_ORDER`` gives, per container element, the order of its children in the schema; the
strict rules check it and the writer emits elements in it. ``ATTRIBUTE_VALUES`` gives the
allowed values of enumerated attributes the app reads.
"""

from __future__ import annotations

ELEMENT_ORDER: dict[str, tuple[str, ...]] = {
    "openimmo": ("uebertragung", "anbieter", "user_defined_simplefield",
                 "user_defined_anyfield", "user_defined_extend"),
    "anbieter": ("anbieternr", "firma", "openimmo_anid", "lizenzkennung", "impressum",
                 "impressum_strukt", "immobilie", "anhang", "user_defined_simplefield",
                 "user_defined_anyfield", "user_defined_extend"),
    "immobilie": ("objektkategorie", "geo", "kontaktperson", "weitere_adresse", "preise",
                  "bieterverfahren", "versteigerung", "flaechen", "ausstattung",
                  "zustand_angaben", "bewertung", "infrastruktur", "freitexte", "anhaenge",
                  "verwaltung_objekt", "verwaltung_techn", "user_defined_simplefield",
                  "user_defined_anyfield", "user_defined_extend"),
    "objektkategorie": ("nutzungsart", "vermarktungsart", "objektart",
                        "user_defined_simplefield", "user_defined_anyfield",
                        "user_defined_extend"),
}

ATTRIBUTE_VALUES: dict[str, tuple[str, ...]] = {
    "aktion@aktionart": ("CHANGE", "DELETE", "REFERENZ"),
    "uebertragung@umfang": ("VOLL", "TEIL"),
    "uebertragung@art": ("ONLINE", "OFFLINE"),
    "uebertragung@modus": ("NEW", "CHANGE", "DELETE"),
    "anhang@location": ("INTERN", "EXTERN", "REMOTE"),
    "anhang@gruppe": ("TITELBILD", "INNENANSICHTEN", "AUSSENANSICHTEN", "GRUNDRISS",
                      "KARTEN_LAGEPLAN", "ANBIETERLOGO", "BILD", "DOKUMENTE", "LINKS",
                      "PANORAMA", "QRCODE", "FILM", "FILMLINK", "EPASS-SKALA", "ANBOBJURL"),
    "check@ctype": ("MD5", "DATETIME", "ETAG"),
}

# Attachment groups shown as pictures, in the order a listing page shows them.
IMAGE_GROUPS = ("TITELBILD", "BILD", "AUSSENANSICHTEN", "INNENANSICHTEN", "GRUNDRISS",
                "KARTEN_LAGEPLAN", "PANORAMA", "EPASS-SKALA", "ANBIETERLOGO", "QRCODE")
LINK_GROUPS = ("LINKS", "FILMLINK", "ANBOBJURL")

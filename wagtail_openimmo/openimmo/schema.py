"""Facts about the OpenImmo 1.2.7b structure that the app relies on, written from the
published specification (the official XSD is not shipped; see ``xsd.py``).

``ELEMENT_ORDER`` gives, per container element, the order of its children in the schema; the
strict rules check it and the writer emits elements in it. ``ATTRIBUTE_VALUES`` gives the
allowed values of enumerated attributes the app reads or writes.

Every container the app writes, and those brokers commonly send, is listed. A container not
listed here (``objektart``, whose children are a choice, or ``user_defined_extend``, whose
content is free) keeps its children in the order they came.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The three extension elements most containers end with.
_UD = ("user_defined_simplefield", "user_defined_anyfield", "user_defined_extend")

ELEMENT_ORDER: dict[str, tuple[str, ...]] = {
    "openimmo": ("uebertragung", "anbieter", *_UD),
    # The broker's logo (anhang) comes before the properties, the imprint after them.
    "anbieter": ("anbieternr", "firma", "openimmo_anid", "lizenzkennung", "anhang",
                 "immobilie", "impressum", "impressum_strukt", *_UD),
    "immobilie": ("objektkategorie", "geo", "kontaktperson", "weitere_adresse", "preise",
                  "bieterverfahren", "versteigerung", "flaechen", "ausstattung",
                  "zustand_angaben", "bewertung", "infrastruktur", "freitexte", "anhaenge",
                  "verwaltung_objekt", "verwaltung_techn", *_UD),
    "objektkategorie": ("nutzungsart", "vermarktungsart", "objektart", *_UD),
    "geo": ("plz", "ort", "geokoordinaten", "strasse", "hausnummer", "bundesland", "land",
            "gemeindecode", "flur", "flurstueck", "gemarkung", "etage", "anzahl_etagen",
            "lage_im_bau", "wohnungsnr", "lage_gebiet", "regionaler_zusatz", "karten_makro",
            "karten_mikro", "virtuelletour", "luftbildern", *_UD),
    # referenz_id is new in 1.2.7b.
    "kontaktperson": ("email_zentrale", "email_direkt", "tel_zentrale", "tel_durchw",
                      "tel_fax", "tel_handy", "name", "vorname", "titel", "anrede",
                      "position", "anrede_brief", "firma", "zusatzfeld", "strasse",
                      "hausnummer", "plz", "ort", "postfach", "postf_plz", "postf_ort", "land",
                      "email_privat", "email_sonstige", "email_feedback", "tel_privat",
                      "tel_sonstige", "url", "adressfreigabe", "personennummer",
                      "immobilientreuhaenderid", "foto", "referenz_id", "freitextfeld", *_UD),
    "weitere_adresse": ("vorname", "name", "titel", "anrede", "anrede_brief", "firma",
                        "zusatzfeld", "strasse", "hausnummer", "plz", "ort", "postfach",
                        "postf_plz", "postf_ort", "land", "email_zentrale", "email_direkt",
                        "email_privat", "email_sonstige", "tel_durchw", "tel_zentrale",
                        "tel_handy", "tel_fax", "tel_privat", "tel_sonstige", "url",
                        "adressfreigabe", "personennummer", "freitextfeld", *_UD),
    "preise": ("kaufpreis", "kaufpreisnetto", "kaufpreisbrutto", "nettokaltmiete", "kaltmiete",
               "warmmiete", "nebenkosten", "heizkosten_enthalten", "heizkosten",
               "zzg_mehrwertsteuer", "mietzuschlaege", "hauptmietzinsnetto", "pauschalmiete",
               "betriebskostennetto", "evbnetto", "gesamtmietenetto", "gesamtmietebrutto",
               "gesamtbelastungnetto", "gesamtbelastungbrutto", "gesamtkostenprom2von",
               "heizkostennetto", "monatlichekostennetto", "monatlichekostenbrutto",
               "nebenkostenprom2von", "ruecklagenetto", "sonstigekostennetto",
               "sonstigemietenetto", "summemietenetto", "nettomieteprom2von", "pacht",
               "erbpacht", "hausgeld", "abstand", "preis_zeitraum_von", "preis_zeitraum_bis",
               "preis_zeiteinheit", "mietpreis_pro_qm", "kaufpreis_pro_qm",
               "provisionspflichtig", "provision_teilen", "innen_courtage", "aussen_courtage",
               "courtage_hinweis", "provisionnetto", "provisionbrutto", "waehrung", "mwst_satz",
               "mwst_gesamt", "freitext_preis", "x_fache", "nettorendite", "nettorendite_soll",
               "nettorendite_ist", "mieteinnahmen_ist", "mieteinnahmen_soll",
               "erschliessungskosten", "kaution", "kaution_text", "geschaeftsguthaben",
               "stp_carport", "stp_duplex", "stp_freiplatz", "stp_garage", "stp_parkhaus",
               "stp_tiefgarage", "stp_sonstige", "richtpreis", "richtpreisprom2", *_UD),
    "flaechen": ("wohnflaeche", "nutzflaeche", "gesamtflaeche", "ladenflaeche", "lagerflaeche",
                 "verkaufsflaeche", "freiflaeche", "bueroflaeche", "bueroteilflaeche",
                 "fensterfront", "verwaltungsflaeche", "gastroflaeche", "grz", "gfz", "bmz",
                 "bgf", "grundstuecksflaeche", "sonstflaeche", "anzahl_zimmer",
                 "anzahl_schlafzimmer", "anzahl_badezimmer", "anzahl_sep_wc", "anzahl_balkone",
                 "anzahl_terrassen", "anzahl_logia", "balkon_terrasse_flaeche",
                 "anzahl_wohn_schlafzimmer", "gartenflaeche", "kellerflaeche",
                 "fensterfront_qm", "grundstuecksfront", "dachbodenflaeche", "teilbar_ab",
                 "beheizbare_flaeche", "anzahl_stellplaetze", "plaetze_gastraum",
                 "anzahl_betten", "anzahl_tagungsraeume", "vermietbare_flaeche",
                 "anzahl_wohneinheiten", "anzahl_gewerbeeinheiten", "einliegerwohnung",
                 "kubatur", "ausnuetzungsziffer", "flaechevon", "flaechebis", *_UD),
    "ausstattung": ("ausstatt_kategorie", "wg_geeignet", "raeume_veraenderbar", "bad", "kueche",
                    "boden", "kamin", "heizungsart", "befeuerung", "klimatisiert", "fahrstuhl",
                    "stellplatzart", "gartennutzung", "ausricht_balkon_terrasse", "moebliert",
                    "rollstuhlgerecht", "kabel_sat_tv", "dvbt", "barrierefrei", "sauna",
                    "swimmingpool", "wasch_trockenraum", "wintergarten", "dv_verkabelung",
                    "rampe", "hebebuehne", "kran", "gastterrasse", "stromanschlusswert",
                    "kantine_cafeteria", "teekueche", "hallenhoehe", "angeschl_gastronomie",
                    "brauereibindung", "sporteinrichtungen", "wellnessbereich",
                    "serviceleistungen", "telefon_ferienimmobilie", "breitband_zugang",
                    "umts_empfang", "sicherheitstechnik", "unterkellert", "abstellraum",
                    "fahrradraum", "rolladen", "dachform", "bauweise", "ausbaustufe",
                    "energietyp", "bibliothek", "dachboden", "gaestewc", "kabelkanaele",
                    "seniorengerecht", *_UD),
    "zustand_angaben": ("baujahr", "letztemodernisierung", "zustand", "alter", "bebaubar_nach",
                        "erschliessung", "erschliessung_umfang", "bauzone", "altlasten",
                        "energiepass", "verkaufstatus", *_UD),
    # geg2018 is new in 1.2.7b; energiepass has no user-defined children.
    "energiepass": ("epart", "gueltig_bis", "energieverbrauchkennwert", "mitwarmwasser",
                    "endenergiebedarf", "primaerenergietraeger", "stromwert", "waermewert",
                    "wertklasse", "baujahr", "ausstelldatum", "jahrgang", "gebaeudeart",
                    "epasstext", "geg2018", "hwbwert", "hwbklasse", "fgeewert", "fgeeklasse"),
    "bewertung": ("feld",),
    "infrastruktur": ("zulieferung", "ausblick", "distanzen", "distanzen_sport", *_UD),
    "freitexte": ("objekttitel", "dreizeiler", "lage", "ausstatt_beschr", "objektbeschreibung",
                  "sonstige_angaben", "objekt_text", *_UD),
    "anhaenge": ("anhang", *_UD),
    "anhang": ("anhangtitel", "format", "check", "daten"),
    "foto": ("format", "daten"),
    "daten": ("pfad", "anhanginhalt"),
    "verwaltung_objekt": ("objektadresse_freigeben", "verfuegbar_ab", "abdatum", "bisdatum",
                          "min_mietdauer", "max_mietdauer", "versteigerungstermin",
                          "wbs_sozialwohnung", "vermietet", "gruppennummer", "zugang",
                          "laufzeit", "max_personen", "nichtraucher", "haustiere", "geschlecht",
                          "denkmalgeschuetzt", "als_ferien", "gewerbliche_nutzung", "branchen",
                          "hochhaus", *_UD),
    "verwaltung_techn": ("objektnr_intern", "objektnr_extern", "aktion", "aktiv_von",
                         "aktiv_bis", "openimmo_obid", "kennung_ursprung", "stand_vom",
                         "weitergabe_generell", "weitergabe_positiv", "weitergabe_negativ",
                         "gruppen_kennung", "master", "sprache", *_UD),
}

# <objektart> holds one kind of property (a choice, see fields.OBJEKTARTEN), then any number
# of free-text <objektart_zusatz>.
OBJEKTART_EXTRA = ("objektart_zusatz",)

ATTRIBUTE_VALUES: dict[str, tuple[str, ...]] = {
    "aktion@aktionart": ("CHANGE", "DELETE", "REFERENZ"),
    "uebertragung@umfang": ("VOLL", "TEIL"),
    "uebertragung@art": ("ONLINE", "OFFLINE"),
    "uebertragung@modus": ("NEW", "CHANGE", "DELETE"),
    "anhang@location": ("INTERN", "EXTERN", "REMOTE"),
    "foto@location": ("INTERN", "EXTERN", "REMOTE"),
    "anhang@gruppe": ("TITELBILD", "INNENANSICHTEN", "AUSSENANSICHTEN", "GRUNDRISS",
                      "KARTEN_LAGEPLAN", "ANBIETERLOGO", "BILD", "DOKUMENTE", "LINKS",
                      "PANORAMA", "QRCODE", "FILM", "FILMLINK", "EPASS-SKALA", "ANBOBJURL"),
    # The schema types the content of <check> as a date-time whatever ctype says, so only
    # DATETIME gives strictly valid files; MD5 is what many receivers compare.
    "check@ctype": ("MD5", "DATETIME", "ETAG"),
}

# Attachment groups shown as pictures, in the order a listing page shows them.
IMAGE_GROUPS = ("TITELBILD", "BILD", "AUSSENANSICHTEN", "INNENANSICHTEN", "GRUNDRISS",
                "KARTEN_LAGEPLAN", "PANORAMA", "EPASS-SKALA", "ANBIETERLOGO", "QRCODE")
LINK_GROUPS = ("LINKS", "FILMLINK", "ANBOBJURL")


# position of each child in its parent's sequence, computed once
_RANK: dict[str, dict[str, int]] = {
    parent: {name: i for i, name in enumerate(order)} for parent, order in ELEMENT_ORDER.items()
}


def _tag(child: Any) -> str:
    return child["tag"] if isinstance(child, dict) else child


def in_schema_order(parent: str, children: Sequence[Any]) -> list[Any]:
    """``children`` of a ``parent`` element sorted into the schema's order.

    Children may be tree nodes (``{"tag": ...}``) or tag names. The sort is stable, so
    repeated elements (``anhang``, ``energiepass``) keep their order. A child the schema does
    not know keeps its place after the known sibling it followed (or at the start), so a
    broker's extra elements travel with their neighbours. Containers not in
    ``ELEMENT_ORDER`` are returned as they are.
    """
    rank = _RANK.get(parent)
    if not rank:
        return list(children)
    groups: list[tuple[int, list[Any]]] = []
    for child in children:
        position = rank.get(_tag(child))
        if position is None:
            if groups:
                groups[-1][1].append(child)
            else:
                groups.append((-1, [child]))
        else:
            groups.append((position, [child]))
    groups.sort(key=lambda group: group[0])
    return [child for _position, members in groups for child in members]


def insertion_index(parent: str, children: Sequence[Any], tag: str) -> int:
    """Where a new ``tag`` element goes among ``children`` to keep the schema's order.

    After every child that the schema puts before it (or at the same place, so a repeated
    element is appended after its siblings); at the end when the parent or the tag is
    unknown.
    """
    rank = _RANK.get(parent)
    if not rank or tag not in rank:
        return len(children)
    wanted = rank[tag]
    index = 0
    for i, child in enumerate(children):
        position = rank.get(_tag(child))
        if position is not None and position <= wanted:
            index = i + 1
        elif position is None and index == i:
            # an unknown child stays with the sibling before it (or at the start)
            index = i + 1
    return index

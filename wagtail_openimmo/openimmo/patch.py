"""Write column values back into an ``<immobilie>`` tree: the heart of a lossless export.

A listing keeps the complete ``<immobilie>`` a broker sent (``tree.py``) and, as columns, the
values people search and edit (``fields.FIELDS``). To export it, start from the stored tree
and write in only the columns whose value differs from what the tree says::

    data, changed = overlay(stored_tree, {"kaufpreis": Decimal("199000.00"), ...})

A value nobody changed keeps its original text byte for byte (``5,95`` stays ``5,95``), so an
unchanged listing goes out exactly as it came in, and everything the app has no column for
travels along untouched. New elements are put where the schema wants them.

This module imports no Django; the exporter (``wagtail_openimmo.exporting``) feeds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from . import rules, values
from .fields import (
    EPASS_USER_DEFINED,
    FALLBACK_PATHS,
    FIELDS,
    FIELDS_BY_NAME,
    NUTZUNGSARTEN,
    OBJEKTARTEN,
    VERMARKTUNGSARTEN,
    Field,
    extract_fields,
)
from .records import Anbieter, PropertyRecord
from .schema import ELEMENT_ORDER, in_schema_order, insertion_index
from .tree import Data, children, data_to_element

# The flags of <nutzungsart> and <vermarktungsart> the schema expects to be present: when the
# app sets one, the other is written as "false" if the element lacks it.
BASE_FLAGS = {
    "nutzungsart": ("WOHNEN", "GEWERBE"),
    "vermarktungsart": ("KAUF", "MIETE_PACHT"),
}
FLAG_FIELDS = {"nutzungsart": NUTZUNGSARTEN, "vermarktungsart": VERMARKTUNGSARTEN}
DEFAULT_DECIMAL_PLACES = 2


def copy_tree(data: Data) -> Data:
    """A deep copy of a JSON tree (much faster than ``copy.deepcopy`` for this shape)."""
    node = dict(data)
    if "attrs" in node:
        node["attrs"] = dict(node["attrs"])
    if "children" in node:
        node["children"] = [copy_tree(child) for child in node["children"]]
    return node


def comparable(data: Data) -> Data:
    """What a tree says, in a form that compares equal after an export and re-import.

    The exporter writes containers in schema order, fits the tree to the schema
    (``fit_schema``, ``normalise_aktion``) and replaces the attachments with the site's current
    files (their ``check`` and ``pfad`` change with it), so this view does the same and leaves
    ``anhaenge``/``anhang`` out: attachments are compared by their content (an importer
    fingerprints them separately).
    """
    if data.get("tag") == "immobilie":
        data = copy_tree(data)
        # attachments first: some exporters put <anhang> straight under <immobilie>
        kept = [c for c in data.get("children") or () if c["tag"] not in ("anhaenge", "anhang")]
        data["children"] = kept
        fit_schema(data)
        normalise_aktion(data)
    return _comparable(data)


def _comparable(data: Data) -> Data:
    node = {k: v for k, v in data.items() if k not in ("children", "tail")}
    kept = [c for c in data.get("children") or () if c["tag"] not in ("anhaenge", "anhang")]
    if kept:
        node["children"] = [_comparable(c) for c in in_schema_order(data["tag"], kept)]
    return node


# --- fitting a stored tree to the schema ---------------------------------------------------

EXTENSION = "user_defined_anyfield"


def _allowed(tag: str) -> set[str] | None:
    """The children the schema allows in ``tag`` (``None``: free content or a value)."""
    if tag == "objektart":
        return set(OBJEKTARTEN)
    order = ELEMENT_ORDER.get(tag)
    return set(order) if order else None


def fit_schema(data: Data) -> list[str]:
    """Move elements the schema does not know into ``user_defined_anyfield`` (in place).

    Brokers' software sends elements of its own (Justimmo's ``geo/stiege``, say). They are
    kept, so nothing is lost, but an export must be valid: each goes, unchanged, into a
    ``<user_defined_anyfield>`` -- the schema's place for any content -- of the container it
    was in, or of the nearest container above that has one (``objektart``, ``energiepass``
    and ``anhang`` have none). Returns the paths of the elements moved.
    """
    moved: list[str] = []
    stray = _fit(data, data["tag"], moved)
    if stray:  # only when the root itself cannot hold them; not so for <immobilie>
        data.setdefault("children", []).extend(stray)
    return moved


def _fit(node: Data, path: str, moved: list[str]) -> list[Data]:
    """Fit ``node``'s children; return the strays ``node`` has no extension point for."""
    allowed = _allowed(node["tag"])
    if allowed is None or not node.get("children"):
        return []
    kept: list[Data] = []
    stray: list[Data] = []
    for child in node["children"]:
        if child["tag"] in allowed:
            kept.append(child)
            stray.extend(_fit(child, f"{path}/{child['tag']}", moved))
        else:
            moved.append(f"{path}/{child['tag']}")
            stray.append({k: v for k, v in child.items() if k != "tail"})
    if not stray:
        node["children"] = kept
        return []
    if EXTENSION not in allowed:
        node["children"] = kept
        if not kept:
            del node["children"]
        return stray
    wrapper = {"tag": EXTENSION, "children": stray}
    kept.insert(insertion_index(node["tag"], kept, EXTENSION), wrapper)
    node["children"] = kept
    return []


def normalise_aktion(data: Data) -> None:
    """Give ``verwaltung_techn`` the ``<aktion>`` the schema requires, with a valid value.

    Absent, ``NEW`` (Justimmo) and other values the schema does not know all mean "new or
    changed" to receivers, which a plain ``<aktion/>`` says; ``change`` becomes ``CHANGE``.
    """
    current = aktionart(data)
    set_aktion(data, current if current in ("CHANGE", "DELETE", "REFERENZ") else None)


def skeleton() -> Data:
    """An empty ``<immobilie>`` to build an editor-made listing on."""
    return {"tag": "immobilie"}


# --- values -----------------------------------------------------------------------------


def field_text(field: Field, value: Any) -> str | None:
    """A column value as OpenImmo writes it (``None`` for no value)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.kind == "bool":
        return "true" if value else "false"
    if field.kind == "decimal":
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return format(number, "f")
    if field.kind == "int":
        return str(int(value))
    if field.kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    return str(value).strip()


def _normalise(field: Field, value: Any, places: int):
    """A value in the form two values of ``field`` are compared in."""
    if value is None:
        return None
    if field.kind in ("text", "longtext"):
        text = values.clean_text(str(value).replace("\r\n", "\n").replace("\r", "\n"))
        if text is not None and field.kind == "text":
            text = text[: field.max_length]
        return text
    if field.kind == "decimal":
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
            return number.quantize(Decimal(1).scaleb(-places))
        except (InvalidOperation, ValueError):
            return value
    if field.kind == "int":
        return int(value)
    if field.kind == "bool":
        return bool(value)
    if field.kind == "date" and isinstance(value, dt.datetime):
        return value.date()
    return value


def same_value(field: Field, a: Any, b: Any, *, places: int = DEFAULT_DECIMAL_PLACES) -> bool:
    """Whether two values of ``field`` mean the same (decimals compared at ``places``)."""
    return _normalise(field, a, places) == _normalise(field, b, places)


# --- tree editing -----------------------------------------------------------------------


def _child_list(node: Data) -> list[Data]:
    return node.setdefault("children", [])


def ensure_path(data: Data, path: str) -> Data:
    """The first element at ``a/b/c`` below ``data``, created (in schema order) if missing."""
    node = data
    for part in path.split("/"):
        found = next(children(node, part), None)
        if found is None:
            found = {"tag": part}
            siblings = _child_list(node)
            siblings.insert(insertion_index(node["tag"], siblings, part), found)
        node = found
    return node


def _find(data: Data, path: str) -> tuple[Data | None, Data | None]:
    """The element at ``path`` and its parent."""
    parent, node = None, data
    for part in path.split("/"):
        parent, node = node, next(children(node, part), None)
        if node is None:
            return parent, None
    return parent, node


def _is_empty(node: Data) -> bool:
    return not node.get("attrs") and not node.get("children") and node.get("text") is None


def _drop(parent: Data, node: Data) -> None:
    parent["children"] = [c for c in parent.get("children") or () if c is not node]
    if not parent["children"]:
        del parent["children"]


def remove_path(data: Data, path: str) -> None:
    """Remove the value at ``a/b`` or ``a/b@attr``; an element left empty goes too.

    An element's value is its text and any markup in it (``Zeile 1<br/>Zeile 2``).
    """
    elem_path, _sep, attr = path.partition("@")
    parent, node = _find(data, elem_path)
    if node is None:
        return
    if attr:
        attrs = node.get("attrs") or {}
        attrs.pop(attr, None)
        if not attrs:
            node.pop("attrs", None)
    else:
        node.pop("text", None)
        node.pop("children", None)
    if _is_empty(node) and parent is not None:
        _drop(parent, node)


def set_path(data: Data, path: str, text: str | None) -> None:
    """Set the text at ``a/b/c`` or the attribute at ``a/b@attr`` (``None`` removes it)."""
    if text is None:
        remove_path(data, path)
        return
    elem_path, _sep, attr = path.partition("@")
    node = ensure_path(data, elem_path)
    if attr:
        node.setdefault("attrs", {})[attr] = text
    else:
        node["text"] = text
        node.pop("children", None)  # the new text replaces markup the old one had


def set_aktion(data: Data, aktionart: str | None) -> None:
    """Set ``verwaltung_techn/aktion@aktionart``; ``None`` leaves a plain ``<aktion/>``
    (a new or changed property)."""
    node = ensure_path(data, "verwaltung_techn/aktion")
    attrs = node.setdefault("attrs", {})
    if aktionart:
        attrs["aktionart"] = aktionart
    else:
        attrs.pop("aktionart", None)
    if not attrs:
        del node["attrs"]


def aktionart(data: Data) -> str | None:
    """The ``aktionart`` the tree carries, in capitals (``None`` when there is none)."""
    _parent, node = _find(data, "verwaltung_techn/aktion")
    if node is None:
        return None
    value = (node.get("attrs") or {}).get("aktionart")
    return value.strip().upper() if value and value.strip() else None


# --- special fields ---------------------------------------------------------------------


def _set_flag(data: Data, name: str, value: str | None) -> None:
    """``nutzungsart`` / ``vermarktungsart``: boolean attributes, the first true one counts."""
    node = ensure_path(data, f"objektkategorie/{name}")
    attrs = node.setdefault("attrs", {})
    known = FLAG_FIELDS[name]
    for key, raw in list(attrs.items()):
        parsed, _note = values.parse_bool(raw)
        if key.upper() in known and parsed and key.upper() != value:
            attrs[key] = "false"
    if value:
        # drop a differently spelt twin (wohnen="1") so the new flag is the one read
        for key in [k for k in attrs if k.upper() == value and k != value]:
            del attrs[key]
        attrs[value] = "true"
        for flag in BASE_FLAGS[name]:
            if not any(k.upper() == flag for k in attrs):
                attrs[flag] = "false"


def _kind_node(data: Data) -> Data | None:
    _parent, objektart = _find(data, "objektkategorie/objektart")
    if objektart is None:
        return None
    return next((c for c in objektart.get("children") or () if c["tag"] in OBJEKTARTEN), None)


def _set_objektart(data: Data, art: str | None, typ: str | None) -> None:
    """``objektart`` is the name of the one child of ``<objektart>``, ``objektart_typ`` its
    sub-type attribute (``haus@haustyp``)."""
    node = _kind_node(data)
    if art is None:
        if node is not None:
            _parent, objektart = _find(data, "objektkategorie/objektart")
            _drop(objektart, node)
        return
    if art not in OBJEKTARTEN:
        raise ValueError(f"{art!r} is not a kind of property OpenImmo knows")
    attr = OBJEKTARTEN[art]
    if node is None or node["tag"] != art:
        new = {"tag": art}
        objektart = ensure_path(data, "objektkategorie/objektart")
        siblings = _child_list(objektart)
        if node is None:
            siblings.insert(0, new)
        else:
            siblings[siblings.index(node)] = new
        node = new
    attrs = node.setdefault("attrs", {})
    if typ:
        attrs[attr] = typ
    else:
        attrs.pop(attr, None)
    if not attrs:
        del node["attrs"]


# --- the overlay ------------------------------------------------------------------------


def current_values(data: Data) -> dict[str, Any]:
    """The column values a tree gives, read exactly as the importer reads them.

    That is ``extract_fields`` followed by the project's rules, which drop values they
    cannot use (a map position out of range, say).
    """
    element = data_to_element(data)
    record = PropertyRecord(anbieter=Anbieter(index=0), line=None, position=0)
    record.fields, record.field_lines, _notes = extract_fields(element)
    rules.check_record(record, element)
    return record.fields


def overlay(
    data: Data,
    columns: Mapping[str, Any],
    *,
    decimal_places: Mapping[str, int] | None = None,
    fields: Iterable[Field] = FIELDS,
) -> tuple[Data, list[str]]:
    """A copy of ``data`` with every column of ``columns`` written in where it differs.

    ``columns`` maps field names (``FIELDS``) to the listing's values; a field missing from
    ``columns`` is left alone, a ``None`` value removes what the tree has (an editor cleared
    it). Returns the new tree and the names of the fields that were written.
    """
    places = decimal_places or {}
    result = copy_tree(data)
    current = current_values(result)
    changed: list[str] = []
    for field in fields:
        if field.name not in columns:
            continue
        if not same_value(
            field,
            current.get(field.name),
            columns[field.name],
            places=places.get(field.name, DEFAULT_DECIMAL_PLACES),
        ):
            changed.append(field.name)
    if not changed:
        return result, changed

    if "nutzungsart" in changed:
        _set_flag(result, "nutzungsart", columns["nutzungsart"])
    if "vermarktungsart" in changed:
        _set_flag(result, "vermarktungsart", columns["vermarktungsart"])
    if "objektart" in changed or "objektart_typ" in changed:
        art = columns.get("objektart", current.get("objektart"))
        typ = columns.get("objektart_typ", current.get("objektart_typ"))
        _set_objektart(result, art, typ)

    special = {"nutzungsart", "vermarktungsart", "objektart", "objektart_typ"}
    for name in changed:
        if name in special:
            continue
        field = FIELDS_BY_NAME[name]
        text = field_text(field, columns[name])
        # written as the element: where epass_* user fields fill gaps, the element wins
        set_path(result, field.path, text)
        if text is None:
            # what an editor cleared must not come back from a second source
            for path in FALLBACK_PATHS.get(name, ()):
                remove_path(result, path)
            _remove_user_fields(result, name)
    return result, changed


def _remove_user_fields(data: Data, name: str) -> None:
    """Drop the ``user_defined_simplefield`` energy values that stand for field ``name``."""
    _parent, zustand = _find(data, "zustand_angaben")
    if zustand is None or not name.startswith("epass_"):
        return
    zustand["children"] = [
        child
        for child in zustand.get("children") or ()
        if not (
            child["tag"] == "user_defined_simplefield"
            and EPASS_USER_DEFINED.get(
                ((child.get("attrs") or {}).get("feldname") or "").strip().lower()
            )
            == name
        )
    ]
    if not zustand["children"]:
        del zustand["children"]


def unresolved(
    data: Data, columns: Mapping[str, Any], *, decimal_places: Mapping[str, int] | None = None
) -> list[str]:
    """Fields whose value the tree does not give back as ``columns`` has it.

    Empty after ``overlay`` unless a value cannot be expressed in OpenImmo (a sub-type
    without a kind of property, say); the exporter reports those.
    """
    places = decimal_places or {}
    current = current_values(data)
    return [
        f.name
        for f in FIELDS
        if f.name in columns
        and not same_value(
            f,
            current.get(f.name),
            columns[f.name],
            places=places.get(f.name, DEFAULT_DECIMAL_PLACES),
        )
    ]


__all__ = [
    "aktionart",
    "comparable",
    "current_values",
    "ensure_path",
    "field_text",
    "fit_schema",
    "normalise_aktion",
    "overlay",
    "remove_path",
    "same_value",
    "set_aktion",
    "set_path",
    "skeleton",
    "unresolved",
]

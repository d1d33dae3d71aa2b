"""A lossless JSON form of an OpenImmo element.

The importer stores each ``<immobilie>`` in this form so that nothing a broker sent is lost
and the exporter can give it back. It keeps element order, attributes, text and the tail text
of mixed content (``Text<br/>more``); it drops comments and white space that only indents.
Namespaces are stripped: OpenImmo is read by element name.

    {"tag": "preise", "children": [{"tag": "kaufpreis", "text": "149000.00"}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

Data = dict[str, Any]


def localname(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _significant(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    return text


def text_content(element) -> str | None:
    """The text of an element as a reader sees it, markup inside it included.

    Free texts may carry HTML fragments as markup (``Zeile 1<br/>Zeile 2``): their text is
    kept and ``<br>`` becomes a line break. Plain elements give their text unchanged.
    """
    if len(element) == 0:
        return element.text
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            if localname(child.tag).lower() == "br":
                parts.append("\n")
            else:
                parts.append(text_content(child) or "")
        parts.append(child.tail or "")
    return "".join(parts)


def element_to_data(element) -> Data:
    data: Data = {"tag": localname(element.tag)}
    if element.attrib:
        data["attrs"] = {localname(k): v for k, v in element.attrib.items()}
    text = _significant(element.text)
    if text is not None:
        data["text"] = text
    children = [
        element_to_data(child) for child in element if isinstance(child.tag, str)
    ]
    if children:
        data["children"] = children
    tail = _significant(element.tail)
    if tail is not None:
        data["tail"] = tail
    return data


def data_to_element(data: Data, parent=None):
    if parent is None:
        element = etree.Element(data["tag"])
    else:
        element = etree.SubElement(parent, data["tag"])
    for key, value in (data.get("attrs") or {}).items():
        element.set(key, value)
    if "text" in data:
        element.text = data["text"]
    for child in data.get("children") or ():
        data_to_element(child, element)
    if "tail" in data and parent is not None:
        element.tail = data["tail"]
    return element


def children(data: Data, tag: str | None = None) -> Iterator[Data]:
    for child in data.get("children") or ():
        if tag is None or child["tag"] == tag:
            yield child


def find(data: Data, path: str) -> Data | None:
    """First descendant at ``a/b/c`` (element names only)."""
    node: Data | None = data
    for part in path.split("/"):
        if node is None:
            return None
        node = next(children(node, part), None)
    return node

"""Reading OFAC's XML files, legacy and enhanced alike: defused parsing, namespace-free names.

The two formats differ in their elements, not in how they must be read: never with a DTD or
entities (a file that declares one is not OFAC's), and with the namespace of each tag ignored
(OFAC has changed it between releases).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from portfolio_check.errors import SourceFormatError
from portfolio_check.sources.ofac_csv import _clean


def local(tag: str) -> str:
    """``{namespace}sdnEntry`` -> ``sdnEntry``."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local(child.tag) == name)


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


def text(element: Element | None, name: str) -> str | None:
    """The whitespace-normalised text of the first child ``name``; None if absent or blank."""
    if element is None:
        return None
    found = child(element, name)
    return None if found is None else _clean(found.text)


def items(element: Element, container: str, item: str) -> Iterator[Element]:
    """The ``item`` elements of every ``container`` child (``idList/id``, ``akaList/aka``)."""
    for holder in children(element, container):
        yield from children(holder, item)


def parse_root(raw: bytes, file: str, root: str, format_name: str) -> Element:
    """The document element of ``raw``, which must be ``root``; refused with one line naming
    ``file`` when it declares a DTD or entities, is not well-formed, or is another document."""
    try:
        document = SafeElementTree.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SourceFormatError(
            f"{file}: refused: the XML declares a DTD or entities ({type(exc).__name__}); "
            "OFAC's files have none, so this is not one of them"
        ) from None
    except ParseError as exc:
        raise SourceFormatError(f"{file}: not well-formed XML ({exc})") from None
    if local(document.tag) != root:
        raise SourceFormatError(
            f"{file}: the root element is {local(document.tag)!r}, not {format_name}"
        )
    return document

"""Importer of OFAC's legacy XML files (``sdn.xml``, ``consolidated.xml``).

The layout is OFAC's ``consolidated.xsd`` (one schema for both files)::

    sdnList
      publshInformation   Publish_Date (MM/DD/YYYY), Record_Count      [sic: "publsh"]
      sdnEntry*           uid, firstName?, lastName, title?, sdnType, remarks?,
                          programList/program*,
                          idList/id*        uid, idType, idNumber, idCountry, issueDate, ...
                          akaList/aka*      uid, type (a.k.a./f.k.a./n.k.a.), category
                                            (strong/weak), lastName, firstName
                          addressList/address*  address1-3, city, stateOrProvince,
                                            postalCode, country
                          nationalityList, citizenshipList, dateOfBirthList,
                          placeOfBirthList, vesselInfo

OFAC changed the default namespace on 2024-05-07 (from ``http://tempuri.org/sdnList.xsd``, or
``.../consolidated.xsd``, to ``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/
exports/XML``) and newer files carry elements the 2018 schema lacks (``region``): elements are
found by local name, whatever the namespace, and unknown ones are ignored.

The XML holds the same facts as the CSV set, structured: what the CSV writes into the remarks
(``Equity Ticker 0020 HK``, ``ISIN ...``, ``Listing Date (CMIC) 10 Dec 2021``, ``Linked To: X``,
``a.k.a. 'X'``) is an ``<id>`` (``idType`` + ``idNumber``) or a weak ``<aka>`` here. Both
importers read those items with :func:`.ofac_csv.parse_remark_items`, so the same facts give the
same :class:`ListEntry`. One field differs by nature: ``remarks`` is the XML's ``<remarks>``
text only, where the CSV's remarks also spell out the ids and weak akas.

Parsing uses defusedxml with DTDs refused: an entity-expansion bomb or an external entity is a
``SourceFormatError``, never expanded or fetched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ParseWarning
from portfolio_check.sources.ofac_csv import (
    OfacImport,
    SourceFile,
    _address_text,
    _clean,
    _Record,
    _select_entries,
)
from portfolio_check.sources.xmltree import child as _child
from portfolio_check.sources.xmltree import children as _children
from portfolio_check.sources.xmltree import items as _items
from portfolio_check.sources.xmltree import parse_root
from portfolio_check.sources.xmltree import text as _text

__all__ = [
    "NAMESPACE_2024",
    "NAMESPACE_LEGACY",
    "import_ofac_xml",
    "parse_ofac_xml",
]

NAMESPACE_LEGACY = "http://tempuri.org/sdnList.xsd"
"""sdn.xml's namespace until 2024-05-07 (consolidated.xml: ``.../consolidated.xsd``)."""

NAMESPACE_2024 = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"
"""The namespace of both files from 2024-05-07 on."""

STRONG, WEAK = "strong", "weak"
"""``<aka><category>``: a strong alias identifies; a weak one (a nickname) only suggests."""

_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_PUBLISH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# The real files keep "Linked To:" in <remarks>, e.g. "(Linked To: CHINA NATIONAL OFFSHORE OIL
# CORPORATION)", where the CSV has it among its items: read it from there too.
_LINKED_TO = re.compile(r"Linked To:\s*(.+?)\s*\)?\s*(?:;|$)")


def _person_name(element: Element) -> str | None:
    """``LAST, First`` as the CSV writes it; an entity has only a ``lastName``."""
    last, first = _text(element, "lastName"), _text(element, "firstName")
    if last and first:
        return f"{last}, {first}"
    return last or first


def _publish_date(text: str | None) -> dt.date | None:
    match = _PUBLISH_DATE.match(text or "")
    if match is None:
        return None
    try:
        return dt.date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


def _parse_root(raw: bytes, file: str) -> Element:
    return parse_root(raw, file, "sdnList", "OFAC's 'sdnList'")


def _entry_items(entry: Element) -> tuple[list[str], list[str]]:
    """The remark-style items of an entry's ids and weak akas, and its strong aliases."""
    items: list[str] = []
    strong: list[str] = []
    for identifier in _items(entry, "idList", "id"):
        # idNumber as written: a two-space ticker ("601698  CN") is a flaw to report.
        number_element = _child(identifier, "idNumber")
        number = (number_element.text or "").strip() if number_element is not None else ""
        id_type = _text(identifier, "idType")
        if id_type and number:
            country = _text(identifier, "idCountry")
            items.append(f"{id_type} {number}" + (f" ({country})" if country else ""))
    for aka in _items(entry, "akaList", "aka"):
        name = _person_name(aka)
        if name is None:
            continue
        category = (_text(aka, "category") or "").lower()
        if category == WEAK:
            items.append(f"{_text(aka, 'type') or 'a.k.a.'} '{name}'")
        elif name not in strong:
            strong.append(name)
    return items, strong


def _aka_warnings(entry: Element, file: str, uid: str) -> list[ParseWarning]:
    return [
        ParseWarning(
            file=file,
            record=uid,
            field="akaList: category",
            value=category,
            problem="not strong/weak; alias kept as strong",
        )
        for aka in _items(entry, "akaList", "aka")
        if (category := (_text(aka, "category") or "").lower()) not in (STRONG, WEAK)
        and _person_name(aka) is not None
    ]


def _addresses(entry: Element) -> list[str]:
    addresses: list[str] = []
    for address in _items(entry, "addressList", "address"):
        street = ", ".join(
            part for name in ("address1", "address2", "address3") if (part := _text(address, name))
        )
        city = ", ".join(
            part for name in ("city", "stateOrProvince") if (part := _text(address, name))
        )
        postal = _text(address, "postalCode")
        city = f"{city} {postal}" if city and postal else city or postal or ""
        text = _address_text((street or None, city or None, _text(address, "country"), None))
        if text is not None:
            addresses.append(text)
    return addresses


def parse_ofac_xml(
    raw: bytes,
    *,
    file: str,
    list_id: str,
    programs: Collection[str] | None = None,
) -> OfacImport:
    """Parse one OFAC legacy XML file's bytes; no I/O.

    ``programs`` selects the entries having one of these program tags (``None``: all).
    Raises ``SourceFormatError`` for a file that is not OFAC's XML, or that declares a DTD.
    """
    root = _parse_root(raw, file)
    warnings: list[ParseWarning] = []
    info = _child(root, "publshInformation")
    published = None
    declared_count: int | None = None
    if info is not None:
        date_text = _text(info, "Publish_Date")
        published = _publish_date(date_text)
        if date_text and published is None:
            warnings.append(
                ParseWarning(
                    file=file,
                    record="publshInformation",
                    field="Publish_Date",
                    value=date_text,
                    problem="not a date of the form MM/DD/YYYY; ignored",
                )
            )
        count_text = _text(info, "Record_Count")
        declared_count = int(count_text) if count_text and count_text.isdigit() else None

    records: list[tuple[_Record, Sequence[str] | None]] = []
    seen: set[str] = set()
    elements = list(_children(root, "sdnEntry"))
    for position, entry in enumerate(elements, start=1):
        uid = _text(entry, "uid")
        if uid is None or not uid.isdigit() or uid in seen:
            problem = "no whole-number uid" if uid is None or not uid.isdigit() else "repeats a uid"
            warnings.append(
                ParseWarning(
                    file=file,
                    record=f"sdnEntry #{position}",
                    field="uid",
                    value=uid or "",
                    problem=f"{problem}; entry skipped",
                )
            )
            continue
        seen.add(uid)
        name = _person_name(entry)
        if name is None:
            warnings.append(
                ParseWarning(
                    file=file,
                    record=uid,
                    field="lastName",
                    value="",
                    problem="entry without a name; kept with its uid as name",
                )
            )
        items, strong = _entry_items(entry)
        remarks = _text(entry, "remarks") or ""
        items += [f"Linked To: {m.group(1)}" for m in _LINKED_TO.finditer(remarks)]
        warnings.extend(_aka_warnings(entry, file, uid))
        sdn_type = _text(entry, "sdnType")
        record = _Record(
            ent_num=uid,
            name=name or uid,
            # The CSV leaves SDN_Type null for entities; the XML says "Entity".
            sdn_type=None if (sdn_type or "").lower() == "entity" else sdn_type,
            programs=tuple(
                text
                for program in _items(entry, "programList", "program")
                if (text := _clean(program.text))
            ),
            remarks=remarks,
            strong_aliases=strong,
            addresses=_addresses(entry),
        )
        records.append((record, items))
    if declared_count is not None and declared_count != len(elements):
        warnings.append(
            ParseWarning(
                file=file,
                record="publshInformation",
                field="Record_Count",
                value=str(declared_count),
                problem=f"the file holds {len(elements)} sdnEntry elements; counted those",
            )
        )
    entries = _select_entries(records, file, list_id, programs, warnings)
    match = _DECLARED_ENCODING.match(raw)
    encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
    read = SourceFile.read(file, raw, len(elements), encoding=encoding)
    return OfacImport.of(list_id, programs, entries, warnings, [read], published)


def import_ofac_xml(
    path: Path, *, list_id: str, programs: Collection[str] | None = None
) -> OfacImport:
    """Read and parse ``sdn.xml`` or ``consolidated.xml``.

    NS-CMIC: ``import_ofac_xml(path, list_id="ns-cmic", programs=[CMIC_PROGRAM])``.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_ofac_xml(raw, file=path.name, list_id=list_id, programs=programs)

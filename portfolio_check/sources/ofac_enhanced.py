"""Importer of OFAC's enhanced XML files (``SDN_ENHANCED.XML``, ``CONS_ENHANCED.XML``).

The layout, as OFAC's Sanctions List Service publishes it::

    sanctionsData
      publicationInfo/dataAsOf           the data's date (ISO date-time)
      referenceValues, featureTypes      look-up tables (not needed: texts are inline)
      entities/entity@id                 the same id as the legacy files' uid / ent_num
        generalInfo/entityType           Entity, Individual, Vessel, Aircraft
        sanctionsLists/sanctionsList@datePublished   each list the entity is on, and since when
        sanctionsPrograms/sanctionsProgram           program tags (CMIC-EO13959, SDGT, ...)
        names/name                       isPrimary, aliasType (A.K.A., F.K.A., N.K.A.),
                                         isLowQuality (a weak alias),
          translations/translation       script (Latin, Chinese Traditional, ...),
                                         formattedFirstName, formattedLastName
        features/feature                 type + value: Equity Ticker, ISIN, Issuer Name,
                                         Target Type, the three CMIC dates, ...
        identityDocuments/identityDocument   type, documentNumber, issuingCountry
        relationships/relationship       type + relatedEntity (the legacy "Linked To:")
        addresses/address                country + addressParts

What this format adds over the legacy ones, and the importer keeps:

- ``datePublished`` per list membership: ``ListEntry.listed_from`` is the earliest date the
  entity was published on a list of this file other than OFAC's umbrella "Consolidated List",
  so "was this entity listed on date D" is answered for SDN too;
- OFAC's own names in other scripts (SenseTime's 商湯集團有限公司): strong aliases, with OFAC as
  their source, beside the Latin ones.

Everything else is read into the same remark-style items as the legacy XML importer
(``Equity Ticker 00883 HK``, ``ISIN ...``), so the same facts give the same ``ListEntry``.
Parsing uses defusedxml with DTDs refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
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
from portfolio_check.sources.xmltree import items as _items
from portfolio_check.sources.xmltree import parse_root
from portfolio_check.sources.xmltree import text as _text

__all__ = ["ENHANCED_FILE_NAMES", "UMBRELLA_LIST", "import_ofac_enhanced", "parse_ofac_enhanced"]

ENHANCED_FILE_NAMES = ("sdn_enhanced.xml", "cons_enhanced.xml")
"""OFAC's names of the enhanced files (matched case-insensitively)."""

UMBRELLA_LIST = "Consolidated List"
"""The list every non-SDN entity of CONS_ENHANCED is also on: it says nothing about when the
entity joined its own list, unless it is the only one named."""

LATIN = "Latin"

_ADDRESS_PARTS = {
    "ADDRESS1": "street",
    "ADDRESS2": "street",
    "ADDRESS3": "street",
    "CITY": "city",
    "STATE/PROVINCE": "city",
    "POSTAL CODE": "postal",
}
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _iso_date(text: str | None) -> dt.date | None:
    match = _DATE.match(text or "")
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _parse_root(raw: bytes, file: str) -> Element:
    return parse_root(raw, file, "sanctionsData", "OFAC's enhanced 'sanctionsData'")


def _translation_name(translation: Element) -> str | None:
    """``LAST, First`` as the legacy files write a person; an entity has only a last name."""
    last = _text(translation, "formattedLastName")
    first = _text(translation, "formattedFirstName")
    if last and first:
        return f"{last}, {first}"
    return last or first or _text(translation, "formattedFullName")


def _names(entity: Element) -> tuple[str | None, list[str], list[str]]:
    """The primary Latin name, the strong aliases (other scripts included), the weak ones."""
    primary: str | None = None
    strong: list[str] = []
    scripts: list[str] = []  # after the Latin aliases, so these keep the legacy files' order
    weak: list[str] = []
    for name in _items(entity, "names", "name"):
        is_primary = (_text(name, "isPrimary") or "").lower() == "true"
        is_weak = (_text(name, "isLowQuality") or "").lower() == "true"
        for translation in _items(name, "translations", "translation"):
            text = _translation_name(translation)
            if text is None:
                continue
            main = (_text(translation, "isPrimary") or "").lower() == "true"
            latin = (_text(translation, "script") or LATIN) == LATIN
            if is_primary and main and latin and primary is None:
                primary = text
            elif is_weak and latin:
                if text not in weak:
                    weak.append(text)
            elif text not in strong and text not in scripts:
                (strong if latin else scripts).append(text)
    strong += [text for text in scripts if text not in strong]
    if primary is not None and primary in strong:
        strong.remove(primary)
    return primary, strong, weak


def _listed_from(entity: Element) -> tuple[dt.date | None, tuple[str, ...]]:
    """The earliest ``datePublished`` of the entity's own lists, and their names."""
    memberships = [
        (element.text or "", _iso_date(element.get("datePublished")))
        for element in _items(entity, "sanctionsLists", "sanctionsList")
    ]
    own = [(name, day) for name, day in memberships if name.strip() != UMBRELLA_LIST]
    chosen = own or memberships
    days = [day for _, day in chosen if day is not None]
    return (min(days) if days else None), tuple(name.strip() for name, _ in chosen)


def _feature_items(entity: Element) -> list[str]:
    items: list[str] = []
    for feature in _items(entity, "features", "feature"):
        kind, value = _text(feature, "type"), _text(feature, "value")
        if kind and value:
            items.append(f"{kind.rstrip(':').strip()} {value}")
    for document in _items(entity, "identityDocuments", "identityDocument"):
        kind = _text(document, "type")
        number_element = _child(document, "documentNumber")
        number = (number_element.text or "").strip() if number_element is not None else ""
        if kind and number:
            country = _text(document, "issuingCountry")
            items.append(f"{kind} {number}" + (f" ({country})" if country else ""))
    for relation in _items(entity, "relationships", "relationship"):
        related = _text(relation, "relatedEntity")
        if related:
            items.append(f"Linked To: {related}")
    return items


def _addresses(entity: Element) -> list[str]:
    found: list[str] = []
    for address in _items(entity, "addresses", "address"):
        country = _text(address, "country")
        for translation in _items(address, "translations", "translation"):
            if (_text(translation, "script") or LATIN) != LATIN:
                continue
            parts: dict[str, list[str]] = {"street": [], "city": [], "postal": []}
            for part in _items(translation, "addressParts", "addressPart"):
                where = _ADDRESS_PARTS.get((_text(part, "type") or "").upper())
                value = _text(part, "value")
                if where and value:
                    parts[where].append(value)
            city = ", ".join(parts["city"])
            postal = " ".join(parts["postal"])
            city = f"{city} {postal}" if city and postal else city or postal
            text = _address_text((", ".join(parts["street"]) or None, city or None, country, None))
            if text is not None:
                found.append(text)
            break
        else:
            if country:
                found.append(country)
    return found


def _entity_type(entity: Element) -> str | None:
    """As the legacy ``_Record`` holds it: ``None`` for an entity, else the type's name."""
    kind = _text(_child(entity, "generalInfo"), "entityType")
    return None if (kind or "").lower() == "entity" else kind


def parse_ofac_enhanced(
    raw: bytes, *, file: str, list_id: str, programs: Collection[str] | None = None
) -> OfacImport:
    """Parse one enhanced XML file's bytes; no I/O. ``programs`` as for the legacy importers."""
    root = _parse_root(raw, file)
    warnings: list[ParseWarning] = []
    info = _child(root, "publicationInfo")
    as_of_text = _text(info, "dataAsOf")
    published = _iso_date(as_of_text)
    if as_of_text and published is None:
        warnings.append(
            ParseWarning(
                file=file,
                record="publicationInfo",
                field="dataAsOf",
                value=as_of_text,
                problem="not an ISO date; ignored",
            )
        )
    records = []
    dates: dict[str, dt.date | None] = {}
    seen: set[str] = set()
    elements = list(_items(root, "entities", "entity"))
    for position, entity in enumerate(elements, start=1):
        uid = (entity.get("id") or "").strip()
        if not uid.isdigit() or uid in seen:
            warnings.append(
                ParseWarning(
                    file=file,
                    record=f"entity #{position}",
                    field="id",
                    value=uid,
                    problem=("repeats an id" if uid in seen else "no whole-number id")
                    + "; entity skipped",
                )
            )
            continue
        seen.add(uid)
        name, strong, weak = _names(entity)
        if name is None:
            warnings.append(
                ParseWarning(
                    file=file,
                    record=uid,
                    field="names",
                    value="",
                    problem="entity without a primary Latin name; kept with its id as name",
                )
            )
        items = _feature_items(entity) + [f"a.k.a. '{alias}'" for alias in weak]
        remarks = _text(entity, "remarks") or ""
        record = _Record(
            ent_num=uid,
            name=name or uid,
            sdn_type=_entity_type(entity),
            programs=tuple(
                text
                for program in _items(entity, "sanctionsPrograms", "sanctionsProgram")
                if (text := _clean(program.text))
            ),
            remarks=remarks,
            strong_aliases=strong,
            addresses=_addresses(entity),
        )
        dates[uid] = _listed_from(entity)[0]
        records.append((record, items))
    entries = [
        entry.model_copy(update={"listed_from": dates.get(entry.entry_id)})
        for entry in _select_entries(records, file, list_id, programs, warnings)
    ]
    read = SourceFile.read(file, raw, len(elements))
    return OfacImport.of(list_id, programs, entries, warnings, [read], published)


def is_enhanced(path: Path) -> bool:
    """Whether a file is OFAC's enhanced XML, by its name or, failing that, its root element."""
    if path.name.lower() in ENHANCED_FILE_NAMES:
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    return b"<sanctionsData" in head


def import_ofac_enhanced(
    path: Path, *, list_id: str, programs: Collection[str] | None = None
) -> OfacImport:
    """Read and parse ``SDN_ENHANCED.XML`` or ``CONS_ENHANCED.XML``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_ofac_enhanced(raw, file=path.name, list_id=list_id, programs=programs)

"""Import the UN Security Council Consolidated List from its official XML.

The UN publishes one XML file (``CONSOLIDATED_LIST`` with ``INDIVIDUALS`` and ``ENTITIES``;
https://scsanctions.un.org/resources/xml/en/consolidated.xml, schema ``sc-sanctions.xsd``).
Only entities are kept: individuals issue no securities (the manifest counts them).

Per entity: ``REFERENCE_NUMBER`` (e.g. ``KPe.001``) is the entry id the UN cites, ``LISTED_ON``
the listing date, ``UN_LIST_TYPE`` the sanctions regime (DPRK, ISIL (Da'esh) & Al-Qaida, ...),
``FIRST_NAME`` the name, ``NAME_ORIGINAL_SCRIPT`` the name in its own script, and each
``ENTITY_ALIAS`` an alias with its ``QUALITY``. The UN marks some aliases ``Low`` quality: those
are weak aliases (a name match on them can only make REVIEW). A name of a single word (``ADF``,
``NALU``) is an acronym that other companies share: it is kept as a weak alias, and the entry
takes its first alias of several words as its name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry, ParseWarning
from portfolio_check.sources.ofac_csv import SourceFile

UN_ID = "un"
UN_REGIME = "un-freeze"
UN_TITLE = "UN Security Council Consolidated List"
UN_FILE = "lists/un.json"
LOW_QUALITY = "low"


def _text(element: Element, tag: str) -> str:
    return " ".join((element.findtext(tag) or "").split())


def _date(text: str, file: str, record: str, warnings: list[ParseWarning]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        warnings.append(
            ParseWarning(
                file=file, record=record, field="LISTED_ON", value=text, problem="not a date"
            )
        )
        return None


def _aliases(entity: Element) -> tuple[list[str], list[str]]:
    """(good, low-quality) aliases, in file order."""
    good: list[str] = []
    low: list[str] = []
    for alias in entity.findall("ENTITY_ALIAS"):
        name = _text(alias, "ALIAS_NAME")
        if not name:
            continue
        (low if _text(alias, "QUALITY").lower() == LOW_QUALITY else good).append(name)
    return good, low


def _acronym(name: str) -> bool:
    """A one-word Latin-script name (ADF, NALU): an acronym other companies share. Names in
    Chinese, Korean or Arabic script are written without spaces and are not acronyms."""
    return name.isascii() and len(name.split()) == 1


def _address(element: Element) -> str:
    parts = [_text(element, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
    return ", ".join(part for part in parts if part)


def _entry(entity: Element, file: str, warnings: list[ParseWarning]) -> ListEntry | None:
    reference = _text(entity, "REFERENCE_NUMBER") or _text(entity, "DATAID")
    name = _text(entity, "FIRST_NAME")
    if not name:
        warnings.append(
            ParseWarning(
                file=file,
                record=reference,
                field="FIRST_NAME",
                value="",
                problem="entity without a name: left out",
            )
        )
        return None
    good, low = _aliases(entity)
    # one FIRST_NAME may hold several names separated by ';' (a company and its trading name)
    name, *more = [part.strip() for part in name.split(";") if part.strip()]
    good = more + good
    if original := _text(entity, "NAME_ORIGINAL_SCRIPT"):
        good.append(original)
    if _acronym(name):
        longer = next((alias for alias in good if not _acronym(alias)), None)
        if longer is not None:
            good.remove(longer)
            low.insert(0, name)
            name = longer
    low += [alias for alias in good if _acronym(alias)]
    good = [alias for alias in good if not _acronym(alias)]
    regime = _text(entity, "UN_LIST_TYPE")
    return ListEntry(
        list_id=UN_ID,
        entry_id=reference,
        name=name,
        entity_type="entity",
        programs=(regime,) if regime else (),
        strong_aliases=tuple(dict.fromkeys(good)),
        weak_aliases=tuple(dict.fromkeys(low)),
        listed_from=_date(_text(entity, "LISTED_ON"), file, reference, warnings),
        remarks=reference,
        addresses=tuple(a for a in (_address(e) for e in entity.findall("ENTITY_ADDRESS")) if a),
    )


def _root(raw: bytes, file: str) -> Element:
    try:
        root = SafeElementTree.fromstring(raw)
    except (ParseError, DefusedXmlException) as exc:
        raise SourceFormatError(f"{file}: not a readable UN XML file ({exc})") from None
    if root.tag != "CONSOLIDATED_LIST":
        raise SourceFormatError(
            f"{file}: not the UN Consolidated List (root element {root.tag!r}, expected "
            "CONSOLIDATED_LIST)"
        )
    return root


@dataclass(frozen=True)
class UnImport:
    """What the import produced: entries, flaws, the file read and how many were left out."""

    entries: tuple[ListEntry, ...]
    warnings: tuple[ParseWarning, ...]
    files: tuple[SourceFile, ...]
    generated: dt.date | None
    individuals: int


def import_un_xml(path: Path) -> UnImport:
    """Read the UN Consolidated List XML file: its entities as list entries."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot read ({exc.strerror})") from None
    root = _root(raw, path.name)
    warnings: list[ParseWarning] = []
    entities = root.findall("ENTITIES/ENTITY")
    entries = [e for e in (_entry(x, path.name, warnings) for x in entities) if e is not None]
    seen: set[str] = set()
    for entry in entries:
        if entry.entry_id in seen:
            raise SourceFormatError(f"{path.name}: reference number {entry.entry_id} twice")
        seen.add(entry.entry_id)
    generated = root.get("dateGenerated", "")
    file = SourceFile.read(
        path.name, raw, len(entities) + len(root.findall("INDIVIDUALS/INDIVIDUAL"))
    )
    return UnImport(
        tuple(entries),
        tuple(warnings),
        (file,),
        _date(generated, path.name, "CONSOLIDATED_LIST", warnings),
        len(root.findall("INDIVIDUALS/INDIVIDUAL")),
    )


def un_list_parts(result: UnImport) -> dict[str, object]:
    """The keyword arguments of the snapshot's list builder for the UN list."""
    return {
        "list_id": UN_ID,
        "title": UN_TITLE,
        "regime": UN_REGIME,
        "file": UN_FILE,
        "source": f"UN Security Council Consolidated List, XML {result.files[0].name} "
        "(https://scsanctions.un.org/resources/xml/en/consolidated.xml)",
        "published": f"{result.generated} (dateGenerated)" if result.generated else "unknown",
        "entries": result.entries,
        "warnings": result.warnings,
        "files": result.files,
        "source_records": result.files[0].records,
        "selection": "entities only: individuals issue no securities",
        "dropped": {"individuals": result.individuals} if result.individuals else {},
    }

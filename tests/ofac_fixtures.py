"""Small OFAC-format files written by the tests themselves (enhanced XML, legacy XML)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

ENHANCED_NS = (
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"
)


@dataclass
class Entity:
    """One entity of a made-up enhanced XML file."""

    uid: str
    name: str
    lists: Sequence[tuple[str, str]] = (("SDN List", "2024-01-05"),)
    programs: Sequence[str] = ("SDGT",)
    entity_type: str = "Entity"
    aliases: Sequence[str] = ()
    weak_aliases: Sequence[str] = ()
    other_scripts: Sequence[tuple[str, str]] = ()  # (script, name) of the primary name
    features: Sequence[tuple[str, str]] = ()  # (type, value)
    related: Sequence[str] = ()
    extra: str = field(default="")


def _translation(text: str, *, primary: bool, script: str = "Latin") -> str:
    return (
        f"<translation><isPrimary>{str(primary).lower()}</isPrimary><script>{script}</script>"
        f"<formattedLastName>{escape(text)}</formattedLastName>"
        f"<formattedFullName>{escape(text)}</formattedFullName></translation>"
    )


def _entity(entity: Entity) -> str:
    memberships = "".join(
        f'<sanctionsList datePublished="{day}">{escape(name)}</sanctionsList>'
        for name, day in entity.lists
    )
    programs = "".join(f"<sanctionsProgram>{p}</sanctionsProgram>" for p in entity.programs)
    primary = _translation(entity.name, primary=True) + "".join(
        _translation(text, primary=False, script=script) for script, text in entity.other_scripts
    )
    names = f"<name><isPrimary>true</isPrimary><isLowQuality>false</isLowQuality><translations>{primary}</translations></name>"
    for alias in entity.aliases:
        names += (
            "<name><isPrimary>false</isPrimary><aliasType>A.K.A.</aliasType>"
            f"<isLowQuality>false</isLowQuality><translations>{_translation(alias, primary=True)}"
            "</translations></name>"
        )
    for alias in entity.weak_aliases:
        names += (
            "<name><isPrimary>false</isPrimary><aliasType>A.K.A.</aliasType>"
            f"<isLowQuality>true</isLowQuality><translations>{_translation(alias, primary=True)}"
            "</translations></name>"
        )
    features = "".join(
        f"<feature><type>{escape(kind)}</type><value>{escape(value)}</value></feature>"
        for kind, value in entity.features
    )
    related = "".join(
        f"<relationship><type>Linked To</type><relatedEntity>{escape(r)}</relatedEntity></relationship>"
        for r in entity.related
    )
    return (
        f'<entity id="{entity.uid}"><generalInfo><entityType>{entity.entity_type}</entityType>'
        f"</generalInfo><sanctionsLists>{memberships}</sanctionsLists>"
        f"<sanctionsPrograms>{programs}</sanctionsPrograms><names>{names}</names>"
        f"<features>{features}</features><relationships>{related}</relationships>"
        f"{entity.extra}</entity>"
    )


def enhanced_xml(entities: Sequence[Entity], *, as_of: str = "2025-01-10") -> bytes:
    body = "".join(_entity(e) for e in entities)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><sanctionsData xmlns="{ENHANCED_NS}">'
        f"<publicationInfo><dataAsOf>{as_of}T00:00:00</dataAsOf></publicationInfo>"
        f"<entities>{body}</entities></sanctionsData>"
    ).encode()

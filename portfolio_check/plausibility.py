"""Context for a name-only SDN REVIEW: the holding's country beside the entry's.

An SDN entry is a sanctioned person or company, often unlisted; a listed company that shares
its name ("ITC", "Aldar Properties", "Carvana") scores 1.0 on the name alone. Such a REVIEW is
never dropped (a false CLEAR is the worst answer), but a reviewer works faster with what tells
them apart, shown beside the match:

- the holding's country: its ISIN's prefix, its exchange's country (ISO 10383), or a country
  or location column of the row;
- the entry's countries, as the entry itself states them: the countries its programs name
  (OFAC's program tags), a country in parentheses in its remarks ("Tax ID No. 7802921915
  (Russia)"), its website's country domain;
- the entry's identifiers (tax, registration and company numbers, websites, ISINs, tickers).

When the holding's country is known and differs from every country of the entry, and the
entry has identifiers the holding does not share (a security known by its own ISIN or
exchange line is not one of them), the REVIEW is marked *unlikely* and sorted after the
others. Its status stays REVIEW.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from portfolio_check.model import Finding, ListEntry, Verdict

UNLIKELY = "unlikely"
# How the name-only matches are called (Finding.matched_on); identifiers never are.
NAME_BASES = frozenset({"name", "alias", "weak alias", "fuzzy", "name (fuzzy)"})

# The country a program tag names, from OFAC's "Program Tag Definitions for OFAC Sanctions
# Lists" (https://ofac.treasury.gov/specially-designated-nationals-list-sdn-list/program-tag-definitions-for-ofac-sanctions-lists).
# Tags that name no single country (SDGT, NPWMD, SDNTK, GLOMAG, CYBER2...) give none.
PROGRAM_COUNTRIES: dict[str, str] = {
    "RUSSIA-EO14024": "RU",
    "CAATSA - RUSSIA": "RU",
    "SYRIA": "SY",
    "SYRIA-EO13894": "SY",
    "IRAN": "IR",
    "IFSR": "IR",
    "IRGC": "IR",
    "IRAN-HR": "IR",
    "IRAN-TRA": "IR",
    "IRAN-EO13902": "IR",
    "IRAN-EO13846": "IR",
    "IRAN-EO13871": "IR",
    "CUBA": "CU",
    "DPRK": "KP",
    "DPRK2": "KP",
    "DPRK3": "KP",
    "DPRK4": "KP",
    "NKSPEA": "KP",
    "VENEZUELA": "VE",
    "VENEZUELA-EO13850": "VE",
    "VENEZUELA-EO13884": "VE",
    "BELARUS": "BY",
    "BELARUS-EO14038": "BY",
    "BURMA-EO14014": "MM",
    "IRAQ2": "IQ",
    "IRAQ3": "IQ",
    "LIBYA2": "LY",
    "LIBYA3": "LY",
    "SOMALIA": "SO",
    "SUDAN": "SD",
    "SOUTH SUDAN": "SS",
    "YEMEN": "YE",
    "ZIMBABWE": "ZW",
    "NICARAGUA": "NI",
    "NICARAGUA-NHRAA": "NI",
    "MALI-EO13882": "ML",
    "CAR": "CF",
    "DRCONGO": "CD",
    "LEBANON": "LB",
    "HK-EO13936": "HK",
    "ETHIOPIA-EO14046": "ET",
}
_PARENTHESES = re.compile(r"\(([A-Za-z .'-]{3,40})\)")
_WEBSITE = re.compile(r"\bwww\.[\w.-]+\.([a-z]{2})\b|https?://[\w.-]+\.([a-z]{2})\b", re.I)
_IDENTIFIER = re.compile(
    r"(Tax ID No\.|Registration (?:Number|ID)|Company Number|Business Registration[\w #.]*|"
    r"Website|Identification Number|Legal Entity Number|D-U-N-S Number|SWIFT/BIC|"
    r"Unified Social Credit Code \(USCC\)|IMO|MMSI)\s*[:#]?\s*([^;]+)",
    re.I,
)
_COUNTRY_COLUMN = re.compile(r"\b(country|location|domicile|国家|國家)\b", re.I)


@dataclass(frozen=True)
class Context:
    """What a reviewer sees beside a name-only SDN match, and whether it is unlikely."""

    holding_country: str | None
    holding_country_from: str
    entry_countries: tuple[str, ...]
    entry_identifiers: tuple[str, ...]
    programs: tuple[str, ...]
    likelihood: str | None

    def text(self) -> str:
        held = (
            f"{self.holding_country} ({self.holding_country_from})"
            if self.holding_country
            else "not known"
        )
        countries = ", ".join(self.entry_countries) or "none stated"
        ids = "; ".join(self.entry_identifiers) or "none"
        said = f"holding's country {held}; entry's countries {countries}; entry's programs "
        said += f"{', '.join(self.programs) or '-'}; entry's identifiers {ids}"
        if self.likelihood == UNLIKELY:
            said += (
                "; unlikely to be this entry: another country, and identifiers the holding "
                "does not share (still REVIEW)"
            )
        return said


@functools.cache
def _countries() -> dict[str, str]:
    """Country names, official names and codes -> ISO 3166 alpha-2 (pycountry)."""
    import pycountry

    out: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                out[value.casefold()] = country.alpha_2
        out[country.alpha_2.casefold()] = country.alpha_2
        out[country.alpha_3.casefold()] = country.alpha_2
    out |= {"russia": "RU", "iran": "IR", "syria": "SY", "north korea": "KP", "uae": "AE"}
    out |= {"south korea": "KR", "korea": "KR", "taiwan": "TW", "venezuela": "VE"}
    return out


def country_code(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return _countries().get(text.strip().casefold())


@functools.cache
def mic_countries() -> Mapping[str, str]:
    """ISO 10383 MIC -> country, from the snapshot's MIC master (the one identifiers reads)."""
    from portfolio_check.identifiers import _mic_master_path

    path = _mic_master_path()
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["mic"]: row["country"] for row in csv.DictReader(handle) if row["country"]}


def holding_country(verdict: Verdict, cells: Mapping[str, str]) -> tuple[str | None, str]:
    """The holding's country and where it comes from."""
    identity = verdict.identity
    if identity.isin and identity.isin[:2] not in ("XS", "EU"):
        return identity.isin[:2], f"ISIN {identity.isin}"
    exchange = identity.exchange
    if exchange:
        country = "US" if exchange == "US" else mic_countries().get(exchange)
        if country:
            return country, f"exchange {exchange}"
    for key, value in cells.items():
        if _COUNTRY_COLUMN.search(key) and (code := country_code(value)):
            return code, f"{key} {value!r}"
    return None, ""


def entry_countries(entry: ListEntry) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for program in entry.programs:
        if program in PROGRAM_COUNTRIES:
            found[PROGRAM_COUNTRIES[program]] = None
    for text in (entry.remarks, *entry.addresses):
        for match in _PARENTHESES.finditer(text):
            if code := country_code(match.group(1)):
                found[code] = None
        for match in _WEBSITE.finditer(text):
            tld = (match.group(1) or match.group(2) or "").upper()
            if tld and country_code(tld):
                found[tld] = None
    for address in entry.addresses:
        if code := country_code(address.rsplit(",", 1)[-1]):
            found[code] = None
    return tuple(found)


def entry_identifiers(entry: ListEntry) -> tuple[str, ...]:
    ids = [
        f"{m.group(1).strip()} {m.group(2).strip()}" for m in _IDENTIFIER.finditer(entry.remarks)
    ]
    ids += [f"ISIN {i}" for i in entry.isins] + [f"ticker {t}" for t in entry.tickers]
    ids += [f"USCC {u}" for u in entry.uscc]
    return tuple(dict.fromkeys(ids))


def name_only_sdn(verdict: Verdict) -> list[Finding]:
    """The verdict's SDN findings when every finding is an SDN match on a name alone."""
    findings = list(verdict.findings)
    if not findings or any(f.list_id != "sdn" or f.matched_on not in NAME_BASES for f in findings):
        return []
    return findings


def context(verdict: Verdict, entry: ListEntry, cells: Mapping[str, str]) -> Context:
    country, source = holding_country(verdict, cells)
    countries = entry_countries(entry)
    ids = entry_identifiers(entry)
    own_code = bool(verdict.identity.isin or verdict.identity.ticker)
    unlikely = bool(country and countries and country not in countries and ids and own_code)
    return Context(country, source, countries, ids, entry.programs, UNLIKELY if unlikely else None)

"""The reference files read directly (json/csv), never through the checker's own modules.

Everything a label needs: the NS-CMIC entries with their dates, every line (ISIN or code on an
exchange) the reference ties to an entry, every name, the relations, and the exchange masters.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "reference"

US_PERSON = "us-person"
NON_US_PERSON = "non-us-person"

# OFAC's ticker suffix (and Bloomberg's) -> MIC, for the exchanges the entries use.
# Source: the tickers published in reference/lists/ns_cmic.json ("0728 HK", "601800 CN").
HK_MIC = "XHKG"
SSE_MIC = "XSHG"
SZSE_MIC = "XSHE"


def a_share_mic(code: str) -> str:
    """The mainland exchange of a six-digit A-share code.

    Source: SSE and SZSE code allocation (SSE main board 600/601/603/605, STAR 688; SZSE main
    board 000/001/002/003, ChiNext 300/301/302), as in reference/masters/csi.csv's ``mic``.
    """
    return SSE_MIC if code.startswith(("6", "9")) else SZSE_MIC


@dataclass(frozen=True)
class Line:
    """A listed line (code on an exchange) of an issuer."""

    code: str  # zero-padded: 5 digits on XHKG, 6 on the mainland, letters elsewhere
    mic: str  # ISO 10383 MIC, or OFAC's two-letter suffix for other markets ("US", "DE")
    source: str


@dataclass
class Entry:
    entry_id: str
    name: str
    strong_aliases: list[str]
    issuer_names: list[str]
    isins: list[str]  # as published plus curated/derived
    lines: list[Line]
    curated_names: list[tuple[str, str]]  # (name, language)
    listing: dt.date
    effective: dt.date
    divestment: dt.date | None
    raw_tickers: list[str] = field(default_factory=list)

    def status(self, day: dt.date, investor: str) -> str:
        """The labelling rule of the brief: D < L CLEAR; L <= D < E PENDING; D >= E PROHIBITED."""
        if investor == NON_US_PERSON:
            return "WATCH" if day >= self.listing else "CLEAR"
        if day < self.listing:
            return "CLEAR"
        if day < self.effective:
            return "PENDING"
        return "PROHIBITED"

    def all_names(self) -> list[tuple[str, str]]:
        names = [(self.name, "en")]
        names += [(alias, "en") for alias in self.strong_aliases]
        names += [(issuer, "en") for issuer in self.issuer_names]
        names += self.curated_names
        seen: set[str] = set()
        out = []
        for name, language in names:
            if name not in seen:
                seen.add(name)
                out.append((name, language))
        return out


@dataclass(frozen=True)
class Relation:
    kind: str
    name: str
    aliases: tuple[str, ...]
    isins: tuple[str, ...]
    lines: tuple[Line, ...]
    cusip6: str
    entry_id: str
    # the days the relation holds (curated valid_from / valid_to: first day, first day no longer)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def holds(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass(frozen=True)
class HkexRow:
    code: str
    name: str
    category: str
    isin: str


@dataclass(frozen=True)
class CsiRow:
    code: str
    mic: str
    name_zh: str
    name_en: str


@dataclass
class Reference:
    entries: dict[str, Entry]
    relations: list[Relation]
    hkex: dict[str, HkexRow]
    csi: dict[str, CsiRow]
    abbreviations: dict[str, str]  # abbreviation -> entry id
    derivative_underlyings: dict[str, str]  # warrant short-name abbreviation -> HKEX code

    @property
    def line_owner(self) -> dict[tuple[str, str], str]:
        """(code, mic) -> entry id for every line the reference ties to an entry."""
        return {
            (line.code, line.mic): e.entry_id for e in self.entries.values() for line in e.lines
        }

    @property
    def isin_owner(self) -> dict[str, str]:
        return {isin: e.entry_id for e in self.entries.values() for isin in e.isins}

    def related_codes(self) -> set[tuple[str, str]]:
        return {(line.code, line.mic) for r in self.relations for line in r.lines}


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_ofac_ticker(ticker: str) -> Line | None:
    """OFAC's ``CODE XX`` ticker as a line: HK codes padded to 5, CN codes placed by rule."""
    match = re.fullmatch(r"(\S+) ([A-Z]{2})", ticker.strip())
    if not match:
        return None
    code, suffix = match.groups()
    if suffix == "HK" and code.isdigit():
        return Line(code.zfill(5), HK_MIC, f"OFAC ticker {ticker}")
    if suffix == "CN" and code.isdigit() and len(code) == 6:
        return Line(code, a_share_mic(code), f"OFAC ticker {ticker}")
    return Line(code, suffix, f"OFAC ticker {ticker}")


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@cache
def load() -> Reference:
    data = json.loads((REFERENCE / "lists" / "ns_cmic.json").read_text(encoding="utf-8"))
    entries: dict[str, Entry] = {}
    for raw in data["entries"]:
        lines = []
        for ticker in raw.get("tickers") or []:
            line = parse_ofac_ticker(ticker)
            if line is not None:
                lines.append(line)
        listing = _date(raw.get("listing_date"))
        effective = _date(raw.get("effective_date"))
        assert listing is not None and effective is not None, raw["entry_id"]
        entries[raw["entry_id"]] = Entry(
            entry_id=raw["entry_id"],
            name=raw["name"],
            strong_aliases=list(raw.get("strong_aliases") or []),
            issuer_names=list(raw.get("issuer_names") or []),
            isins=list(raw.get("isins") or []),
            lines=lines,
            curated_names=[],
            listing=listing,
            effective=effective,
            divestment=_date(raw.get("divestment_date")),
            raw_tickers=list(raw.get("tickers") or []),
        )
    for folder in ("curated", "derived"):
        for row in _csv(REFERENCE / folder / "securities.csv"):
            if row["list_id"] != "ns-cmic" or row["entry_id"] not in entries:
                continue
            entry = entries[row["entry_id"]]
            if row["isin"] and row["isin"] not in entry.isins:
                entry.isins.append(row["isin"])
            if row["local_code"] and row["mic"]:
                line = Line(row["local_code"], row["mic"], f"{folder}/securities.csv")
                if all((x.code, x.mic) != (line.code, line.mic) for x in entry.lines):
                    entry.lines.append(line)
        for row in _csv(REFERENCE / folder / "names.csv"):
            if row["list_id"] == "ns-cmic" and row["entry_id"] in entries:
                entries[row["entry_id"]].curated_names.append((row["name"], row["language"]))
    relations = []
    for row in _csv(REFERENCE / "curated" / "relations.csv"):
        # affiliates (China Tower) are screened only when the firm asks: not by default
        if row["object_list_id"] != "ns-cmic" or row["kind"] == "affiliate-of":
            continue
        rel_lines = []
        for ticker in filter(None, row["subject_tickers"].split(";")):
            code, mic = ticker.split()
            rel_lines.append(Line(code, mic, "curated/relations.csv"))
        relations.append(
            Relation(
                kind=row["kind"],
                name=row["subject_name"],
                aliases=tuple(filter(None, row["subject_aliases"].split(";"))),
                isins=tuple(filter(None, row["subject_isins"].split(";"))),
                lines=tuple(rel_lines),
                cusip6=row["subject_cusip6"].split(";")[0],
                entry_id=row["object_entry_id"],
                valid_from=_day(row.get("valid_from", "")),
                valid_to=_day(row.get("valid_to", "")),
            )
        )
    hkex = {
        row["code"]: HkexRow(row["code"], row["name"], row["category"], row["isin"].strip())
        for row in _csv(REFERENCE / "masters" / "hkex.csv")
    }
    csi = {
        row["code"]: CsiRow(row["code"], row["mic"], row["name_zh"], row["name_en"])
        for row in _csv(REFERENCE / "masters" / "csi.csv")
    }
    abbreviations = {
        row["abbreviation"]: row["entry_id"]
        for row in _csv(REFERENCE / "curated" / "abbreviations.csv")
        if row["list_id"] == "ns-cmic"
    }
    underlyings = {
        row["abbreviation"]: row["underlying_code"]
        for row in _csv(REFERENCE / "curated" / "derivative_underlyings.csv")
    }
    return Reference(entries, relations, hkex, csi, abbreviations, underlyings)


# --------------------------------------------------------------------------------------------
# Names: the generator's own normalisation, used only to find names that fit two entries.
# --------------------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "CO": "COMPANY",
    "LTD": "LIMITED",
    "CORP": "CORPORATION",
    "INC": "INCORPORATED",
    "INTL": "INTERNATIONAL",
    "MFG": "MANUFACTURING",
}
LEGAL_TOKENS = {"COMPANY", "LIMITED", "CORPORATION", "INCORPORATED", "LLC", "PLC", "ULC"}
_ZH_LEGAL = ("股份有限公司", "有限责任公司", "有限公司", "有限責任公司", "股份公司")


def exact_key(name: str) -> str:
    text = name.upper().replace("&", " AND ")
    text = re.sub(r"[^\w\u3000-\u9fff\uff00-\uffef]+", " ", text)
    tokens = [_ABBREVIATIONS.get(token, token) for token in text.split()]
    return " ".join(tokens)


def stem_key(name: str) -> tuple[str, bool]:
    """The name without its trailing legal form, and whether it had one."""
    key = exact_key(name)
    had = False
    for suffix in _ZH_LEGAL:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)], True
    tokens = key.split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_TOKENS:
        tokens.pop()
        had = True
    return " ".join(tokens), had


@dataclass
class NameIndex:
    exact: dict[str, set[str]]
    stem_with_form: dict[str, set[str]]
    stem_any: dict[str, set[str]]

    def candidates(self, name: str) -> set[str]:
        """Entries a name fits: exactly, else by stem (a name with a legal form fits only
        entry names that carry one; a bare name fits every entry name of that stem)."""
        exact = self.exact.get(exact_key(name))
        if exact:
            return set(exact)
        stem, had = stem_key(name)
        table = self.stem_with_form if had else self.stem_any
        return set(table.get(stem, set()))


@cache
def name_index() -> NameIndex:
    ref = load()
    exact: dict[str, set[str]] = defaultdict(set)
    with_form: dict[str, set[str]] = defaultdict(set)
    any_form: dict[str, set[str]] = defaultdict(set)
    for entry in ref.entries.values():
        for name, _language in entry.all_names():
            exact[exact_key(name)].add(entry.entry_id)
            stem, had = stem_key(name)
            any_form[stem].add(entry.entry_id)
            if had:
                with_form[stem].add(entry.entry_id)
    return NameIndex(dict(exact), dict(with_form), dict(any_form))

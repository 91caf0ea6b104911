"""HKEX derivative warrants and CBBCs from the two real HKEX masters in ../shared (rule 8).

A master lists each warrant with its Expiry Date; the warrant's life, as far as the master
vouches for it, runs from the master's "Updated as at" date to that expiry. Its short name
(``HS-SMIC@EC2211A``, ``BI#SMIC RC2212B``) names the underlying.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

from . import labels
from .model import Case, LabelFn
from .refdata import HK_MIC, REPO, load

SHARED_HKEX = REPO.parent / "shared" / "data" / "hkex"
MASTERS = (
    "ref_hkex_list_of_securities_2021-10-11.xlsx",
    "ref_hkex_list_of_securities_2025-07-11.xlsx",
)
CATEGORIES = ("Derivative Warrants", "Callable Bull/Bear Contracts")

# Underlying abbreviations in warrant short names -> HKEX code of the underlying stock.
# Source: reference/curated/derivative_underlyings.csv (CMOB, CTEL, CUNI, SENTM, CRCC, CCCCL,
# CGNP), plus SMIC and CNOOC, which are the HKEX short names of 00981 and 00883 themselves
# (reference/masters/hkex.csv) and appear unchanged in the warrants' names.
EXTRA_UNDERLYINGS = {"SMIC": "00981", "CNOOC": "00883"}
# Ordinary underlyings (not on any list): Tencent 00700, HSBC 00005, AIA 01299, Meituan 03690,
# Alibaba 09988, Xiaomi 01810, HKEX 00388, Ping An 02318. Source: the HKEX short names of those
# codes in reference/masters/hkex.csv and each warrant's listing document on HKEXnews.
ORDINARY = {
    "TENCT": "00700",
    "HSBC": "00005",
    "AIA": "01299",
    "MTUAN": "03690",
    "ALIBA": "09988",
    "XIAMI": "01810",
    "HKEX": "00388",
    "PINAN": "02318",
}
_NAME = re.compile(r"^[A-Z]{2}[-#]?([A-Z0-9]+?)\s*(?:@[EX][CP]|R[CP])\d{4}[A-Z]$")


@dataclass(frozen=True)
class Derivative:
    code: str
    name: str
    category: str
    isin: str
    start: dt.date  # the master's "Updated as at" date
    expiry: dt.date
    underlying: str  # abbreviation in the short name

    def alive(self, day: dt.date) -> bool:
        return self.start <= day <= self.expiry


def available() -> bool:
    return all((SHARED_HKEX / name).exists() for name in MASTERS)


def _parse_day(text: str) -> dt.date:
    return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()


def read_master(path: Path) -> list[Derivative]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    updated = re.search(r"(\d{2}/\d{2}/\d{4})", str(rows[1][0]))
    assert updated, f"{path}: no 'Updated as at' line"
    start = _parse_day(updated.group(1))
    header = [str(cell).strip() for cell in rows[2]]
    at = {
        name: header.index(name)
        for name in ("Stock Code", "Name of Securities", "Category", "ISIN", "Expiry Date")
    }
    out = []
    for row in rows[3:]:
        category = str(row[at["Category"]]).strip()
        if category not in CATEGORIES:
            continue
        name = str(row[at["Name of Securities"]]).strip()
        match = _NAME.match(name)
        expiry = str(row[at["Expiry Date"]]).strip()
        if not match or not expiry:
            continue
        out.append(
            Derivative(
                code=str(row[at["Stock Code"]]).strip().zfill(5),
                name=name,
                category=category,
                isin=str(row[at["ISIN"]]).strip(),
                start=start,
                expiry=_parse_day(expiry),
                underlying=match.group(1),
            )
        )
    return out


def _underlyings() -> dict[str, str | None]:
    """Abbreviation -> entry id (covered), 'relation:<entry id>' or None (ordinary)."""
    ref = load()
    owner = ref.line_owner
    related = {(line.code, line.mic): r.entry_id for r in ref.relations for line in r.lines}
    out: dict[str, str | None] = {}
    for abbreviation, code in {**ref.derivative_underlyings, **EXTRA_UNDERLYINGS}.items():
        if (code, HK_MIC) in owner:
            out[abbreviation] = owner[(code, HK_MIC)]
        elif (code, HK_MIC) in related:
            out[abbreviation] = "relation:" + related[(code, HK_MIC)]
    for abbreviation in ORDINARY:
        out[abbreviation] = None
    return out


def build_cases(rng: random.Random, per_underlying: int = 3) -> list[Case]:
    """Warrant and CBBC cases; empty when ../shared is absent."""
    if not available():
        return []
    ref = load()
    masters = [read_master(SHARED_HKEX / name) for name in MASTERS]
    everything = [d for master in masters for d in master]
    by_code: dict[str, list[Derivative]] = {}
    for derivative in everything:
        by_code.setdefault(derivative.code, []).append(derivative)
    known = _underlyings()
    cases: list[Case] = []
    for master in masters:
        for abbreviation, target in sorted(known.items()):
            pool = sorted((d for d in master if d.underlying == abbreviation), key=lambda d: d.code)
            for derivative in rng.sample(pool, min(per_underlying, len(pool))):
                cases += _cases_for(derivative, target, by_code, ref, rng)
    return cases


def _status_fn(target: str | None, what: str) -> LabelFn:
    ref = load()
    if target is None:
        return labels.constant("CLEAR", f"rule 8: {what}, underlying not listed")
    if target.startswith("relation:"):
        entry = ref.entries[target.split(":", 1)[1]]
        return labels.related(entry, "rule 8+4", what + " (underlying related)")
    return labels.entry_status(ref.entries[target], "rule 8", what)


def _cases_for(
    derivative: Derivative,
    target: str | None,
    by_code: dict[str, list[Derivative]],
    ref: object,
    rng: random.Random,
) -> list[Case]:
    d = derivative
    life = f"{d.code} {d.name} ({d.category}) alive {d.start}..{d.expiry}"
    cases = []
    inside = d.alive
    # By code + exchange, inside its life: the underlying's status.
    cases.append(
        Case(
            "warrant-code",
            {"code": d.code, "exchange": HK_MIC},
            _status_fn(target, f"code {life}"),
            None if target is None or target.startswith("relation:") else target,
            mic=HK_MIC,
            date_ok=inside,
            us_only=target is not None and target.startswith("relation:"),
        )
    )
    # By short name (with its code), whatever the date.
    cases.append(
        Case(
            "warrant-name",
            {"code": d.code, "exchange": HK_MIC, "name": d.name},
            _status_fn(target, f"short name {d.name!r} names {d.underlying}"),
            None if target is None or target.startswith("relation:") else target,
            mic=HK_MIC,
            us_only=target is not None and target.startswith("relation:"),
        )
    )
    if d.isin:
        cases.append(
            Case(
                "warrant-isin",
                {"isin": d.isin},
                _status_fn(target, f"ISIN {d.isin} of {life}"),
                None if target is None or target.startswith("relation:") else target,
                date_ok=inside,
                us_only=target is not None and target.startswith("relation:"),
            )
        )
    # By code only, outside every life the masters vouch for under that code.
    lives = by_code[d.code]

    def outside(day: dt.date) -> bool:
        return not any(x.alive(day) for x in lives) and day > d.expiry

    why = f"code {d.code} on XHKG outside every master life ({life})"
    cases.append(
        Case(
            "warrant-expired",
            {"code": d.code, "exchange": HK_MIC},
            labels.unresolved(why),
            None,
            mic=HK_MIC,
            date_ok=outside,
        )
    )
    return cases

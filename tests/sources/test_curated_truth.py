"""Curated truth stays true (issue 15): the curated rows against the masters and OFAC's data.

* every relation's lines and bond ISINs are in the shipped exchange masters, the bonds under a
  short name of the relation's subject, on a master dated inside the relation's validity where
  one is;
* the CUSIP issuer numbers agree with the subject's US and Canadian ISINs;
* the EO 13959 entities' own lines are the masters' lines;
* a curated exchange short name is the exchange's current one where the master gives it;
* no relation's subject is itself a list entry, and no curated line is one OFAC publishes for
  another entry (that would contradict OFAC's own records and its ``Linked To`` data).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from portfolio_check.identifiers import parse_ticker
from portfolio_check.names import normalize_name
from portfolio_check.refdata import load_reference
from portfolio_check.reference import HkexSecurity, Reference

CSI_CODE = re.compile(r"exchange short name of A-share (\d{6})")


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


@pytest.fixture(scope="module")
def hkex_by_isin(reference: Reference) -> dict[str, list[HkexSecurity]]:
    found: dict[str, list[HkexSecurity]] = defaultdict(list)
    for line in reference.hkex:
        if line.isin:
            found[line.isin].append(line)
    return found


@pytest.fixture(scope="module")
def csi_names(reference: Reference) -> dict[str, str]:
    import csv

    with (reference.folder / "masters" / "csi.csv").open(encoding="utf-8") as handle:
        return {row["code"]: row["name_zh"] for row in csv.DictReader(handle)}


def _inside(day: str, start: dt.date | None, end: dt.date | None) -> bool:
    when = dt.date.fromisoformat(day)
    return (start is None or start <= when) and (end is None or when < end)


def test_relation_bonds_are_on_hkex_under_the_subjects_short_name(
    reference: Reference, hkex_by_isin: dict[str, list[HkexSecurity]]
) -> None:
    checked = 0
    for relation in reference.relations:
        shorts = tuple(s.upper() for s in relation.subject_short_names)
        for isin in relation.subject_isins:
            lines = hkex_by_isin.get(isin)
            assert lines, f"{relation.subject_name}: {isin} is on no shipped HKEX master"
            named = [line for line in lines if line.name.upper().startswith(shorts)]
            assert named, f"{relation.subject_name}: {isin} is {lines[0].name} on HKEX"
            dated = [
                line
                for line in named
                if _inside(line.master_date, relation.valid_from, relation.valid_to)
            ]
            assert dated, f"{relation.subject_name}: {isin} on no master inside its dates"
            checked += 1
    assert checked >= 40


def test_relation_lines_are_in_the_masters(reference: Reference, csi_names: dict[str, str]) -> None:
    codes = {line.code for line in reference.hkex}
    for relation in reference.relations:
        for raw in relation.subject_tickers:
            ticker = parse_ticker(raw)
            assert ticker is not None, raw
            if ticker.market == "XHKG":
                assert ticker.code in codes, f"{relation.subject_name}: {raw} not on HKEX"
            elif ticker.code in csi_names:
                # an A-share line in the CSI 300: its short name is the subject's
                assert csi_names[ticker.code] in relation.subject_short_names, (
                    relation.subject_name,
                    raw,
                    csi_names[ticker.code],
                )


def test_cusip_issuer_numbers_agree_with_the_isins(reference: Reference) -> None:
    for relation in reference.relations:
        for number in relation.subject_cusip6:
            assert re.fullmatch(r"[0-9A-Z]{6}", number), number
        north_american = {i[2:8] for i in relation.subject_isins if i[:2] in ("US", "CA")}
        if relation.subject_cusip6:
            assert north_american <= set(relation.subject_cusip6), relation.subject_name


def test_eo13959_entities_lines_are_the_masters(
    reference: Reference, hkex_by_isin: dict[str, list[HkexSecurity]], csi_names: dict[str, str]
) -> None:
    for entry in reference.lists["ns-ccmc"].entries:
        for raw in entry.tickers:
            ticker = parse_ticker(raw)
            assert ticker is not None, raw
            if ticker.market == "XHKG":
                assert any(
                    line.code == ticker.code for i in entry.isins for line in hkex_by_isin[i]
                ), (entry.name, raw)
            elif ticker.market in ("XSHG", "XSHE"):
                assert ticker.code in csi_names, (entry.name, raw)
                assert csi_names[ticker.code] in entry.strong_aliases, (entry.name, raw)


def test_curated_short_names_are_the_exchanges_current_ones(
    reference: Reference, csi_names: dict[str, str]
) -> None:
    compared = 0
    for row in reference.curated_names:
        match = CSI_CODE.search(row.note)
        if match is None or match.group(1) not in csi_names or " until " in row.note:
            continue
        assert row.name == csi_names[match.group(1)], (row.entry_id, row.name)
        compared += 1
    # Curated short names of lines outside the CSI 300 have only their cited exchange page;
    # none of them may be the master's short name of another line.
    by_name = {name: code for code, name in csi_names.items()}
    for row in reference.curated_names:
        match = CSI_CODE.search(row.note)
        if match is not None and row.name in by_name:
            assert by_name[row.name] == match.group(1), (row.entry_id, row.name)
    assert compared >= 0  # today no curated short name is of a CSI 300 line


def test_curated_hkex_lines_are_the_masters(reference: Reference) -> None:
    lines: dict[str, set[str]] = defaultdict(set)
    for line in reference.hkex:
        lines[line.code].add(line.isin)
    for row in reference.curated_securities:
        if row.mic == "XHKG" and row.local_code:
            assert row.local_code in lines, (row.security_name, row.local_code)
            if row.isin:
                assert row.isin in lines[row.local_code], (row.security_name, row.isin)


def test_no_relation_subject_is_itself_an_entry_of_its_list(reference: Reference) -> None:
    for relation in reference.relations:
        entries = reference.lists[relation.object_list_id].entries
        names = {normalize_name(e.name) for e in entries}
        names |= {normalize_name(a) for e in entries for a in e.strong_aliases}
        lines = {parse_ticker(t) for e in entries for t in e.tickers}
        isins = {i for e in entries for i in e.isins}
        assert normalize_name(relation.subject_name) not in names, relation.subject_name
        assert not set(relation.subject_isins) & isins, relation.subject_name
        for raw in relation.subject_tickers:
            assert parse_ticker(raw) not in lines, (relation.subject_name, raw)


def test_no_curated_line_is_one_ofac_publishes_for_another_entry(reference: Reference) -> None:
    by_isin: dict[str, set[str]] = defaultdict(set)
    for ref_list, entry in reference.iter_entries():
        if ref_list.list_id == "ns-cmic":
            for isin in entry.isins:
                by_isin[isin].add(entry.entry_id)
    for row in reference.curated_securities:
        if row.isin and row.list_id == "ns-cmic" and row.isin in by_isin:
            assert by_isin[row.isin] == {row.entry_id}, (row.security_name, row.isin)
    for entry in reference.lists["ns-ccmc"].entries:
        assert not set(entry.isins) & set(by_isin), entry.name


def test_linked_to_agrees_with_the_eo13959_mapping(reference: Reference) -> None:
    # OFAC's Linked To names the parent of a listed subsidiary (China Mobile Limited -> China
    # Mobile Communications Group): the subsidiary was designated after its parent under EO
    # 13959 (the four NS-CCMC subsidiaries, 2021-01-08), never before it.
    entries = {normalize_name(e.name): e for e in reference.lists["ns-cmic"].entries}
    for entry in reference.lists["ns-cmic"].entries:
        child = reference.designation("ns-cmic", entry.entry_id)
        for parent_name in entry.linked_to:
            parent = entries.get(normalize_name(parent_name))
            if child is None or parent is None:
                continue
            parent_designation = reference.designation("ns-cmic", parent.entry_id)
            if parent_designation is not None:
                assert parent_designation.listed <= child.listed, (entry.name, parent.name)

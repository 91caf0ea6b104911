"""resolve(): the declared tiers, which of them looked at a security, and which one decided.

Run on the shipped snapshot, the way the pipeline runs them (one index per snapshot).
"""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio_check.pipeline import security_index
from portfolio_check.refdata import load_reference
from portfolio_check.resolve import (
    TIERS,
    EntryMatch,
    Found,
    Look,
    Resolution,
    SecurityIndex,
    Tier,
    identify,
    resolve,
)
from portfolio_check.resolve import tiers as tiers_module
from portfolio_check.rules import MatchStrength

DAY = dt.date(2022, 3, 1)


@pytest.fixture(scope="module")
def index() -> SecurityIndex:
    return security_index(load_reference())


def _resolved(index: SecurityIndex, day: dt.date = DAY, **cells: str) -> Resolution:
    identity, notes = identify(**cells)
    return resolve(index, identity, notes, as_of=day)


def test_the_tiers_are_declared_in_their_order() -> None:
    assert [t.name for t in TIERS] == ["identifiers", "derivatives", "names", "relations"]
    assert all(t.what for t in TIERS)


def test_an_isin_the_reference_knows_is_decided_by_the_identifiers_tier(
    index: SecurityIndex,
) -> None:
    found = _resolved(index, isin="KYG8062L1041", name="SENSETIME GROUP INC")
    assert found.tiers == ("identifiers",)
    assert {(m.list_id, m.entry_id) for m in found.matches} == {("ns-cmic", "33114")}
    assert found.screened == ("ISIN KYG8062L1041", "name 'SENSETIME GROUP INC'")


def test_a_warrant_short_name_is_decided_by_its_underlying(index: SecurityIndex) -> None:
    found = _resolved(index, dt.date(2021, 11, 1), name="HS-SMIC@EC2211A")
    assert found.tiers == ("identifiers", "derivatives")
    # SMIC (30951) through its HKEX line 00981, which the warrant's abbreviation stands for
    assert [(m.entry_id, m.exposure) for m in found.matches] == [("30951", "derivative warrant")]
    assert found.checked == "derivative warrant on 00981 XHKG"


def test_an_exact_listed_name_is_decided_by_the_names_tier(index: SecurityIndex) -> None:
    found = _resolved(index, name="SENSETIME GROUP LIMITED")
    assert found.tiers == ("identifiers", "derivatives", "names")
    assert [m.entry_id for m in found.matches] == ["33114"]
    assert "name 'SENSETIME GROUP LIMITED'" in found.checked


def test_a_look_alike_goes_through_every_tier_and_matches_nothing(index: SecurityIndex) -> None:
    found = _resolved(index, name="SENSATA TECHNOLOGIES HOLDING PLC")
    assert found.tiers == tuple(t.name for t in TIERS)
    assert found.matches == ()
    assert found.identified  # the name was screened: a clearance can be earned on it


def test_adding_a_tier_is_adding_an_entry(
    index: SecurityIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    def firm_codes(look: Look) -> Found:
        # a firm's own security codes, say: a made-up tier that ties one code to SenseTime
        seen.append(look.identity.name)
        if look.identity.name != "INTERNAL-0042":
            return Found(checked=("firm code table",))
        match = EntryMatch("ns-cmic", "33114", "firm code", 1.0, MatchStrength.DEFINITE, "x")
        return Found((match,), ("firm code table",), final=True)

    monkeypatch.setattr(tiers_module, "TIERS", (Tier("firm codes", "test", firm_codes), *TIERS))
    found = _resolved(index, name="INTERNAL-0042")
    assert found.tiers == ("firm codes",)
    assert [m.matched_on for m in found.matches] == ["firm code"]
    other = _resolved(index, name="SENSETIME GROUP LIMITED")
    assert other.tiers == ("firm codes", "identifiers", "derivatives", "names")
    assert "firm code table" in other.checked
    assert seen == ["INTERNAL-0042", "SENSETIME GROUP LIMITED"]

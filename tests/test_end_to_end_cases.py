"""The end-to-end cases in one table: a holding, the day and the investor, and the answer.

Each row is one holding run against the shipped snapshot: what it carries (a security as a
trader types it, with its exchange; a row of the shipped SenseTime workbook; the cells of a
caller's table), the as-of date, the investor and the check's options, and what the answer must
be: the status, the list entry of the first finding and what tied it (its basis), and the
words its explanation or reason holds. Adding a case is adding a row.

Tests of the faces (the CLI, the JSON API, the upload page) run their own cases in
``tests/test_failsafe.py``; the workbook's row accounting and the CLI's exit codes stay in
``tests/test_sensetime_case.py``. Sources of the cases: the README's SenseTime table (issue 1),
issue 3's acceptance cases (the lines OFAC omits, the group companies the law does not reach)
and the notations a hostile tester found on held-out exports (issue 12).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest

from portfolio_check import Investor, Status, check, check_security
from portfolio_check.model import Finding
from tests.paths import SENSETIME_WORKBOOK

US = Investor.US_PERSON
NON_US = Investor.NON_US_PERSON
SENSETIME = "33114"
SENSETIME_DATES = ("2021-12-10", "2022-02-08", "2022-12-10")  # listed, effective, divest by


@dataclass(frozen=True)
class Case:
    """One holding end to end and the answer it must get.

    ``security`` (with ``exchange``) is what a trader types, checked with ``check_security``;
    ``row`` is an Excel row of the shipped SenseTime workbook, checked with ``check`` on the
    file; ``cells`` are the cells of a one-row table a caller passes to ``check``.
    """

    label: str
    as_of: str
    status: Status
    security: str | None = None
    exchange: str | None = None
    row: int | None = None
    cells: dict[str, str] = field(default_factory=dict)
    investor: Investor = US
    side: str | None = None
    lists: tuple[str, ...] | None = None
    related: str | None = None
    # the first finding: its list entry and what tied it ("curated ticker", "relation: ...")
    entry: str | None = None
    basis: str | None = None
    # the entry is among the findings, not necessarily the first
    among: str | None = None
    explains: tuple[str, ...] = ()  # words the first finding's explanation holds
    reason: tuple[str, ...] = ()  # words the verdict's reason holds
    sell: str | None = None  # what the answer says of selling
    allowed: bool | None = None  # whether the trade is allowed
    issuer: str | None = None  # the issuer the holding is tied to
    dates: tuple[str, str, str] | None = None  # the first finding's listed, effective, divest by


@dataclass(frozen=True)
class Answer:
    """What a face answered, in one shape (dates as ISO text)."""

    status: str
    findings: list[dict[str, Any]]
    reason: str
    sell: str | None
    allowed: bool | None
    issuer: str | None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _finding(finding: Finding) -> dict[str, Any]:
    """A finding's fields as the JSON writes them (the workbook rows come as JSON)."""
    return {
        "entry_id": finding.entry_id,
        "matched_on": finding.matched_on,
        "explanation": finding.explanation,
        "listing_date": _iso(finding.listing_date),
        "effective_date": _iso(finding.effective_date),
        "divestment_date": _iso(finding.divestment_date),
    }


def _options(case: Case) -> dict[str, Any]:
    """The check's options the case sets (the rest left to their defaults)."""
    options: dict[str, Any] = {"as_of": case.as_of}
    if case.investor is not US:
        options["investor"] = case.investor
    if case.side is not None:
        options["side"] = case.side
    if case.lists is not None:
        options["lists"] = list(case.lists)
    if case.related is not None:
        options["related"] = case.related
    return options


def _security_answer(case: Case) -> Answer:
    assert case.security is not None
    answer = check_security(case.security, exchange=case.exchange, **_options(case))
    verdict = answer.verdict
    findings = [_finding(f) for f in verdict.findings]
    return Answer(
        answer.status.value, findings, verdict.reason, verdict.actions.sell, answer.allowed, None
    )


@functools.cache
def _workbook(as_of: str, investor: Investor) -> dict[int, dict[str, Any]]:
    # one check of the workbook per date and investor, shared by its five rows' cases
    result = check(SENSETIME_WORKBOOK, as_of=as_of, investor=investor)
    return {h["row"]: h for h in result.to_dict()["holdings"]}


def _row_answer(case: Case) -> Answer:
    assert case.row is not None and case.side is None and case.lists is None
    holding = _workbook(case.as_of, case.investor)[case.row]
    return Answer(
        holding["status"],
        holding["findings"],
        holding["reason"],
        holding["actions"]["sell"],
        None,
        holding["issuer"]["id"],
    )


def _table_answer(case: Case) -> Answer:
    frame = pd.DataFrame(
        {
            column: [float(text) if column == "Market Value" else text]
            for column, text in case.cells.items()
        }
    )
    (verdict,) = check(frame, **_options(case)).verdicts
    findings = [_finding(f) for f in verdict.findings]
    return Answer(verdict.status.value, findings, verdict.reason, None, None, None)


def answer(case: Case) -> Answer:
    if case.row is not None:
        return _row_answer(case)
    if case.cells:
        return _table_answer(case)
    return _security_answer(case)


def _sensetime_rows() -> list[Case]:
    """The five SenseTime notations of the shipped workbook on the README's dates."""
    notations = {
        6: ("20 HK Equity", "curated ticker"),
        7: ("0020.HK", "curated ticker"),
        8: ("the ISIN only", "curated isin"),
        9: ("00020 with XHKG and the Chinese name", "curated ticker"),
        10: ("80020 HK, the RMB counter, derived from the HKEX list", "derived ticker"),
    }
    days = [
        ("2021-12-01", Status.CLEAR, "allowed"),
        ("2021-12-20", Status.PENDING, "allowed"),
        ("2022-03-01", Status.PROHIBITED, "only to divest, until 2022-12-10"),
        ("2023-01-15", Status.PROHIBITED, "prohibited"),
    ]
    cases = []
    for day, status, sell in days:
        for row, (what, basis) in notations.items():
            listed = status is not Status.CLEAR
            cases.append(
                Case(
                    f"workbook row {row} ({what})",
                    day,
                    status,
                    row=row,
                    sell=sell,
                    issuer="ns-cmic:33114",
                    entry=SENSETIME if listed else None,
                    basis=basis if listed else None,
                    dates=SENSETIME_DATES if listed else None,
                    # before the listing the reason says so (the README's first line)
                    reason=("not yet on NS-CMIC",) if row == 6 and not listed else (),
                )
            )
    for day in ("2021-12-20", "2022-03-01", "2023-01-15"):
        for row, (what, _basis) in notations.items():
            cases.append(
                Case(f"workbook row {row} ({what})", day, Status.WATCH, row=row, investor=NON_US)
            )
    return cases


def _pre_trade_sensetime() -> list[Case]:
    """SenseTime in every notation a trader types, and its look-alikes."""
    cases = []
    for query, exchange in [
        ("0020.HK", None),
        ("20 HK Equity", None),
        ("80020 HK", None),
        ("KYG8062L1041", None),
        ("00020", "XHKG"),
        ("商湯集團股份有限公司", None),
        ("商汤集团", None),
    ]:
        cases.append(
            Case(
                "SenseTime, a US person sells",
                "2022-03-01",
                Status.PROHIBITED,
                query,
                exchange,
                side="sell",
                sell="only to divest, until 2022-12-10",
                allowed=False,
            )
        )
        cases.append(
            Case(
                "SenseTime, a non-US person",
                "2022-03-01",
                Status.WATCH,
                query,
                exchange,
                investor=NON_US,
                allowed=True,
            )
        )
    for query in ["Sensata Technologies", "Hisense", "RoboSense", "ST US"]:
        cases.append(Case("a SenseTime look-alike", "2023-01-15", Status.CLEAR, query))
    # the IPO subscription before any ticker existed: purchases not yet barred by the dates
    cases.append(
        Case(
            "IPO subscription before the effective date",
            "2021-12-15",
            Status.PENDING,
            "SenseTime Group Inc.",
            side="buy",
            entry=SENSETIME,
            dates=SENSETIME_DATES,
            allowed=True,
        )
    )
    cases.append(
        Case(
            "IPO subscription after the effective date",
            "2022-03-01",
            Status.PROHIBITED,
            "SenseTime Group Inc.",
            side="buy",
            allowed=False,
        )
    )
    return cases


def _covered_line(query: str, exchange: str | None, entry: str, basis: str, why: str) -> Case:
    # the lines issue 3 found: each PROHIBITED by its entry, tied as the reference says
    sourced = ("source",) if basis not in ("isin", "ticker") else ()
    return Case(
        f"a covered line: {why}",
        "2022-03-01",
        Status.PROHIBITED,
        query,
        exchange,
        entry=entry,
        basis=basis,
        explains=sourced,
    )


def _reference_cases() -> list[Case]:
    """Issue 3: the lines OFAC omits, and the group companies the law does not reach."""
    cases = [
        _covered_line("0020.HK", None, SENSETIME, "curated ticker", "SenseTime"),
        _covered_line("80020 HK", None, SENSETIME, "derived ticker", "SenseTime's RMB counter"),
        _covered_line("KYG8062L1041", None, SENSETIME, "curated isin", "SenseTime's ISIN"),
        _covered_line("600941 CH", None, "30923", "derived ticker", "China Mobile's A share"),
        _covered_line("601728.SS", None, "30882", "derived ticker", "China Telecom's A share"),
        _covered_line("600938", "XSHG", "30926", "derived ticker", "CNOOC's A share"),
        _covered_line("CNE100000981", None, "30959", "derived isin", "CRCC's H share OFAC omits"),
        _covered_line("302132", "XSHE", "32153", "curated ticker", "ZEMIC after its 2025 rename"),
        _covered_line("300114", "XSHE", "32153", "ticker", "the code OFAC publishes for ZEMIC"),
        _covered_line("603019 CH", None, "33113", "ticker", "Sugon"),
        Case("Sugon before the effective date", "2022-01-15", Status.PENDING, "603019 CH"),
    ]
    for query, parent in [
        ("552 HK", "30939"),
        ("1816 HK", "30937"),
        ("600050 CH", "30942"),
        ("2357 HK", "30925"),
    ]:
        cases.append(
            Case(
                "a group company the law does not reach",
                "2022-03-01",
                Status.REVIEW,
                query,
                entry=parent,
                basis="relation: subsidiary-of",
                explains=("FAQ 857", "not itself listed"),
            )
        )
    cases += [
        Case(
            "a stricter firm policy says it is policy",
            "2022-03-01",
            Status.PROHIBITED,
            "1816 HK",
            related="as-listed",
            explains=("firm policy, not the law",),
        ),
        Case(
            "a bond of a financing subsidiary",
            "2022-03-01",
            Status.REVIEW,
            "CNOOC Finance (2013) Limited",
            basis="relation: financing-vehicle-of",
        ),
        Case(
            "a bond described by its issuer family",
            "2022-03-01",
            Status.REVIEW,
            "CNOOC 7 ½ 07/30/39",
            explains=("issuer family",),
        ),
        Case(
            "a clearance shows what the master says (Tencent)",
            "2022-03-01",
            Status.CLEAR,
            "KYG875721634",
            reason=("00700", "TENCENT"),
        ),
    ]
    # Nexen's notes (CUSIP issuer 65334H), which Bloomberg files under the CNOOC ticker
    for query in ["US65334HAJ14", "65334HAE2"]:
        cases.append(
            Case(
                "a subsidiary's bond tied by its CUSIP issuer number",
                "2022-03-01",
                Status.REVIEW,
                query,
                entry="30926",
                explains=("65334H",),
            )
        )
    return cases


def _held_out_notations() -> list[Case]:
    """Issue 12: classes a hostile tester found on held-out exports (each a class)."""
    ns_cmic = ("ns-cmic",)
    rows: list[tuple[str, str | None, Status, str | None, str]] = [
        ("HK0941009539", None, Status.PROHIBITED, "30923", "an ISIN in a name column"),
        ("ＨＫ０９４１００９５３９", None, Status.PROHIBITED, "30923", "a full-width ISIN"),
        ("Hikvision A", None, Status.PROHIBITED, "30946", "a share-line letter"),
        ("CNOOC LTD-SPONS ADR", None, Status.PROHIBITED, "30926", "an ADR in words"),
        ("中国电信股份有限公司-H股", None, Status.PROHIBITED, "30882", "an H share in Chinese"),
        ("CNOOC LIMITED 中国海洋石油有限公司", None, Status.PROHIBITED, "30926", "bilingual"),
        ("中國移動 China Mobile", None, Status.PROHIBITED, None, "bilingual, traditional"),
        ("CHINA MOBILE LTD 0941.HK", None, Status.PROHIBITED, "30923", "a line after a name"),
        ("China Mobile Ltd 3.5% 2025", None, Status.REVIEW, "30923", "a bond in words"),
        ("Total Return Swap on CNOOC Ltd", None, Status.REVIEW, "30926", "a swap in words"),
        ("Cash Dividend Receivable - CHINA MOBILE LTD", None, Status.REVIEW, "30923", "a dividend"),
        ("0941 HK 12/2022 FUT", None, Status.PROHIBITED, "30923", "a future with its expiry"),
        ("HS-CMOB@L 2206A", None, Status.PROHIBITED, "30923", "an inline warrant's name"),
        ("47640", "XHKG", Status.PROHIBITED, "30923", "the inline warrant by code"),
        ("CH1122827434", None, Status.PROHIBITED, "30951", "a CBBC's ISIN after expiry"),
        ("Sensata Technologies 4.375% 2030", None, Status.CLEAR, None, "a look-alike bond"),
    ]
    cases = [
        Case(f"held out: {what}", "2022-03-01", status, query, exchange, lists=ns_cmic, among=entry)
        for query, exchange, status, entry, what in rows
    ]
    # share-line and par-value words do not hide a listed name
    for tail in [
        "ORD HKD0.1",
        "ORD",
        "ORDINARY SHARES",
        "SHS H",
        "COMMON STOCK HKD 0",
        "NPV",
        "-H",
        "H SHS",
    ]:
        cases.append(
            Case(
                f"a listed name with {tail!r}",
                "2023-01-15",
                Status.PROHIBITED,
                f"CHINA MOBILE LTD {tail}",
                lists=ns_cmic,
                entry="30923",
            )
        )
    # a listed name on a related company's bond (Nexen's ISIN) is REVIEW, not the name's status
    cases.append(
        Case(
            "a listed name on a related company's bond",
            "2022-03-01",
            Status.REVIEW,
            cells={"Name": "CNOOC LTD", "ISIN": "US65334HAE27", "Market Value": "1.0"},
            lists=ns_cmic,
        )
    )
    return cases


CASES = [*_sensetime_rows(), *_pre_trade_sensetime(), *_reference_cases(), *_held_out_notations()]


def _case_id(case: Case) -> str:
    holding = case.security or (f"row {case.row}" if case.row else "/".join(case.cells.values()))
    options = [case.investor.value, case.side, case.related, *(case.lists or ())]
    return "-".join([f"{holding}@{case.exchange or ''}", case.as_of, *filter(None, options)])


def test_case_ids_are_unique() -> None:
    ids = [_case_id(case) for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_end_to_end_case(case: Case) -> None:
    got = answer(case)
    assert got.status == case.status.value, (case.label, got.reason)
    first = got.findings[0] if got.findings else None
    if case.entry is not None:
        assert first is not None and first["entry_id"] == case.entry, (case.label, got.reason)
    if case.basis is not None:
        assert first is not None and first["matched_on"] == case.basis, (case.label, first)
    if case.among is not None:
        assert case.among in {f["entry_id"] for f in got.findings}, (case.label, got.reason)
    for words in case.explains:
        assert first is not None and words in first["explanation"], (case.label, first)
    if case.dates is not None:
        assert first is not None
        assert (
            first["listing_date"],
            first["effective_date"],
            first["divestment_date"],
        ) == case.dates
        assert first["explanation"]
    for words in case.reason:
        assert words in got.reason, (case.label, got.reason)
    if case.sell is not None:
        assert got.sell == case.sell, case.label
    if case.allowed is not None:
        assert got.allowed is case.allowed, case.label
    if case.issuer is not None:
        assert got.issuer == case.issuer, case.label

"""Fail-safe resolution (issue 12): CLEAR is earned, disagreement is REVIEW, codes are dated.

One table of cases, each a holdings row and the answer it must get, run through every face:
the Python API, the CLI's JSON, the JSON API and the upload page. Pre-trade cases go through
``check_security``, the CLI and ``GET /api/security``. Cases answered by one face only (the
held-out notations, share-line words) are rows of ``tests/test_end_to_end_cases.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from stdnum.gb import sedol as stdnum_sedol

import portfolio_check
from portfolio_check.cli import main
from portfolio_check.model import Status
from portfolio_check.pipeline import check_security, security_index
from portfolio_check.refdata import load_reference
from portfolio_check.web import create_app
from tests.web.test_web_support import settings_for

COLUMNS = ("Security Name", "ISIN", "CUSIP", "SEDOL", "Ticker", "Exchange", "Market Value")


def _sedol(base: str) -> str:
    return base + stdnum_sedol.calc_check_digit(base)


def _unlisted_hk_code() -> str:
    """A four-digit HKEX code that no shipped HKEX List of Securities lists."""
    index = security_index(load_reference())
    return next(f"{c:05d}" for c in range(1, 10000) if f"{c:05d}" not in index.hkex_lines)


@dataclass(frozen=True)
class Case:
    """A row of a holdings file, the status it must get and words its reason or findings hold."""

    label: str
    as_of: str
    cells: dict[str, str]
    status: Status
    says: str


SEDOL_ALONE = _sedol("B2QR5J")
SEDOL_TIED = _sedol("B3ZX7K")
UNLISTED = _unlisted_hk_code()
CASES = [
    # 1. CLEAR is earned: identifiers that cannot be used make nothing CLEAR.
    Case("sedol alone", "2022-03-01", {"SEDOL": SEDOL_ALONE}, Status.UNRESOLVED, "no crosswalk"),
    Case(
        "bare code, no market",
        "2022-03-01",
        {"Ticker": "00020"},
        Status.UNRESOLVED,
        "no exchange given",
    ),
    Case(
        "bad ISIN check digit",
        "2022-03-01",
        {"ISIN": "KYG8062L1042"},
        Status.UNRESOLVED,
        "check digit",
    ),
    Case(
        "code no master lists",
        "2022-03-01",
        {"Ticker": f"{int(UNLISTED)} HK"},
        Status.UNRESOLVED,
        f"HKEX code {UNLISTED}",
    ),
    Case(
        "unusable ids, name screened",
        "2022-03-01",
        {"Security Name": "Acme Widgets Plc", "SEDOL": SEDOL_ALONE},
        Status.CLEAR,
        "could not use",
    ),
    # A CUSIP is screened as its ISIN; a CINS through the ISIN the reference knows.
    Case(
        "CUSIP of an ADR", "2022-03-01", {"CUSIP": "16941M109"}, Status.PROHIBITED, "US16941M1099"
    ),
    Case("CINS of SenseTime", "2022-03-01", {"CUSIP": "G8062L104"}, Status.PROHIBITED, "33114"),
    # 2. Evidence that disagrees is REVIEW, naming both sides.
    Case(
        "listed name, another issuer's ISIN",
        "2022-03-01",
        {"Security Name": "China Mobile Ltd", "ISIN": "KYG875721634"},
        Status.REVIEW,
        "00700",
    ),
    Case(
        "two identifiers, two securities",
        "2022-03-01",
        {"ISIN": "KYG875721634", "Ticker": "941 HK"},
        Status.REVIEW,
        "name different securities",
    ),
    # 3. A listed name with an identifier the reference does not know takes the entry's status.
    Case(
        "listed name, unknown ISIN",
        "2022-03-01",
        {"Security Name": "SENSETIME GROUP LIMITED", "ISIN": "XS2999999993"},
        Status.PROHIBITED,
        "not one the reference knows",
    ),
    # 4. Time: a warrant's code is trusted only within its life; the short name decides.
    Case(
        "warrant within its life",
        "2021-11-01",
        {"Ticker": "12590", "Exchange": "XHKG"},
        Status.PROHIBITED,
        "derivative warrant",
    ),
    Case(
        "warrant code, no master that day",
        "2025-07-15",
        {"Ticker": "12590", "Exchange": "XHKG"},
        Status.UNRESOLVED,
        "trusted only within its life",
    ),
    Case(
        "short name decides",
        "2023-01-10",
        {"Security Name": "HS-SMIC@EC2211A", "Ticker": "12590", "Exchange": "XHKG"},
        Status.PROHIBITED,
        "derivative warrant",
    ),
    # 7. A SEDOL is tied by another row of the same run.
    Case(
        "sedol with ISIN",
        "2022-03-01",
        {"SEDOL": SEDOL_TIED, "ISIN": "KYG8062L1041"},
        Status.PROHIBITED,
        "33114",
    ),
    Case("sedol tied by the run", "2022-03-01", {"SEDOL": SEDOL_TIED}, Status.PROHIBITED, "33114"),
]
# Principles 5 and 6: every column is read, exchanges in every notation. One table with
# several identity columns of each kind.
WIDE_COLUMNS = (
    "Security Description",
    "Issuer Name",
    "Bloomberg Ticker",
    "Local Code",
    "Exchange",
    "Market Value",
)
WIDE_CASES = [
    Case(
        "issuer name column",
        "2022-03-01",
        {"Security Description": "SENSETIME 0% 2030 NOTES", "Issuer Name": "SenseTime Group Inc."},
        Status.PROHIBITED,
        "33114",
    ),
    Case(
        "second code column",
        "2022-03-01",
        {"Bloomberg Ticker": "AAPL US Equity", "Local Code": "20", "Exchange": "XHKG"},
        Status.PROHIBITED,
        "33114",
    ),
    Case(
        "exchange in Chinese",
        "2022-03-01",
        {"Local Code": "20", "Exchange": "港交所"},
        Status.PROHIBITED,
        "33114",
    ),
    Case(
        "Stock Connect route",
        "2022-03-01",
        {"Local Code": "2415", "Exchange": "深股通"},
        Status.PROHIBITED,
        "30946",
    ),
    Case(
        "a look-alike with its own line",
        "2022-03-01",
        {"Security Description": "HISENSE HOME APPLIANCES", "Local Code": "921", "Exchange": "HK"},
        Status.CLEAR,
        "00921",
    ),
]
DATES = sorted({case.as_of for case in CASES})


def _csv(cases: list[Case], columns: tuple[str, ...] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for case in cases:
        writer.writerow([case.cells.get(c, "") for c in columns[:-1]] + ["1000"])
    return buffer.getvalue().encode("utf-8")


def _cases_on(day: str) -> list[Case]:
    return [case for case in CASES if case.as_of == day]


def test_every_column_and_notation_on_every_face(client: TestClient, tmp_path: Path) -> None:
    body = _csv(WIDE_CASES, WIDE_COLUMNS)
    path = tmp_path / "wide.csv"
    path.write_bytes(body)
    _check_rows(WIDE_CASES, portfolio_check.check(path, as_of="2022-03-01").to_dict()["holdings"])
    out = CliRunner().invoke(main, ["check", str(path), "--as-of", "2022-03-01", "--json", "-"])
    _check_rows(WIDE_CASES, json.loads(out.stdout)["holdings"])
    response = client.post(
        "/api/check",
        files=[("files", ("wide.csv", body, "text/csv"))],
        data={"as_of": "2022-03-01", "investor": "us-person"},
    )
    _check_rows(WIDE_CASES, response.json()["holdings"])
    page = client.post(
        "/check",
        files=[("files", ("wide.csv", body, "text/csv"))],
        data={"as_of": "2022-03-01", "investor": "us-person", "lists": ["ns-cmic", "sdn"]},
    )
    shown = re.findall(r'<tbody class="group [^"]*" data-status="([A-Z]+)">', page.text)
    assert sorted(shown) == sorted(case.status.value for case in WIDE_CASES)


def _check_rows(cases: list[Case], holdings: list[dict[str, object]]) -> None:
    """Each case's row (CSV line = case number + 2) has its status and its words."""
    by_row = {int(str(h["row"])): h for h in holdings}
    assert len(by_row) == len(cases)
    for line, case in enumerate(cases, start=2):
        holding = by_row[line]
        text = json.dumps(holding, ensure_ascii=False)
        assert holding["status"] == case.status.value, (case.label, text)
        assert case.says in text, (case.label, text)


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(root, max_upload_bytes=2_000_000))) as test_client:
        yield test_client


@pytest.mark.parametrize("day", DATES)
def test_the_python_api(tmp_path: Path, day: str) -> None:
    path = tmp_path / "holdings.csv"
    path.write_bytes(_csv(_cases_on(day)))
    data = portfolio_check.check(path, as_of=day).to_dict()
    _check_rows(_cases_on(day), data["holdings"])


@pytest.mark.parametrize("day", DATES)
def test_the_cli_json(tmp_path: Path, day: str) -> None:
    path = tmp_path / "holdings.csv"
    path.write_bytes(_csv(_cases_on(day)))
    out = CliRunner().invoke(main, ["check", str(path), "--as-of", day, "--json", "-"])
    _check_rows(_cases_on(day), json.loads(out.stdout)["holdings"])


@pytest.mark.parametrize("day", DATES)
def test_the_json_api(client: TestClient, day: str) -> None:
    response = client.post(
        "/api/check",
        files=[("files", ("holdings.csv", _csv(_cases_on(day)), "text/csv"))],
        data={"as_of": day, "investor": "us-person"},
    )
    assert response.status_code == 200, response.text
    _check_rows(_cases_on(day), response.json()["holdings"])


@pytest.mark.parametrize("day", DATES)
def test_the_upload_page(client: TestClient, day: str) -> None:
    cases = _cases_on(day)
    response = client.post(
        "/check",
        files=[("files", ("holdings.csv", _csv(cases), "text/csv"))],
        data={"as_of": day, "investor": "us-person", "lists": ["ns-cmic", "sdn"]},
    )
    assert response.status_code == 200, response.text
    shown = re.findall(r'<tbody class="group [^"]*" data-status="([A-Z]+)">', response.text)
    expected = sorted(case.status.value for case in cases)
    assert sorted(shown) == expected


def test_unresolved_counts_for_fail_on_review_and_is_always_summed(tmp_path: Path) -> None:
    path = tmp_path / "holdings.csv"
    path.write_bytes(_csv([CASES[0]]))
    runner = CliRunner()
    default = runner.invoke(main, ["check", str(path), "--as-of", "2022-03-01"])
    assert default.exit_code == 0 and "UNRESOLVED 1" in default.output
    strict = runner.invoke(
        main, ["check", str(path), "--as-of", "2022-03-01", "--fail-on", "review"]
    )
    assert strict.exit_code == 1
    clean = tmp_path / "clean.csv"
    clean.write_bytes(_csv([CASES[4]]))
    summed = runner.invoke(main, ["check", str(clean), "--as-of", "2022-03-01"])
    assert "UNRESOLVED 0" in summed.output


@pytest.mark.parametrize(
    ("query", "exchange", "day", "status", "says"),
    [
        ("20", None, "2022-03-01", Status.UNRESOLVED, "00020 XHKG (SENSETIME-W): PROHIBITED"),
        ("XYZ123", None, "2022-03-01", Status.UNRESOLVED, "XYZ123"),
        ("Huawei", None, "2022-03-01", Status.REVIEW, "HUAWEI INVESTMENT & HOLDING"),
        ("12590", "XHKG", "2021-11-01", Status.PROHIBITED, "derivative warrant"),
        ("12590", "XHKG", "2025-07-15", Status.UNRESOLVED, "trusted only within its life"),
        ("HS-SMIC@EC2211A", None, "2022-03-01", Status.PROHIBITED, "derivative warrant"),
    ],
)
def test_pre_trade_on_every_face(
    client: TestClient, query: str, exchange: str | None, day: str, status: Status, says: str
) -> None:
    answer = check_security(query, exchange=exchange, as_of=day)
    assert answer.status is status, answer.verdict.reason
    assert says in json.dumps(answer.to_dict(), ensure_ascii=False)
    args = ["check-security", query, "--as-of", day, "--json", "-"]
    out = CliRunner().invoke(main, [*args, *(["--exchange", exchange] if exchange else [])])
    assert json.loads(out.stdout)["status"] == status.value
    params = {"id": query, "as_of": day, **({"exchange": exchange} if exchange else {})}
    response = client.get("/api/security", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status.value


@pytest.mark.parametrize(
    ("side", "day", "answer", "headline"),
    [
        ("sell", "2022-03-01", "divest-only", "allowed only to divest, until 2022-12-10"),
        ("buy", "2022-03-01", "no", "NOT allowed"),
        ("sell", "2023-01-15", "no", "NOT allowed"),
        ("buy", "2021-12-20", "yes", "allowed"),
        ("buy", "2021-12-01", "yes", "allowed"),
    ],
)
def test_a_trade_answer_has_three_ways(side: str, day: str, answer: str, headline: str) -> None:
    result = check_security("0020.HK", as_of=day, side=side)
    assert result.answer.value == answer
    assert result.headline == headline
    assert result.to_dict()["answer"] == answer
    out = CliRunner().invoke(main, ["check-security", "0020.HK", "--as-of", day, "--side", side])
    assert f": {headline}\n" in out.output


def test_tables_say_how_each_table_was_read(tmp_path: Path) -> None:
    path = tmp_path / "holdings.csv"
    path.write_bytes(_csv(CASES[:3]))
    tables = portfolio_check.check(path, as_of="2022-03-01").to_dict()["tables"]
    assert len(tables) == 1
    roles = {c["header"]: c["role"] for c in tables[0]["columns"]}
    assert roles["ISIN"] == "isin" and roles["SEDOL"] == "sedol"
    assert tables[0]["header_rows"] == [1]
    assert all(c["why"] for c in tables[0]["columns"] if c["role"])


def _listed_lines() -> list[tuple[str, str, str]]:
    """(entry id, HKEX code, ISIN) of every NS-CMIC entry's HKEX line the reference knows."""
    index = security_index(load_reference().select(["ns-cmic"]))
    found = []
    for (list_id, entry_id), lines in sorted(index.lines_by_entry.items()):
        if list_id != "ns-cmic":  # NS-CCMC, selected with it, had its own period
            continue
        for line in sorted(lines):
            master = index.hkex_by_code.get(line.code)
            if line.market == "XHKG" and master is not None and master.isin:
                found.append((entry_id, line.code, master.isin))
    return found


def _badly_written(code: str, isin: str) -> list[dict[str, str]]:
    """The same line as spreadsheets and vendors mangle it."""
    number = int(code)
    return [
        {"Ticker": f"{number}.0", "Exchange": "HK"},  # a code stored as a float
        {"Ticker": f"{number / 10 ** (len(str(number)) - 1):.6g}E+0{len(str(number)) - 1}",
         "Exchange": "HK"},  # scientific notation
        {"ISIN": isin.lower()},
        {"ISIN": f"{isin[:2]} {isin[2:6]} {isin[6:10]} {isin[10:]}"},
        {"ISIN": f" {isin}\u00a0"},
    ]  # fmt: skip


def test_badly_written_identifiers_of_every_listed_line_are_never_lost_or_clear(
    tmp_path: Path,
) -> None:
    lines = _listed_lines()
    assert len(lines) >= 10
    cases: list[tuple[str, dict[str, str]]] = [
        (entry, cells) for entry, code, isin in lines for cells in _badly_written(code, isin)
    ]
    body = _csv(
        [Case("mangled", "2023-01-15", cells, Status.PROHIBITED, entry) for entry, cells in cases]
    )
    path = tmp_path / "mangled.csv"
    path.write_bytes(body)
    holdings = portfolio_check.check(path, as_of="2023-01-15", lists=["ns-cmic"]).to_dict()[
        "holdings"
    ]
    by_row = {h["row"]: h for h in holdings}
    for line, (entry, cells) in enumerate(cases, start=2):
        holding = by_row.get(line)
        assert holding is not None, (cells, "lost")
        assert holding["status"] == "PROHIBITED", (cells, holding["reason"])
        assert any(f["entry_id"] == entry for f in holding["findings"]), (cells, holding["reason"])


def test_total_return_swap_is_a_holding_not_a_total(tmp_path: Path) -> None:
    path = tmp_path / "swaps.csv"
    path.write_text(
        "Description,Quantity,Market Value\nTotal Return Swap on CNOOC Ltd,1000,80000\n"
        "Total,,80000\n",
        encoding="utf-8",
    )
    result = portfolio_check.check(path, as_of="2022-03-01", lists=["ns-cmic"]).to_dict()
    assert [h["status"] for h in result["holdings"]] == ["REVIEW"]
    assert [o["class"] for o in result["other_rows"]] == ["header", "total"]

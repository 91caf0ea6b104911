"""Issue 4, done when: the nine real exports in ../shared/holdings through the command line.

For each file, ``portfolio-check check FILE --as-of 2021-09-01 --investor us-person --json -``
with no per-file option must exit 0 or 1, account for every non-blank row, mark PROHIBITED
every position in the covered issuers wherever its identifier sits, and nothing PROHIBITED
that is another issuer. Rows are counted here with other readers than the checker's own
(openpyxl for .xlsx, the csv module for .csv; calamine for .xls, which has no other reader in
the environment), and covered securities are found by scanning every cell.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from portfolio_check.cli import main
from tests.paths import shared_path

AS_OF = "2021-09-01"

# The covered issuers' securities: ISINs and HKEX codes (China Mobile, CNOOC, SMIC, China
# Railway Construction H, China Unicom (Hong Kong), China Telecom H).
COVERED_ISINS = frozenset(
    {"HK0941009539", "HK0883013259", "KYG8020E1199", "CNE100000981", "HK0000049939", "CNE1000002V2"}
)
COVERED_HK_CODES = frozenset({"941", "883", "981", "1186", "762", "728"})
_HK_TICKER = re.compile(r"^0*(\d{1,5})(?:\.HK| HK(?: EQUITY)?)$", re.IGNORECASE)
_CODE_IN_NAME = re.compile(r"^\(\s*[NH]?0*(\d{1,5})\)|\(0*(\d{1,5}) HK\)", re.IGNORECASE)

Cells = dict[str, str]


def _hk_code(cell: str) -> str | None:
    """The HKEX code a cell names (``941 HK``, ``0941.HK``, ``(N0941) China Mobile``)."""
    text = cell.strip()
    if match := _HK_TICKER.match(text):
        return match.group(1)
    if match := _CODE_IN_NAME.search(text):
        return match.group(1) or match.group(2)
    return None


def _on_hkex(cells: Cells) -> bool:
    return any("hong kong" in v.lower() for v in cells.values())


def covered(cells: Cells) -> bool:
    """A row that holds a covered issuer's security, by any cell."""
    for value in cells.values():
        if value.strip() in COVERED_ISINS or _hk_code(value) in COVERED_HK_CODES:
            return True
    ticker = cells.get("Ticker", "").strip()  # iShares: a bare code with an exchange column
    return ticker in COVERED_HK_CODES and _on_hkex(cells)


def _hk_line(*codes: str) -> Callable[[Cells], bool]:
    def match(cells: Cells) -> bool:
        if any(_hk_code(v) in codes for v in cells.values()):
            return True
        return cells.get("Ticker", "").strip() in codes and _on_hkex(cells)

    return match


def _a_share(code: str, exchange: str) -> Callable[[Cells], bool]:
    """An A-share code as iShares writes it (leading zeros lost), on the named exchange."""

    def match(cells: Cells) -> bool:
        ticker = cells.get("Ticker", "").strip()
        where = cells.get("Exchange", "")
        return ticker.isdigit() and int(ticker) == int(code) and exchange in where

    return match


def _any_cell(pattern: str) -> Callable[[Cells], bool]:
    regex = re.compile(pattern, re.IGNORECASE)
    return lambda cells: any(regex.search(v) for v in cells.values())


# Other issuers (subsidiaries, group companies, look-alikes): REVIEW or CLEAR, never PROHIBITED.
DIFFERENT_ISSUERS: dict[str, Callable[[Cells], bool]] = {
    # CNOOC's financing vehicles (CNOOC Finance 2013/2015) and Nexen (CUSIP issuer 65334H)
    "CNOOC financing / Nexen bonds": _any_cell(
        r"^(US12634M|US12625G|US12591D|US65334H|USG2177\w)|^CNOOC \d|\bNEXEN\b"
    ),
    "CGN Power": _hk_line("1816"),
    "AviChina": _hk_line("2357"),
    "China Communications Services": _hk_line("552"),
    "Zhuzhou CRRC Times Electric": _hk_line("3898"),
    "ZTE": lambda c: _hk_line("763")(c) or _a_share("000063", "Shenzhen")(c),
    "Xiaomi": lambda c: _hk_line("1810")(c) or _any_cell(r"^XIAOMI")(c),
    "China United Network Communications A": _a_share("600050", "Shanghai"),
    "Inspur Electronic": _a_share("000977", "Shenzhen"),
    "China CSSC Holdings": _a_share("600150", "Shanghai"),
    "CNNP": _a_share("601985", "Shanghai"),
    "Guoyuan Securities": _a_share("000728", "Shenzhen"),
}


@dataclass(frozen=True)
class Expected:
    """What one file must give: exactly these PROHIBITED rows (sheet, row), and at least one
    holding of each named different issuer that the file is known to hold."""

    prohibited: frozenset[tuple[str, int]]
    different_issuers: tuple[str, ...] = ()
    positions: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _rows(sheet: str, *rows: int) -> frozenset[tuple[str, int]]:
    return frozenset((sheet, r) for r in rows)


MAV = "MAV"
GENEVA = "Report Investment Position Appr"
EXPECTED: dict[str, Expected] = {
    "bbg_aim_mav_multifund_2020-05-29.xlsx": Expected(
        # CRCC H x3, CNOOC x3, China Mobile x7 (one per account), SMIC x4
        _rows(MAV, 38, 39, 40, 310, 311, 312, *range(328, 335), 341, 342, 343, 344),
        (
            "CNOOC financing / Nexen bonds",
            "CGN Power",
            "AviChina",
            "China Communications Services",
        ),
    ),
    "bbg_blpdata_enrichment_2020-05-29.xlsx": Expected(
        _rows("Sheet1", 242, 323, 333, 444), ("CGN Power", "AviChina")
    ),
    "geneva_positions_fund19437_2020-04-29.xlsx": Expected(_rows(GENEVA, 10)),
    "geneva_positions_fund19437_2021-06-30.xlsx": Expected(
        frozenset(), ("CNOOC financing / Nexen bonds",)
    ),
    "geneva_positions_fund12307_2021-04-08.xlsx": Expected(
        frozenset(), ("CGN Power", "China Communications Services")
    ),
    "trustee_valuation_CLFranklin_DIF_2015-12-31.xls": Expected(
        # China Mobile 60,000 sh; and China Communications Construction (1800 HK), itself on
        # the NS-CMIC list (a zero holding, still a position of a listed issuer)
        _rows("Portfolio Val.", 294, 290)
    ),
    "custodian_bochk_holdings_2016-07-11.xls": Expected(
        # China Unicom: the sub-total line of its detail / sub-total / available triplet
        _rows("Holding - CSV", 34),
        positions=14,
        extra={"market_value": 48_415_234.0},
    ),
    "ishares_ACWI_raw_2022-03-10.csv": Expected(
        frozenset(),
        (
            "CGN Power",
            "AviChina",
            "China Communications Services",
            "Zhuzhou CRRC Times Electric",
            "ZTE",
            "Xiaomi",
        ),
    ),
    "ishares_EEM_2022-07.csv": Expected(
        frozenset(),
        (
            "CGN Power",
            "AviChina",
            "China Communications Services",
            "Zhuzhou CRRC Times Electric",
            "ZTE",
            "Xiaomi",
            "China United Network Communications A",
            "Inspur Electronic",
            "China CSSC Holdings",
            "CNNP",
        ),
    ),
}


# --------------------------------------------------------------------------------------------
# Counting rows without the checker's reader
# --------------------------------------------------------------------------------------------


def _filled(value: object) -> bool:
    return value is not None and str(value).strip("\ufeff\u200b \t\r\n\u00a0\u3000") != ""


def _xlsx_rows(path: Path) -> Iterator[tuple[str, int]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()
            for number, values in enumerate(ws.iter_rows(values_only=True), 1):
                if any(_filled(v) for v in values):
                    yield ws.title, number
    finally:
        wb.close()


def _xls_rows(path: Path) -> Iterator[tuple[str, int]]:
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        for number, values in enumerate(
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False), 1
        ):
            if any(_filled(v) for v in values):
                yield name, number


def _csv_rows(path: Path) -> Iterator[tuple[str, int]]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for record in reader:
        if any(_filled(v) for v in record):
            yield path.stem, line
        line = reader.line_num + 1


def non_blank_rows(path: Path) -> set[tuple[str, int]]:
    if path.suffix == ".csv":
        return set(_csv_rows(path))
    if path.suffix == ".xlsx":
        return set(_xlsx_rows(path))
    return set(_xls_rows(path))


# --------------------------------------------------------------------------------------------
# The command line, once per file
# --------------------------------------------------------------------------------------------

_RESULTS: dict[str, tuple[int, dict[str, Any], str]] = {}


def run_check(name: str) -> tuple[int, dict[str, Any]]:
    path = shared_path("holdings", name)
    if name not in _RESULTS:
        args = ["check", str(path), "--as-of", AS_OF, "--investor", "us-person", "--json", "-"]
        outcome = CliRunner().invoke(main, args)
        data = json.loads(outcome.stdout) if outcome.exit_code in (0, 1) else {}
        _RESULTS[name] = (outcome.exit_code, data, outcome.stderr)
    code, data, err = _RESULTS[name]
    assert code in (0, 1), f"{name}: exit {code}: {err}"
    return code, data


FILES = sorted(EXPECTED)


@pytest.mark.parametrize("name", FILES)
def test_every_non_blank_row_once(name: str) -> None:
    _, data = run_check(name)
    path = shared_path("holdings", name)
    keys = [(h["sheet"], h["row"]) for h in data["holdings"]]
    keys += [(o["sheet"], o["row"]) for o in data["other_rows"]]
    assert len(keys) == len(set(keys)), "a row is reported twice"
    assert set(keys) == non_blank_rows(path)
    assert data["summary"]["rows_read"] == len(keys)
    assert data["summary"]["positions"] == len(data["holdings"])


@pytest.mark.parametrize("name", FILES)
def test_covered_issuers_prohibited_and_nothing_else(name: str) -> None:
    _, data = run_check(name)
    expected = EXPECTED[name]
    prohibited = {(h["sheet"], h["row"]) for h in data["holdings"] if h["status"] == "PROHIBITED"}
    assert prohibited == expected.prohibited
    for holding in data["holdings"]:
        if covered(holding["input"]):
            assert holding["status"] == "PROHIBITED", holding["input"]


@pytest.mark.parametrize("name", FILES)
def test_other_issuers_never_prohibited(name: str) -> None:
    _, data = run_check(name)
    seen: set[str] = set()
    for holding in data["holdings"]:
        for label, match in DIFFERENT_ISSUERS.items():
            if match(holding["input"]):
                seen.add(label)
                assert holding["status"] != "PROHIBITED", (label, holding["row"], holding["input"])
    assert set(EXPECTED[name].different_issuers) <= seen


@pytest.mark.parametrize("name", FILES)
def test_covered_rows_outside_positions_are_not_holdings(name: str) -> None:
    """A covered security in a row that is not a position: a trade, a ledger line, a repeat."""
    _, data = run_check(name)
    classes = {(o["sheet"], o["row"]): o["class"] for o in data["other_rows"]}
    path = shared_path("holdings", name)
    for sheet, row, cells in _scan(path):
        if (sheet, row) in classes and covered(cells):
            assert classes[(sheet, row)] in {
                "non-position sheet",
                "non-position table",
                "position detail",
                "total",
            }, (sheet, row, classes[(sheet, row)])


def _scan(path: Path) -> Iterator[tuple[str, int, Cells]]:
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""))
        line = 1
        for record in reader:
            yield path.stem, line, {str(i): v for i, v in enumerate(record)}
            line = reader.line_num + 1
        return
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        for number, values in enumerate(
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False), 1
        ):
            yield name, number, {str(i): str(v) for i, v in enumerate(values) if _filled(v)}


def test_bochk_counts_each_position_once() -> None:
    """Detail, sub-total and available balance are one holding; the 'All' block repeats them."""
    name = "custodian_bochk_holdings_2016-07-11.xls"
    _, data = run_check(name)
    expected = EXPECTED[name]
    isins = [h["input"]["Securities ID"] for h in data["holdings"]]
    assert len(isins) == expected.positions
    assert len(set(isins)) == len(isins)
    assert all(h["input"]["Record Type"] == "Sub-Total" for h in data["holdings"])
    total = sum(data["summary"]["market_value_by_status"].values())
    assert total == pytest.approx(expected.extra["market_value"])  # the report's grand total
    unicom = next(h for h in data["holdings"] if h["input"]["Securities ID"] == "HK0000049939")
    assert (unicom["row"], unicom["input"]["Holding"]) == (34, "1000000")

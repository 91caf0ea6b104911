"""Tests of the firm list reader: the shipped template, hand-written fixtures, bad rows."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import Workbook, load_workbook

from portfolio_check.errors import InputFileError
from portfolio_check.reference import ReferenceList
from portfolio_check.sources.firm_list import (
    COLUMNS,
    FIRM_LIST_ID,
    FIRM_REGIME,
    load_firm_list,
    parse_firm_rows,
)
from tests.paths import EXAMPLES

FIXTURES = Path(__file__).parents[1] / "fixtures" / "firm_list"
TEMPLATE_XLSX = EXAMPLES / "firm_restricted_list_template.xlsx"
TEMPLATE_CSV = EXAMPLES / "firm_restricted_list_template.csv"


def _template_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_firm_list_template", EXAMPLES / "make_firm_list_template.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------
# The shipped template
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [TEMPLATE_XLSX, TEMPLATE_CSV], ids=["xlsx", "csv"])
def test_the_template_loads(path: Path) -> None:
    firm = load_firm_list(path)
    assert isinstance(firm, ReferenceList)
    assert (firm.list_id, firm.regime) == (FIRM_LIST_ID, FIRM_REGIME)
    assert path.name in firm.title and path.name in firm.source
    hikvision, tencent, isin_only = firm.entries
    assert (hikvision.entry_id, hikvision.effect) == ("2", "prohibited")
    assert hikvision.isins == ("CNE100000PM8",)
    assert hikvision.tickers == ("002415 XSHE",)
    assert hikvision.listed_from == dt.date(2021, 6, 3) and hikvision.listed_until is None
    assert (tencent.tickers, tencent.effect) == (("00700 XHKG",), "watch")
    assert tencent.remarks.startswith("On the DoD 1260H list")
    assert (isin_only.name, isin_only.isins) == ("US0378331005", ("US0378331005",))
    assert isin_only.listed_until == dt.date(2025, 12, 31)
    assert all(e.list_id == FIRM_LIST_ID for e in firm.entries)


def test_xlsx_and_csv_templates_agree() -> None:
    assert load_firm_list(TEMPLATE_XLSX).entries == load_firm_list(TEMPLATE_CSV).entries


def test_the_committed_template_is_what_the_script_writes(tmp_path: Path) -> None:
    script = _template_script()
    script.write_xlsx(tmp_path / "t.xlsx")
    script.write_csv(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == TEMPLATE_CSV.read_bytes()
    made, shipped = load_workbook(tmp_path / "t.xlsx"), load_workbook(TEMPLATE_XLSX)
    assert made.sheetnames == shipped.sheetnames == ["Firm list", "Instructions"]
    for name in made.sheetnames:
        made_cells = list(made[name].iter_rows(values_only=True))
        assert made_cells == list(shipped[name].iter_rows(values_only=True))
    assert [c.value for c in shipped["Firm list"][1]] == list(COLUMNS)


# --------------------------------------------------------------------------------------------
# Hand-written fixtures
# --------------------------------------------------------------------------------------------


def test_a_title_block_and_loose_spelling() -> None:
    firm = load_firm_list(FIXTURES / "firm_list_title_block.csv")
    two, code_only, watch = firm.entries
    assert two.entry_id == "4"
    assert two.isins == ("US0378331005", "KYG875721634")
    assert two.tickers == ("00700 XHKG", "80700 XHKG")
    assert (two.effect, two.listed_from) == ("prohibited", dt.date(2024, 1, 31))
    assert (code_only.name, code_only.tickers) == ("0020 XHKG", ("0020 XHKG",))
    assert (code_only.listed_from, code_only.listed_until) == (
        dt.date(2025, 1, 31),
        dt.date(2026, 1, 31),
    )
    assert (watch.entry_id, watch.name, watch.effect) == ("7", "Example Watch Co", "watch")
    assert "sheet" not in firm.source


@pytest.mark.parametrize(
    ("name", "row", "problem", "value"),
    [
        ("bad_list_type.csv", 2, "list type: must be one of prohibited, watch", "restricted"),
        ("bad_date.csv", 2, "start date: not a date", "01/02/2025"),
        ("bad_isin.csv", 2, "isin: not a valid ISIN", "US0378331006"),
        (
            "no_name_no_identifier.csv",
            3,
            "a row with no name, no ISIN and no ticker",
            "a row with nothing to match on",
        ),
    ],
)
def test_bad_rows_name_file_row_and_value(name: str, row: int, problem: str, value: str) -> None:
    with pytest.raises(InputFileError) as caught:
        load_firm_list(FIXTURES / name)
    error = caught.value
    assert (error.file, error.row, error.value) == (name, row, value)
    assert error.problem.startswith(problem)
    assert str(error).startswith(f"{name}, row {row}: {problem}")
    assert repr(value) in str(error)


def test_a_file_without_the_header() -> None:
    with pytest.raises(InputFileError, match=r"no header row with the columns name, list type"):
        load_firm_list(FIXTURES / "no_header.csv")


def test_an_end_date_before_the_start(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "name,list type,start date,end date\nX,watch,2025-02-01,2025-01-01\n", encoding="utf-8"
    )
    with pytest.raises(InputFileError, match=r"row 2: end date: not after the start date"):
        load_firm_list(path)


@pytest.mark.parametrize("suffix", [".xls", ".txt", ".json"])
def test_other_file_types_are_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"list{suffix}"
    path.write_bytes(b"name,list type\n")
    with pytest.raises(InputFileError, match=r"must be an \.xlsx or \.csv file"):
        load_firm_list(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"^absent\.csv: file not found"):
        load_firm_list(tmp_path / "absent.csv")


def test_a_cp1252_csv(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("name,list type,note\nSociété Exemple,watch,réservé\n".encode("cp1252"))
    (entry,) = load_firm_list(path).entries
    assert (entry.name, entry.remarks) == ("Société Exemple", "réservé")


# --------------------------------------------------------------------------------------------
# Workbooks as Excel leaves them
# --------------------------------------------------------------------------------------------


def test_excel_dates_numbers_and_a_second_sheet(tmp_path: Path) -> None:
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Approved by compliance"])
    sheet = book.create_sheet("Restricted")
    sheet.append(["Restricted list"])
    sheet.append(COLUMNS)
    sheet.append(
        ["Example Ltd", None, 700, "XHKG", "prohibited", dt.datetime(2025, 3, 1), None, None]
    )
    sheet.append(["Example Two", None, 600941.0, None, "watch", None, dt.date(2026, 1, 1), "x"])
    path = tmp_path / "firm.xlsx"
    book.save(path)
    firm = load_firm_list(path)
    first, second = firm.entries
    # Excel dropped the leading zeros of 00700: the code is kept as written.
    assert (first.entry_id, first.tickers, first.listed_from) == (
        "3",
        ("700 XHKG",),
        dt.date(2025, 3, 1),
    )
    assert (second.tickers, second.listed_until) == (("600941",), dt.date(2026, 1, 1))
    assert "sheet 'Restricted'" in firm.source


def test_a_workbook_row_error_names_the_sheet(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Firm list"
    sheet.append(COLUMNS)
    sheet.append(["Example", None, None, None, "banned", None, None, None])
    path = tmp_path / "firm.xlsx"
    book.save(path)
    with pytest.raises(InputFileError) as caught:
        load_firm_list(path)
    assert str(caught.value).startswith("firm.xlsx, sheet 'Firm list', row 2: list type")


def test_a_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "firm.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match=r"^firm\.xlsx: not a readable (\.xlsx )?workbook"):
        load_firm_list(path)


def test_a_workbook_without_the_header(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["name", "ticker"])
    path = tmp_path / "firm.xlsx"
    book.save(path)
    with pytest.raises(InputFileError, match="no header row"):
        load_firm_list(path)


def test_parse_firm_rows_is_pure() -> None:
    entries = parse_firm_rows(
        [(5, {"name": "X", "list type": "watch"}), (6, {"name": None, "note": ""})],
        file="memory",
    )
    assert [(e.entry_id, e.name, e.effect) for e in entries] == [("5", "X", "watch")]

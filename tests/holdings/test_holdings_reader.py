"""portfolio_check.holdings on small hand-written workbooks and CSVs built in tmp_path."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from portfolio_check.errors import InputFileError
from portfolio_check.holdings import (
    POSITION_COLUMNS,
    HoldingsInput,
    Role,
    read_frame,
    read_holdings,
)
from portfolio_check.model import RowClass

Row = Sequence[object]


def xlsx_bytes(sheets: dict[str, Sequence[Row]], merges: Sequence[str] = ()) -> bytes:
    """A workbook whose sheet ``name`` has ``rows`` from A1 (``None`` = empty cell).

    ``merges`` (e.g. ``"A1:C1"``) are applied to every sheet.
    """
    wb = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = name
        first = False
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for merge in merges:
            ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(path: Path, sheets: dict[str, Sequence[Row]]) -> Path:
    """:func:`xlsx_bytes` written to ``path``."""
    path.write_bytes(xlsx_bytes(sheets))
    return path


def classes(h: HoldingsInput) -> dict[int, str]:
    return {r.row: r.row_class.value for r in h.other_rows}


def assert_accounted(h: HoldingsInput) -> None:
    assert h.rows_read == len(h.positions) + len(h.other_rows)
    keys = [(r.file, r.sheet, r.row) for r in h.other_rows]
    keys += list(zip(h.positions["file"], h.positions["sheet"], h.positions["row"], strict=True))
    assert len(keys) == len(set(keys)), "a row was counted twice"


GENEVA_LIKE: list[Row] = [
    ["Investment Position Appraisal", None, None, None],
    ["Fund 19437", "as of", dt.datetime(2020, 4, 29), None],
    [],
    ["Description", "InvestID", "Quantity", "MarketValueBook", "LocalCurrency"],
    ["Hong Kong Dollar", "HKD", 13174815.09, 13174815.09, "Hong Kong Dollar"],
    ["CHINA MOBILE LTD", "941 HK", 125000.0, 7806250, "Hong Kong Dollar"],
    ["AGILE 6.7 03/07/22", "XS1959497782", 5000000, 38755262.62, "United States Dollar"],
    [],
    ["Sub-total", None, None, 46561512.62, None],
    ["Total", None, None, 59736327.71, None],
    ["This report is confidential and for internal use only.", None, None, None],
]


def test_xlsx_title_rows_header_roles_and_classes(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "geneva.xlsx", {"Positions": GENEVA_LIKE})
    h = read_holdings([path])
    assert_accounted(h)
    assert h.rows_read == 9  # 11 rows, two of them blank
    assert list(h.positions.columns) == POSITION_COLUMNS
    assert h.positions["row"].tolist() == [6, 7]  # Excel row numbers
    assert classes(h) == {
        1: "title",
        2: "title",
        4: "header",
        5: "cash",
        9: "subtotal",
        10: "total",
        11: "footer",
    }
    (info,) = h.tables
    assert info.header_rows == (4,)
    assert info.roles == {
        "Description": Role.NAME,
        "InvestID": Role.IDENTIFIER,
        "Quantity": Role.QUANTITY,
        "MarketValueBook": Role.MARKET_VALUE,
        "LocalCurrency": Role.CURRENCY,
    }
    assert info.market_value_column == "MarketValueBook"
    cm = h.positions.iloc[0]
    assert cm["file"] == str(path)
    assert cm["sheet"] == "Positions"
    assert cm["name"] == "CHINA MOBILE LTD"
    assert cm["identifier"] == "941 HK"
    assert cm["quantity"] == 125000.0
    assert cm["market_value"] == 7806250.0
    assert cm["isin"] is None
    # the cell as a person sees it: no float noise
    assert cm["input"]["Quantity"] == "125000"
    assert cm["input"]["Description"] == "CHINA MOBILE LTD"


def test_roles_from_content_when_headers_say_nothing(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Security", "Code", "Holding", "Valuation", "Col5"],
        ["China Mobile", "HK0941009539", 125000, 7806250, "XHKG"],
        ["Tencent", "KYG875721634", 1000, 400000, "XHKG"],
        ["Apple", "US0378331005", 10, 1500, "XNAS"],
    ]
    h = read_holdings([write_xlsx(tmp_path / "a.xlsx", {"S": rows})])
    (info,) = h.tables
    # "Code" would be a ticker by its header; its contents are ISINs
    assert info.roles["Code"] is Role.ISIN
    assert info.roles["Security"] is Role.NAME
    assert info.roles["Holding"] is Role.QUANTITY
    assert info.roles["Valuation"] is Role.MARKET_VALUE
    assert h.positions["isin"].tolist() == ["HK0941009539", "KYG875721634", "US0378331005"]


def test_mixed_identifier_column_and_chinese_headers(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["證券名稱", "證券代碼", "數量", "市值", "貨幣"],
        ["中國移動", "941 HK", "125,000", "7,806,250.00", "HKD"],
        ["騰訊控股", "KYG875721634", "1,000", "(400,000.50)", "HKD"],
        ["匯豐控股", "5 HK", "400", "16,000", "HKD"],
        ["友邦保險", "1299 HK", "200", "16,000", "HKD"],
        ["阿里巴巴", "KYG017191142", "100", "9,000", "HKD"],
        ["合計", None, None, "7,447,249.50", None],
    ]
    h = read_holdings([write_xlsx(tmp_path / "zh.xlsx", {"持倉": rows})])
    (info,) = h.tables
    assert info.roles == {
        "證券名稱": Role.NAME,
        "證券代碼": Role.IDENTIFIER,
        "數量": Role.QUANTITY,
        "市值": Role.MARKET_VALUE,
        "貨幣": Role.CURRENCY,
    }
    assert h.positions["quantity"].tolist()[:2] == [125000.0, 1000.0]
    assert h.positions["market_value"].tolist()[:2] == [7806250.0, -400000.5]
    assert classes(h)[7] == "total"


def test_bilingual_two_row_header(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["證券名稱", "國際證券號碼", "數量", "市值"],
        ["Security Name", "ISIN", "Quantity", "Market Value"],
        ["China Mobile Ltd", "HK0941009539", 125000, 7806250],
    ]
    h = read_holdings([write_xlsx(tmp_path / "bi.xlsx", {"S": rows})])
    (info,) = h.tables
    assert info.header_rows == (1, 2)
    assert info.header[0] == "證券名稱 / Security Name"
    assert info.roles["證券名稱 / Security Name"] is Role.NAME
    assert h.positions["isin"].tolist() == ["HK0941009539"]
    assert classes(h) == {1: "header", 2: "header"}


def test_repeated_page_header_and_cash_rows(tmp_path: Path) -> None:
    header = ["Name", "ISIN", "Asset Class", "Shares", "Market Value"]
    rows: list[Row] = [
        header,
        ["CHINA MOBILE LTD", "HK0941009539", "Equity", 100, 5000],
        ["USD CASH", None, "Cash", 1000, 1000],
        header,
        ["HANG SENG BANK", "HK0011000095", "Equity", 10, 1500],
        ["Hong Kong Dollar", None, "Equity", 50, 50],
    ]
    h = read_holdings([write_xlsx(tmp_path / "p.xlsx", {"S": rows})])
    assert classes(h) == {1: "header", 3: "cash", 4: "header", 6: "cash"}
    assert h.positions["row"].tolist() == [2, 5]


def test_several_sheets_one_without_table(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "multi.xlsx",
        {
            "Cover": [["Quarterly report"], ["Prepared by operations"]],
            "Holdings": [["Name", "Quantity"], ["CHINA MOBILE LTD", 1]],
        },
    )
    h = read_holdings([path])
    assert_accounted(h)
    assert [(r.sheet, r.row_class) for r in h.other_rows] == [
        ("Cover", RowClass.NON_POSITION_SHEET),
        ("Cover", RowClass.NON_POSITION_SHEET),
        ("Holdings", RowClass.HEADER),
    ]
    assert h.positions["sheet"].tolist() == ["Holdings"]


def test_identifier_list_without_amounts_is_positions(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["ID", "ID_TYPE", "CNTRY_OF_RISK"],
        ["941 HK Equity", "TICKER", "CN"],
        ["US404280AG49", "ISIN", "GB"],
    ]
    h = read_holdings([write_xlsx(tmp_path / "ids.xlsx", {"Sheet1": rows})])
    assert h.tables[0].roles == {"ID": Role.IDENTIFIER}
    assert h.positions["identifier"].tolist() == ["941 HK Equity", "US404280AG49"]
    assert math.isnan(h.positions["quantity"].iloc[0])


def test_csv_bom_title_lines_thousands_and_footer(tmp_path: Path) -> None:
    text = (
        "\ufeffiShares MSCI Example ETF\n"
        'Fund Holdings as of,"Mar 10, 2022"\n'
        'Shares Outstanding,"191,200,000.00"\n'
        "\u00a0\n"
        "Ticker,Name,Asset Class,Market Value,Shares,Exchange,Currency\n"
        '"941","CHINA MOBILE LTD","Equity","1,234,567.50","125,000.00",'
        '"Hong Kong Exchanges And Clearing Ltd","USD"\n'
        '"USD","USD CASH","Cash","8,164,091.74","8,164,092.00","-","USD"\n'
        '"XYZ","BAD NUMBER CO","Equity","12..5","-","XHKG","USD"\n'
        "\n"
        '"The content contained herein is owned by someone,\nand spans two lines."\n'
    )
    path = tmp_path / "holdings.csv"
    path.write_text(text, encoding="utf-8")
    h = read_holdings([str(path)])
    assert_accounted(h)
    assert h.positions["row"].tolist() == [6, 8]
    assert h.positions["sheet"].tolist() == ["holdings", "holdings"]
    cm = h.positions.iloc[0]
    assert cm["ticker"] == "941"
    assert cm["exchange"] == "Hong Kong Exchanges And Clearing Ltd"
    assert cm["market_value"] == 1234567.5
    assert cm["quantity"] == 125000.0
    assert cm["input"]["Market Value"] == "1,234,567.50"
    assert classes(h) == {1: "title", 2: "title", 3: "title", 5: "header", 7: "cash", 10: "footer"}
    # "12..5" is junk (an issue); "-" means nothing (no issue)
    assert [(i.row, i.column, i.value) for i in h.issues] == [(8, "Market Value", "12..5")]
    assert math.isnan(h.positions.iloc[1]["quantity"])


def test_csv_semicolon_cp1252_and_decimal_comma(tmp_path: Path) -> None:
    text = "Name;ISIN;Quantity;Market value\nSociété Générale;FR0000130809;1.234;5.678,90\n"
    path = tmp_path / "eu.csv"
    path.write_bytes(text.encode("cp1252"))
    h = read_holdings([path])
    row = h.positions.iloc[0]
    assert row["name"] == "Société Générale"
    assert row["market_value"] == 5678.9
    assert row["row"] == 2


def test_csv_multiline_field_line_numbers(tmp_path: Path) -> None:
    text = 'Name,ISIN,Quantity\n"CHINA MOBILE\nLTD",HK0941009539,100\nTENCENT,KYG875721634,200\n'
    path = tmp_path / "ml.csv"
    path.write_text(text, encoding="utf-8")
    h = read_holdings([path])
    assert h.positions["row"].tolist() == [2, 4]


def test_read_frame_same_logic() -> None:
    frame = pd.DataFrame(
        {
            "Security Name": ["CHINA MOBILE LTD", "Total"],
            "ISIN": ["HK0941009539", None],
            "Nominal": [125000.0, None],
            "Market Value (Base)": [7806250.0, 7806250.0],
        }
    )
    h = read_frame(frame, label="upload")
    assert h.positions["row"].tolist() == [2]
    assert h.positions["sheet"].tolist() == ["upload"]
    assert h.positions["input"].iloc[0]["Nominal"] == "125000"
    assert classes(h) == {1: "header", 3: "total"}


def test_market_value_prefers_base(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Name", "Quantity", "Market Value Local", "Market Value Base", "Notional Value"],
        ["CHINA MOBILE LTD", 1, 10, 20, 30],
    ]
    h = read_holdings([write_xlsx(tmp_path / "mv.xlsx", {"S": rows})])
    assert h.tables[0].market_value_column == "Market Value Base"
    assert h.positions["market_value"].tolist() == [20.0]


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    with pytest.raises(InputFileError, match="not found") as info:
        read_holdings([missing])
    assert info.value.file == str(missing)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "holdings.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputFileError, match=r"unsupported file type '\.pdf'"):
        read_holdings([path])


def test_empty_file(tmp_path: Path) -> None:
    for name in ("empty.csv", "empty.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(InputFileError, match="empty"):
            read_holdings([path])


def test_lying_extension(tmp_path: Path) -> None:
    path = tmp_path / "holdings.xlsx"
    path.write_text("Name,Quantity\nCHINA MOBILE,1\n")
    with pytest.raises(InputFileError, match="content is plain text") as info:
        read_holdings([path])
    assert str(path) in str(info.value)


def test_corrupt_zip_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputFileError, match=r"broken\.xlsx"):
        read_holdings([path])


def test_workbook_named_csv(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "real.xlsx", {"S": [["Name", "Quantity"], ["X", 1]]})
    fake = tmp_path / "fake.csv"
    fake.write_bytes(path.read_bytes())
    with pytest.raises(InputFileError, match="content is a zip package"):
        read_holdings([fake])


def test_no_table(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "notes.xlsx", {"Notes": [["Hello"], ["Just some text", 12]]})
    with pytest.raises(InputFileError, match="no recognisable holdings table") as info:
        read_holdings([path])
    assert "'Notes'" in str(info.value)
    csv_path = tmp_path / "notes.csv"
    csv_path.write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match="no recognisable holdings table"):
        read_holdings([csv_path])


def test_large_csv_is_read_column_wise(tmp_path: Path) -> None:
    """100,000 rows read whole and classed (their speed is measured by benchmarks/speed.py)."""

    lines = ["Ticker,Name,Asset Class,Market Value,Shares,Currency"]
    for i in range(100_000):
        lines.append(f'{i},"COMPANY {i % 977} LTD",Equity,"{i * 3:,}.25","{i:,}.00",USD')
    lines.append('USD,USD CASH,Cash,"1,000.00","1,000.00",USD')
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    h = read_holdings([path])
    assert len(h.positions) == 100_000
    assert classes(h) == {1: "header", 100_002: "cash"}
    assert h.positions["market_value"].iloc[-1] == 99_999 * 3 + 0.25


def test_sections_each_with_own_header(tmp_path: Path) -> None:
    """A trustee-style sheet: sections with their own (bilingual) headers and totals."""
    rows: list[Row] = [
        ["Daily Valuation Report 每日估值報告"],  # 1
        ["Listed Equities 上市股票"],  # 2
        ["證券名稱", "數量", "市值"],  # 3
        ["Description", "Quantity", "Market Value"],  # 4
        ["(N0941) China Mobile Ltd", 125000, 7806250],  # 5
        ["(N0700) Tencent Holdings Ltd", 1000, 400000],  # 6
        ["Sub-total 小計", None, 8206250],  # 7
        [],
        ["Debt Securities 債務證券"],  # 9
        ["Security Name", "ISIN", "Nominal", "Market Value (HKD)"],  # 10
        ["CNOOC 3.0 05/09/23", "USG2117CAA44", 2000000, 15600000],  # 11
        ["Total 合計", None, None, 15600000],  # 12
        ["Prepared by the Trustee. Figures unaudited."],  # 13
    ]
    h = read_holdings([write_xlsx(tmp_path / "dif.xlsx", {"Sheet1": rows})])
    assert_accounted(h)
    assert [t.header_rows for t in h.tables] == [(3, 4), (10,)]
    assert h.tables[1].roles["ISIN"] is Role.ISIN
    assert h.tables[1].roles["Nominal"] is Role.QUANTITY
    assert h.positions["row"].tolist() == [5, 6, 11]
    assert h.positions["isin"].tolist() == [None, None, "USG2117CAA44"]
    assert h.positions["quantity"].tolist() == [125000.0, 1000.0, 2000000.0]
    assert classes(h) == {
        1: "title",
        2: "title",
        3: "header",
        4: "header",
        7: "subtotal",
        9: "title",
        10: "header",
        12: "total",
        13: "footer",
    }
    assert not h.issues


def test_total_words_in_a_security_name(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Ticker", "Name", "Shares", "Market Value"],
        ["FP FP", "TOTAL SE", 100, 5000],
        ["TOTAL", None, None, 5000],
        ["N.A.", "Grand Total", None, 5000],
    ]
    h = read_holdings([write_xlsx(tmp_path / "t.xlsx", {"S": rows})])
    assert h.positions["name"].tolist() == ["TOTAL SE"]
    assert classes(h) == {1: "header", 3: "total", 4: "total"}


def test_csv_excel_sep_line_and_utf16_tabs(tmp_path: Path) -> None:
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\nName;ISIN;Quantity\nCHINA MOBILE;HK0941009539;100\n", encoding="utf-8")
    h = read_holdings([path])
    assert h.positions["row"].tolist() == [3]
    assert classes(h) == {1: "title", 2: "header"}
    tabbed = tmp_path / "unicode.txt"
    tabbed.write_text("證券名稱\t數量\n中國移動\t100\n", encoding="utf-16")
    h = read_holdings([tabbed])
    assert h.positions["name"].tolist() == ["中國移動"]
    assert h.positions["quantity"].tolist() == [100.0]


def test_gb18030_csv(tmp_path: Path) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes(
        '证券名称,证券代码,数量,市值\n中国移动,600941,1000,"98,000.00"\n'.encode("gb18030")
    )
    h = read_holdings([path])
    row = h.positions.iloc[0]
    assert (row["name"], row["ticker"], row["market_value"]) == ("中国移动", "600941", 98000.0)


def test_single_column_identifier_list(tmp_path: Path) -> None:
    path = tmp_path / "isins.csv"
    path.write_text("ISIN\nHK0941009539\nKYG875721634\n\nUS0378331005\n")
    h = read_holdings([path])
    assert h.positions["isin"].tolist() == ["HK0941009539", "KYG875721634", "US0378331005"]
    assert h.positions["row"].tolist() == [2, 3, 5]
    assert classes(h) == {1: "header"}


def test_empty_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "blank.xlsx", {"Sheet1": []})
    with pytest.raises(InputFileError, match="no data"):
        read_holdings([path])


def test_truncated_workbook(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["Name", "Quantity"], ["X", 1]]})
    data = good.read_bytes()
    bad = tmp_path / "truncated.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError, match=r"truncated\.xlsx: .*(workbook|damaged)"):
        read_holdings([bad])

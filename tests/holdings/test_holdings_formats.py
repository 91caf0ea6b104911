"""portfolio_check.holdings on every format and on the shapes real exports take.

Legacy .xls (the committed fixtures in tests/fixtures/holdings, written by make_fixtures.py),
.ods and .xlsm built here, merged cells, securities spanning two physical rows, several files
in one run, and codes that only an exchange column makes sense of.
"""

from __future__ import annotations

import collections
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from portfolio_check.holdings import HoldingsInput, Role, read_holdings
from portfolio_check.holdings.tables import TableKind
from portfolio_check.pipeline import check
from tests.holdings.test_holdings_reader import Row, xlsx_bytes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "holdings"
AS_OF = "2021-09-01"


def classes(h: HoldingsInput, sheet: str | None = None) -> dict[int, str]:
    return {r.row: r.row_class.value for r in h.other_rows if sheet in (None, r.sheet)}


def assert_accounted(h: HoldingsInput) -> None:
    assert h.rows_read == len(h.positions) + len(h.other_rows)
    keys = [(r.file, r.sheet, r.row) for r in h.other_rows]
    keys += list(zip(h.positions["file"], h.positions["sheet"], h.positions["row"], strict=True))
    assert len(keys) == len(set(keys))


def status_by_row(path: Path | list[Path]) -> dict[int, str]:
    result = check(path if isinstance(path, list) else [path], as_of=AS_OF)
    return dict(zip(result.holdings["row"], result.holdings["status"], strict=True))


# --------------------------------------------------------------------------------------------
# Legacy .xls
# --------------------------------------------------------------------------------------------


def test_xls_custodian_triplets_count_each_holding_once() -> None:
    h = read_holdings([FIXTURES / "custodian_triplets.xls"])
    assert_accounted(h)
    assert h.rows_read == 24
    # each holding's sub-total line is its position; details and available balances restate it
    assert h.positions["row"].tolist() == [5, 9, 12]
    assert h.positions["identifier"].tolist() == ["HK0941009539", "KYG875721634", "HK0388045442"]
    assert h.positions["quantity"].tolist() == [20000.0, 2000.0, 500.0]
    assert h.positions["market_value"].sum() == 1_000_000 + 800_000 + 150_000
    by_class = collections.Counter(classes(h).values())
    assert by_class == {"title": 2, "header": 1, "position detail": 7, "total": 11}
    # the "All" account block repeats every holding: totals, not positions
    assert all(classes(h)[r] == "total" for r in range(14, 25))
    # the Excel dates read as dates
    assert h.positions["input"].iloc[0]["Statement Date"] == "2021-08-31"
    # the second "Market Price Currency" column keeps its own key
    keys = [k for k in h.tables[0].header if k.startswith("Market Price Currency")]
    assert keys == ["Market Price Currency", "Market Price Currency (N)"]


def test_xls_custodian_screening() -> None:
    statuses = status_by_row(FIXTURES / "custodian_triplets.xls")
    assert statuses == {5: "PROHIBITED", 9: "CLEAR", 12: "CLEAR"}


def test_xls_trustee_sections_and_sheets() -> None:
    h = read_holdings([FIXTURES / "trustee_sections.xls"])
    assert_accounted(h)
    tables = [(t.sheet, t.header_rows, t.kind) for t in h.tables]
    assert tables == [
        ("Portfolio Val.", (4, 5), TableKind.CASH),
        ("Portfolio Val.", (12, 13, 14), TableKind.HOLDINGS),
        ("Portfolio Val.", (24, 25), TableKind.HOLDINGS),
        ("Portfolio Val.", (35, 36), TableKind.CASH),
    ]
    assert h.tables[0].why == "cash (section 'I. Cash - HKD (現金-港幣)')"
    val = classes(h, "Portfolio Val.")
    assert val[7] == "cash" and val[38] == "cash"  # a bank account, a fixed deposit
    assert val[9] == "total" and val[16] == "note"  # "Total (總額):", "(i) Held to Maturity"
    for sheet in ("Portfolio Sum.", "Sec. Tran. Implement", "CA-BOC"):
        assert set(classes(h, sheet).values()) == {"non-position sheet"}, sheet
    positions = h.positions.set_index("row")
    assert positions.loc[17, "isin"] == "US65334HAE27"  # from the column without header
    assert positions.loc[28, "name"] == "(N0941) China Mobile Ltd"
    assert positions.loc[28, "quantity"] == 40000.0
    assert list(positions.index) == [17, 18, 28, 29, 30]


def test_xls_trustee_screening_codes_in_names() -> None:
    statuses = status_by_row(FIXTURES / "trustee_sections.xls")
    assert statuses[28] == "PROHIBITED"  # (N0941) China Mobile Ltd
    assert statuses[29] == "PROHIBITED"  # (H0728) China Telecom H
    assert statuses[17] != "PROHIBITED"  # a Nexen bond: CNOOC's subsidiary, not listed
    assert statuses[30] == "CLEAR"  # Tencent


# --------------------------------------------------------------------------------------------
# .ods and .xlsm
# --------------------------------------------------------------------------------------------


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def ods_bytes(sheets: dict[str, Sequence[Row]]) -> bytes:
    """A minimal OpenDocument spreadsheet."""
    body = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        package.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_ods(tmp_path: Path) -> None:
    path = tmp_path / "holdings.ods"
    rows: list[Row] = [
        ["Name", "ISIN", "Quantity"],
        ["CHINA MOBILE LTD", "HK0941009539", 125000],
        [None],
        ["TENCENT HOLDINGS LTD", "KYG875721634", 1000],
    ]
    path.write_bytes(ods_bytes({"Holdings": rows, "Notes": [["Prepared by operations"]]}))
    h = read_holdings([path])
    assert_accounted(h)
    assert h.positions["row"].tolist() == [2, 4]
    assert h.positions["quantity"].tolist() == [125000.0, 1000.0]
    assert classes(h, "Holdings") == {1: "header"}
    assert [(r.sheet, r.row_class.value) for r in h.other_rows][-1] == (
        "Notes",
        "non-position sheet",
    )


def test_xlsm_with_macros_is_read_and_never_run(tmp_path: Path) -> None:
    package = xlsx_bytes({"Positions": [["Name", "Quantity"], ["CHINA MOBILE LTD", 100]]})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        # a VBA project part: calamine reads cell values only, nothing executes it
        target.writestr("xl/vbaProject.bin", b'Attribute VB_Name = "Module1"\x00' * 10)
    path = tmp_path / "book.xlsm"
    path.write_bytes(out.getvalue())
    h = read_holdings([path])
    assert h.positions["name"].tolist() == ["CHINA MOBILE LTD"]


# --------------------------------------------------------------------------------------------
# Merged cells, two-row securities, several files
# --------------------------------------------------------------------------------------------


def test_merged_header_and_merged_portfolio_cells(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Security", "Market Value", None, "Quantity", "Portfolio"],
        [None, "Local", "Base", None, None],
        ["CHINA MOBILE LTD", 50, 6.4, 1000, "FUND A"],
        ["TENCENT HOLDINGS LTD", 400, 51.3, 10, None],
        ["HSBC HOLDINGS PLC", 40, 5.1, 100, None],
        [],
        ["This report is for internal use only."],
    ]
    merges = ["A1:A2", "B1:C1", "D1:D2", "E1:E2", "E3:E5", "A7:E7"]
    path = tmp_path / "merged.xlsx"
    path.write_bytes(xlsx_bytes({"S": rows}, merges))
    h = read_holdings([path])
    assert_accounted(h)
    (info,) = h.tables
    assert info.header_rows == (1, 2)
    assert info.header[:3] == ("Security", "Market Value / Local", "Market Value / Base")
    assert info.market_value_column == "Market Value / Base"
    assert h.positions["market_value"].tolist() == [6.4, 51.3, 5.1]
    assert h.positions["portfolio"].tolist() == ["FUND A"] * 3  # the merged cell, spread down
    assert classes(h) == {1: "header", 2: "header", 7: "footer"}


def test_security_on_two_rows_sedol_then_isin(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Security Name", "Security ID", "Quantity", "Market Value"],
        ["CHINA MOBILE LTD", "6073556", 125000, 7806250],
        [None, "HK0941009539", None, None],
        ["TENCENT HOLDINGS LTD", "BMMV2K8", 1000, 400000],
        [None, "KYG875721634", None, None],
        ["Total", None, None, 8206250],
    ]
    path = tmp_path / "two_rows.xlsx"
    path.write_bytes(xlsx_bytes({"S": rows}))
    h = read_holdings([path])
    assert_accounted(h)
    assert h.positions["row"].tolist() == [2, 4]
    assert classes(h) == {1: "header", 3: "continuation", 5: "continuation", 6: "total"}
    first = h.positions.iloc[0]
    assert (first["identifier"], first["isin"]) == ("6073556", "HK0941009539")
    assert first["input"]["Security ID (row 3)"] == "HK0941009539"
    assert status_by_row(path)[2] == "PROHIBITED"


def test_identifier_row_above_its_amounts(tmp_path: Path) -> None:
    """The code row may come first: an ISIN row, then the row with name, SEDOL and amounts."""
    rows: list[Row] = [
        ["Name", "ISIN", "SEDOL", "Nominal", "Market Value"],
        [None, "HK0941009539", None, None, None],
        ["CHINA MOBILE LTD", None, "6073556", 125000, 7806250],
    ]
    path = tmp_path / "isin_first.xlsx"
    path.write_bytes(xlsx_bytes({"S": rows}))
    h = read_holdings([path])
    assert h.positions["row"].tolist() == [3]
    assert (h.positions.iloc[0]["isin"], h.positions.iloc[0]["sedol"]) == (
        "HK0941009539",
        "6073556",
    )
    assert classes(h) == {1: "header", 2: "continuation"}


def test_row_without_amount_that_contradicts_is_not_a_continuation(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Name", "ISIN", "Quantity"],
        ["CHINA MOBILE LTD", "HK0941009539", 100],
        ["TENCENT HOLDINGS LTD", "KYG875721634", None],
    ]
    path = tmp_path / "zero.xlsx"
    path.write_bytes(xlsx_bytes({"S": rows}))
    h = read_holdings([path])
    # a row with an identifier is a holding without its quantity too (principle 5)
    assert h.positions["isin"].tolist() == ["HK0941009539", "KYG875721634"]
    assert 3 not in classes(h)


def test_several_files_and_sheets_in_one_run(tmp_path: Path) -> None:
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(
        xlsx_bytes(
            {
                "Equities": [["Name", "ISIN", "Quantity"], ["CHINA MOBILE LTD", "HK0941009539", 1]],
                "Bonds": [
                    ["Description", "ISIN", "Nominal"],
                    ["XYZ 5 01/01/30", "XS1021617698", 2],
                ],
            }
        )
    )
    text = tmp_path / "b.csv"
    text.write_text("Ticker,Name,Exchange,Shares\n700,TENCENT,XHKG,10\n")
    h = read_holdings([xlsx, text, FIXTURES / "custodian_triplets.xls"])
    assert_accounted(h)
    per_file = h.positions.groupby("file")["row"].count().to_dict()
    assert per_file == {str(xlsx): 2, str(text): 1, str(FIXTURES / "custodian_triplets.xls"): 3}
    assert sorted(set(h.positions["sheet"])) == ["Bonds", "Equities", "Holding - CSV", "b"]


# --------------------------------------------------------------------------------------------
# Cells that need their neighbours
# --------------------------------------------------------------------------------------------


def test_codes_excel_turned_into_numbers_need_the_exchange(tmp_path: Path) -> None:
    """``728`` is China Telecom on XHKG and Guoyuan Securities on XSHE; the column decides."""
    path = tmp_path / "etf.csv"
    path.write_text(
        "Ticker,Name,Exchange,Shares,Market Value,Price\n"
        '728,CHINA TELECOM CORP LTD H,XHKG,"1,000,000.00","350,000.00",0.35\n'
        '728,GUOYUAN SECURITIES CO LTD A,Shenzhen Stock Exchange,"10,000.00","9,000.00",#N/A\n'
        '941,CHINA MOBILE LTD,Hong Kong Exchanges And Clearing Ltd,"500.00","4,000.00",8\n'
        "600050,CHINA UNITED NETWORK COMMUNICATION,XSHG,100,50,#N/A N/A\n"
    )
    h = read_holdings([path])
    assert h.tables[0].roles["Exchange"] is Role.EXCHANGE
    assert h.positions["quantity"].tolist() == [1_000_000.0, 10_000.0, 500.0, 100.0]
    assert not h.issues  # "#N/A" is no number, and no problem either
    statuses = status_by_row(path)
    assert statuses[2] == "PROHIBITED"
    assert statuses[3] != "PROHIBITED"
    assert statuses[4] == "PROHIBITED"
    assert statuses[5] != "PROHIBITED"


def test_bloomberg_name_column_with_bonds_and_cash(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Name", "ISIN", "Account Code", "Asset Type", "Market Value", "Position"],
        ["Top Level", None, None, None, 100, None],
        ["941 HK", "HK0941009539", "F1", "Equity", 50, 1000],
        ["CNOOC 7 ½ 07/30/39", "US65334HAJ14", "F1", "Corporate", 40, 100],
        ["700 HK", "KYG875721634", "F1", "Equity", 5, 10],
        ["5 HK", "GB0005405286", "F1", "Equity", 5, 100],
        ["1299 HK", "HK0000069689", "F1", "Equity", 5, 100],
        ["{cash} USD", None, "F1", "Cash", 10, 10],
    ]
    path = tmp_path / "port.xlsx"
    path.write_bytes(xlsx_bytes({"MAV": rows}))
    h = read_holdings([path])
    assert classes(h) == {1: "header", 2: "total", 8: "cash"}
    assert h.tables[0].roles["Name"] is Role.IDENTIFIER  # mostly tickers
    assert h.positions["identifier"].tolist()[:2] == ["941 HK", None]
    assert h.positions["name"].tolist()[:2] == [None, "CNOOC 7 ½ 07/30/39"]
    statuses = status_by_row(path)
    assert statuses[3] == "PROHIBITED"
    assert statuses[4] != "PROHIBITED"  # Nexen's bond, named after the CNOOC family


@pytest.mark.parametrize(
    ("label", "expected"),
    [("All", "total"), ("ALL ACCOUNTS", "total"), ("Fund B", None)],
)
def test_aggregate_account_rows(tmp_path: Path, label: str, expected: str | None) -> None:
    rows: list[Row] = [
        ["Account", "Name", "ISIN", "Quantity"],
        ["Fund A", "CHINA MOBILE LTD", "HK0941009539", 100],
        [label, "CHINA MOBILE LTD", "HK0941009539", 100],
    ]
    path = tmp_path / "accounts.xlsx"
    path.write_bytes(xlsx_bytes({"S": rows}))
    h = read_holdings([path])
    assert classes(h).get(3) == expected


def test_european_numbers_in_a_semicolon_export(tmp_path: Path) -> None:
    """``5.678,90`` in one amount column says ``1.234`` in another is 1234, not 1.234."""
    path = tmp_path / "de.csv"
    text = (
        "Wertpapier;ISIN;Quantity;Market Value\n"
        "China Mobile Ltd;HK0941009539;1.234;5.678,90\n"
        "Tencent Holdings;KYG875721634;12.500.000;(1.234,5)\n"
    )
    path.write_bytes(text.encode("cp1252"))
    h = read_holdings([path])
    assert h.positions["quantity"].tolist() == [1234.0, 12_500_000.0]
    assert h.positions["market_value"].tolist() == [5678.9, -1234.5]


def test_english_numbers_keep_their_decimal_point(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text('Name,ISIN,Quantity,Market Value\nX,HK0941009539,1.234,"5,678.90"\n')
    h = read_holdings([path])
    assert h.positions["quantity"].tolist() == [1.234]


def test_reports_concatenated_with_footer_blocks_between(tmp_path: Path) -> None:
    """One report per fund, one after another, each with its parameter block as footer."""
    header = ["Description", "InvestID", "Quantity", "MarketValueBook"]
    rows: list[Row] = [
        ["Investment Position Appraisal", None, None, None],
        header,
        ["CHINA MOBILE LTD", "941 HK", 125000, 7806250],
        ["TENCENT HOLDINGS LTD", "700 HK", 1000, 400000],
        ["Total", None, None, 8206250],
        ["ParameterName", "ParameterValue"],
        ["Portfolio", "19437"],
        ["AccountingPeriod", "Jun 2021"],
        [],
        ["Investment Position Appraisal", None, None, None],
        header,
        ["AIA GROUP LTD", "1299 HK", 200, 16000],
        ["Total", None, None, 16000],
        ["ParameterName", "ParameterValue"],
        ["Portfolio", "12307"],
    ]
    path = tmp_path / "two_funds.xlsx"
    path.write_bytes(xlsx_bytes({"Report": rows}))
    h = read_holdings([path])
    assert_accounted(h)
    assert h.positions["row"].tolist() == [3, 4, 12]
    found = classes(h)
    assert found[2] == "header" and found[11] == "header"
    assert found[5] == "total" and found[13] == "total"
    assert all(found[r] not in ("continuation", None) for r in (6, 7, 8, 14, 15))


def test_portfolio_named_only_in_the_report_parameters(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["Fund: 12307"],
        ["Description", "InvestID", "Quantity", "MarketValueBook"],
        ["CHINA MOBILE LTD", "941 HK", 125000, 7806250],
        ["Total", None, None, 7806250],
    ]
    path = tmp_path / "one_fund.xlsx"
    path.write_bytes(xlsx_bytes({"Report": rows}))
    h = read_holdings([path])
    assert h.positions["portfolio"].tolist() == ["12307"]
    assert "12307" in h.tables[0].reasons[Role.PORTFOLIO]


def test_two_reports_under_one_header_leave_the_portfolio_unknown(tmp_path: Path) -> None:
    header = ["Description", "InvestID", "Quantity"]
    rows: list[Row] = [
        header,
        ["CHINA MOBILE LTD", "941 HK", 125000],
        ["Portfolio", "19437"],
        [],
        header,
        ["AIA GROUP LTD", "1299 HK", 200],
        ["Portfolio", "12307"],
    ]
    path = tmp_path / "two.xlsx"
    path.write_bytes(xlsx_bytes({"Report": rows}))
    h = read_holdings([path])
    assert h.positions["portfolio"].tolist() == [None, None]

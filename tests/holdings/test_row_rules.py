"""Row classification as named rules: every set-aside row says which rule set it aside, and why.

A generated custodian-style statement carries one row of each kind; the rule's reason reaches
the JSON and the workbook's Other rows sheet.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import portfolio_check
from portfolio_check.holdings.tables import (
    HEADER_RULE,
    OTHER_TABLE_RULES,
    ROW_RULES,
    TITLE_RULE,
)

ROWS = [
    ["Custody statement as of 28 February 2022"],  # title
    [],
    ["Security Name", "ISIN", "Quantity", "Market Value"],  # header
    ["SENSETIME GROUP INC", "KYG8062L1041", "1000", "5000"],  # position
    ["Long positions", "", "", ""],  # text that names no security
    ["TENCENT HOLDINGS LTD", "KYG875721634", "100", "40000"],  # position
    ["Sub-total equities", "", "", "45000"],  # subtotal
    ["Cash (HKD)", "", "", "1200"],  # cash
    ["Total", "", "", "46200"],  # total (it carries an amount, so the table runs to it)
    ["Prices are indicative and not an offer."],  # footer
]


def _statement(tmp_path: Path) -> Path:
    path = tmp_path / "statement.csv"
    path.write_text("\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    return path


def test_rule_names_are_unique_and_every_rule_has_a_reason() -> None:
    rules = (*ROW_RULES, *OTHER_TABLE_RULES, TITLE_RULE, HEADER_RULE)
    assert len({r.name for r in ROW_RULES}) == len(ROW_RULES)
    assert all(r.why for r in rules)
    assert [r for r in ROW_RULES if r.row_class is None] == [ROW_RULES[5]]  # one position rule


def test_every_set_aside_row_carries_its_rules_reason(tmp_path: Path) -> None:
    result = portfolio_check.check(_statement(tmp_path), as_of="2022-03-01")
    why = {o.row: (o.row_class.value, o.why) for o in result.other_rows}
    reason = {r.name: r.why for r in (*ROW_RULES, TITLE_RULE, HEADER_RULE)}
    assert why == {
        1: ("title", reason["title"]),
        3: ("header", reason["header"]),
        5: ("note", reason["other text"]),
        7: ("subtotal", reason["subtotal"]),
        8: ("cash", reason["cash"]),
        9: ("total", reason["total"]),
        10: ("footer", reason["footer"]),
    }
    assert sorted(result.holdings["row"]) == [4, 6]
    data = result.to_dict()
    assert {o["row"]: o["why"] for o in data["other_rows"]} == {r: w for r, (_, w) in why.items()}


def test_the_other_rows_sheet_shows_why(tmp_path: Path) -> None:
    result = portfolio_check.check(_statement(tmp_path), as_of="2022-03-01")
    report = tmp_path / "report.xlsx"
    result.write_report(report)
    sheet = openpyxl.load_workbook(report, read_only=True)["Other rows"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:6] == ["File", "Sheet", "Row", "Class", "Why", "Text"]
    by_row = {r[2]: r[4] for r in rows[1:]}
    assert by_row[7] == "a sub-total word and no security code"
    assert by_row[10] == "after the last position or amount of the sheet's last table"


@pytest.mark.parametrize("kind", ["Trade date", "Settlement"])
def test_a_file_without_a_holdings_table_is_an_error_never_a_pass(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(f"{kind},Comment\n2022-02-01,booked\n2022-02-02,settled\n", encoding="utf-8")
    with pytest.raises(portfolio_check.InputFileError):
        # a file with no holdings table at all is an error naming the file, not a silent pass
        portfolio_check.check(path, as_of="2022-03-01")


def test_a_row_that_identifies_a_security_is_screened_whatever_row_words_its_name_holds(
    tmp_path: Path,
) -> None:
    """Every total, sub-total and cash word of the vocabulary, as a name alone and inside a
    company's name, on a row with a valid ISIN and a quantity: a position, never set aside as a
    total or a cash line (a set-aside row is not screened, so that would clear it unseen)."""
    from portfolio_check.holdings import read_holdings
    from portfolio_check.holdings.row_words import row_words

    words = sorted(
        {
            entry.fields["example"]
            for entry in row_words()
            if entry.fields["role"] in ("total", "subtotal", "cash")
        }
    )
    assert len(words) > 50  # the vocabulary, not a handful
    isins = ["HK0941009539", "KYG8062L1041", "US0378331005", "GB0005405286", "CNE1000003X6"]
    rows: list[list[object]] = [["Security Name", "ISIN", "Quantity", "Market Value"]]
    for k, word in enumerate(words):
        for name in (word, f"{word} Holdings Ltd"):
            rows.append([name, isins[k % len(isins)], 100 + k, 1000.0 + k])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / "names.xlsx"
    book.save(path)
    positions = read_holdings([path]).positions
    assert positions["row"].tolist() == list(range(2, len(rows) + 1))

"""The Summary's sums (by currency and status, by portfolio and currency) are worked out as
array counts over a million positions; on generated books they equal a plain loop over the
positions."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from portfolio_check import check
from portfolio_check.model import Status
from portfolio_check.report.excel import SUMMARY_TABLE_ROWS, Entity, entity_exposures
from portfolio_check.result import CheckResult, market_values

SECURITIES = [  # (name, ISIN): prohibited, clear and unresolved ones on 2022-03-01
    ("SenseTime Group Inc", "KYG8062L1041"),
    ("Apple Inc", "US0378331005"),
    ("Tencent Holdings", "KYG875721634"),
    ("HSBC", "GB0005405286"),
    ("Unknown Widgets Plc", None),
    ("China Communications Services", None),  # REVIEW (related): flagged, not barred
]
BARRED = {Status.BLOCKED.value, Status.PROHIBITED.value}


def _book(seed: int, rows: int) -> pd.DataFrame:
    rng = random.Random(seed)
    picked = [rng.choice(SECURITIES) for _ in range(rows)]
    return pd.DataFrame(
        {
            "Portfolio": [rng.choice(["A", "B", "C", None]) for _ in range(rows)],
            "Security Name": [name for name, _ in picked],
            "ISIN": [isin for _, isin in picked],
            "Quantity": [rng.randint(1, 1000) for _ in range(rows)],
            "Market Value": [
                rng.choice([None, round(rng.uniform(-50, 5000), 2)]) for _ in range(rows)
            ],
            "Currency": [rng.choice(["HKD", "usd", "RMB", None, "??"]) for _ in range(rows)],
        }
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("by", ["portfolio", "file and sheet"])
def test_summary_sums_equal_a_loop_over_the_positions(seed: int, by: str, tmp_path: Path) -> None:
    book = _book(seed, 80)
    if by == "file and sheet":  # no portfolio column: the table goes by file and sheet
        path = tmp_path / "book.xlsx"
        with pd.ExcelWriter(path) as excel:
            book.drop(columns="Portfolio")[:50].to_excel(excel, sheet_name="One", index=False)
            book.drop(columns="Portfolio")[50:].to_excel(excel, sheet_name="Two", index=False)
        result = check(path, as_of="2022-03-01")
    else:
        result = check(book, as_of="2022-03-01")
    holdings = result.holdings
    statuses = holdings["status"].astype(str).tolist()
    values = holdings["market_value"].tolist()
    currencies = result.currencies
    # by currency and status: a currency appears where some position has a value in it
    want: dict[str | None, dict[str, float]] = {}
    for status, value, currency in zip(statuses, values, currencies, strict=True):
        if value == value and value is not None:
            per = want.setdefault(currency, {s.value: 0.0 for s in Status})
            per[status] += value
    got = result.market_value_by_currency()
    assert list(got) == sorted(want, key=lambda c: (c is None, c or ""))
    for currency, per in want.items():
        assert got[currency] == pytest.approx(per)
    _assert_portfolio_table(result, by, tmp_path)


def _assert_portfolio_table(result: CheckResult, by: str, tmp_path: Path) -> None:
    """The Summary's table by portfolio (or file and sheet) and currency against a loop over
    the positions, in the sheet's order: most barred, most flagged, then name, the rows'
    first-seen order among equals; past SUMMARY_TABLE_ROWS lines, a line says how many more."""
    holdings = result.holdings
    statuses = holdings["status"].astype(str).tolist()
    values = holdings["market_value"].tolist()
    groups: dict[tuple[str, str | None], list[float]] = {}
    if by == "portfolio":
        accounts = holdings["portfolio"].tolist()
    else:
        accounts = [f"{f} / {t}" for f, t in zip(holdings["file"], holdings["sheet"], strict=True)]
    for account, status, value, currency in zip(
        accounts, statuses, values, result.currencies, strict=True
    ):
        g = groups.setdefault((account if account else "(none)", currency), [0, 0, 0, 0.0, 0.0])
        amount = value if value == value and value is not None else 0.0
        g[0] += 1
        g[1] += status != Status.CLEAR.value
        g[2] += status in BARRED
        g[3] += amount
        g[4] += amount if status in BARRED else 0.0
    ordered = sorted(groups.items(), key=lambda item: (-item[1][2], -item[1][1], item[0][0]))
    shown = ordered[:SUMMARY_TABLE_ROWS]
    report = openpyxl.load_workbook(result.write_report(tmp_path / "r.xlsx"))
    rows = list(report["Summary"].iter_rows(values_only=True))
    header = "Portfolio / account" if by == "portfolio" else "File / sheet"
    at = next(i for i, row in enumerate(rows) if row[0] == header)
    table = rows[at + 1 : at + 1 + len(shown)]
    for row, ((account, _), g) in zip(table, shown, strict=True):
        assert row[0] == account
        assert list(row[1:4]) == g[:3]
        assert row[4] == pytest.approx(g[3]) and row[5] == pytest.approx(g[4])
    after = rows[at + 1 + len(shown)][0]
    if len(ordered) > SUMMARY_TABLE_ROWS:
        assert after == f"{len(ordered) - SUMMARY_TABLE_ROWS:,} more rows: see the Holdings sheet"
    else:
        assert after is None  # nothing more in the table


@pytest.mark.parametrize("seed", range(3))
def test_a_long_portfolio_table_shows_its_first_lines_in_order(seed: int, tmp_path: Path) -> None:
    """Hundreds of (portfolio, currency) groups, many of them tied: the first
    SUMMARY_TABLE_ROWS in the loop's order, then how many more."""
    rng = random.Random(seed)
    book = _book(seed, 900)
    book["Portfolio"] = [rng.choice([f"P{k:03d}" for k in range(150)] + [None]) for _ in range(900)]
    _assert_portfolio_table(check(book, as_of="2022-03-01"), "portfolio", tmp_path)


def _entities_by_loop(result: CheckResult) -> list[tuple[tuple[str, str, str | None], Entity]]:
    # the Summary's "By listed entity" table as a plain loop over the flagged positions
    entries: dict[tuple[str, str, str | None], Entity] = {}
    values = market_values(result.holdings)
    for i, verdict in enumerate(result.holdings["verdict"].tolist()):
        seen: set[tuple[str, str]] = set()
        for finding in sorted(verdict.findings, key=lambda f: f.status.severity):
            key = (finding.list_id, finding.entry_id)
            if key in seen:
                continue
            seen.add(key)
            entry = entries.setdefault(
                (*key, result.currencies[i]), Entity(finding.entry_name, finding.status)
            )
            if finding.status.severity < entry.status.severity:
                entry.status = finding.status
            entry.count += 1
            entry.value += values[i] or 0.0
            how = f" ({finding.exposure})" if finding.exposure else ""
            entry.through.setdefault(result.names[i] + how, i)
    return sorted(entries.items(), key=lambda item: (item[1].status.severity, -item[1].value))


ENTITIES = [  # listed ones (NS-CMIC, and SDN-related) and a clear one, under several names
    ("SenseTime Group Inc", "KYG8062L1041"),
    ("SENSETIME GROUP", None),
    ("Hikvision", "CNE100000PM8"),
    ("Hangzhou Hikvision Digital Technology", "CNE100000PM8"),
    ("China Mobile Ltd", "HK0941009539"),
    ("Apple Inc", "US0378331005"),
]


@pytest.mark.parametrize("seed", range(8))
def test_the_listed_entity_table_equals_a_loop_over_the_positions(seed: int) -> None:
    rng = random.Random(seed)
    rows = rng.randint(1, 120)
    picked = [rng.choice(ENTITIES) for _ in range(rows)]
    book = pd.DataFrame(
        {
            "Security Name": [name for name, _ in picked],
            "ISIN": [isin for _, isin in picked],
            "Quantity": [rng.randint(1, 1000) for _ in range(rows)],
            "Market Value": [rng.choice([None, rng.randint(-50, 5000)]) for _ in range(rows)],
            "Currency": [rng.choice(["HKD", "usd", None, "??"]) for _ in range(rows)],
        }
    )
    result = check(book, as_of="2022-03-01")
    found = entity_exposures(result)
    expected = _entities_by_loop(result)
    assert found == expected
    # in order too: the holdings each entry goes through, as the table joins them
    assert [list(e.through.items()) for _, e in found] == [
        list(e.through.items()) for _, e in expected
    ]
    assert found or not any(v.findings for v in result.holdings["verdict"])

"""Issue 12, reading side: every identity column read, notations in full, generated tables.

Headers in the languages of fund administration, further name/code columns, cash in vendors'
notations, check digits, exchanges by MIC / code / name (with the shipped ISO 10383 master).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio_check import identifiers
from portfolio_check.holdings import (
    EXCHANGE_SEPARATOR,
    ITEM_SEPARATOR,
    POSITION_COLUMNS,
    HoldingsInput,
    Role,
    read_holdings,
)
from portfolio_check.holdings.cells import is_null_like
from portfolio_check.identifiers import (
    CHINA_COMPOSITE,
    CHINA_OR_HONG_KONG,
    HONG_KONG,
    SHANGHAI,
    SHENZHEN,
    UNITED_STATES,
    Ticker,
    exchange_to_market,
    parse_ticker,
)
from tests.holdings.test_holdings_reader import xlsx_bytes
from tests.paths import REPO

Row = Sequence[object]
MIC_MASTER = REPO / "reference" / "masters" / "mic.csv"


def write_table(tmp_path: Path, rows: Sequence[Row], fmt: str, name: str = "t") -> Path:
    """The rows as an .xlsx workbook or a CSV file (``;``-separated, as a European Excel)."""
    if fmt == "xlsx":
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(xlsx_bytes({"Holdings": rows}))
        return path
    path = tmp_path / f"{name}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def classes(h: HoldingsInput) -> dict[int, str]:
    return {r.row: r.row_class.value for r in h.other_rows}


# --------------------------------------------------------------------------------------------
# Headers in many languages
# --------------------------------------------------------------------------------------------

# language -> header words for (name, ISIN, ticker/code, exchange, quantity, market value,
# currency, portfolio)
HEADERS: dict[str, tuple[str, str, str, str, str, str, str, str]] = {
    "en": (
        "Security Description",
        "ISIN",
        "Ticker",
        "Exchange",
        "Quantity",
        "Market Value",
        "Currency",
        "Portfolio",
    ),
    "zh-hans": ("证券名称", "ISIN代码", "证券代码", "交易所", "持仓数量", "市值", "币种", "基金"),
    "zh-hant": ("證券名稱", "ISIN", "股份代號", "市場", "持股數量", "市值", "幣種", "基金"),
    "de": (
        "Wertpapierbezeichnung",
        "ISIN",
        "Kürzel",
        "Börse",
        "Stück/Nominal",
        "Kurswert",
        "Währung",
        "Depot",
    ),
    "fr": (
        "Libellé",
        "Code ISIN",
        "Code valeur",
        "Place de cotation",
        "Quantité",
        "Valeur de marché",
        "Devise",
        "Portefeuille",
    ),
    "es": (
        "Descripción",
        "Código ISIN",
        "Símbolo",
        "Bolsa",
        "Títulos",
        "Valor de mercado",
        "Divisa",
        "Cartera",
    ),
    "it": (
        "Descrizione",
        "Codice ISIN",
        "Simbolo",
        "Borsa",
        "Quantità",
        "Controvalore",
        "Valuta",
        "Portafoglio",
    ),
    "pt": (
        "Descrição",
        "ISIN",
        "Código do ativo",
        "Bolsa",
        "Quantidade",
        "Valor de mercado",
        "Moeda",
        "Carteira",
    ),
    "nl": (
        "Omschrijving",
        "ISIN",
        "Symbool",
        "Beurs",
        "Aantal",
        "Marktwaarde",
        "Valuta",
        "Portefeuille",
    ),
    "ja": ("銘柄名", "ISINコード", "銘柄コード", "取引所", "株数", "評価額", "通貨", "ファンド"),
    "ko": ("종목명", "ISIN", "종목코드", "거래소", "수량", "평가금액", "통화", "펀드"),
}
ROLES = (
    Role.NAME,
    Role.ISIN,
    Role.TICKER,
    Role.EXCHANGE,
    Role.QUANTITY,
    Role.MARKET_VALUE,
    Role.CURRENCY,
    Role.PORTFOLIO,
)
# (name, ISIN, local code, exchange as a fund administrator writes it, quantity, value, ccy)
SECURITIES = [
    ("CHINA MOBILE LTD", "HK0941009539", "941", "XHKG", "125000", "7806250", "HKD"),
    ("SENSETIME GROUP INC-CL B", "KYG8062L1041", "20", "HKEX", "50000", "98000", "HKD"),
    (
        "KWEICHOW MOUTAI CO LTD-A",
        "CNE0000018R8",
        "600519",
        "上海证券交易所",
        "100",
        "172000",
        "CNY",
    ),
    ("BYD CO LTD-A", "CNE100000296", "002594", "深交所", "300", "76000", "CNY"),
    ("TOYOTA MOTOR CORP", "JP3633400001", "7203", "Tokyo Stock Exchange", "1000", "2900000", "JPY"),
    ("APPLE INC", "US0378331005", "AAPL", "NASDAQ", "10", "1900", "USD"),
]


def _language_rows(language: str) -> list[Row]:
    header = list(HEADERS[language])
    rows: list[Row] = [["Holdings report / 持仓报告"], [], header]
    for name, isin, code, exchange, qty, mv, ccy in SECURITIES:
        rows.append([name, isin, code, exchange, qty, mv, ccy, "FUND-1"])
    rows.append(["Total", None, None, None, None, "13052150", None, None])
    return rows


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("language", sorted(HEADERS))
def test_headers_in_each_language(tmp_path: Path, language: str, fmt: str) -> None:
    h = read_holdings([write_table(tmp_path, _language_rows(language), fmt)])
    info = h.tables[0]
    found = {role: header for header, role in info.roles.items()}
    for role, word in zip(ROLES, HEADERS[language], strict=True):
        assert found.get(role) == word, (role, info.column_reasons)
    p = h.positions
    assert p["isin"].tolist() == [s[1] for s in SECURITIES]
    assert p["ticker"].tolist() == [s[2] for s in SECURITIES]
    assert p["quantity"].tolist() == [float(s[4]) for s in SECURITIES]
    assert p["market_value"].tolist() == [float(s[5]) for s in SECURITIES]
    assert set(p["portfolio"]) == {"FUND-1"}
    assert classes(h)[len(SECURITIES) + 4] == "total"
    # the exchange words of the table all name their market
    markets = [parse_ticker(c, e) for c, e in zip(p["ticker"], p["exchange"], strict=True)]
    assert markets == [
        Ticker("00941", HONG_KONG),
        Ticker("00020", HONG_KONG),
        Ticker("600519", SHANGHAI),
        Ticker("002594", SHENZHEN),
        Ticker("7203", "XTKS"),
        Ticker("AAPL", UNITED_STATES),
    ]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (("Wertpapiername", "ISIN-Code", "Nominal", "Marktwert"), "de"),
        (("Désignation", "ISIN", "Nombre de titres", "Valorisation"), "fr"),
        (("Denominazione", "ISIN", "Nominale", "Valore di mercato"), "it"),
        (("Nombre del valor", "ISIN", "Cantidad", "Valor de mercado"), "es"),
        (("銘柄", "ISIN", "保有数量", "時価評価額"), "ja"),
        (("종목", "ISIN", "보유수량", "평가액"), "ko"),
        (("證券簡稱", "ISIN", "持有數量", "市值"), "zh-hant"),
    ],
)
def test_more_header_spellings(tmp_path: Path, headers: tuple[str, ...], expected: str) -> None:
    rows: list[Row] = [list(headers)]
    rows += [[s[0], s[1], s[4], s[5]] for s in SECURITIES]
    h = read_holdings([write_table(tmp_path, rows, "xlsx")])
    roles = h.tables[0].roles
    assert [roles[x] for x in headers] == [
        Role.NAME,
        Role.ISIN,
        Role.QUANTITY,
        Role.MARKET_VALUE,
    ], expected


def test_roles_from_contents_when_no_header_word_is_known(tmp_path: Path) -> None:
    # Polish-like headers the vocabulary does not know: ISINs, tickers and CUSIPs by contents
    rows: list[Row] = [["Nazwa", "Kod A", "Kod B", "Kod C", "Quantity", "Market Value"]]
    cusips = ["037833100", "16941M109", "594918104", "02079K305", "88160R101", "30303M102"]
    for (name, isin, code, *_), cusip in zip(SECURITIES, cusips, strict=True):
        rows.append([name, isin, f"{code} HK", cusip, 100, 1000])
    h = read_holdings([write_table(tmp_path, rows, "xlsx")])
    roles = h.tables[0].roles
    assert (roles["Kod A"], roles["Kod B"], roles["Kod C"]) == (Role.ISIN, Role.TICKER, Role.CUSIP)
    assert "contents" in h.tables[0].column_reasons["Kod B"]


# --------------------------------------------------------------------------------------------
# Every column is read
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_further_identity_columns_fill_more_names_and_more_codes(tmp_path: Path, fmt: str) -> None:
    rows: list[Row] = [
        [
            "Bloomberg Ticker",
            "Security Description",
            "Issuer Name",
            "Local Code",
            "Local Exchange",
            "RIC",
            "ISIN",
            "Security ID",
            "Exchange",
            "Quantity",
        ],
        [
            "20 HK",
            "SENSETIME-W",
            "SenseTime Group Inc.",
            "00020",
            "XHKG",
            "0020.HK",
            "KYG8062L1041",
            "BN7HQL6",
            "HK",
            100,
        ],
        ["941 HK", "CHINA MOBILE", None, "00941", "SEHK", None, "HK0941009539", None, "HK", 200],
        [
            "CHL US",
            "CHINA MOBILE-ADR",
            "China Mobile Ltd",
            None,
            None,
            "CHL.N",
            None,
            None,
            "US",
            300,
        ],
        [
            "700 HK",
            "TENCENT",
            "Tencent Holdings Ltd",
            "00700",
            "XHKG",
            "0700.HK",
            "KYG875721634",
            "BMMV2K8",
            "HK",
            400,
        ],
        [
            "1299 HK",
            "AIA",
            "AIA Group Ltd",
            "01299",
            "XHKG",
            "1299.HK",
            "HK0000069689",
            "B4TX8S1",
            "HK",
            500,
        ],
    ]
    h = read_holdings([write_table(tmp_path, rows, fmt)])
    assert list(h.positions.columns) == POSITION_COLUMNS
    first = h.positions.iloc[0]
    # today's primary choices stay where they were
    assert (first["ticker"], first["name"], first["isin"], first["exchange"]) == (
        "20 HK",
        "SENSETIME-W",
        "KYG8062L1041",
        "HK",
    )
    assert first["more_names"] == "SenseTime Group Inc."
    assert first["identifier"] == "BN7HQL6"  # the one identifier column is primary
    assert first["more_codes"].split(ITEM_SEPARATOR) == [
        f"00020{EXCHANGE_SEPARATOR}XHKG",
        "0020.HK",
    ]
    second = h.positions.iloc[1]
    assert second["more_names"] is None
    assert second["more_codes"] == f"00941{EXCHANGE_SEPARATOR}SEHK"
    third = h.positions.iloc[2]
    assert third["more_codes"] == "CHL.N"
    info = h.tables[0]
    assert set(info.secondary) == {
        "Issuer Name",
        "Local Code",
        "Local Exchange",
        "RIC",
    }
    assert info.roles["RIC"] is Role.TICKER and info.roles["Issuer Name"] is Role.NAME
    assert "also read" in info.column_reasons["RIC"]
    assert "also read" not in info.column_reasons["Bloomberg Ticker"]


def test_no_further_columns_leave_more_empty(tmp_path: Path) -> None:
    rows: list[Row] = [["Name", "ISIN", "Quantity"]]
    rows += [[s[0], s[1], s[4]] for s in SECURITIES]
    h = read_holdings([write_table(tmp_path, rows, "xlsx")])
    assert h.positions["more_names"].isna().all()
    assert h.positions["more_codes"].isna().all()
    assert h.tables[0].secondary == ()


def test_a_parent_name_is_not_a_further_name_of_the_security(tmp_path: Path) -> None:
    rows: list[Row] = [["Security Name", "Ultimate Parent Name", "ISIN", "Quantity"]]
    rows += [[s[0], "SOME STATE HOLDING GROUP", s[1], s[4]] for s in SECURITIES]
    h = read_holdings([write_table(tmp_path, rows, "xlsx")])
    assert h.positions["more_names"].isna().all()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        # "NIL", "NA" and the like are how exports write an empty cell: not names
        st.text(alphabet="ABCDEFGHIJ KLMNOP", min_size=3, max_size=12).filter(
            lambda t: t.strip() == t and t.strip() and not is_null_like(t)
        ),
        min_size=3,
        max_size=8,
    ),
    blanks=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_more_names_joins_the_filled_cells(
    tmp_path: Path, names: list[str], blanks: list[bool]
) -> None:
    rows: list[Row] = [["Security Name", "Issuer Name", "Short Name", "ISIN", "Quantity"]]
    expected = []
    for k, name in enumerate(names):
        issuer = None if blanks[k] else f"{name} ISSUER"
        short = f"{name.lower()} short"
        # a company's name ("A AA" alone reads as a ticker: a column of those is identifiers)
        rows.append([f"{name} Holdings", issuer, short, SECURITIES[k % len(SECURITIES)][1], k + 1])
        expected.append(ITEM_SEPARATOR.join(x for x in (issuer, short) if x))
    h = read_holdings([write_table(tmp_path, rows, "xlsx", name="h")])
    assert h.positions["more_names"].tolist() == expected


# --------------------------------------------------------------------------------------------
# Rows: identifiers without amounts, cash, check digits
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_row_with_an_identifier_is_a_holding_without_amounts(tmp_path: Path, fmt: str) -> None:
    rows: list[Row] = [
        ["Name", "ISIN", "Ticker", "Quantity", "Market Value"],
        ["CHINA MOBILE LTD", "HK0941009539", "941 HK", 100, 6000],
        ["SENSETIME", "KYG8062L1041", None, None, None],  # a watch-list row
        ["Equities", None, None, None, None],  # a section label stays a note
        ["TENCENT", None, "700 HK", None, 4000],
        ["AIA GROUP", None, "1299", None, None],  # a bare code in the ticker column
    ]
    h = read_holdings([write_table(tmp_path, rows, fmt)])
    assert h.positions["row"].tolist() == [2, 3, 5, 6]
    assert classes(h)[4] == "note"


def test_an_identifier_list_without_amount_columns(tmp_path: Path) -> None:
    rows: list[Row] = [["Security Name", "ISIN", "Ticker"]]
    rows += [[s[0], s[1], f"{s[2]} HK"] for s in SECURITIES]
    h = read_holdings([write_table(tmp_path, rows, "xlsx")])
    assert len(h.positions) == len(SECURITIES)


CASH_NOTATIONS = [
    "CNH Curncy",
    "USD Curncy",
    "Cash (HKD)",
    "HKD CASH",
    "CASH - USD",
    "Cash and cash equivalents",
    "现金",
    "現金",
    "Kasse",
    "Liquidität",
    "Espèces",
    "Liquidités",
    "Efectivo",
    "Contanti",
    "Liquidità",
    "Caixa",
    "Kas",
    "預金",
    "현금",
    "Cash at bank",
    "Bankguthaben EUR",
    "现金 (CNY)",
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cash_in_every_notation_is_a_cash_row(tmp_path: Path, fmt: str) -> None:
    rows: list[Row] = [["Security Name", "ISIN", "Quantity", "Market Value"]]
    rows.append(["CHINA MOBILE LTD", "HK0941009539", 100, 6000])
    rows += [[text, None, 1000 + k, 1000 + k] for k, text in enumerate(CASH_NOTATIONS)]
    rows.append(["BlackRock Cash Funds - Institutional", "IE00B3L10356", 10, 10])
    rows.append(["Cash (USD)", "US09248U7182", 5, 5])  # a money-market fund line with its ISIN
    h = read_holdings([write_table(tmp_path, rows, fmt)])
    found = classes(h)
    for k, text in enumerate(CASH_NOTATIONS):
        assert found.get(k + 3) == "cash", text
    assert h.positions["isin"].tolist() == ["HK0941009539", "IE00B3L10356", "US09248U7182"]


@pytest.mark.parametrize(
    "text", ["CaixaBank SA", "Cash America International", "Kasikornbank", "Cashmere Holdings"]
)
def test_names_that_only_contain_a_cash_word_are_holdings(tmp_path: Path, text: str) -> None:
    rows: list[Row] = [
        ["Security Name", "Quantity", "Market Value"],
        [text, 100, 100],
        ["CHINA MOBILE LTD", 100, 100],
    ]
    h = read_holdings([write_table(tmp_path, rows, "xlsx")])
    assert h.positions["name"].tolist() == [text, "CHINA MOBILE LTD"]


@pytest.mark.parametrize(
    ("header", "bad", "what"),
    [
        ("ISIN", "HK0941009538", "ISIN"),
        ("CUSIP", "16941M108", "CUSIP"),
        ("SEDOL", "B1YW441", "SEDOL"),
    ],
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_failing_check_digit_is_an_input_issue(
    tmp_path: Path, header: str, bad: str, what: str, fmt: str
) -> None:
    good = {"ISIN": "KYG8062L1041", "CUSIP": "16941M109", "SEDOL": "B1YW440"}[header]
    rows: list[Row] = [
        ["Security Name", header, "Quantity"],
        ["A", good, 1],
        ["B", bad, 2],
        ["C", "n/a", 3],
    ]
    h = read_holdings([write_table(tmp_path, rows, fmt)])
    assert h.positions["row"].tolist() == [2, 3, 4]  # the row stays a holding
    issues = [i for i in h.issues if "check digit" in i.problem]
    assert [(i.row, i.column, i.value) for i in issues] == [(3, header, bad)]
    assert issues[0].problem.startswith(f"{what} check digit fails")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from([s[1] for s in SECURITIES]), st.integers(min_value=1, max_value=9))
def test_any_altered_isin_check_digit_is_reported(tmp_path: Path, isin: str, delta: int) -> None:
    altered = isin[:-1] + str((int(isin[-1]) + delta) % 10)
    rows: list[Row] = [["Name", "ISIN", "Quantity"], ["X", altered, 1], ["Y", isin, 1]]
    h = read_holdings([write_table(tmp_path, rows, "xlsx", name="isin")])
    assert [(i.row, i.value) for i in h.issues if "check digit" in i.problem] == [(2, altered)]


# --------------------------------------------------------------------------------------------
# Exchanges
# --------------------------------------------------------------------------------------------

EXCHANGE_WORDS = {
    HONG_KONG: [
        "SEHK",
        "HKSE",
        "HKEx",
        "Hong Kong Stock Exchange",
        "港交所",
        "联交所",
        "聯交所",
        "香港交易所",
        "港股通",
        "Southbound Stock Connect",
        "XHKG",
        "0941.HK"[-2:],
        "HONG KONG EXCHANGES AND CLEARING LTD",
        "XGEM",
        "ＨＫ",
    ],
    SHANGHAI: [
        "上交所",
        "上海证券交易所",
        "上海證券交易所",
        "科创板",
        "科創板",
        "SSE STAR",
        "沪股通",
        "滬股通",
        "Stock Connect Northbound Shanghai",
        "XSHG",
        "XSSC",
        "SHSC",
        "SHANGHAI STOCK EXCHANGE",
    ],
    SHENZHEN: [
        "深交所",
        "深圳证券交易所",
        "创业板",
        "ChiNext",
        "深股通",
        "Stock Connect Northbound Shenzhen",
        "XSHE",
        "XSEC",
        "SZSC",
    ],
    CHINA_COMPOSITE: ["China", "CN", "A-share", "A Shares", "中国", "中國", "A股"],
    CHINA_OR_HONG_KONG: ["主板", "Main Board", "沪港通", "深港通"],
    UNITED_STATES: [
        "NYSE",
        "New York Stock Exchange Inc.",
        "NEW YORK STOCK EXCHANGE, INC.",
        "NASDAQ",
        "XNAS",
        "ARCX",
        "OOTC",
        "UW",
    ],
    "XTKS": ["XTKS", "Tokyo Stock Exchange", "JT", "東京証券取引所", "東証"],
    "XLON": ["XLON", "London Stock Exchange", "LN", "LSE"],
    "XKRX": ["한국거래소", "KS", "XKRX"],
    "XPAR": ["Euronext Paris", "EURONEXT - EURONEXT PARIS", "FP"],
    "XMAD": ["Bolsa de Madrid", "XMAD"],
    "XJPX": ["XJPX", "Japan Exchange Group"],
}


@pytest.mark.parametrize(
    ("word", "market"), [(w, m) for m, words in EXCHANGE_WORDS.items() for w in words]
)
def test_exchange_words(word: str, market: str) -> None:
    assert exchange_to_market(word) == market
    assert exchange_to_market(f"  {word.lower()}  ") == market or not word.isascii()


def test_every_alias_resolves() -> None:
    for word, market in identifiers._EXCHANGE_ALIASES.items():
        assert exchange_to_market(word) == market, word
        assert exchange_to_market(word.lower()) == market, word


def _mic_rows() -> list[dict[str, str]]:
    with MIC_MASTER.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_mic_master_covers_every_mic_the_code_uses() -> None:
    mics = {r["mic"] for r in _mic_rows()}
    pseudo = {UNITED_STATES, CHINA_COMPOSITE, CHINA_OR_HONG_KONG}
    used = {m for m in identifiers._EXCHANGE_ALIASES.values() if m not in pseudo}
    used |= {w for w in identifiers._EXCHANGE_ALIASES if re.fullmatch(r"X[A-Z]{3}", w)}
    used |= set(identifiers._MIC_MARKETS) | set(identifiers._MIC_MARKETS.values())
    source = (REPO / "portfolio_check" / "identifiers.py").read_text(encoding="utf-8")
    used |= set(re.findall(r'"(X[A-Z]{3})"', source))
    assert used - mics == set()


def test_every_mic_and_operating_mic_resolves() -> None:
    rows = _mic_rows()
    for row in rows:
        assert exchange_to_market(row["mic"]) is not None, row["mic"]
        assert exchange_to_market(row["operating_mic"]) is not None, row["operating_mic"]
    unmodelled = [r for r in rows if r["country"] not in ("US", "HK", "CN")]
    for row in unmodelled[:300]:
        if row["mic"] not in identifiers._EXCHANGE_ALIASES:
            assert exchange_to_market(row["mic"]) == row["mic"]


def test_exact_market_names_and_acronyms_resolve_unless_ambiguous() -> None:
    rows = _mic_rows()
    markets: dict[str, set[str]] = {}
    for row in rows:
        if row["status"] == "EXPIRED":
            continue
        market = identifiers._market_of_mic(row["mic"], row["operating_mic"], row["country"])
        for text in (row["name"], row["acronym"] if len(row["acronym"]) >= 3 else ""):
            if text:
                markets.setdefault(identifiers._exchange_key(text), set()).add(market)
    resolved = 0
    for name, found in markets.items():
        codes = identifiers._mic_index().codes  # a MIC written as an acronym is the MIC
        if len(found) == 1 and name not in identifiers._ALIASES and name not in codes:
            assert exchange_to_market(name) == next(iter(found)), name
            resolved += 1
    assert resolved > 2000


def test_mainland_code_ranges_and_board_notation() -> None:
    assert parse_ticker("600519", "A股") == Ticker("600519", SHANGHAI)
    assert parse_ticker("2594", "China") == Ticker("002594", SHENZHEN)
    assert parse_ticker("300750", "中国") == Ticker("300750", SHENZHEN)
    assert parse_ticker("00700", "主板") == Ticker("00700", HONG_KONG)
    assert parse_ticker("601398", "主板") == Ticker("601398", SHANGHAI)
    assert parse_ticker("08083", "創業板") == Ticker("08083", HONG_KONG)
    assert parse_ticker("300750", "創業板") == Ticker("300750", SHENZHEN)
    assert parse_ticker("700", "主板") is None  # neither notation: not guessed
    assert parse_ticker("ABC", "主板") is None
    assert parse_ticker("7203", "東証") == Ticker("7203", "XTKS")
    assert parse_ticker("BP/ LN") == Ticker("BP/", "XLON")
    assert parse_ticker("BRK.B") is None


def test_the_mic_importer_reproduces_the_shipped_master(tmp_path: Path) -> None:
    from portfolio_check.sources.mic import load_mic_master, write_mic_master
    from tests.paths import shared_path

    source = shared_path("data", "mic", "ISO10383_MIC.csv")
    fragment = write_mic_master(source, tmp_path)
    made = tmp_path / "masters" / "mic.csv"
    assert made.read_bytes() == MIC_MASTER.read_bytes(), "reference/masters/mic.csv is stale"
    assert fragment["rows"] == 2767
    rows = {r.mic: r for r in load_mic_master(made)}
    assert rows["XTKS"].operating_mic == "XJPX"
    assert rows["XHKG"].acronym == "HKEX"
    assert rows["XSHG"].name == "SHANGHAI STOCK EXCHANGE"
    assert rows["XHKG"].source_row > 1


def test_the_mic_importer_refuses_other_files(tmp_path: Path) -> None:
    from portfolio_check.errors import SourceFormatError
    from portfolio_check.sources.mic import read_mic_file

    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not an ISO 10383 MIC file"):
        read_mic_file(path)
    path.write_text(
        '"MIC","OPERATING MIC","OPRT/SGMT","MARKET NAME-INSTITUTION DESCRIPTION","ACRONYM",'
        '"ISO COUNTRY CODE (ISO 3166)","CITY","STATUS"\n"TOOLONG","X","OPRT","N","","HK","",""\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match="is not a MIC"):
        read_mic_file(path)

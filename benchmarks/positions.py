"""A realistic firm-wide position file, generated: many accounts over ~30,000 security lines.

The security universe mixes real lines and generated ones of real shapes:

* every line of the shipped HKEX master (``reference/masters/hkex.csv``: code, short name,
  ISIN), in the notations holdings systems use (``941 HK Equity``, ``0941.HK``, ``00941`` with
  an exchange column, ``XHKG:0941``, ``0941-HK``);
* the CSI 300 lines of ``reference/masters/csi.csv`` (Chinese and English names) and generated
  A-share lines (SSE 600xxx/601xxx/603xxx/688xxx, SZSE 000xxx/002xxx/300xxx) with CN ISINs;
* generated US lines (CUSIP-based US ISINs), and European lines (GB/DE/FR/NL/CH/IT/ES ISINs,
  SEDOLs for London lines, Bloomberg tickers ``VOD LN``, ``SAP GY``);
* every NS-CMIC entry's published ISINs and tickers, curated/derived lines (SenseTime 00020 and
  80020, A-share lines of listed H-share issuers), by name alone, by Chinese name, in several
  notations;
* look-alikes (Sensata, Hisense, RoboSense) and names one typing error from a listed name.

Check digits are python-stdnum's, so every generated ISIN/CUSIP/SEDOL is valid (a few rows
carry a deliberately broken ISIN, as real exports do). Deterministic for a seed.
"""

from __future__ import annotations

import csv
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum import cusip as stdnum_cusip
from stdnum import isin as stdnum_isin
from stdnum.gb import sedol as stdnum_sedol

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference"

# The size of the security universe (lines: one security in one notation).
UNIVERSE_SIZE = 30_000
# Accounts per 1,000 rows (a firm-wide file: many accounts, each with a few hundred lines).
ACCOUNTS_PER_1000_ROWS = 5
# Share of rows that are cash lines (classified as cash, not positions).
CASH_SHARE = 0.004
# Share of the HKEX master's warrants and CBBCs (half of its 15,000 lines) in the universe.
HK_DERIVATIVE_SHARE = 0.1
# Share of universe lines whose ISIN is written with a wrong check digit (an input flaw).
BROKEN_ISIN_SHARE = 0.002

COLUMNS = [
    "Account",
    "Portfolio",
    "Security Name",
    "ISIN",
    "SEDOL",
    "Ticker",
    "Exchange",
    "Asset Class",
    "Currency",
    "Quantity",
    "Price",
    "Market Value",
]

_WORDS = [
    "Alpine",
    "Harbor",
    "Summit",
    "Meridian",
    "Crescent",
    "Pioneer",
    "Granite",
    "Cobalt",
    "Orchid",
    "Sterling",
    "Atlas",
    "Beacon",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Glacier",
    "Horizon",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Nimbus",
    "Oakridge",
    "Pinnacle",
    "Quarry",
    "Riverbend",
    "Sequoia",
    "Tidewater",
    "Unity",
    "Vantage",
    "Willow",
    "Zenith",
    "Aurora",
    "Bluewater",
    "Canyon",
    "Driftwood",
    "Ember",
    "Fjord",
    "Galaxy",
    "Heron",
    "Indigo",
    "Jasper",
    "Kestrel",
    "Larch",
    "Mosaic",
    "Northstar",
    "Opal",
    "Prairie",
    "Quartz",
    "Redwood",
    "Saffron",
    "Thistle",
    "Upland",
    "Vertex",
    "Wren",
    "Yarrow",
    "Amber",
    "Birch",
    "Copper",
    "Dune",
    "Echo",
    "Fern",
    "Garnet",
    "Hawthorn",
    "Iris",
    "Jade",
    "Kelp",
    "Lotus",
    "Marble",
    "Nova",
    "Onyx",
    "Pebble",
]
_SECTOR_WORDS = [
    "Technologies",
    "Pharmaceuticals",
    "Energy",
    "Resources",
    "Logistics",
    "Foods",
    "Motors",
    "Semiconductor",
    "Materials",
    "Biotech",
    "Healthcare",
    "Software",
    "Retail",
    "Properties",
    "Financial",
    "Insurance",
    "Airlines",
    "Chemicals",
    "Networks",
    "Media",
    "Industries",
    "Robotics",
    "Steel",
    "Textiles",
    "Utilities",
]
_CN_PROVINCES = [
    "Jiangsu",
    "Zhejiang",
    "Guangdong",
    "Shandong",
    "Sichuan",
    "Hubei",
    "Hunan",
    "Anhui",
    "Fujian",
    "Henan",
    "Shaanxi",
    "Yunnan",
]
_CN_CHARS = "华新东方中科信达安盛金宏泰海天润通恒瑞康美嘉利源成德隆鼎丰"
_LEGAL = {
    "US": ["Inc", "Corp", "Holdings Inc", "Co", "Group Inc"],
    "GB": ["PLC", "Group PLC", "Holdings PLC"],
    "DE": ["AG", "SE", "Group AG"],
    "FR": ["SA", "SE", "Groupe SA"],
    "NL": ["NV", "Holding NV"],
    "CH": ["AG", "Holding AG"],
    "IT": ["SpA", "Group SpA"],
    "ES": ["SA", "Grupo SA"],
}
# Country -> (Bloomberg exchange code, currency, exchange name in an exchange column).
_EUROPE = {
    "GB": ("LN", "GBP", "London Stock Exchange"),
    "DE": ("GY", "EUR", "XETRA"),
    "FR": ("FP", "EUR", "Euronext Paris"),
    "NL": ("NA", "EUR", "Euronext Amsterdam"),
    "CH": ("SW", "CHF", "SIX Swiss Exchange"),
    "IT": ("IM", "EUR", "Borsa Italiana"),
    "ES": ("SM", "EUR", "Bolsa de Madrid"),
}
_ALNUM = string.digits + string.ascii_uppercase


@dataclass(frozen=True)
class Line:
    """One security line as a holdings system writes it."""

    name: str
    isin: str = ""
    sedol: str = ""
    ticker: str = ""
    exchange: str = ""
    asset_class: str = "Equity"
    currency: str = "USD"
    price: float = 10.0


def make_isin(country: str, nsin: str) -> str:
    """An ISIN with python-stdnum's check digit."""
    body = country + nsin
    return body + stdnum_isin.calc_check_digit(body)


def make_cusip(base: str) -> str:
    return base + stdnum_cusip.calc_check_digit(base)


def make_sedol(base: str) -> str:
    return base + stdnum_sedol.calc_check_digit(base)


def _hk_notations(code: str) -> Iterator[tuple[str, str]]:
    """(ticker, exchange column) notations of an HKEX code such as ``00941``."""
    short = code.lstrip("0") or "0"
    four = code[-4:]
    yield f"{short} HK Equity", ""
    yield f"{four}.HK", ""
    yield code, "XHKG"
    yield f"{short} HK", ""
    yield f"XHKG:{four}", ""
    yield f"{four}-HK", ""


def _a_notations(code: str, mic: str) -> Iterator[tuple[str, str]]:
    suffix = "SS" if mic == "XSHG" else "SZ"
    yield f"{code}.{suffix}", ""
    yield f"{code} CH Equity", ""
    yield code, mic
    yield f"{code} C{'1' if mic == 'XSHG' else '2'}", ""


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _hk_lines(rng: np.random.Generator) -> list[Line]:
    """Every HKEX share, fund and bond line; a sample of the warrants and CBBCs."""
    lines = []
    for row in _read_csv(REFERENCE / "masters" / "hkex.csv"):
        derivative = row["category"] in ("Derivative Warrants", "Callable Bull/Bear Contracts")
        if derivative and rng.random() > HK_DERIVATIVE_SHARE:
            continue
        notations = list(_hk_notations(row["code"]))
        ticker, exchange = notations[int(rng.integers(len(notations)))]
        with_isin = bool(row["isin"]) and rng.random() < 0.7
        category = row["category"] or "Equity"
        lines.append(
            Line(
                name=row["name"],
                isin=row["isin"] if with_isin else "",
                ticker=ticker,
                exchange=exchange,
                asset_class=category,
                currency=row["currency"] or "HKD",
                price=round(float(rng.lognormal(2.0, 1.0)), 3),
            )
        )
    return lines


def _cn_name(rng: np.random.Generator) -> str:
    chars = rng.choice(list(_CN_CHARS), size=int(rng.integers(2, 4)), replace=False)
    return "".join(chars) + str(rng.choice(["科技", "股份", "电子", "医药", "能源"]))


def _a_share_lines(rng: np.random.Generator, count: int) -> list[Line]:
    lines = []
    for row in _read_csv(REFERENCE / "masters" / "csi.csv"):
        notations = list(_a_notations(row["code"], row["mic"]))
        ticker, exchange = notations[int(rng.integers(len(notations)))]
        name = row["name_zh"] if rng.random() < 0.4 else row["name_en"]
        lines.append(Line(name=name, ticker=ticker, exchange=exchange, currency="CNY"))
    prefixes = [("600", "XSHG"), ("601", "XSHG"), ("603", "XSHG"), ("688", "XSHG")]
    prefixes += [("000", "XSHE"), ("002", "XSHE"), ("300", "XSHE")]
    seen = {line.ticker[:6] for line in lines}
    while len(lines) < count + 300:
        prefix, mic = prefixes[int(rng.integers(len(prefixes)))]
        code = prefix + f"{int(rng.integers(1000)):03d}"
        if code in seen:
            continue
        seen.add(code)
        notations = list(_a_notations(code, mic))
        ticker, exchange = notations[int(rng.integers(len(notations)))]
        if rng.random() < 0.5:
            name = _cn_name(rng)
        else:
            words = rng.choice(_WORDS, size=1).tolist() + rng.choice(_SECTOR_WORDS, 1).tolist()
            name = f"{rng.choice(_CN_PROVINCES)} {' '.join(words)} Co Ltd-A"
        nsin = "1" + "".join(rng.choice(list(_ALNUM), size=8))
        isin = make_isin("CN", "E" + nsin[:8]) if rng.random() < 0.5 else ""
        lines.append(
            Line(
                name=name,
                isin=isin,
                ticker=ticker,
                exchange=exchange,
                currency="CNY",
                price=round(float(rng.lognormal(3.0, 0.8)), 2),
            )
        )
    return lines


def _company(rng: np.random.Generator, country: str) -> str:
    words = rng.choice(_WORDS, size=int(rng.integers(1, 3)), replace=False).tolist()
    if rng.random() < 0.6:
        words.append(str(rng.choice(_SECTOR_WORDS)))
    return f"{' '.join(words)} {rng.choice(_LEGAL[country])}"


def _us_lines(rng: np.random.Generator, count: int) -> list[Line]:
    lines: list[Line] = []
    tickers: set[str] = set()
    while len(lines) < count:
        ticker = "".join(rng.choice(list(string.ascii_uppercase), size=int(rng.integers(1, 5))))
        if ticker in tickers:
            continue
        tickers.add(ticker)
        cusip = make_cusip("".join(rng.choice(list(_ALNUM), size=6)) + "10")
        notation = rng.random()
        text = f"{ticker} US Equity" if notation < 0.5 else f"{ticker} US"
        lines.append(
            Line(
                name=_company(rng, "US"),
                isin=make_isin("US", cusip) if rng.random() < 0.8 else "",
                ticker=text,
                currency="USD",
                price=round(float(rng.lognormal(3.5, 1.0)), 2),
            )
        )
    return lines


def _europe_lines(rng: np.random.Generator, count: int) -> list[Line]:
    lines: list[Line] = []
    countries = list(_EUROPE)
    tickers: set[tuple[str, str]] = set()
    while len(lines) < count:
        country = countries[int(rng.integers(len(countries)))]
        code, currency, exchange_name = _EUROPE[country]
        symbol = "".join(rng.choice(list(string.ascii_uppercase), size=int(rng.integers(2, 5))))
        if (symbol, code) in tickers:
            continue
        tickers.add((symbol, code))
        nsin = "".join(rng.choice(list(_ALNUM), size=9))
        sedol = ""
        if country == "GB":
            sedol = make_sedol(
                "B" + "".join(rng.choice(list("0123456789BCDFGHJKLMNPQRSTVWXYZ"), 5))
            )
            nsin = "00" + sedol
        ticker, exchange = f"{symbol} {code}", ""
        if rng.random() < 0.3:
            ticker, exchange = symbol, exchange_name
        lines.append(
            Line(
                name=_company(rng, country),
                isin=make_isin(country, nsin) if rng.random() < 0.85 else "",
                sedol=sedol,
                ticker=ticker,
                exchange=exchange,
                currency=currency,
                price=round(float(rng.lognormal(3.0, 1.0)), 2),
            )
        )
    return lines


def _listed_lines() -> list[Line]:
    """NS-CMIC securities in several notations: published ISINs and tickers, curated lines."""
    data = json.loads((REFERENCE / "lists" / "ns_cmic.json").read_text(encoding="utf-8"))
    lines: list[Line] = []
    for entry in data["entries"]:
        names = [entry["name"], *entry.get("issuer_names", [])]
        for k, isin in enumerate(entry.get("isins", [])):
            lines.append(Line(name=names[k % len(names)], isin=isin))
            lines.append(Line(name="", isin=isin))
        for k, ticker in enumerate(entry.get("tickers", [])):
            code, _, exch = ticker.replace("  ", " ").partition(" ")
            name = names[k % len(names)]
            if exch == "HK":
                padded = code.zfill(5)
                lines += [Line(name=name, ticker=t, exchange=e) for t, e in _hk_notations(padded)]
            elif exch == "CN" and code.isdigit():
                mic = "XSHG" if code[0] in "69" else "XSHE"
                lines += [
                    Line(name=name, ticker=t, exchange=e, currency="CNY")
                    for t, e in _a_notations(code, mic)
                ]
            else:
                lines.append(Line(name=name, ticker=f"{code} {exch} Equity"))
        lines.append(Line(name=entry["name"]))
    for row in _read_csv(REFERENCE / "curated" / "securities.csv") + _read_csv(
        REFERENCE / "derived" / "securities.csv"
    ):
        if row["mic"] == "XHKG":
            lines += [
                Line(name=row["security_name"], ticker=t, exchange=e)
                for t, e in _hk_notations(row["local_code"])
            ]
        elif row["mic"] in ("XSHG", "XSHE"):
            lines += [
                Line(name=row["security_name"], ticker=t, exchange=e, currency="CNY")
                for t, e in _a_notations(row["local_code"], row["mic"])
            ]
        if row["isin"]:
            lines.append(Line(name=row["security_name"], isin=row["isin"]))
    for row in _read_csv(REFERENCE / "curated" / "names.csv"):
        lines.append(Line(name=row["name"]))
    # SenseTime as the README's example file writes it
    lines += [
        Line(name="SenseTime Group Inc.", ticker="20 HK Equity"),
        Line(name="商湯集團股份有限公司－Ｗ", ticker="00020", exchange="XHKG"),
        Line(name="SENSETIME-W", isin="KYG8062L1041"),
        Line(name="SENSETIME-WR", ticker="80020 HK"),
    ]
    return lines


def _look_alike_lines(rng: np.random.Generator) -> list[Line]:
    """Names that resemble listed ones: the README's look-alikes and one-typo variants."""
    lines = [
        Line(name="Sensata Technologies Holding PLC", ticker="ST US Equity"),
        Line(name="HISENSE HA", ticker="921 HK Equity"),
        Line(name="ROBOSENSE", ticker="2498 HK"),
        Line(name="Hisense Visual Technology Co Ltd-A", ticker="600060.SS"),
    ]
    data = json.loads((REFERENCE / "lists" / "ns_cmic.json").read_text(encoding="utf-8"))
    for entry in data["entries"]:
        name = entry["name"]
        letters = [i for i, ch in enumerate(name) if ch.isalpha()]
        i = letters[int(rng.integers(len(letters)))]
        typo = name[:i] + name[i + 1 :]  # one letter dropped
        lines.append(Line(name=typo.title()))
        lines.append(Line(name=f"{name.split()[0].title()} Harbor Holdings Ltd"))
    return lines


def build_universe(seed: int = 6, size: int = UNIVERSE_SIZE) -> pd.DataFrame:
    """The security lines, one per row (columns: the holdings columns that describe a line)."""
    rng = np.random.default_rng(seed)
    hk, listed, alike = _hk_lines(rng), _listed_lines(), _look_alike_lines(rng)
    fixed = hk + listed + alike
    if size < len(fixed):
        # a small universe (tests): every listed line and look-alike, then a sample of others
        pool = hk + _us_lines(rng, size) + _europe_lines(rng, size)
        picks = rng.permutation(len(pool))[: max(size - len(listed) - len(alike), 0)]
        lines = listed + alike + [pool[i] for i in picks.tolist()]
    else:
        remaining = size - len(fixed)
        generated = (
            _a_share_lines(rng, remaining // 4)
            + _us_lines(rng, remaining // 3)
            + _europe_lines(rng, remaining - remaining // 4 - 300 - remaining // 3)
        )
        lines = (fixed + generated)[:size]
    lines = [lines[i] for i in rng.permutation(len(lines))]  # popularity is not file order
    broken = rng.random(len(lines)) < BROKEN_ISIN_SHARE
    frame = pd.DataFrame(
        {
            "Security Name": [line.name for line in lines],
            "ISIN": [
                (line.isin[:-1] + str((int(line.isin[-1]) + 1) % 10))
                if flag and line.isin
                else line.isin
                for line, flag in zip(lines, broken, strict=True)
            ],
            "SEDOL": [line.sedol for line in lines],
            "Ticker": [line.ticker for line in lines],
            "Exchange": [line.exchange for line in lines],
            "Asset Class": [line.asset_class for line in lines],
            "Currency": [line.currency for line in lines],
            "Price": [line.price for line in lines],
        }
    )
    return frame


def generate_positions(
    rows: int, seed: int = 6, universe_size: int = UNIVERSE_SIZE
) -> pd.DataFrame:
    """``rows`` position rows over the universe: popular lines in many accounts, a long tail."""
    rng = np.random.default_rng(seed + 1)
    universe = build_universe(seed, universe_size)
    n = len(universe)
    # Popularity: a skewed draw (u**2) so big names repeat across accounts, plus a pass over
    # the universe (a third of the rows) so that large files hold every line.
    picks = (n * rng.random(rows) ** 2).astype(np.int64)
    cover = min(rows // 3, n)
    picks[rng.permutation(rows)[:cover]] = rng.permutation(n)[:cover]
    accounts = max(1, rows * ACCOUNTS_PER_1000_ROWS // 1000)
    account_ids = np.sort(rng.integers(0, accounts, size=rows))
    quantity = np.round(rng.lognormal(7.0, 1.5, size=rows), 0)
    lines = universe.iloc[picks].reset_index(drop=True)
    price = lines["Price"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "Account": [f"ACC{a:06d}" for a in account_ids.tolist()],
            "Portfolio": [f"Fund {a % 97:02d}" for a in account_ids.tolist()],
            **{c: lines[c].to_numpy(dtype=object) for c in lines.columns if c != "Price"},
            "Quantity": quantity,
            "Price": price,
            "Market Value": np.round(quantity * price, 2),
        }
    )
    cash = rng.random(rows) < CASH_SHARE
    if cash.any():
        currency = frame.loc[cash, "Currency"].to_numpy(dtype=object)
        frame.loc[cash, "Security Name"] = [f"{c} Cash" for c in currency]
        for column in ("ISIN", "SEDOL", "Ticker", "Exchange"):
            frame.loc[cash, column] = ""
        frame.loc[cash, "Asset Class"] = "Cash and Equivalents"
        frame.loc[cash, "Quantity"] = frame.loc[cash, "Market Value"]
        frame.loc[cash, "Price"] = 1.0
    return frame[COLUMNS]


def write_positions(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """Write the positions as an export would: xlsx (one sheet), csv (UTF-8) or parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    elif fmt == "parquet":
        frame.replace("", None).to_parquet(path, index=False)
    elif fmt == "xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "strings_to_numbers": False}
        )
        sheet = book.add_worksheet("Positions")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, COLUMNS, bold)
        columns = [frame[c].tolist() for c in COLUMNS]
        for r, values in enumerate(zip(*columns, strict=True), start=1):
            for c, value in enumerate(values):
                if value == "" or value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
        book.close()
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path

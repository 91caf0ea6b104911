"""Column roles: which column holds the name, the ISIN, the quantity ... of a holding.

Pure functions, no I/O. A role is decided from the header text (English and Chinese,
case/space/camel-case insensitive, one or two header rows) *and* from the column's contents:
a column of valid ISINs is the ISIN column whatever its header says, and a ``Name`` column that
holds ``941 HK``-style tickers is a mixed identifier column.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import pandas as pd

from portfolio_check.holdings.cells import (
    CURRENCY_CODES,
    MIC_SHAPE,
    is_cusip,
    is_isin,
    is_null_like,
    is_sedol,
    is_ticker,
    parse_numbers,
)


class Role(StrEnum):
    """What a column means; the values are the position columns they fill."""

    NAME = "name"
    ISIN = "isin"
    CUSIP = "cusip"
    SEDOL = "sedol"
    TICKER = "ticker"
    IDENTIFIER = "identifier"
    EXCHANGE = "exchange"
    QUANTITY = "quantity"
    MARKET_VALUE = "market_value"
    CURRENCY = "currency"
    PORTFOLIO = "portfolio"


IDENTITY_ROLES = (Role.NAME, Role.ISIN, Role.CUSIP, Role.SEDOL, Role.TICKER, Role.IDENTIFIER)
CODE_ROLES = (Role.ISIN, Role.CUSIP, Role.SEDOL, Role.TICKER, Role.IDENTIFIER)
AMOUNT_ROLES = (Role.QUANTITY, Role.MARKET_VALUE)
TEXT_ROLES = tuple(r for r in Role if r not in AMOUNT_ROLES)

# --------------------------------------------------------------------------------------------
# Header vocabulary
# --------------------------------------------------------------------------------------------

# (phrase, score): an exact header scores ``score``; a header that contains the phrase as
# consecutive words scores less (see ``_phrase_score``). Chinese phrases match as substrings.
_VOCABULARY: dict[Role, tuple[tuple[str, float], ...]] = {
    Role.NAME: (
        ("name", 3),
        ("description", 3),
        ("desc", 2),
        ("security name", 4),
        ("security description", 4),
        ("securities name", 4),
        ("stock name", 4),
        ("instrument name", 4),
        ("instrument", 2),
        ("security", 2),
        ("issuer name", 3),
        ("issuer", 2),
        ("asset name", 3),
        ("long name", 3),
        ("short name", 3),
        ("company name", 3),
        ("company", 2),
        ("investment", 2),
        ("證券名稱", 4),
        ("证券名称", 4),
        ("股票名稱", 4),
        ("股票名称", 4),
        ("名稱", 3),
        ("名称", 3),
        ("證券", 2),
        ("证券", 2),
        ("投資項目", 3),
        ("投资项目", 3),
        ("描述", 3),
    ),
    Role.TICKER: (
        ("ticker", 3),
        ("symbol", 3),
        ("ticker symbol", 4),
        ("bloomberg ticker", 4),
        ("bbg ticker", 4),
        ("bb ticker", 4),
        ("ric", 3),
        ("reuters code", 3),
        ("bloomberg code", 3),
        ("local code", 3),
        ("stock code", 3),
        ("security code", 3),
        ("code", 1.5),
        ("證券代碼", 4),
        ("证券代码", 4),
        ("股票代碼", 4),
        ("股票代码", 4),
        ("股份代號", 4),
        ("股份代号", 4),
        ("代碼", 3),
        ("代码", 3),
        ("代號", 3),
        ("代号", 3),
    ),
    Role.ISIN: (("isin", 4), ("isin code", 4), ("isin number", 4), ("isin no", 4)),
    Role.CUSIP: (("cusip", 4), ("cusip code", 4)),
    Role.SEDOL: (("sedol", 4), ("sedol code", 4)),
    Role.IDENTIFIER: (
        ("id", 3),
        ("identifier", 3),
        ("invest id", 3),
        ("investment id", 3),
        ("security id", 3),
        ("security identifier", 3),
        ("sec id", 3),
        ("instrument id", 3),
        ("asset id", 3),
        ("bloomberg id", 3),
    ),
    Role.EXCHANGE: (
        ("exchange", 3),
        ("stock exchange", 3),
        ("listing exchange", 3),
        ("primary exchange", 3),
        ("exchange code", 3),
        ("market code", 3),
        ("market name", 3),
        ("exch", 2),
        ("mic", 3),
        ("market", 1.5),
        ("交易所", 3),
        ("市場", 2),
        ("市场", 2),
    ),
    Role.QUANTITY: (
        ("quantity", 3),
        ("qty", 3),
        ("position", 3),
        ("shares", 3),
        ("share", 2.5),
        ("nominal", 3),
        ("par", 2),
        ("par value", 2),
        ("par amt", 3),
        ("par amount", 3),
        ("nominal amt", 3),
        ("units", 3),
        ("holding", 2.5),
        ("holdings", 2.5),
        ("face", 2),
        ("face amount", 3),
        ("face value", 2),
        ("nominal amount", 3),
        ("number of shares", 3),
        ("no of shares", 3),
        ("no of share", 3),
        ("shares held", 3),
        ("amount", 1),
        ("數量", 3),
        ("数量", 3),
        ("持倉", 3),
        ("持仓", 3),
        ("股數", 3),
        ("股数", 3),
        ("面值", 3),
        ("持有量", 3),
        ("持股量", 3),
    ),
    Role.MARKET_VALUE: (
        ("market value", 3),
        ("mv", 3),
        ("mkt val", 3),
        ("mkt value", 3),
        ("m value", 3),
        ("market val", 3),
        ("valuation", 2),
        ("fair value", 2.5),
        ("value", 1.5),
        ("市值", 3),
        ("市場價值", 3),
        ("市场价值", 3),
    ),
    Role.CURRENCY: (
        ("currency", 3),
        ("ccy", 3),
        ("curr", 3),
        ("crncy", 3),
        ("currency code", 3),
        ("貨幣", 3),
        ("货币", 3),
        ("幣種", 3),
        ("币种", 3),
        ("幣別", 3),
        ("币别", 3),
    ),
    Role.PORTFOLIO: (
        ("portfolio", 3),
        ("account", 3),
        ("fund", 3),
        ("account code", 3.5),
        ("account id", 3.5),
        ("account name", 3.5),
        ("account number", 3.5),
        ("portfolio code", 3.5),
        ("portfolio name", 3.5),
        ("fund code", 3.5),
        ("fund name", 3.5),
        ("fund id", 3.5),
        ("sub fund", 3),
        ("基金", 3),
        ("組合", 3),
        ("组合", 3),
        ("賬戶", 3),
        ("账户", 3),
        ("帳戶", 3),
        ("戶口", 3),
        ("户口", 3),
    ),
}

# Header words in the other languages of fund administration: German, French, Spanish,
# Italian, Portuguese, Dutch, Japanese, Korean, and more Chinese (simplified and traditional).
# Written as people write them (accents and all): phrases and headers are folded alike.
_MORE_VOCABULARY: dict[Role, tuple[tuple[str, float], ...]] = {
    Role.NAME: (
        # de
        ("wertpapierbezeichnung", 4),
        ("wertpapiername", 4),
        ("bezeichnung", 3),
        ("wertpapier", 2.5),
        ("titelbezeichnung", 4),
        ("emittent", 2),
        # fr
        ("libellé", 3),
        ("libellé valeur", 4),
        ("libellé du titre", 4),
        ("désignation", 3),
        ("nom du titre", 4),
        ("nom de la valeur", 4),
        ("nom", 2.5),
        ("émetteur", 2),
        # es
        ("descripción", 3),
        ("nombre", 2.5),
        ("nombre del valor", 4),
        ("denominación", 3),
        ("emisor", 2),
        # it
        ("descrizione", 3),
        ("denominazione", 3),
        ("descrizione titolo", 4),
        ("titolo", 2.5),
        ("emittente", 2),
        # pt
        ("descrição", 3),
        ("designação", 3),
        ("designação do título", 4),
        ("nome", 2.5),
        ("nome do ativo", 4),
        ("ativo", 2),
        ("emissor", 2),
        # nl
        ("omschrijving", 3),
        ("naam", 2.5),
        ("naam effect", 4),
        ("effect", 2),
        ("fondsnaam effect", 4),
        ("uitgevende instelling", 2),
        # ja
        ("銘柄名", 4),
        ("銘柄名称", 4),
        ("銘柄", 3),
        ("発行体", 2),
        ("発行者", 2),
        # ko
        ("종목명", 4),
        ("종목", 3),
        ("발행사", 2),
        ("발행기관", 2),
        # zh
        ("证券简称", 4),
        ("證券簡稱", 4),
        ("股票简称", 4),
        ("股票簡稱", 4),
        ("简称", 3),
        ("簡稱", 3),
        ("发行人", 2),
        ("發行人", 2),
    ),
    Role.TICKER: (
        ("kürzel", 3),
        ("symbool", 3),
        ("börsenkürzel", 4),
        ("tickersymbol", 4),
        ("code valeur", 3),
        ("mnémonique", 3),
        ("mnémo", 3),
        ("símbolo", 3),
        ("código", 2),
        ("código bursátil", 3),
        ("simbolo", 3),
        ("codice", 2),
        ("código de negociação", 3),
        ("código do ativo", 3),
        ("fondscode", 1),
        ("銘柄コード", 4),
        ("証券コード", 4),
        ("コード", 3),
        ("종목코드", 4),
        ("단축코드", 4),
        ("코드", 3),
        ("證券代號", 4),
        ("证券代号", 4),
        ("股票代號", 4),
        ("股票代号", 4),
    ),
    Role.ISIN: (
        ("isin kennnummer", 4),
        ("code isin", 4),
        ("código isin", 4),
        ("codice isin", 4),
        ("isinコード", 4),
        ("isin코드", 4),
        ("国际证券识别编码", 4),
        ("國際證券識別編碼", 4),
    ),
    Role.IDENTIFIER: (
        ("wkn", 3),
        ("valorennummer", 3),
        ("kennung", 3),
        ("identifiant", 3),
        ("identificador", 3),
        ("identificativo", 3),
        ("identificatie", 3),
    ),
    Role.EXCHANGE: (
        ("börse", 3),
        ("börsenplatz", 3),
        ("handelsplatz", 3),
        ("bourse", 3),
        ("place de cotation", 3),
        ("marché", 2),
        ("bolsa", 3),
        ("mercado", 2),
        ("borsa", 3),
        ("mercato", 2),
        ("beurs", 3),
        ("markt", 2),
        ("取引所", 3),
        ("上場市場", 3),
        ("市場区分", 3),
        ("거래소", 3),
        ("시장", 2),
        ("시장구분", 3),
        ("交易市场", 3),
        ("交易市場", 3),
        ("上市地点", 3),
        ("上市地點", 3),
    ),
    Role.QUANTITY: (
        ("stück", 3),
        ("stück nominal", 3),
        ("stücke", 3),
        ("stückzahl", 3),
        ("anzahl", 3),
        ("menge", 3),
        ("bestand", 3),
        ("nennwert", 2.5),
        ("quantité", 3),
        ("nombre de titres", 3),
        ("nominal", 3),
        ("cantidad", 3),
        ("títulos", 3),
        ("número de títulos", 3),
        ("nominale", 3),
        ("quantità", 3),
        ("numero titoli", 3),
        ("quantidade", 3),
        ("aantal", 3),
        ("aantal stuks", 3),
        ("株数", 3),
        ("保有数量", 3),
        ("保有株数", 3),
        ("額面", 2.5),
        ("수량", 3),
        ("보유수량", 3),
        ("주식수", 3),
        ("보유주식수", 3),
        ("持仓数量", 3.5),
        ("持倉數量", 3.5),
        ("持股数量", 3.5),
        ("持股數量", 3.5),
        ("持有数量", 3.5),
        ("持有數量", 3.5),
        ("证券数量", 3.5),
        ("證券數量", 3.5),
    ),
    Role.MARKET_VALUE: (
        ("kurswert", 3),
        ("marktwert", 3),
        ("tageswert", 2.5),
        ("valeur de marché", 3),
        ("valorisation", 3),
        ("valeur boursière", 3),
        ("valor de mercado", 3),
        ("valoración", 2.5),
        ("valor efectivo", 2.5),
        ("controvalore", 3),
        ("valore di mercato", 3),
        ("controvalore di mercato", 3),
        ("valor de mercado", 3),
        ("marktwaarde", 3),
        ("waarde", 1.5),
        ("評価額", 3),
        ("時価評価額", 3.5),
        ("時価", 2.5),
        ("평가금액", 3),
        ("평가액", 3),
        ("시가평가액", 3.5),
        ("持仓市值", 3.5),
        ("持倉市值", 3.5),
        ("市價", 1.5),
        ("市价", 1.5),
    ),
    Role.CURRENCY: (
        ("währung", 3),
        ("devise", 3),
        ("monnaie", 3),
        ("moneda", 3),
        ("divisa", 3),
        ("valuta", 3),
        ("moeda", 3),
        ("munt", 3),
        ("通貨", 3),
        ("통화", 3),
    ),
    Role.PORTFOLIO: (
        ("depot", 3),
        ("depotnummer", 3.5),
        ("fonds", 3),
        ("portefeuille", 3),
        ("compte", 3),
        ("cartera", 3),
        ("fondo", 3),
        ("cuenta", 3),
        ("portafoglio", 3),
        ("conto", 3),
        ("carteira", 3),
        ("fundo", 3),
        ("conta", 3),
        ("rekening", 3),
        ("ファンド", 3),
        ("口座", 3),
        ("ポートフォリオ", 3),
        ("펀드", 3),
        ("계좌", 3),
        ("포트폴리오", 3),
        ("konto", 3),
    ),
}
for _role, _phrases in _MORE_VOCABULARY.items():
    _VOCABULARY[_role] = (*_VOCABULARY[_role], *_phrases)

# A header with any of these words is about something else (a price, a date, a type ...),
# unless the matched phrase itself contains the word.
_SPOILERS = frozenset(
    [
        "type",
        "class",
        "sector",
        "country",
        "date",
        "price",
        "cost",
        "change",
        "weight",
        "%",
        "rating",
        "rtg",
        "status",
        "risk",
        "industry",
        "accrued",
        "accrual",
        "gain",
        "loss",
        "p&l",
        "pnl",
        "yield",
        "duration",
        "rate",
        "fx",
        "coupon",
        "maturity",
        "beta",
        "contribution",
        "unrealized",
        "unrealised",
        "realized",
        "realised",
        "outstanding",
        "issue",
        "description_type",
        "des",
        "percent",
        "pct",
        "parameter",
        "event",
        "error",
        "number_type",
        "價格",
        "价格",
        "日期",
        "成本",
        "類別",
        "类别",
        "比例",
        "權重",
        "权重",
        # other languages: price, date, cost, type, weight, rate, country, sector
        "kurs",
        "preis",
        "datum",
        "einstandswert",
        "gewichtung",
        "anteil",
        "prix",
        "cours",
        "date",
        "coût",
        "poids",
        "precio",
        "fecha",
        "coste",
        "peso",
        "prezzo",
        "costo",
        "preço",
        "custo",
        "prijs",
        "koers",
        "kostprijs",
        "gewicht",
        "classe",
        "clase",
        "klasse",
        "tipo",
        "typ",
        "categoria",
        "categoría",
        "catégorie",
        "soort",
        "単価",
        "価格",
        "日付",
        "取得",
        "簿価",
        "比率",
        "가격",
        "단가",
        "일자",
        "비중",
        "취득",
        "장부",
    ]
)
# Per role: words that rule a header out, and words that make it preferable.
_ROLE_SPOILERS: dict[Role, frozenset[str]] = {
    Role.MARKET_VALUE: frozenset({"notional", "cost", "face", "par", "nominal"}),
    Role.QUANTITY: frozenset(
        {"value", "mv", "market", "wert", "valeur", "valor", "valore", "waarde", "評価額", "금액"}
    ),
    Role.NAME: frozenset({"code", "id", "file", "sheet", "user", "parameter"}),
    Role.PORTFOLIO: frozenset({"manager"}),
    Role.EXCHANGE: frozenset(
        {"value", "mv", "currency", "cap", "sector", "valeur", "valor", "valore", "wert"}
    ),
}
# Market value: base/book currency values are preferred over local/gross ones.
_PREFER = {"base": 1.0, "book": 1.0, "reporting": 0.5, "local": -0.5, "gross": -1.0}

# Header words that are not roles but show that a row is a header row.
OTHER_HEADER_WORDS = frozenset(
    [
        "price",
        "cost",
        "weight",
        "sector",
        "country",
        "industry",
        "type",
        "class",
        "rating",
        "yield",
        "coupon",
        "maturity",
        "date",
        "change",
        "beta",
        "duration",
        "accrued",
        "interest",
        "gain",
        "loss",
        "p&l",
        "pnl",
        "location",
        "status",
        "asset",
        "notional",
        "fx",
        "rate",
        "issuer",
        "risk",
        "total",
        "percent",
        "%",
        "nav",
        "amount",
        "amt",
        "unrealized",
        "realized",
        "invest",
        "report",
        "mode",
        "sort",
        "key",
        "比例",
        "價格",
        "价格",
        "成本",
        "日期",
        "行業",
        "行业",
        "國家",
        "国家",
        "類別",
        "类别",
        "權重",
        "权重",
        "幣值",
        "币值",
        "匯率",
        "汇率",
        "金額",
        "金额",
        "利率",
        "利息",
        "到期",
        "平均",
        "百分比",
        "百份比",
        "市價",
        "市价",
        "現價",
        "现价",
        "盈虧",
        "盈亏",
        "損益",
        "损益",
        "攤銷",
        "摊销",
        "交易日",
        "上市",
        "票面",
        "項目",
        "项目",
        "kurs",
        "preis",
        "datum",
        "prix",
        "cours",
        "date",
        "precio",
        "fecha",
        "prezzo",
        "data",
        "preço",
        "prijs",
        "koers",
        "land",
        "pays",
        "país",
        "paese",
        "branche",
        "secteur",
        "sector",
        "settore",
        "setor",
        "sektor",
        "単価",
        "価格",
        "日付",
        "簿価",
        "業種",
        "가격",
        "단가",
        "일자",
        "비중",
        "업종",
    ]
)

# Scripts written without spaces between words (Chinese, Japanese kana, Korean): their
# phrases match as substrings.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _fold_accents(text: str) -> str:
    """Latin letters without their accents (``Quantité`` -> ``Quantite``, ``Stück`` ->
    ``Stuck``); other scripts untouched (kana keep their voicing marks)."""
    if text.isascii():
        return text
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalise_header(text: str) -> tuple[str, ...]:
    """Header words, lower case: ``MarketValueBook`` -> ``(market, value, book)``.

    Camel case and ``_ - . / ( )`` split words; full-width characters are folded (NFKC).
    """
    t = _fold_accents(unicodedata.normalize("NFKC", text))
    t = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", t)
    t = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z]{2,})", " ", t)
    t = t.lower().replace("&", " & ").replace("%", " % ")
    t = re.sub(r"[^\w%&]+", " ", t).replace("_", " ")
    # "p & l" -> "p&l"
    t = re.sub(r"\bp & l\b", "p&l", t)
    return tuple(t.split())


def _fold_phrase(phrase: str) -> str:
    """A vocabulary phrase folded the way headers are (see :func:`normalise_header`)."""
    words = normalise_header(phrase)
    return "".join(words) if _CJK.search(phrase) else " ".join(words)


def _fold_words(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_fold_phrase(w) if w not in ("%", "p&l") else w for w in words)


_VOCABULARY = {
    role: tuple((_fold_phrase(phrase), score) for phrase, score in phrases)
    for role, phrases in _VOCABULARY.items()
}
_SPOILERS = _fold_words(_SPOILERS)
_ROLE_SPOILERS = {role: _fold_words(words) for role, words in _ROLE_SPOILERS.items()}
OTHER_HEADER_WORDS = _fold_words(OTHER_HEADER_WORDS)


def _phrase_score(words: tuple[str, ...], phrase: str, score: float) -> float:
    if _CJK.search(phrase):
        joined = "".join(words)
        if phrase not in joined:
            return 0.0
        return score if joined == phrase else score - 1.0
    target = tuple(phrase.split())
    n = len(target)
    if words == target:
        return score
    for i in range(len(words) - n + 1):
        if words[i : i + n] == target:
            extra = len(words) - n
            return max(score - 1.0 - 0.25 * (extra - 1), 0.5)
    return 0.0


def _spoiled(role: Role, phrase: str, words: Sequence[str]) -> bool:
    """Whether ``words`` hold a word that rules out ``role`` (unless ``phrase`` names it)."""
    spoilers = (_SPOILERS | _ROLE_SPOILERS.get(role, frozenset())) - set(phrase.split())
    joined = "".join(words)
    return any(w in spoilers for w in words) or any(
        sp in joined for sp in spoilers if _CJK.search(sp)
    )


def _scores(words: tuple[str, ...], context: Sequence[str]) -> dict[Role, float]:
    """Role scores of one header text's ``words``; spoilers are looked for in ``context``."""
    if not words:
        return {}
    scores: dict[Role, float] = {}
    for role, phrases in _VOCABULARY.items():
        best = 0.0
        for phrase, score in phrases:
            s = _phrase_score(words, phrase, score)
            if s > 0 and not _spoiled(role, phrase, context):
                best = max(best, s)
        if best > 0 and role is Role.MARKET_VALUE:
            best += sum(v for w, v in _PREFER.items() if w in context)
        if best > 0:
            scores[role] = best
    return scores


def header_scores(text: str) -> dict[Role, float]:
    """How strongly one header text (one row's cell) suggests each role; absent = 0."""
    return dict(_header_scores(text))


@lru_cache(maxsize=8192)
def _header_scores(text: str) -> dict[Role, float]:
    # header candidates repeat their texts (page headers, section headers): score each once
    words = normalise_header(text)
    return _scores(words, words)


def column_header_scores(texts: Sequence[str | None]) -> dict[Role, float]:
    """Role scores of a column whose header spans several rows (``texts``, one per row).

    Each row's text is scored on its own, but a spoiler in any row rules a role out: a column
    headed ``Exchange`` over ``Rate`` is an exchange rate, ``% / (Fund)`` a weight.
    """
    parts = [normalise_header(t) for t in texts if t]
    context = [w for words in parts for w in words]
    scores: dict[Role, float] = {}
    for words in parts:
        for role, s in _scores(words, context).items():
            scores[role] = max(scores.get(role, 0.0), s)
    return scores


def is_header_word(text: str) -> bool:
    """True when a cell reads like a column header (a known role or a common header word)."""
    scores = header_scores(text)
    if any(s >= 2 for s in scores.values()):
        return True
    words = normalise_header(text)
    if any(w in OTHER_HEADER_WORDS for w in words):
        return True
    joined = "".join(words)
    return any(w in joined for w in OTHER_HEADER_WORDS if _CJK.search(w))


# --------------------------------------------------------------------------------------------
# Contents
# --------------------------------------------------------------------------------------------

_EXCHANGE_WORDS = re.compile(
    r"(exchange|b[oö]rse|bourse|nasdaq|nyse|hkex|sehk|euronext|market$|stock market|"
    r"交易所)",
    re.IGNORECASE,
)


_FLAG_VALUES = frozenset({"Y", "N", "YES", "NO", "TRUE", "FALSE"})


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's values look like (fractions of its non-empty values)."""

    filled: int
    numeric: float
    isin: float
    cusip: float
    sedol: float
    ticker: float
    currency: float
    exchange: float
    distinct: float
    mean_length: float
    flags: float = 0.0  # Y/N/TRUE/FALSE answers

    @property
    def codes(self) -> float:
        return self.isin + self.cusip + self.sedol + self.ticker

    @property
    def code_kinds(self) -> int:
        return sum(f >= 0.05 for f in (self.isin, self.cusip, self.sedol, self.ticker))


def profile_column(values: Sequence[str | None]) -> ColumnProfile:
    """Profile a sample of a column's display texts."""
    texts = [v for v in values if v is not None and not is_null_like(v)]
    n = len(texts)
    if n == 0:
        return ColumnProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    nums, _ = parse_numbers(pd.Series(texts, dtype=object))
    numeric = float(np.count_nonzero(~np.isnan(nums))) / n

    def frac(pred: Callable[[str], object]) -> float:
        return sum(1 for t in texts if pred(t)) / n

    return ColumnProfile(
        filled=n,
        numeric=numeric,
        isin=frac(is_isin),
        cusip=frac(is_cusip),
        sedol=frac(is_sedol),
        ticker=frac(is_ticker),
        currency=frac(lambda t: t.upper() in CURRENCY_CODES),
        exchange=frac(lambda t: MIC_SHAPE.match(t) is not None or _EXCHANGE_WORDS.search(t)),
        distinct=len(set(texts)) / n,
        mean_length=sum(len(t) for t in texts) / n,
        flags=frac(lambda t: t.upper() in _FLAG_VALUES),
    )


# --------------------------------------------------------------------------------------------
# Assignment
# --------------------------------------------------------------------------------------------

# A content-detected code column needs this share of its non-empty values to be such codes.
CONTENT_MAJORITY = 0.8
# Contents override a header only with this many non-empty values (valid ISINs excepted).
MIN_CONTENT_SAMPLE = 5
# A header-named text column is re-read as a mixed identifier column past this share of codes.
MIXED_CODES_SHARE = 0.5


@dataclass(frozen=True)
class RoleChoice:
    """One column's role and why (for TableInfo and for a person checking the mapping)."""

    column: int
    role: Role
    score: float
    reason: str
    header_role: Role | None = None  # what the header alone suggested
    secondary: bool = False  # a further column of a role another column holds


def _content_role(header_role: Role | None, p: ColumnProfile) -> tuple[Role | None, str]:
    """The role the contents suggest, given the header's suggestion (may confirm it)."""
    if p.filled == 0:
        if header_role in AMOUNT_ROLES:
            return header_role, "header (column empty in the sample)"
        return None, f"header says {header_role}, but the column is empty"
    if header_role in TEXT_ROLES and p.flags >= CONTENT_MAJORITY:
        return None, f"header says {header_role}, but the values are yes/no flags"
    if p.isin >= CONTENT_MAJORITY and p.filled >= 2 and header_role is not Role.IDENTIFIER:
        return Role.ISIN, f"contents: {p.isin:.0%} valid ISINs"
    if p.filled < MIN_CONTENT_SAMPLE:
        return header_role, "header (too few values to judge the contents)"
    if header_role in (None, Role.NAME, Role.TICKER, Role.IDENTIFIER, Role.ISIN):
        if p.code_kinds >= 2 and p.codes >= MIXED_CODES_SHARE:
            return Role.IDENTIFIER, (
                f"contents: mixed codes (ISIN {p.isin:.0%}, ticker {p.ticker:.0%}, "
                f"CUSIP {p.cusip:.0%}, SEDOL {p.sedol:.0%})"
            )
        if header_role is Role.NAME and p.codes >= MIXED_CODES_SHARE:
            return Role.IDENTIFIER, (
                f"contents: {p.codes:.0%} of the names are codes (codes read as identifiers, "
                "other texts as names)"
            )
    if header_role is None and p.numeric < 0.5:
        if p.ticker >= CONTENT_MAJORITY:
            return Role.TICKER, f"contents: {p.ticker:.0%} tickers"
        if p.cusip >= CONTENT_MAJORITY:
            return Role.CUSIP, f"contents: {p.cusip:.0%} valid CUSIPs"
        if p.sedol >= CONTENT_MAJORITY and p.numeric < 0.5:
            return Role.SEDOL, f"contents: {p.sedol:.0%} valid SEDOLs"
    if header_role in AMOUNT_ROLES and p.numeric < 0.5:
        return None, f"header says {header_role}, but only {p.numeric:.0%} numbers"
    if header_role in (Role.NAME, Role.EXCHANGE) and p.numeric >= 0.9:
        return None, f"header says {header_role}, but the values are numbers"
    return header_role, "header"


# Roles of which a table's further columns are read too (``more_names`` / ``more_codes``).
SECONDARY_ROLES = (*IDENTITY_ROLES, Role.EXCHANGE)
# A column about another entity than the security itself (its parent, guarantor, broker) is
# not a further name or code of the security.
_NOT_THE_SECURITY = frozenset(
    {
        "parent",
        "ultimate",
        "guarantor",
        "underlying",
        "counterparty",
        "custodian",
        "broker",
        "manager",
        "benchmark",
        "index",
        "母公司",
        "担保人",
        "擔保人",
        "标的",
        "標的",
    }
)


def _about_the_security(texts: Sequence[str | None]) -> bool:
    words = [w for t in texts if t for w in normalise_header(t)]
    joined = "".join(words)
    return not any(w in _NOT_THE_SECURITY for w in words) and not any(
        x in joined for x in _NOT_THE_SECURITY if _CJK.search(x)
    )


def assign_all_roles(
    headers: Sequence[Sequence[str | None]], samples: Sequence[Sequence[str | None]]
) -> tuple[list[RoleChoice], list[RoleChoice]]:
    """At most one column per role (the *primary* columns), and the further columns of the
    identity roles and of the exchange (*secondary*: a second ticker, an issuer name, a local
    code with its own exchange), each with its reason.

    ``headers[c]`` are the header texts of column ``c`` (one per header row);
    ``samples[c]`` a sample of its display texts below the header.
    """
    candidates: list[RoleChoice] = []
    for c, texts in enumerate(headers):
        scores = column_header_scores(texts)
        header_role = max(scores, key=lambda r: scores[r]) if scores else None
        profile = profile_column(samples[c]) if c < len(samples) else profile_column([])
        role, reason = _content_role(header_role, profile)
        if role is None:
            continue
        score = scores.get(role, 0.0)
        if role is not header_role:
            score = max(score, 3.5)  # contents outrank a header guess
        if profile.filled == 0:
            score -= 2.0  # an empty column loses to any filled one
        label = " / ".join(t for t in texts if t) or f"column {c + 1}"
        candidates.append(RoleChoice(c, role, score, f"{label!r}: {reason}", header_role))
    # Only beside a column of codes: a table whose securities are known by codes may still
    # carry their names under a header word the vocabulary lacks (not a footer's free text).
    if not any(Role.NAME in (ch.role, ch.header_role) for ch in candidates) and any(
        ch.role in CODE_ROLES for ch in candidates
    ):
        named = _name_by_contents(headers, samples, {ch.column for ch in candidates})
        if named is not None:
            candidates.append(named)
    chosen: dict[Role, RoleChoice] = {}
    secondary: list[RoleChoice] = []
    for choice in sorted(candidates, key=lambda ch: (-ch.score, ch.column)):
        if choice.role not in chosen:
            chosen[choice.role] = choice
        elif (
            choice.role in SECONDARY_ROLES
            and choice.score > 0
            and _about_the_security(headers[choice.column])
        ):
            what = _ROLE_WORDS[choice.role]
            secondary.append(
                dataclasses.replace(
                    choice,
                    reason=f"{choice.reason}; a further {what} column (also read)",
                    secondary=True,
                )
            )
    return (
        sorted(chosen.values(), key=lambda ch: ch.column),
        sorted(secondary, key=lambda ch: ch.column),
    )


# A column read as the securities' names from its contents alone (no header word known):
# mostly distinct texts of words, not numbers, codes, currencies or exchanges.
NAME_CONTENT_MIN_LENGTH = 6.0
NAME_CONTENT_MIN_DISTINCT = 0.8
NAME_CONTENT_MAX_OTHER = 0.2


def _name_by_contents(
    headers: Sequence[Sequence[str | None]],
    samples: Sequence[Sequence[str | None]],
    taken: set[int],
) -> RoleChoice | None:
    """The leftmost free column whose values look like security names, when no header names
    one (an administrator's header word the vocabulary lacks: the names must still be read)."""
    for c, texts in enumerate(headers):
        if c in taken or c >= len(samples):
            continue
        p = profile_column(samples[c])
        if (
            p.filled >= MIN_CONTENT_SAMPLE
            and p.numeric < NAME_CONTENT_MAX_OTHER
            and p.codes < NAME_CONTENT_MAX_OTHER
            and p.currency < NAME_CONTENT_MAX_OTHER
            and p.exchange < NAME_CONTENT_MAX_OTHER
            and p.flags < NAME_CONTENT_MAX_OTHER
            and p.distinct >= NAME_CONTENT_MIN_DISTINCT
            and p.mean_length >= NAME_CONTENT_MIN_LENGTH
        ):
            label = " / ".join(t for t in texts if t) or f"column {c + 1}"
            return RoleChoice(
                c,
                Role.NAME,
                3.5,
                f"{label!r}: contents: distinct texts like security names (no header word known)",
                None,
            )
    return None


_ROLE_WORDS = {
    Role.NAME: "name",
    Role.ISIN: "ISIN",
    Role.CUSIP: "CUSIP",
    Role.SEDOL: "SEDOL",
    Role.TICKER: "ticker",
    Role.IDENTIFIER: "identifier",
    Role.EXCHANGE: "exchange",
}


def assign_roles(
    headers: Sequence[Sequence[str | None]], samples: Sequence[Sequence[str | None]]
) -> list[RoleChoice]:
    """Choose at most one column per role (see :func:`assign_all_roles`)."""
    return assign_all_roles(headers, samples)[0]


# --------------------------------------------------------------------------------------------
# Tables that record activity, not holdings
# --------------------------------------------------------------------------------------------

# (header phrases that must all appear, what the table then is). A holdings table has none of
# these: a broker or a debit/credit pair belongs to trades and cash ledgers.
_ACTIVITY_MARKERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("broker",), "trades (a broker column)"),
    (("經紀",), "trades (a broker column)"),
    (("经纪",), "trades (a broker column)"),
    (("buy sell",), "trades (a buy/sell column)"),
    (("transaction type",), "transactions (a transaction type column)"),
    (("trans type",), "transactions (a transaction type column)"),
    (("txn type",), "transactions (a transaction type column)"),
    (("counterparty", "trade date"), "trades (counterparty and trade date columns)"),
    (("debit", "credit"), "a cash ledger (debit and credit columns)"),
    (("借方", "貸方"), "a cash ledger (debit and credit columns)"),
    (("借方", "贷方"), "a cash ledger (debit and credit columns)"),
    (("unitholder",), "unit subscriptions or redemptions (a unitholder column)"),
    (("單位持有人",), "unit subscriptions or redemptions (a unitholder column)"),
    (("ex date",), "a dividend schedule (an ex-date column)"),
)


def _has_phrase(words: tuple[str, ...], phrase: str) -> bool:
    if _CJK.search(phrase):
        return phrase in "".join(words)
    target = tuple(phrase.split())
    n = len(target)
    return any(words[i : i + n] == target for i in range(len(words) - n + 1))


def activity_table(headers: Sequence[str]) -> str | None:
    """What a table records when its header shows activity rather than holdings, else None.

    ``headers`` are the column header texts (several header rows joined with " / ").
    """
    columns = [normalise_header(h) for h in headers if h]
    for phrases, what in _ACTIVITY_MARKERS:
        if all(any(_has_phrase(words, p) for words in columns) for p in phrases):
            return what
    return None

"""Fund holdings files given with a check (``--fund-holdings``): read, tie, screen (I/O edge).

Each file is read with the same reader as the holdings (an iShares download works as is) and
tied to the fund's identifiers: those given with it (``EEM,US4642872349=path.csv``), its title
("iShares MSCI ACWI ETF") and ticker-like tokens of its file name. When a position of the
portfolio is in such a fund, the fund's constituents are screened with the same engine, on the
same date, for the same investor — nested funds too, down to ``funds.MAX_DEPTH``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from portfolio_check.errors import UsageError
from portfolio_check.funds import (
    DEFAULT_MAX_AGE_DAYS,
    MAX_DEPTH,
    Constituent,
    LookThrough,
    combine,
    fund_keys,
    fund_verdict,
    holdings_date_from,
    identity_keys,
    unlooked_fund_verdict,
)
from portfolio_check.holdings import HoldingsInput, read_holdings
from portfolio_check.model import Actions, RowClass, Status, Verdict

ScreenFrame = Callable[[pd.DataFrame, "FundContext"], pd.DataFrame]


def parse_fund_spec(spec: str | os.PathLike[str]) -> tuple[tuple[str, ...], Path]:
    """``[ID[,ID...]=]PATH``: the fund's identifiers (ticker, ISIN, name) and its file."""
    text = str(spec)
    if "=" in text and not Path(text).exists():
        ids, _, path = text.partition("=")
        return tuple(i.strip() for i in ids.split(",") if i.strip()), Path(path)
    return (), Path(text)


@dataclass
class _FundFile:
    path: Path
    keys: set[str]
    name: str
    holdings_date: dt.date | None
    data: HoldingsInput


@dataclass
class FundContext:
    """The fund files of one check and their look-through, screened once each on demand."""

    files: list[_FundFile]
    as_of: dt.date
    max_age_days: int = DEFAULT_MAX_AGE_DAYS
    depth: int = 0
    _looked: dict[int, LookThrough] = field(default_factory=dict)
    _in_progress: set[int] = field(default_factory=set)

    @classmethod
    def load(
        cls,
        specs: Sequence[str | os.PathLike[str]],
        *,
        as_of: dt.date,
        max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    ) -> FundContext:
        files = []
        for spec in specs:
            ids, path = parse_fund_spec(spec)
            data = read_holdings([path])
            titles = [o.text for o in data.other_rows if o.row_class is RowClass.TITLE]
            title = next((t for t in titles if "|" not in t and t.strip()), None)
            keys = fund_keys(ids, title, path.name)
            if not keys:
                raise UsageError(
                    f"{path}: cannot tell which fund these holdings are; give its ticker or "
                    f"ISIN as TICKER={path}"
                )
            files.append(
                _FundFile(
                    path=path,
                    keys=keys,
                    name=title or (ids[0] if ids else path.stem),
                    holdings_date=holdings_date_from(titles, path.name),
                    data=data,
                )
            )
        return cls(files=files, as_of=as_of, max_age_days=max_age_days)

    def _find(self, verdict: Verdict) -> int | None:
        keys = identity_keys(verdict.identity)
        for number, fund in enumerate(self.files):
            if keys & fund.keys:
                return number
        return None

    def apply(self, verdict: Verdict, screen_frame: ScreenFrame) -> Verdict:
        """The holding's verdict with its fund look-through (or the no-data rule) applied."""
        number = self._find(verdict) if self.files else None
        if number is None:
            return unlooked_fund_verdict(verdict) or verdict
        if number in self._in_progress or self.depth >= MAX_DEPTH:
            return combine(
                verdict,
                Verdict(
                    status=Status.REVIEW,
                    reason=f"fund {self.files[number].name}: nested look-through deeper than "
                    f"{MAX_DEPTH} funds (or circular)",
                    identity=verdict.identity,
                    actions=Actions.hold_until_reviewed(),
                ),
            )
        look = self._look_through(number, screen_frame)
        through = fund_verdict(look, verdict.identity, self.as_of, max_age_days=self.max_age_days)
        return combine(verdict, through)

    def _look_through(self, number: int, screen_frame: ScreenFrame) -> LookThrough:
        if number not in self._looked:
            fund = self.files[number]
            self._in_progress.add(number)
            deeper = FundContext(
                files=self.files,
                as_of=self.as_of,
                max_age_days=self.max_age_days,
                depth=self.depth + 1,
                _looked=self._looked,
                _in_progress=self._in_progress,
            )
            frame = screen_frame(fund.data.positions, deeper)
            self._in_progress.discard(number)
            constituents = [
                Constituent(
                    label=_label(record),
                    market_value=None
                    if _missing(record.get("market_value"))
                    else float(record["market_value"]),
                    verdict=record["verdict"],
                )
                for record in frame[
                    ["name", "ticker", "isin", "identifier", "market_value", "verdict"]
                ].to_dict("records")
            ]
            self._looked[number] = LookThrough(
                file=fund.path.name,
                name=fund.name,
                holdings_date=fund.holdings_date,
                constituents=constituents,
            )
        return self._looked[number]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _label(record: Mapping[Hashable, object]) -> str:
    name = record.get("name")
    code = next(
        (record[k] for k in ("ticker", "isin", "identifier") if not _missing(record.get(k))), None
    )
    if _missing(name):
        return str(code or "constituent")
    return f"{name} ({code})" if code else str(name)

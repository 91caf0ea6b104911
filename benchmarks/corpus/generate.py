"""Place the cases in files of the layouts, write them, and keep a label for every row."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import cases as case_module
from . import derivatives
from .layouts import BY_NAME, LAYOUTS, Layout
from .model import Case, RowLabel
from .notation import EXCHANGE_WORDS
from .refdata import HK_MIC, NON_US_PERSON, SSE_MIC, SZSE_MIC, US_PERSON
from .writers import Cell, Sheet, write

DEFAULT_SEED = 20240612
US, NON_US = US_PERSON, NON_US_PERSON

# One as-of date and investor per file. The dates sit on and around the NS-CMIC dates in
# reference/lists/ns_cmic.json (listing 2021-06-03 / effective 2021-08-02 / divestment
# 2022-06-03; 2021-12-10 / 2022-02-08 / 2022-12-10 for SenseTime; 2021-12-16 / 2022-02-14 /
# 2022-12-16 for the December 2021 additions) and inside and outside the lives of the
# warrants in the HKEX masters of 2021-10-11 and 2025-07-11.
PLAN: tuple[tuple[str, str, str], ...] = (
    ("custodian_statement", "2021-06-03", US),
    ("custodian_statement", "2022-02-14", US),
    ("custodian_statement", "2025-09-30", NON_US),
    ("custodian_safekeeping", "2021-08-02", US),
    ("custodian_valuation_xls", "2021-11-01", US),
    ("custodian_valuation_xls", "2026-01-15", US),
    ("geneva_appraisal", "2021-08-01", US),
    ("administrator_positions", "2022-06-03", US),
    ("oms_blotter", "2021-12-10", US),
    ("oms_orders", "2022-12-16", US),
    ("bloomberg_port", "2021-12-16", US),
    ("bloomberg_port", "2024-03-28", NON_US),
    ("bloomberg_aim", "2022-02-07", US),
    ("factset_holdings", "2022-02-08", US),
    ("refinitiv_export", "2021-12-09", US),
    ("etf_issuer_holdings", "2022-01-03", US),
    ("etf_issuer_holdings", "2025-07-11", US),
    ("cn_broker", "2021-07-15", US),
    ("cn_broker", "2023-06-30", NON_US),
    ("cn_fund_admin", "2022-06-02", US),
    ("cn_fund_admin", "2025-12-31", US),
    ("cn_positions_ods", "2021-12-15", US),
    ("hk_broker", "2022-02-13", US),
    ("hk_trustee", "2021-10-11", US),
    ("jp_broker", "2022-12-09", US),
    ("kr_broker", "2022-12-10", NON_US),
    ("de_depot", "2021-06-03", NON_US),
    ("fr_releve", "2022-06-04", US),
    ("es_cartera", "2023-01-02", US),
    ("it_portafoglio", "2021-12-10", US),
    ("pt_carteira", "2026-11-30", US),
    ("nl_administrateur", "2022-02-14", NON_US),
    ("multi_bbg_local", "2022-01-03", US),
    ("multi_bbg_local", "2025-08-15", US),
    ("multi_ric_symbol_sedol", "2021-08-02", US),
    ("fixed_income", "2022-03-01", US),
    ("derivatives_pb", "2022-03-15", US),
    ("derivatives_pb", "2025-10-02", NON_US),
    ("hk_broker_en", "2021-11-01", US),
    ("hk_broker_en", "2022-06-30", US),
    ("hk_broker_en", "2024-05-02", US),
    ("hk_broker_en", "2025-08-01", US),
    ("holdings_report_xls", "2021-09-15", US),
    ("pms_ods", "2026-03-31", NON_US),
)

_NON_LATIN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")
EXTENSIONS = {"xlsx": "xlsx", "xls": "xls", "ods": "ods", "csv": "csv"}
NOTE_CLASSES = ["title", "note", "header", "footer"]


@dataclass
class FileSpec:
    path: Path
    layout: Layout
    as_of: dt.date
    investor: str
    cases: list[Case] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class Corpus:
    files: list[FileSpec]
    labels: list[RowLabel]
    dropped: list[Case]
    seed: int

    @property
    def positions(self) -> list[RowLabel]:
        return [label for label in self.labels if label.position]

    def write_labels(self, path: Path) -> None:
        data = {
            "seed": self.seed,
            "files": [
                {
                    "file": spec.name,
                    "layout": spec.layout.name,
                    "format": spec.layout.fmt,
                    "encoding": spec.layout.encoding if spec.layout.fmt == "csv" else None,
                    "delimiter": spec.layout.delimiter if spec.layout.fmt == "csv" else None,
                    "as_of": spec.as_of.isoformat(),
                    "investor": spec.investor,
                }
                for spec in self.files
            ],
            "rows": [label.as_json() for label in self.labels],
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _encodable(text: str, layout: Layout) -> bool:
    if not layout.allow_han and _NON_LATIN.search(text):
        return False
    if layout.fmt != "csv":
        return True
    try:
        text.encode(layout.encoding)
    except UnicodeEncodeError:
        return False
    return True


def fits(case: Case, spec: FileSpec) -> bool:
    layout = spec.layout
    if case.us_only and spec.investor != US_PERSON:
        return False
    if not case.date_ok(spec.as_of):
        return False
    used: set[str] = set()
    for role, text in case.cells.items():
        column = layout.column_for(role)
        if column not in layout.column_roles or column in used:
            return False
        used.add(column)
        if not _encodable(text, layout):
            return False
    if "ticker" in case.cells and case.notation not in layout.notations:
        return False
    if "exchange" in case.cells:
        words = EXCHANGE_WORDS[layout.language].get(case.mic or "")
        if not words or not all(_encodable(word, layout) for word in words):
            return False
    return True


def assign(all_cases: list[Case], specs: list[FileSpec], rng: random.Random) -> list[Case]:
    dropped = []
    order = list(all_cases)
    rng.shuffle(order)
    for case in order:
        options = [spec for spec in specs if fits(case, spec)]
        if not options:
            dropped.append(case)
            continue
        rng.shuffle(options)
        best = min(options, key=lambda s: len(s.cases) / s.layout.weight)
        best.cases.append(case)
    return dropped


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _currency(case: Case) -> str:
    isin = case.cells.get("isin", "").strip().upper()
    if case.mic in (SSE_MIC, SZSE_MIC) or isin.startswith("CND"):
        return "CNY"
    if case.mic == HK_MIC or isin.startswith(("HK", "KY", "CNE")):
        return "HKD"
    return "USD"


@dataclass
class Renderer:
    spec: FileSpec
    rng: random.Random
    labels: list[RowLabel] = field(default_factory=list)

    @property
    def layout(self) -> Layout:
        return self.spec.layout

    def _other(
        self,
        sheet: str,
        rows: Sheet,
        cells: list[Cell],
        row_class: str | None,
        accept: list[str],
        why: str,
    ) -> None:
        rows.append(cells)
        self.labels.append(
            RowLabel(
                file=self.spec.name,
                sheet=sheet,
                row=len(rows),
                position=False,
                expected=None,
                accept=accept,
                why=why,
                layout=self.layout.name,
                kind=row_class or "blank",
                row_class=row_class,
                content=" | ".join(str(x) for x in cells if x not in (None, "")),
            )
        )

    def _label_column(self) -> int:
        roles = [column.role for column in self.layout.columns]
        for role in ("name", "security", "description", "ticker"):
            if role in roles:
                return roles.index(role)
        return 0

    def _amount_row(self, text: str, amount: float) -> list[Cell]:
        cells: list[Cell] = [None] * len(self.layout.columns)
        cells[self._label_column()] = text
        roles = [column.role for column in self.layout.columns]
        if "mv" in roles:
            cells[roles.index("mv")] = round(amount, 2)
        elif "qty" in roles:
            cells[roles.index("qty")] = round(amount, 2)
        return cells

    def _position(self, case: Case, seq: int) -> tuple[list[Cell], float]:
        rng = self.rng
        layout = self.layout
        by_column: dict[str, str] = {}
        for role, text in case.cells.items():
            if role == "exchange":
                text = rng.choice(EXCHANGE_WORDS[layout.language][case.mic or ""])
            by_column[layout.column_for(role)] = text
        bond = case.kind == "bond"
        qty = (
            rng.choice([1_000_000, 2_000_000, 500_000])
            if bond
            else rng.randrange(100, 500_000, 100)
        )
        price = (
            round(rng.uniform(0.5, 180.0), 2) if not bond else round(rng.uniform(80, 105), 3) / 100
        )
        value = round(qty * price, 2)
        asset = {"option": "Option", "bond": "Fixed Income"}.get(case.kind, "Equity")
        if case.kind.startswith("warrant"):
            asset = "Warrant"
        computed: dict[str, Cell] = {
            "qty": qty,
            "price": price,
            "mv": value,
            "cost": round(value * rng.uniform(0.7, 1.2), 2),
            "ccy": _currency(case),
            "weight": round(rng.uniform(0.01, 4.0), 2),
            "seq": seq,
            "side": rng.choice(["Buy", "Sell"]),
            "date": self.spec.as_of.isoformat(),
            "sector": rng.choice(
                ["Communication", "Information Technology", "Industrials", "Energy", "Financials"]
            ),
            "asset_class": asset,
            "location": "China" if _currency(case) == "CNY" else "Hong Kong",
            "blank": None,
        }
        cells: list[Cell] = []
        for column in layout.columns:
            if column.role in by_column:
                cells.append(by_column[column.role])
            else:
                cells.append(computed.get(column.role))
        return cells, value

    def _positions(self, sheet: str, rows: Sheet, cases: list[Case], seq: list[int]) -> float:
        total = 0.0
        for case in cases:
            seq[0] += 1
            cells, value = self._position(case, seq[0])
            total += value
            rows.append(cells)
            expected, accept, why = case.label(self.spec.as_of, self.spec.investor)
            self.labels.append(
                RowLabel(
                    file=self.spec.name,
                    sheet=sheet,
                    row=len(rows),
                    position=True,
                    expected=expected,
                    accept=sorted(accept),
                    why=why,
                    layout=self.layout.name,
                    kind=case.kind,
                    entry_id=case.entry_id,
                    content=case.text(),
                )
            )
        return total

    def _cash(self, sheet: str, rows: Sheet) -> float:
        total = 0.0
        layout = self.layout
        for text in layout.cash:
            amount = round(self.rng.uniform(10_000, 5_000_000), 2)
            total += amount
            cells = self._amount_row(text, amount)
            roles = [column.role for column in layout.columns]
            if "asset_class" in roles:
                cells[roles.index("asset_class")] = "Cash"
            if layout.name == "etf_issuer_holdings":
                cells[roles.index("code")] = text.split()[0]
            self._other(sheet, rows, cells, "cash", ["cash"], f"rule 10: cash line {text!r}")
        return total

    def sheet(self, sheet: str, cases: list[Case]) -> Sheet:
        layout = self.layout
        rows: Sheet = []
        for title in layout.title:
            self._other(sheet, rows, [title], "title", list(NOTE_CLASSES), "rule 10: title")
        for key, value in layout.params:
            text = value.replace("{as_of}", self.spec.as_of.isoformat())
            self._other(
                sheet, rows, [key, text], "note", list(NOTE_CLASSES), "rule 10: parameter line"
            )
        if layout.title or layout.params:
            self._other(sheet, rows, [], None, [], "rule 10: blank row")
        header: list[Cell] = [column.header for column in layout.columns]
        self._other(sheet, rows, header, "header", ["header"], "rule 10: header")
        seq = [0]
        grand = 0.0
        if layout.sections:
            cut = [c for c in cases]
            groups: list[list[Case]] = [[] for _ in layout.sections]
            for case in cut:
                index = 0 if self.rng.random() < 0.7 else self.rng.randrange(len(layout.sections))
                groups[index].append(case)
            for section, group in zip(layout.sections, groups, strict=True):
                if not group:
                    continue
                self._other(
                    sheet,
                    rows,
                    [section],
                    "title",
                    ["title", "note", "header", "subtotal"],
                    "rule 10: section heading",
                )
                amount = self._positions(sheet, rows, group, seq)
                grand += amount
                if layout.subtotal:
                    text = layout.subtotal.replace("{section}", section)
                    self._other(
                        sheet,
                        rows,
                        self._amount_row(text, amount),
                        "subtotal",
                        ["subtotal", "total"],
                        f"rule 10: subtotal {text!r}",
                    )
        else:
            grand += self._positions(sheet, rows, cases, seq)
        grand += self._cash(sheet, rows)
        if layout.total:
            self._other(
                sheet,
                rows,
                self._amount_row(layout.total, grand),
                "total",
                ["total", "subtotal"],
                f"rule 10: total {layout.total!r}",
            )
        if layout.footer:
            self._other(sheet, rows, [], None, [], "rule 10: blank row")
            for text in layout.footer:
                self._other(sheet, rows, [text], "footer", list(NOTE_CLASSES), "rule 10: footer")
        return rows

    def render(self) -> dict[str, Sheet]:
        layout = self.layout
        if len(layout.sheets) == 1:
            return {layout.sheets[0]: self.sheet(layout.sheets[0], self.spec.cases)}
        first = [
            c
            for c in self.spec.cases
            if c.kind in ("bond", "cusip", "isin") or "description" in c.cells
        ]
        rest = [c for c in self.spec.cases if c not in first]
        return {
            layout.sheets[0]: self.sheet(layout.sheets[0], first),
            layout.sheets[1]: self.sheet(layout.sheets[1], rest),
        }


def plan_files(out: Path) -> list[FileSpec]:
    specs = []
    for index, (layout_name, day, investor) in enumerate(PLAN, start=1):
        layout = BY_NAME[layout_name]
        name = f"{index:02d}_{layout.name}_{day}.{EXTENSIONS[layout.fmt]}"
        specs.append(FileSpec(out / name, layout, dt.date.fromisoformat(day), investor))
    return specs


def generate(out: Path, seed: int = DEFAULT_SEED, with_derivatives: bool = True) -> Corpus:
    """Write the corpus into ``out`` and return its labels (also written to labels.json)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    all_cases = case_module.build_cases(rng)
    if with_derivatives:
        all_cases += derivatives.build_cases(rng)
    specs = plan_files(out)
    dropped = assign(all_cases, specs, rng)
    labels: list[RowLabel] = []
    for spec in specs:
        renderer = Renderer(spec, random.Random(f"{seed}:{spec.name}"))
        sheets = renderer.render()
        layout = spec.layout
        write(spec.path, layout.fmt, sheets, layout.encoding, layout.delimiter, layout.number_style)
        labels += renderer.labels
    corpus = Corpus(specs, labels, dropped, seed)
    corpus.write_labels(out / "labels.json")
    return corpus


__all__ = ["DEFAULT_SEED", "LAYOUTS", "PLAN", "Corpus", "FileSpec", "generate"]

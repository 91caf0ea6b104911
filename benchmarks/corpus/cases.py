"""The labelled cases: every entry through every identifier and notation, and the traps.

A case is a security as a row would give it (cells by role) with a label function of the
as-of date and investor. Layouts (layouts.py) place cases in files.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from . import labels
from .model import Case, LabelFn
from .notation import (
    NOTATIONS,
    bad_isin,
    case_variants,
    cusip_with_check,
    isin_from_cusip,
    legal_form_variants,
    sedol,
    ticker,
)
from .refdata import (
    HK_MIC,
    SSE_MIC,
    SZSE_MIC,
    Entry,
    Line,
    Reference,
    Relation,
    load,
    name_index,
    parse_ofac_ticker,
)

# Look-alikes: listed companies whose names share words with listed entities, none of them an
# entry, a line of one, or a company related to one (relations.csv); picked by hand from
# reference/masters/hkex.csv and csi.csv. Companies of the entities' own groups (China
# Aerospace 00031, AVIC Joy 00260, CSSC Shipping 03877, APT Satellite 01045, China Oilfield
# 02883, China Tower 00788, AECC Aviation Power 600893, Changan 000625) are left out: they may
# be related, and relations.csv does not say.
HK_LOOKALIKES = {
    "00921": "Hisense Home Appliances Group Co., Ltd.",  # vs SenseTime
    "02498": "RoboSense Technology Co., Ltd.",  # vs SenseTime
    "00939": "China Construction Bank Corporation",  # vs China Railway Construction
    "01582": "CR Construction Group Holdings Limited",
    "00390": "China Railway Group Limited",  # vs China Railway Construction
    "00525": "Guangshen Railway Company Limited",
    "01883": "CITIC Telecom International Holdings Limited",  # vs China Telecom
    "06033": "Telecom Digital Holdings Limited",
    "01362": "SIS Mobile Holdings Limited",  # vs China Mobile
    "01439": "Mobile Internet (China) Holdings Limited",
    "02588": "BOC Aviation Limited",  # vs Aviation Industry Corporation of China
    "01055": "China Southern Airlines Company Limited",  # vs China South Industries
    "00603": "China Oil And Gas Group Limited",  # vs CNOOC
    "00857": "PetroChina Company Limited",
    "00386": "China Petroleum & Chemical Corporation",
    "02380": "China Power International Development Limited",  # vs China General Nuclear Power
    "00836": "China Resources Power Holdings Company Limited",
    "00902": "Huaneng Power International, Inc.",
    "03898": "Zhuzhou CRRC Times Electric Co., Ltd.",  # vs China Aerospace Times Electronics
    "01070": "TCL Electronics Holdings Limited",  # vs Nanjing Panda Electronics
    "00285": "BYD Electronic (International) Company Limited",
    "01919": "COSCO SHIPPING Holdings Co., Ltd.",  # vs China State Shipbuilding
    "03328": "Bank of Communications Co., Ltd.",  # vs China Communications Construction
    "01347": "Hua Hong Semiconductor Limited",  # vs Semiconductor Manufacturing International
    "01766": "CRRC Corporation Limited",
    "00700": "Tencent Holdings Limited",
    "00005": "HSBC Holdings plc",
    "01088": "China Shenhua Energy Company Limited",
    "00006": "Power Assets Holdings Limited",
}
# Source of the full names: each issuer's registered name as shown on HKEXnews for the code.
CSI_LOOKALIKES = [
    "601390",  # 中国中铁 vs 中国铁建
    "601668",  # 中国建筑 vs 中国交建
    "601939",  # 建设银行
    "601618",  # 中国中冶
    "601766",  # 中国中车
    "600028",  # 中国石化 vs 中国海油
    "601857",  # 中国石油
    "002371",  # 北方华创 vs 北方导航
    "600031",  # 三一重工 vs 中国重工
    "601111",  # 中国国航 vs 中国航空工业
    "600029",  # 南方航空 vs 中国兵器装备 (China South Industries)
    "600519",
    "601318",
    "600036",
]
# US CUSIPs of ordinary companies (rule 7: screened as their US ISIN, not in the reference).
# Source: the issuers' SEC filings (Apple Inc. 037833100, Microsoft Corp. 594918104).
US_CUSIPS = {"037833100": "Apple Inc.", "594918104": "Microsoft Corporation"}

SHARE_SUFFIXES_H = ["-H", " H SHS", " - H Shares", "-H SHS"]


def _hk_code_texts(code: str) -> list[str]:
    return [code, str(int(code)), code[1:] if code.startswith("0") else code]


def _has_han(text: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff]", text))


def _language(name: str, language: str) -> str:
    return language if _has_han(name) else "en"


class Builder:
    """Collects cases; one per call of ``add``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ref: Reference = load()
        self.cases: list[Case] = []
        self.names = name_index()

    def add(self, case: Case) -> None:
        self.cases.append(case)

    # ----------------------------------------------------------------------------------------
    # Rule 1: lines of entries, by ISIN, CUSIP, ticker in every notation, code + exchange
    # ----------------------------------------------------------------------------------------

    def entry_lines(self, entry: Entry) -> None:
        rng = self.rng
        for isin in entry.isins:
            what = f"ISIN {isin}"
            self.add(
                Case(
                    "isin",
                    {"isin": isin},
                    labels.entry_status(entry, "rule 1", what),
                    entry.entry_id,
                )
            )
            name = rng.choice(entry.all_names())[0]
            cells = {"isin": rng.choice([isin, isin.lower(), f" {isin} "]), "name": name}
            self.add(
                Case("isin", cells, labels.entry_status(entry, "rule 1", what), entry.entry_id)
            )
            if isin.startswith("US"):
                cusip = isin[2:11]
                self.add(
                    Case(
                        "cusip",
                        {"cusip": cusip},
                        labels.entry_status(entry, "rule 7", f"CUSIP {cusip} (ISIN {isin})"),
                        entry.entry_id,
                    )
                )
        raws = {}
        for raw in entry.raw_tickers:
            parsed = parse_ofac_ticker(raw)
            if parsed is not None:
                raws[(parsed.code, parsed.mic)] = raw
        for line in entry.lines:
            raw = raws.get((line.code, line.mic), "")
            self._line_cases(entry, line, raw)

    def _line_cases(self, entry: Entry, line: Line, raw: str) -> None:
        rng = self.rng
        for notation in NOTATIONS:
            text = ticker(line.code, line.mic, notation, rng, raw)
            if text is None:
                continue
            what = f"ticker {text!r} ({notation}) = {line.code} {line.mic}"
            label = labels.entry_status(entry, "rule 1", what)
            self.add(Case("ticker", {"ticker": text}, label, entry.entry_id, notation=notation))
            if rng.random() < 0.5:
                name = rng.choice(entry.all_names())[0]
                self.add(
                    Case(
                        "ticker",
                        {"ticker": text, "name": name},
                        label,
                        entry.entry_id,
                        notation=notation,
                    )
                )
        if line.mic == HK_MIC:
            for code in _hk_code_texts(line.code):
                for _ in range(2):
                    self._code_case(entry, line, code)
        elif line.mic in (SSE_MIC, SZSE_MIC):
            for _ in range(3):
                self._code_case(entry, line, line.code)

    def _code_case(self, entry: Entry, line: Line, code: str) -> None:
        what = f"code {code} on {line.mic}"
        cells = {"code": code, "exchange": line.mic}
        if self.rng.random() < 0.5:
            cells["name"] = self.rng.choice(entry.all_names())[0]
        self.add(
            Case(
                "code+exchange",
                cells,
                labels.entry_status(entry, "rule 1", what),
                entry.entry_id,
                mic=line.mic,
            )
        )

    # ----------------------------------------------------------------------------------------
    # Rule 2: names, with legal-form, case and share-line variations
    # ----------------------------------------------------------------------------------------

    def name_label(self, entry: Entry, name: str, what: str) -> LabelFn:
        bare = re.sub(r"(?i)(-H|-W|-R|-WR|-SW| H SHS|-H SHS| - H SHARES)$", "", name.strip())
        fits = self.names.candidates(bare)
        abbreviation = self.ref.abbreviations.get(bare.upper())
        if abbreviation:
            fits.add(abbreviation)
        if not fits or fits == {entry.entry_id}:
            return labels.entry_status(entry, "rule 2", what)
        return labels.ambiguous(fits | {entry.entry_id}, what)

    def entry_names(self, entry: Entry) -> None:
        rng = self.rng
        names = list(entry.all_names())
        for line in entry.lines:
            row = self.ref.hkex.get(line.code) if line.mic == HK_MIC else None
            if row is not None:
                names.append((row.name, "en"))
            csi = self.ref.csi.get(line.code) if line.mic in (SSE_MIC, SZSE_MIC) else None
            if csi is not None:
                names += [(csi.name_zh, "zh-Hans"), (csi.name_en, "en")]
        for abbreviation, entry_id in self.ref.abbreviations.items():
            if entry_id == entry.entry_id:
                names.append((abbreviation, "en"))
        seen: set[str] = set()
        h_share = any(
            line.mic == HK_MIC
            and self.ref.hkex.get(line.code, None) is not None
            and self.ref.hkex[line.code].isin.startswith("CNE")
            for line in entry.lines
        )
        for name, language in names:
            language = _language(name, language)
            texts = [name]
            forms = legal_form_variants(name, language)
            texts += rng.sample(forms, min(2, len(forms)))
            cases = case_variants(name, language)
            texts += rng.sample(cases, min(1, len(cases)))
            if h_share and language == "en" and rng.random() < 0.4:
                texts.append(name.rstrip(".") + rng.choice(SHARE_SUFFIXES_H))
            if entry.entry_id == "33114" and language == "en" and "-W" not in name:
                texts.append(name.upper().rstrip(".") + "-W")
            for text in texts:
                if text in seen:
                    continue
                seen.add(text)
                self._name_case(entry, text, language)

    def _name_case(self, entry: Entry, text: str, language: str) -> None:
        rng = self.rng
        what = f"name {text!r}"
        cells = {"name": text}
        draw = rng.random()
        kind = "name"
        if draw < 0.15 and entry.isins:
            bad = bad_isin(rng.choice(entry.isins))
            cells["isin"] = bad
            what += f" with ISIN {bad} (bad check digit)"
            kind = "name+bad-isin"
        elif draw < 0.25:
            code = sedol(rng)
            cells["sedol"] = code
            what += f" with SEDOL {code} the reference does not know"
            kind = "name+sedol"
        self.add(Case(kind, cells, self.name_label(entry, text, what), entry.entry_id))

    def ambiguous_brands(self) -> None:
        """Names that fit two entries (rule 2's exception), spelled out in the brief."""
        huawei = {"30947", "32087"}
        for text in ["Huawei", "HUAWEI", "华为", "華為"]:
            self.add(
                Case("name", {"name": text}, labels.ambiguous(huawei, f"name {text!r}"), "30947")
            )

    # ----------------------------------------------------------------------------------------
    # Rule 3: an entry's name with another issuer's identifier
    # ----------------------------------------------------------------------------------------

    def disagreeing(self, entry: Entry) -> None:
        rng = self.rng
        name = entry.name
        fits = self.names.candidates(name)
        if fits != {entry.entry_id}:
            return
        other_code = rng.choice(sorted(HK_LOOKALIKES))
        other = self.ref.hkex[other_code]
        if rng.random() < 0.5:
            cells = {"name": name, "isin": other.isin}
            what = f"ISIN {other.isin} is {other_code} {other.name}"
        else:
            cells = {"name": name, "code": other_code, "exchange": HK_MIC}
            what = f"code {other_code} XHKG is {other.name}"
        self.add(
            Case(
                "disagree",
                cells,
                labels.disagreeing(entry, what),
                entry.entry_id,
                mic=HK_MIC if "code" in cells else None,
            )
        )

    # ----------------------------------------------------------------------------------------
    # Rule 4: related companies and financing vehicles
    # ----------------------------------------------------------------------------------------

    def relations(self) -> None:
        rng = self.rng
        for relation in self.ref.relations:
            first = len(self.cases)
            self._relation_cases(relation, rng)
            # a relation holds only on its dates: its cases are written on those dates only
            for i in range(first, len(self.cases)):
                self.cases[i] = replace(self.cases[i], date_ok=relation.holds)

    def _relation_cases(self, relation: Relation, rng: random.Random) -> None:
        entry = self.ref.entries[relation.entry_id]
        for line in relation.lines:
            for notation in ("bbg_equity", "ric", "bbg", "factset"):
                text = ticker(line.code, line.mic, notation, rng)
                if text:
                    what = f"ticker {text!r} = {line.code} {line.mic} of {relation.name}"
                    self.add(
                        Case(
                            "relation",
                            {"ticker": text},
                            labels.related(entry, "rule 4", what),
                            entry.entry_id,
                            notation=notation,
                            us_only=True,
                        )
                    )
            for _ in range(2):
                code = line.code if line.mic != HK_MIC else rng.choice(_hk_code_texts(line.code))
                cells = {"code": code, "exchange": line.mic}
                if rng.random() < 0.5:
                    cells["name"] = relation.name
                what = f"code {code} {line.mic} of {relation.name}"
                self.add(
                    Case(
                        "relation",
                        cells,
                        labels.related(entry, "rule 4", what),
                        entry.entry_id,
                        mic=line.mic,
                        us_only=True,
                    )
                )
            master = self.ref.hkex.get(line.code) if line.mic == HK_MIC else None
            if master is not None and master.isin:
                what = f"ISIN {master.isin} of {relation.name} (HKEX master {line.code})"
                self.add(
                    Case(
                        "relation",
                        {"isin": master.isin},
                        labels.related(entry, "rule 4", what),
                        entry.entry_id,
                        us_only=True,
                    )
                )
        for name in (relation.name, *relation.aliases, relation.name.upper()):
            what = f"name {name!r} ({relation.kind} {entry.name})"
            self.add(
                Case(
                    "relation",
                    {"name": name},
                    labels.related(entry, "rule 4", what),
                    entry.entry_id,
                    us_only=True,
                )
            )
        if relation.cusip6:
            for issue in ("AA", "AB", "AD"):
                body = relation.cusip6 + issue
                cusip = cusip_with_check(body)
                what = (
                    f"CUSIP {cusip}: issuer number {relation.cusip6} of {relation.name} "
                    "(issue number made up; the issuer number decides)"
                )
                self.add(
                    Case(
                        "bond",
                        {"cusip": cusip, "issuer": relation.name},
                        labels.related(entry, "rule 4", what),
                        entry.entry_id,
                        us_only=True,
                    )
                )
        if relation.kind == "financing-vehicle-of":
            for coupon, year in (("3.000", 2023), ("4.375", 2028), ("2.875", 2029)):
                description = (
                    f"{relation.name.upper()} {coupon}% {rng.randint(1, 12):02d}/15/{year}"
                )
                what = f"bond {description!r} of {relation.name}"
                self.add(
                    Case(
                        "bond",
                        {"description": description, "issuer": relation.name},
                        labels.related(entry, "rule 4", what),
                        entry.entry_id,
                        us_only=True,
                    )
                )

    # ----------------------------------------------------------------------------------------
    # Rule 5: look-alikes and ordinary companies, and the same code on another exchange
    # ----------------------------------------------------------------------------------------

    def lookalikes(self) -> None:
        rng = self.rng
        for code, full in HK_LOOKALIKES.items():
            row = self.ref.hkex[code]
            why = f"rule 5: look-alike {code} {row.name} ({full}), own identifier"
            clear = labels.constant("CLEAR", why)
            self.add(Case("lookalike", {"isin": row.isin, "name": full}, clear))
            self.add(Case("lookalike", {"isin": row.isin}, clear))
            for code_text in rng.sample(_hk_code_texts(code), 2):
                cells = {
                    "code": code_text,
                    "exchange": HK_MIC,
                    "name": rng.choice([full, row.name]),
                }
                self.add(Case("lookalike", cells, clear, mic=HK_MIC))
            for notation in rng.sample(["bbg_equity", "ric", "factset", "mic", "bbg"], 3):
                text = ticker(code, HK_MIC, notation, rng)
                assert text is not None
                cells = {"ticker": text}
                if rng.random() < 0.5:
                    cells["name"] = full
                self.add(Case("lookalike", cells, clear, notation=notation))
            self.add(
                Case(
                    "lookalike-name",
                    {"name": rng.choice([full, full.upper(), row.name])},
                    labels.constant("CLEAR", f"rule 6: plain company name {full!r}, no entry"),
                )
            )
        for code in CSI_LOOKALIKES:
            csi = self.ref.csi.get(code)
            if csi is None:
                continue
            why = f"rule 5: look-alike {code} {csi.mic} {csi.name_zh} ({csi.name_en})"
            clear = labels.constant("CLEAR", why)
            for name in (csi.name_zh, csi.name_en):
                cells = {"code": code, "exchange": csi.mic, "name": name}
                self.add(Case("lookalike", cells, clear, mic=csi.mic))
            for notation in rng.sample(["bbg_equity", "ric", "factset", "mic"], 2):
                text = ticker(code, csi.mic, notation, rng)
                assert text is not None
                self.add(
                    Case(
                        "lookalike", {"ticker": text, "name": csi.name_en}, clear, notation=notation
                    )
                )
        for cusip, name in US_CUSIPS.items():
            why = f"rule 7: CUSIP {cusip} = {isin_from_cusip(cusip)} ({name}), not in the reference"
            self.add(Case("cusip", {"cusip": cusip}, labels.constant("CLEAR", why)))
        self.same_code_elsewhere()

    def same_code_elsewhere(self) -> None:
        """An entry's numeric code on another exchange is another company."""
        for entry in self.ref.entries.values():
            for line in entry.lines:
                if line.mic == HK_MIC and line.code.startswith("0"):
                    other = "0" + line.code  # 00728 -> 000728 on SZSE
                    csi = self.ref.csi.get(other)
                    if csi is not None and csi.mic == SZSE_MIC:
                        why = f"rule 5: {other} XSHE is {csi.name_zh}, not {line.code} HK"
                        self.add(
                            Case(
                                "other-exchange",
                                {"code": other, "exchange": SZSE_MIC, "name": csi.name_zh},
                                labels.constant("CLEAR", why),
                                mic=SZSE_MIC,
                            )
                        )
                    else:
                        # Issue 12, principle 1: a code placed on an exchange is usable; only
                        # where a master is shipped (HKEX) must it know the code. No SZSE master
                        # is shipped (CSI 300 lists 300 lines), so the line is screened as it is.
                        why = (
                            f"rule 5: {other} on XSHE is not {line.code} HK ({entry.name}); no "
                            "SZSE master is shipped, so the placed code is screened as itself"
                        )
                        self.add(
                            Case(
                                "other-exchange",
                                {"code": str(int(line.code)), "exchange": SZSE_MIC},
                                labels.constant("CLEAR", why, frozenset({"UNRESOLVED", "REVIEW"})),
                                mic=SZSE_MIC,
                            )
                        )
                if line.mic == SZSE_MIC and line.code.startswith("00"):
                    hk = line.code[1:]  # 002025 -> 02025 on HKEX
                    row = self.ref.hkex.get(hk)
                    if row is not None:
                        why = f"rule 5: {hk} XHKG is {row.name} ({row.category}), not {line.code} SZ ({entry.name})"
                        cells = {"code": hk, "exchange": HK_MIC}
                        if self.rng.random() < 0.5:
                            cells["name"] = row.name
                        self.add(
                            Case("other-exchange", cells, labels.constant("CLEAR", why), mic=HK_MIC)
                        )

    # ----------------------------------------------------------------------------------------
    # Rule 6: identifiers that cannot be used
    # ----------------------------------------------------------------------------------------

    def unusable(self, entry: Entry) -> None:
        rng = self.rng
        for line in entry.lines:
            if line.mic == HK_MIC:
                code = rng.choice(_hk_code_texts(line.code))
                why = f"bare code {code} with no exchange ({line.code} XHKG is {entry.name})"
                self.add(
                    Case("bare-code", {"code": code}, labels.unresolved(why, entry), entry.entry_id)
                )
            elif line.mic in (SSE_MIC, SZSE_MIC) and rng.random() < 0.5:
                why = f"bare code {line.code} with no exchange ({line.mic} line of {entry.name})"
                self.add(
                    Case(
                        "bare-code",
                        {"code": line.code},
                        labels.unresolved(why, entry),
                        entry.entry_id,
                    )
                )
        if entry.isins:
            isin = rng.choice(entry.isins)
            bad = bad_isin(isin)
            why = f"ISIN {bad} fails its check digit (close to {isin} of {entry.name}), no name"
            self.add(Case("bad-isin", {"isin": bad}, labels.unresolved(why, None), entry.entry_id))
            if isin.startswith("KY"):
                cins = isin[2:11]
                # A CINS is the national part of its ISIN: where the reference knows an ISIN
                # with that part, the CINS is that security (issue 12, principle 7). Leaving it
                # UNRESOLVED (no crosswalk used) is accepted too: it is fail-safe.
                what = f"CINS {cins} alone, the national part of {isin}"
                self.add(
                    Case(
                        "cins",
                        {"cusip": cins},
                        labels.entry_status(
                            entry, "rule 7", what, frozenset({"UNRESOLVED", "REVIEW"})
                        ),
                        entry.entry_id,
                    )
                )

    def unknown_codes(self) -> None:
        rng = self.rng
        for _ in range(12):
            code = sedol(rng)
            self.add(Case("sedol", {"sedol": code}, labels.unresolved(f"SEDOL {code} alone")))
        known = set(self.ref.hkex)
        picked = 0
        while picked < 10:
            code = f"{rng.randint(4000, 7999):05d}"
            if code in known:
                continue
            picked += 1
            why = f"code {code} on XHKG, which the HKEX master does not list"
            self.add(
                Case(
                    "unknown-code",
                    {"code": code, "exchange": HK_MIC},
                    labels.unresolved(why),
                    mic=HK_MIC,
                )
            )

    # ----------------------------------------------------------------------------------------
    # Rule 9: options and futures described in words
    # ----------------------------------------------------------------------------------------

    def options(self) -> None:
        rng = self.rng
        months = [
            "JAN",
            "FEB",
            "MAR",
            "APR",
            "MAY",
            "JUN",
            "JUL",
            "AUG",
            "SEP",
            "OCT",
            "NOV",
            "DEC",
        ]
        # (HKEX code, short name in option descriptions, entry id or None for an ordinary stock)
        underlyings = [
            ("00981", "SMIC", "30951"),
            ("00941", "CHINA MOBILE", "30923"),
            ("00883", "CNOOC", "30926"),
            ("00728", "CHINA TELECOM", "30882"),
            ("00762", "CHINA UNICOM", "30924"),
            ("00700", "TENCENT", None),
            ("00005", "HSBC HOLDINGS", None),
        ]
        for code, short, entry_id in underlyings:
            for style in range(5):
                year = rng.randint(22, 26)
                month = rng.randint(1, 12)
                strike = rng.choice([10, 12.5, 20, 25, 40, 60, 80])
                right = rng.choice("CP")
                if style == 0:
                    text = f"{short} {month:02d}/{rng.randint(1, 28):02d}/{year} {right}{strike}"
                elif style == 1:
                    text = f"{int(code)} HK {month:02d}/{rng.randint(1, 28):02d}/{year} {right}{strike} Equity"
                elif style == 2:
                    text = f"{short} STOCK FUTURE {months[month - 1]}{year}"
                elif style == 3:
                    text = f"{short} {months[month - 1]}{year} {strike} {'CALL' if right == 'C' else 'PUT'}"
                else:
                    text = f"HKEX STOCK OPTION {int(code)} {months[month - 1]} 20{year} {strike} {right}"
                if entry_id is None:
                    label = labels.constant(
                        "CLEAR", f"rule 9: {text!r} on {code} {short}, not listed"
                    )
                    self.add(Case("option", {"description": text}, label))
                else:
                    entry = self.ref.entries[entry_id]
                    label = labels.entry_status(entry, "rule 9", f"{text!r} on {code} {short}")
                    self.add(Case("option", {"description": text}, label, entry_id))

    # ----------------------------------------------------------------------------------------

    def build(self) -> list[Case]:
        for entry in self.ref.entries.values():
            self.entry_lines(entry)
            self.entry_names(entry)
            self.disagreeing(entry)
            self.unusable(entry)
        self.ambiguous_brands()
        self.relations()
        self.lookalikes()
        self.unknown_codes()
        self.options()
        return self.cases


def build_cases(rng: random.Random) -> list[Case]:
    return Builder(rng).build()

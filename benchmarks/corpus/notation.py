"""How real exports write a listed line, an identifier and a legal form."""

from __future__ import annotations

import random
import re

from stdnum import cusip as stdnum_cusip
from stdnum import isin as stdnum_isin

from .refdata import HK_MIC, SSE_MIC, SZSE_MIC

# Exchange words as exports write them, per MIC and per language of the layout. Sources:
# ISO 10383 MICs; Bloomberg/OFAC two-letter suffixes as in reference/lists/ns_cmic.json; the
# exchanges' own short names (HKEX, SSE, SZSE) and their Chinese short names 港交所/上交所/深交所.
EXCHANGE_WORDS: dict[str, dict[str, list[str]]] = {
    "en": {
        HK_MIC: ["XHKG", "HK", "HKEX", "Hong Kong", "SEHK", "Hong Kong Exchanges And Clearing Ltd"],
        SSE_MIC: ["XSHG", "SSE", "Shanghai", "SH", "Shanghai Stock Exchange"],
        SZSE_MIC: ["XSHE", "SZSE", "Shenzhen", "SZ", "Shenzhen Stock Exchange"],
    },
    "zh": {
        HK_MIC: ["港交所", "香港联交所", "港股通", "XHKG"],
        SSE_MIC: ["上交所", "上海", "沪市", "XSHG"],
        SZSE_MIC: ["深交所", "深圳", "深市", "XSHE"],
    },
    "zh-Hant": {
        HK_MIC: ["港交所", "香港交易所", "香港"],
        SSE_MIC: ["上交所", "滬股通"],
        SZSE_MIC: ["深交所", "深股通"],
    },
    "ja": {HK_MIC: ["香港"], SSE_MIC: ["上海"], SZSE_MIC: ["深セン"]},
    "ko": {HK_MIC: ["홍콩"], SSE_MIC: ["상해"], SZSE_MIC: ["심천"]},
}

# Bloomberg's China exchange codes: CH (composite), CG (Shanghai), CS (Shenzhen).
# Source: Bloomberg exchange code list (EXCH <GO>), as seen in PORT/AIM exports.
BBG_CN = {SSE_MIC: ["CH", "CG"], SZSE_MIC: ["CH", "CS"]}
# Refinitiv RIC suffixes: .HK, .SS (Shanghai), .SZ (Shenzhen). Source: LSEG RIC rules.
RIC_SUFFIX = {HK_MIC: "HK", SSE_MIC: "SS", SZSE_MIC: "SZ"}

NOTATIONS = ("bbg", "bbg_equity", "ric", "factset", "mic", "ofac")


def hk4(code: str) -> str:
    """HKEX code as Refinitiv/FactSet write it: 4 digits below 10000, else all 5."""
    return code[1:] if code.startswith("0") else code


def ticker(code: str, mic: str, notation: str, rng: random.Random, raw: str = "") -> str | None:
    """A line in one notation; None when the notation has no form for that market."""
    if mic == HK_MIC:
        forms = {
            "bbg": f"{int(code)} HK",
            "bbg_equity": f"{int(code)} HK Equity",
            "ric": f"{hk4(code)}.HK",
            "factset": f"{hk4(code)}-HK",
            "mic": f"XHKG:{hk4(code)}",
        }
    elif mic in (SSE_MIC, SZSE_MIC):
        forms = {
            "bbg": f"{code} {rng.choice(BBG_CN[mic])}",
            "bbg_equity": f"{code} {rng.choice(BBG_CN[mic])} Equity",
            "ric": f"{code}.{RIC_SUFFIX[mic]}",
            # FactSet writes mainland A shares as CODE-CN (both exchanges).
            "factset": f"{code}-CN",
            "mic": f"{mic}:{code}",
        }
    else:  # OFAC's other markets: US, DE, SG, BR, AR, RU, CA
        forms = {"bbg": f"{code} {mic}", "bbg_equity": f"{code} {mic} Equity"}
    if raw:
        forms["ofac"] = raw
    return forms.get(notation)


def bad_isin(isin: str) -> str:
    """The ISIN with a wrong check digit."""
    digit = int(isin[-1])
    return isin[:-1] + str((digit + 3) % 10)


def isin_from_cusip(cusip: str) -> str:
    body = "US" + cusip
    return body + stdnum_isin.calc_check_digit(body)


def cusip_with_check(body8: str) -> str:
    return body8 + stdnum_cusip.calc_check_digit(body8)


def sedol(rng: random.Random) -> str:
    """A SEDOL with a valid check digit (weights 1,3,1,7,3,9), digits only or B-prefixed."""
    alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ"
    first = rng.choice(["B", "0", "2", "5", "6"])
    body = first + "".join(
        rng.choice(alphabet[:10] if first != "B" else alphabet) for _ in range(5)
    )
    total = sum(w * int(c, 36) for w, c in zip((1, 3, 1, 7, 3, 9), body, strict=True))
    return body + str((10 - total % 10) % 10)


# Legal forms: families of spellings of the same form (a name's form swapped within its family).
LIMITED_FAMILY = [
    "Company Limited",
    "Co., Ltd.",
    "Co., Ltd",
    "Co Ltd",
    "Co. Ltd.",
    "Company Ltd",
    "Co., Limited",
    "Limited",
    "Ltd",
    "Ltd.",
]
CORP_FAMILY = ["Corporation", "Corp", "Corp.", "Corporation Limited", "Corp Ltd"]
ZH_FAMILY = ["股份有限公司", "有限公司", "股份公司"]
_FORM_RE = re.compile(
    r"(?i)[\s,]*(?:co(?:mpany)?\.?,?\s*(?:ltd\.?|limited)|corp(?:oration)?\.?\s*(?:ltd\.?|limited)?|"
    r"ltd\.?|limited)\s*$"
)


def legal_form_variants(name: str, language: str) -> list[str]:
    """The name with its legal form spelt the other ways of its family."""
    if language.startswith("zh"):
        for form in ZH_FAMILY:
            if name.endswith(form):
                stem = name[: -len(form)]
                return [stem + other for other in ZH_FAMILY if other != form]
        return []
    match = _FORM_RE.search(name)
    if not match or match.start() == 0:
        return []
    stem = name[: match.start()]
    form = match.group(0).strip(" ,").lower()
    family = CORP_FAMILY if form.startswith("corp") else LIMITED_FAMILY
    upper = name.isupper()
    out = []
    for other in family:
        if other.lower().replace(",", "").replace(".", "") == form.replace(",", "").replace(
            ".", ""
        ):
            continue
        text = f"{stem} {other}" if not other.startswith(",") else stem + other
        out.append(text.upper() if upper else text)
    return out


def case_variants(name: str, language: str) -> list[str]:
    if language.startswith("zh"):
        return []
    return [name.upper(), name.lower(), name.title()]

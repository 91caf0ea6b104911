"""Security -> list entries, with the evidence for each step. Pure: the reference comes in loaded.

:func:`identify` reads what a holding's cells say the security is; :func:`resolve` ties it to
list entries through the declared tiers of :data:`TIERS` — identifiers first (an ISIN or an
exchange line that the list publishes, or that a curated row ties to an entry: the listed
company's lines OFAC does not publish, such as SenseTime's 00020 and 80020), then a derivative's
underlying, then names, then curated relations. Each tier says what it checked; the first whose
answer is final decides.
"""

from portfolio_check.resolve.derivatives import (
    INDEX_WORDS,
    DerivativeName,
    parse_hkex_derivative_name,
)
from portfolio_check.resolve.identifiers import isin_from_cusip
from portfolio_check.resolve.identity import (
    EXCHANGE_SEPARATOR,
    ITEM_SEPARATOR,
    identify,
    option_in_words,
)
from portfolio_check.resolve.index import HKEX_DERIVATIVES, SecurityIndex, equity_short_name
from portfolio_check.resolve.matches import NAME_MATCH_KINDS, EntryMatch, MatchBasis, Resolution
from portfolio_check.resolve.tiers import TIERS, Found, Look, Tier, resolve

__all__ = [
    "EXCHANGE_SEPARATOR",
    "HKEX_DERIVATIVES",
    "INDEX_WORDS",
    "ITEM_SEPARATOR",
    "NAME_MATCH_KINDS",
    "TIERS",
    "DerivativeName",
    "EntryMatch",
    "Found",
    "Look",
    "MatchBasis",
    "Resolution",
    "SecurityIndex",
    "Tier",
    "equity_short_name",
    "identify",
    "isin_from_cusip",
    "option_in_words",
    "parse_hkex_derivative_name",
    "resolve",
]

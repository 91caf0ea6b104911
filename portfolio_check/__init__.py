"""portfolio_check: which holdings are hit by investment prohibitions, and why.

The public API is small::

    import portfolio_check
    result = portfolio_check.check("holdings.xlsx", as_of="2022-03-01", investor="us-person")
    result.holdings            # a pandas DataFrame: every position, its status and reason
    result.write_report("report.xlsx")
    result.to_json("result.json")
    answer = portfolio_check.check_security("0020.HK", as_of="2022-03-01", side="buy")

Not legal advice: confirm every finding against the official list.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from portfolio_check.errors import (
    InputFileError,
    PortfolioCheckError,
    ReferenceDataError,
    SourceFormatError,
    UsageError,
)

if TYPE_CHECKING:
    from portfolio_check.model import Investor, Side, Status
    from portfolio_check.pipeline import check
    from portfolio_check.pretrade import SecurityCheck, check_security
    from portfolio_check.refdata import load_reference
    from portfolio_check.reference import Reference
    from portfolio_check.result import CheckResult

# The public names load on first use, so importing one core module (``portfolio_check.resolve``)
# does not load the readers, writers and their libraries through this package's ``__init__``.
_LAZY = {
    "CheckResult": "portfolio_check.result",
    "SecurityCheck": "portfolio_check.pretrade",
    "check": "portfolio_check.pipeline",
    "check_security": "portfolio_check.pretrade",
    "Investor": "portfolio_check.model",
    "Side": "portfolio_check.model",
    "Status": "portfolio_check.model",
    "load_reference": "portfolio_check.refdata",
    "Reference": "portfolio_check.reference",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'portfolio_check' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "InputFileError",
    "Investor",
    "PortfolioCheckError",
    "Reference",
    "ReferenceDataError",
    "SecurityCheck",
    "Side",
    "SourceFormatError",
    "Status",
    "UsageError",
    "__version__",
    "check",
    "check_security",
    "load_reference",
]

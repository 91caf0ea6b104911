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

from portfolio_check.check import CheckResult, SecurityCheck, check, check_security
from portfolio_check.errors import (
    InputFileError,
    PortfolioCheckError,
    ReferenceDataError,
    SourceFormatError,
    UsageError,
)
from portfolio_check.model import Investor, Side, Status
from portfolio_check.refdata import load_reference
from portfolio_check.reference import Reference

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

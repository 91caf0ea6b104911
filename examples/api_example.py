"""Use portfolio_check from Python: ``python examples/api_example.py``."""

from __future__ import annotations

from pathlib import Path

import portfolio_check

WORKBOOK = Path(__file__).resolve().parent / "sensetime_fund_holdings.xlsx"


def main() -> None:
    for as_of in ("2021-12-01", "2021-12-20", "2022-03-01", "2023-01-15"):
        result = portfolio_check.check(WORKBOOK, as_of=as_of, investor="us-person")
        flagged = result.holdings[result.holdings["status"] != "CLEAR"]
        print(f"{as_of}: {result.count_by_status()}")
        for row in flagged.itertuples(index=False):
            print(f"  row {row.row}: {row.status} — {str(row.reason)[:100]}")

    answer = portfolio_check.check_security(
        "SenseTime Group Inc.", as_of="2021-12-15", investor="us-person", side="buy"
    )
    print(f"IPO subscription on 2021-12-15: {answer.status.value}, allowed={answer.allowed}")
    print(f"  {answer.verdict.reason}")


if __name__ == "__main__":
    main()

"""Reviewer decisions: kept in a CSV the user controls, honoured on later runs, shown as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_check import Status, check_security
from portfolio_check.cli import main
from portfolio_check.decisions import (
    IS_A_MATCH,
    NOT_A_MATCH,
    Decision,
    DecisionBook,
    load_decisions,
)
from portfolio_check.errors import UsageError

AS_OF = "2022-03-01"
HEADER = "decided_at,decided_by,isin,ticker,name,list_id,entry_id,decision,reason\n"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "decisions.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_not_a_match_clears_a_fuzzy_name_and_says_who_and_why(tmp_path: Path) -> None:
    assert check_security("Sensetme Group", as_of=AS_OF).status is Status.REVIEW
    path = _write(
        tmp_path, "2024-03-01,j.doe,,,Sensetme Group,ns-cmic,33114,not-a-match,another company"
    )
    answer = check_security("Sensetme Group", as_of=AS_OF, decisions=path)
    assert answer.status is Status.CLEAR
    assert "not-a-match" in answer.verdict.reason
    assert "j.doe" in answer.verdict.reason and "another company" in answer.verdict.reason


def test_is_a_match_makes_a_weak_alias_definite_with_the_decision_as_evidence(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "2024-03-02,a.smith,,,CRCC,ns-cmic,30959,is-a-match,HKEX 01186 filing")
    answer = check_security("CRCC", as_of=AS_OF, decisions=path)
    assert answer.status is Status.PROHIBITED
    finding = answer.verdict.findings[0]
    assert finding.matched_on == "reviewer decision"
    assert "a.smith" in finding.explanation and "HKEX 01186 filing" in finding.explanation


def test_is_a_match_adds_an_entry_the_engine_did_not_find(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "2024-03-02,a.smith,,,Shangtang Keji Jituan,ns-cmic,33114,is-a-match,pinyin of 商汤科技",
    )
    answer = check_security("Shangtang Keji Jituan", as_of=AS_OF, decisions=path)
    assert answer.status is Status.PROHIBITED
    assert answer.verdict.findings[0].entry_id == "33114"


def test_a_decision_never_undoes_an_identifier(tmp_path: Path) -> None:
    path = _write(tmp_path, "2024-03-03,x.y,,941 HK,,ns-cmic,30923,not-a-match,wrong")
    answer = check_security("941 HK", as_of=AS_OF, decisions=path)
    assert answer.status is Status.PROHIBITED


def test_the_latest_decision_wins() -> None:
    older = Decision("2024-01-01", "a", "ns-cmic", "33114", NOT_A_MATCH, "no", name="Sensetme")
    newer = Decision("2024-02-01", "b", "ns-cmic", "33114", IS_A_MATCH, "yes", name="SENSETME")
    book = DecisionBook([newer, older])
    answer = check_security("Sensetme Group", as_of=AS_OF, decisions=book)
    assert answer.status is Status.REVIEW  # the decisions are about "Sensetme", not this name
    book = DecisionBook([newer, older])
    found = book.for_holding(
        __import__("portfolio_check.model", fromlist=["SecurityIdentity"]).SecurityIdentity(
            name="sensetme"
        )
    )
    assert found[("ns-cmic", "33114")].decided_by == "b"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("2024-03-01,,,,X,ns-cmic,33114,not-a-match,why", "'decided_by' column is empty"),
        ("2024-03-01,a,,,X,ns-cmic,33114,maybe,why", "is not one of"),
        ("01/03/2024,a,,,X,ns-cmic,33114,not-a-match,why", "not an ISO date"),
        ("2024-03-01,a,KYG8062L1042,,,ns-cmic,33114,not-a-match,why", "not a valid ISIN"),
        ("2024-03-01,a,,,,ns-cmic,33114,not-a-match,why", "isin, ticker or name"),
    ],
)
def test_malformed_rows_are_named_with_file_and_line(
    tmp_path: Path, row: str, problem: str
) -> None:
    path = _write(tmp_path, row)
    with pytest.raises(UsageError, match="line 2") as caught:
        load_decisions(path)
    assert problem in str(caught.value)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_decisions(tmp_path / "nope.csv")


def test_cli_flag_on_check_security(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "2024-03-01,j.doe,,,Sensetme Group,ns-cmic,33114,not-a-match,another company"
    )
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["check-security", "Sensetme Group", "--as-of", AS_OF, "--decisions", str(path)],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("CLEAR")
    assert "j.doe" in result.output


def test_cli_flag_on_check(tmp_path: Path) -> None:
    holdings = tmp_path / "holdings.csv"
    holdings.write_text("Name,Quantity\nSensetme Group,100\n", encoding="utf-8")
    path = _write(
        tmp_path, "2024-03-01,j.doe,,,Sensetme Group,ns-cmic,33114,not-a-match,another company"
    )
    runner = CliRunner()
    plain = runner.invoke(main, ["check", str(holdings), "--as-of", AS_OF, "--fail-on", "review"])
    assert plain.exit_code == 1, plain.output
    decided = runner.invoke(
        main,
        ["check", str(holdings), "--as-of", AS_OF, "--fail-on", "review", "--decisions", str(path)],
    )
    assert decided.exit_code == 0, decided.output

"""The JSON contract other tools read: these keys must stay."""

from __future__ import annotations

import json
from pathlib import Path

from portfolio_check import check
from tests.paths import SENSETIME_WORKBOOK

TOP = {"as_of", "investor", "reference", "summary", "holdings", "other_rows", "input_issues"}
HOLDING = {"file", "sheet", "row", "status", "input", "security", "issuer", "findings", "actions"}
FINDING = {
    "list",
    "entry_id",
    "entry_name",
    "matched_on",
    "score",
    "listing_date",
    "effective_date",
    "divestment_date",
    "explanation",
}


def test_contract_keys(tmp_path: Path) -> None:
    result = check(SENSETIME_WORKBOOK, as_of="2022-03-01")
    data = json.loads(result.to_json(tmp_path / "out.json"))
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == data
    assert data.keys() >= TOP
    assert {"version", "lists"} <= data["reference"].keys()
    assert all({"id", "source", "entries"} <= item.keys() for item in data["reference"]["lists"])
    assert {"positions", "by_status"} <= data["summary"].keys()
    assert data["summary"]["positions"] == len(data["holdings"])
    for holding in data["holdings"]:
        assert holding.keys() >= HOLDING
        assert {"name", "isin", "ticker", "exchange"} <= holding["security"].keys()
        assert {"id", "name"} <= holding["issuer"].keys()
        assert {"buy", "sell"} <= holding["actions"].keys()
        assert isinstance(holding["row"], int) and holding["row"] >= 1
        for finding in holding["findings"]:
            assert finding.keys() >= FINDING
    for other in data["other_rows"]:
        assert {"file", "sheet", "row", "class", "why"} <= other.keys()
        assert other["why"]
    for issue in data["input_issues"]:
        assert {"file", "sheet", "row", "column", "problem", "value"} <= issue.keys()
    assert sum(data["summary"]["by_status"].values()) == len(data["holdings"])

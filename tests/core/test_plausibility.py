"""Name-only SDN REVIEWs: the holding's country beside the entry's; "unlikely", never dropped."""

from __future__ import annotations

import pandas as pd

from portfolio_check import check
from tests.paths import shared_path


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Name": ["ITC LTD", "SEVERSTAL", "INDUSTRIAL BANK LTD A"],
            "Ticker": ["ITC", "CHMF", "601166"],
            "Exchange": ["XNSE", "MISX", "XSHG"],
            "Location": ["India", "Russian Federation", "China"],
            "Quantity": [10, 20, 30],
        }
    )


def test_another_country_and_identifiers_not_shared_is_unlikely_and_stays_review() -> None:
    result = check(_frame(), as_of="2022-03-10")
    assert result.holdings["status"].tolist() == ["REVIEW"] * 3
    data = {h["name"]: h for h in result.to_dict()["holdings"]}
    itc = data["ITC LTD"]
    assert itc["likelihood"] == "unlikely"
    assert "holding's country IN (exchange XNSE)" in itc["context"]
    assert "entry's countries RU" in itc["context"] and "Tax ID No." in itc["context"]
    assert data["INDUSTRIAL BANK LTD A"]["likelihood"] == "unlikely"  # CN against SY
    # a Russian listed company against a Russian entry: as likely as any REVIEW
    severstal = data["SEVERSTAL"]
    assert severstal["likelihood"] is None and "holding's country RU" in severstal["context"]


def test_unlikely_matches_sort_after_the_others_everywhere() -> None:
    result = check(_frame(), as_of="2022-03-10")
    findings = result.findings
    assert set(findings["likelihood"].dropna()) == {"unlikely"}
    from portfolio_check import terminal

    lines = terminal.render(result)
    groups = [line for line in lines if line.startswith("  sdn ")]
    assert "SEVERSTAL" in groups[0] and all("[unlikely" in g for g in groups[1:])


def test_measured_on_the_shared_ishares_exports() -> None:
    counts = {}
    for name in ("ishares_ACWI_raw_2022-03-10.csv", "ishares_EEM_2022-07.csv"):
        result = check(shared_path("holdings", name), as_of="2022-03-10")
        sdn = result.findings[result.findings["list"] == "sdn"]
        counts[name] = (len(sdn), int((sdn["likelihood"] == "unlikely").sum()))
        # every SDN name match is still there, and still REVIEW
        assert set(sdn["holding_status"]) == {"REVIEW"}
    assert counts == {
        "ishares_ACWI_raw_2022-03-10.csv": (8, 4),
        "ishares_EEM_2022-07.csv": (7, 4),
    }

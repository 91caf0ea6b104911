"""Lists dated against today, and sources a person can follow (never a local path)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from portfolio_check.cli import main
from portfolio_check.freshness import staleness
from portfolio_check.refdata import load_reference
from portfolio_check.web import create_app
from tests.paths import REPO, SENSETIME_WORKBOOK, shared_path
from tests.web.test_web_support import settings_for

FORBIDDEN = ("../shared", str(REPO), str(Path.home()) + "/", "/tmp/")


def assert_no_local_path(text: str, *extra: str) -> None:
    for needle in (*FORBIDDEN, *extra):
        assert needle not in text, needle


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(root, max_upload_bytes=2_000_000))) as test_client:
        yield test_client


def test_the_warning_names_each_list_and_its_date() -> None:
    reference = load_reference()
    warning = staleness(reference, dt.date(2026, 12, 1))
    assert warning is not None
    assert "ns-cmic published 2025-01-10, stated in the file" in warning["message"]
    assert "sdn published 2024-05-03, commit date of the public mirror" in warning["message"]
    assert warning["message"].startswith("lists older than 7 days on 2026-12-01")
    # Against today, not the as-of date; and a list within the limit is not named.
    assert staleness(reference, dt.date(2025, 1, 12), max_age_days=7) is not None
    assert staleness(reference.select(["ns-cmic"]), dt.date(2025, 1, 12)) is None
    assert staleness(reference, dt.date(2026, 12, 1), max_age_days=10_000) is None


def test_the_cli_report_and_json_warn(tmp_path: Path) -> None:
    report, out = tmp_path / "report.xlsx", tmp_path / "result.json"
    args = ["check", str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01"]
    result = CliRunner().invoke(main, [*args, "--report", str(report), "--json", str(out)])
    assert result.exit_code == 1
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    (line,) = warnings
    assert "lists older than 7 days" in line and "ns-cmic published 2025-01-10" in line
    data = json.loads(out.read_text(encoding="utf-8"))
    block = data["reference"]
    assert block["staleness"]["message"] in line
    assert {item["id"]: item["published_date"] for item in block["lists"]} == {
        "ns-cmic": "2025-01-10",
        "sdn": "2024-05-03",
    }
    book = openpyxl.load_workbook(report, read_only=True)
    for sheet in ("Summary", "About"):
        rows = {row[0]: row[1] for row in book[sheet].iter_rows(values_only=True) if row}
        assert "lists older than 7 days" in str(rows["WARNING: lists out of date"]), sheet
        assert "ns-cmic 2025-01-10 (stated in the file)" in str(rows["Lists published"]), sheet
    quiet = CliRunner().invoke(main, [*args, "--max-list-age-days", "100000"])
    assert "warning" not in quiet.stderr


def test_no_report_json_or_page_holds_a_local_path(tmp_path: Path, client: TestClient) -> None:
    report, out = tmp_path / "report.xlsx", tmp_path / "result.json"
    args = ["check", str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01"]
    CliRunner().invoke(main, [*args, "--report", str(report), "--json", str(out)])
    text = out.read_text(encoding="utf-8")
    # The JSON names the input file as given (that is the user's own path, not ours).
    assert_no_local_path(text.replace(str(SENSETIME_WORKBOOK), "INPUT"))
    with zipfile.ZipFile(report) as book:
        for name in book.namelist():
            part = book.read(name).decode("utf-8", "replace").replace(str(SENSETIME_WORKBOOK), "")
            assert_no_local_path(part)
    data = json.loads(text)
    sources = [f["source"] for h in data["holdings"] for f in h["findings"]]
    assert sources and all("OFAC" in s for s in sources)
    assert {f["source_url"] for h in data["holdings"] for f in h["findings"]} == {
        "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=33114"
    }
    page = client.post(
        "/check",
        files=[
            (
                "files",
                ("holdings.xlsx", SENSETIME_WORKBOOK.read_bytes(), "application/vnd.ms-excel"),
            )
        ],
        data={"as_of": "2022-03-01", "investor": "us-person"},
    )
    assert page.status_code == 200, page.text
    assert_no_local_path(page.text)
    assert 'id="stale-lists"' in page.text and "ns-cmic published 2025-01-10" in page.text
    assert "Lists published: ns-cmic 2025-01-10 (stated in the file)" in page.text
    api = client.post(
        "/api/check",
        files=[
            (
                "files",
                ("holdings.xlsx", SENSETIME_WORKBOOK.read_bytes(), "application/vnd.ms-excel"),
            )
        ],
        data={"as_of": "2022-03-01", "investor": "us-person"},
    )
    assert api.json()["reference"]["staleness"]["lists"]
    assert_no_local_path(api.text)


def test_reference_build_needs_no_development_tree(tmp_path: Path) -> None:
    help_text = CliRunner().invoke(main, ["reference", "build", "--help"]).output
    assert "../shared" not in help_text
    # No file given: the current (here the shipped) snapshot's lists, masters and curated
    # tables, the derived tables made anew, every file hashed.
    out = tmp_path / "rebuilt"
    result = CliRunner().invoke(main, ["reference", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rebuilt = load_reference(out)
    assert rebuilt.manifest["verification"]["status"] == "verified"
    shipped = load_reference()
    assert [len(item.entries) for item in rebuilt.lists.values()] == [
        len(item.entries) for item in shipped.lists.values()
    ]
    assert (out / "derived" / "names.csv").read_bytes() == (
        REPO / "reference" / "derived" / "names.csv"
    ).read_bytes()
    # One list from a file given; the others kept.
    newer = tmp_path / "newer"
    xml = shared_path("data", "ofac", "consolidated_xml_2025-06", "consolidated.xml")
    result = CliRunner().invoke(
        main, ["reference", "build", "--ofac-consolidated", str(xml), "--out", str(newer)]
    )
    assert result.exit_code == 0, result.output
    manifest = load_reference(newer).manifest
    published = {item["id"]: item["published"] for item in manifest["lists"]}
    assert published["ns-cmic"] == "2025-06-30"
    assert published["sdn"].startswith("unknown (OFAC's legacy CSV files carry no date)")


def test_the_pre_trade_box_shows_the_dates_and_the_source(client: TestClient) -> None:
    page = client.get("/pretrade", params={"id": "0020.HK", "as_of": "2022-03-01"})
    assert page.status_code == 200, page.text
    assert 'id="pretrade-stale"' in page.text
    assert "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=33114" in page.text
    assert_no_local_path(page.text)

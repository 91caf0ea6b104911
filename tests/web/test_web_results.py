"""Results of any size on the web page: flagged first, the rest paged on the server, downloads
built on demand from the kept result."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from portfolio_check.web import create_app, views
from tests.paths import SENSETIME_WORKBOOK
from tests.web.test_web_support import holdings_csv, settings_for

FORM = {"as_of": "2022-03-01", "investor": "us-person"}


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(root, max_upload_bytes=1_000_000))) as test_client:
        yield test_client


def _upload(client: TestClient) -> str:
    rows = [("SenseTime Group Inc.", "0020.HK", "1000")] + [
        (f"Apple Inc lot {i}", "AAPL US", str(i + 1)) for i in range(44)
    ]
    response = client.post(
        "/check", files=[("files", ("desk.csv", holdings_csv(rows), "text/csv"))], data=FORM
    )
    assert response.status_code == 200, response.text
    return response.text


def test_the_rest_is_paged_on_the_server_and_filtered(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "MAX_ROWS_ON_PAGE", 5)
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    html = _upload(client)
    assert "40 more (all CLEAR or later in the order) are in the table of all holdings" in html
    assert "45 holdings match · page 1 of 5" in html
    token = re.search(r'href="/download/([^/"]+)/report\.xlsx"', html)
    assert token
    page = client.get(f"/results/{token.group(1)}", params={"page": 3})
    assert page.status_code == 200 and "page 3 of 5" in page.text
    assert len(re.findall(r'<tr class="paged-row"', page.text)) == 10
    assert 'rel="prev"' in page.text and 'rel="next"' in page.text
    only = client.get(f"/results/{token.group(1)}", params={"status": "PROHIBITED"})
    assert "1 holdings match · page 1 of 1" in only.text
    assert len(re.findall(r'<tr class="paged-row" data-status="PROHIBITED"', only.text)) == 1
    found = client.get(f"/results/{token.group(1)}", params={"q": "lot 4"})
    assert "5 holdings match" in found.text  # lot 4 and lots 40-43
    assert client.get("/results/not-a-token").status_code == 404


def test_downloads_are_built_from_the_kept_result(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "MAX_ROWS_ON_PAGE", 5)
    html = _upload(client)
    link = re.search(r'href="(/download/[^"]+/report\.xlsx)"', html)
    json_link = re.search(r'href="(/download/[^"]+/result\.json)"', html)
    assert link and json_link
    report = client.get(link.group(1))
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)
    rows = list(book["Holdings"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 45  # every position, not only those the page lists
    body = client.get(json_link.group(1)).json()
    assert len(body["holdings"]) == 45 and body["summary"]["by_status"]["PROHIBITED"] == 1


def test_optional_files_are_the_clis_options(client: TestClient) -> None:
    from tests.paths import SENSETIME_WORKBOOK
    from tests.web.test_web_support import XLSX_TYPE, sensetime_bytes

    firm = SENSETIME_WORKBOOK.parent / "firm_restricted_list_template.csv"
    response = client.post(
        "/api/check",
        files=[
            ("files", (SENSETIME_WORKBOOK.name, sensetime_bytes(), XLSX_TYPE)),
            ("firm_list", ("our list.csv", firm.read_bytes(), "text/csv")),
        ],
        data={**FORM, "as_of": "2025-07-01"},  # the list's Tencent row starts 2025-01-07
    )
    assert response.status_code == 200, response.text
    body = response.json()
    tencent = next(h for h in body["holdings"] if h["name"] == "TENCENT HOLDINGS LTD")
    assert tencent["status"] == "WATCH"
    assert body["run"]["options"]["firm_lists"] == ["our list.csv"]
    # the same check from the API as from the command line's --firm-list
    import portfolio_check

    expected = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2025-07-01", firm_lists=[firm])
    assert [h["status"] for h in body["holdings"]] == expected.holdings["status"].tolist()
    html = client.get("/").text
    for field in ("firm_list", "decisions", "fund_holdings"):
        assert f'name="{field}"' in html


def test_a_workers_answer_travels_without_the_snapshot_and_comes_back_whole() -> None:
    import pickle

    import portfolio_check
    from portfolio_check.web import app as web_app

    result = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2022-03-01")
    sent = web_app._detached(web_app._Work(result, result.to_json(), None, None))
    assert isinstance(sent, web_app._Detached)
    # the snapshot pickles to about 9 MB; the answer without it to tens of kB
    assert len(pickle.dumps(sent)) < 1_000_000 < len(pickle.dumps(result))
    back = web_app._attached(pickle.loads(pickle.dumps(sent)))
    assert back.result.reference is result.reference
    assert back.result.to_json() == result.to_json()
    assert set(vars(back.result)) == set(vars(result))
    # a snapshot that changed meanwhile is refused, never answered on another snapshot
    stale = web_app._Detached(sent.fields, sent.folder, sent.lists, "another", sent.json_text)
    with pytest.raises(web_app.Problem, match="changed while this upload was checked"):
        web_app._attached(stale)


def test_an_answer_on_a_firms_list_travels_whole() -> None:
    import portfolio_check
    from portfolio_check.web import app as web_app

    firm = SENSETIME_WORKBOOK.parent / "firm_restricted_list_template.csv"
    result = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2025-07-01", firm_lists=[firm])
    assert any(list_id.startswith("firm") for list_id in result.reference.lists)
    work = web_app._Work(result, result.to_json(), None, None)
    assert web_app._detached(work) is work

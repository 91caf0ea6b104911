"""The pages in-process: upload form, results, downloads, pre-trade box, About, escaping."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

import portfolio_check
from portfolio_check.reference import DEFAULT_LISTS
from portfolio_check.report.excel import STATUS_COLOURS
from portfolio_check.web import create_app, views
from portfolio_check.web.app import STATIC_DIR
from tests.paths import SENSETIME_WORKBOOK
from tests.web.test_web_support import (
    XLSX_TYPE,
    holdings_csv,
    sensetime_bytes,
    settings_for,
)

NAME = SENSETIME_WORKBOOK.name
FORM = {"as_of": "2022-03-01", "investor": "us-person", "lists": "ns-cmic", "lists_given": "1"}


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(root, max_upload_bytes=1_000_000))) as test_client:
        yield test_client


def _rows(html: str) -> list[tuple[str, str]]:
    """(status, text) of each holdings row, in page order."""
    pattern = r'<tbody class="group [^"]*" data-status="([A-Z]+)">(.*?)</tbody>'
    return re.findall(pattern, html, flags=re.S)


def _post_sensetime(client: TestClient, **fields: str) -> str:
    response = client.post(
        "/check",
        files=[("files", (NAME, sensetime_bytes(), XLSX_TYPE))],
        data={**FORM, **fields},
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.text


def test_upload_page_has_the_form(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert 'enctype="multipart/form-data"' in html
    assert '<input id="files" name="files" type="file" multiple required' in html
    assert 'accept=".csv,.ods,.xls,.xlsm,.xlsx"' in html
    assert f'value="{dt.date.today().isoformat()}"' in html
    # The lists ticked by default are the command line's default lists.
    for list_id in portfolio_check.load_reference().lists:
        ticked = f'name="lists" value="{list_id}" checked' in html
        assert ticked == (list_id in DEFAULT_LISTS), list_id
        assert f'name="lists" value="{list_id}"' in html
    assert 'data-max-bytes="1000000"' in html
    assert 'id="pretrade"' in html


def test_results_page_lists_flagged_holdings_first(client: TestClient) -> None:
    html = _post_sensetime(client)
    rows = _rows(html)
    assert [status for status, _ in rows] == ["PROHIBITED"] * 5 + ["CLEAR"] * 8
    for _, text in rows[:5]:
        assert "2022-12-10" in text and "prohibited" in text
        assert "only to divest, until 2022-12-10" in text
        assert "NS-CMIC entry 33114" in text
    assert "商湯集團股份有限公司－Ｗ" in html
    assert "5 of 13 holdings need attention" in html
    # Summary with market values in their currency: PROHIBITED 1,058,500.00 USD.
    assert re.search(
        r"s-PROHIBITED\">PROHIBITED</span></td><td class=\"num\">5</td>"
        r"<td class=\"num\">1,058,500.00 USD</td>",
        html,
    )
    assert "7,643,900.00" in html
    assert 'data-filter="PROHIBITED"' in html and 'data-filter="CLEAR"' in html
    assert NAME in html


def test_results_downloads_are_the_report_and_the_json(client: TestClient) -> None:
    html = _post_sensetime(client)
    report_link = re.search(r'href="(/download/[^"]+/report\.xlsx)"', html)
    json_link = re.search(r'href="(/download/[^"]+/result\.json)"', html)
    assert report_link and json_link
    report = client.get(report_link.group(1))
    assert report.status_code == 200
    assert report.headers["content-type"] == XLSX_TYPE
    assert 'filename="portfolio-check-2022-03-01.xlsx"' in report.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)
    assert "Holdings" in book.sheetnames
    statuses = [row[0] for row in book["Summary"].iter_rows(values_only=True) if row]
    assert "PROHIBITED" in statuses
    book.close()
    data = client.get(json_link.group(1)).json()
    expected = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2022-03-01").to_dict()
    assert data["summary"] == expected["summary"]
    assert [h["status"] for h in data["holdings"]] == [h["status"] for h in expected["holdings"]]


def test_an_unknown_download_token_has_a_clear_page(client: TestClient) -> None:
    response = client.get("/download/not-a-token/report.xlsx")
    assert response.status_code == 404
    assert "This download has expired" in response.text
    assert "never written to disk" in response.text


def test_upload_problems_show_on_the_upload_page(client: TestClient) -> None:
    response = client.post(
        "/check", files=[("files", ("notes.pdf", b"%PDF", "application/pdf"))], data=FORM
    )
    assert response.status_code == 415
    assert "notes.pdf: files of type &#39;.pdf&#39; are not accepted" in response.text
    assert 'id="check-form"' in response.text
    big = b"Name,Ticker,Market Value\n" + b"APPLE INC,AAPL US,1\n" * 60_000
    response = client.post("/check", files=[("files", ("big.csv", big, "text/csv"))], data=FORM)
    assert response.status_code == 413
    assert "the limit is 1.0 MB" in response.text


def test_a_failed_check_keeps_the_chosen_date_and_investor(client: TestClient) -> None:
    response = client.post(
        "/check",
        files=[("files", ("notes.csv", b"Hello\nno table here\n", "text/csv"))],
        data={**FORM, "as_of": "2021-12-20", "investor": "non-us-person"},
    )
    assert response.status_code == 422
    html = response.text
    # The reader's one-line message names the uploaded file (and its sheet) and the problem.
    assert "notes.csv" in html and "no recognisable holdings table" in html
    assert 'id="as_of" name="as_of" type="date" value="2021-12-20"' in html
    assert '<option value="non-us-person" selected>' in html


def test_every_value_from_the_upload_is_escaped(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    csv = holdings_csv([(evil, "0020.HK", "1"), ('=HYPERLINK("http://x","y")', "ZZZ", "2")])
    response = client.post(
        "/check",
        files=[("files", ("<img src=x onerror=alert(1)>.csv", csv, "text/csv"))],
        data=FORM,
    )
    assert response.status_code == 200, response.text
    html = response.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in html
    # The Excel download keeps a formula-like cell as text.
    link = re.search(r'href="(/download/[^"]+/report\.xlsx)"', html)
    assert link
    book = openpyxl.load_workbook(io.BytesIO(client.get(link.group(1)).content))
    cells = [c for row in book["Holdings"].iter_rows() for c in row if c.value]
    formula_like = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    book.close()


def test_input_issues_are_shown_plainly(client: TestClient) -> None:
    csv = holdings_csv([("Apple Inc", "AAPL US", "1O0.5"), ("Tencent", "700 HK", "100")])
    response = client.post("/check", files=[("files", ("desk.csv", csv, "text/csv"))], data=FORM)
    assert response.status_code == 200, response.text
    html = response.text
    issues = html[html.index('id="issues-title"') : html.index('id="other-title"')]
    assert "1 cell could not be read as expected" in issues
    assert "market_value is not a number; read as missing" in issues
    assert "<td>desk.csv</td><td>desk</td><td>2</td><td>Market Value</td>" in issues
    assert "<code>1O0.5</code>" in issues


def test_a_long_result_lists_flagged_holdings_and_points_to_the_report(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "MAX_ROWS_ON_PAGE", 6)
    html = _post_sensetime(client)
    assert [status for status, _ in _rows(html)] == ["PROHIBITED"] * 5 + ["CLEAR"]
    assert "The page lists the first 6 holdings, flagged first; 7 more" in html


def test_pretrade_box_answers_on_the_page(client: TestClient) -> None:
    response = client.get(
        "/pretrade",
        params={"id": "0020.HK", "side": "buy", "as_of": "2022-03-01", "investor": "us-person"},
    )
    assert response.status_code == 200
    html = response.text
    answer = html[html.index('id="pretrade-answer"') :]
    assert "PROHIBITED" in answer
    assert "NOT allowed" in answer
    assert "2022-12-10" in answer
    assert 'value="0020.HK"' in html  # the question stays in the box
    ipo = client.get(
        "/pretrade", params={"id": "SenseTime Group Inc.", "side": "buy", "as_of": "2021-12-15"}
    ).text
    assert "PENDING" in ipo[ipo.index('id="pretrade-answer"') :]


def test_pretrade_box_shows_bad_input_plainly(client: TestClient) -> None:
    response = client.get("/pretrade", params={"id": "0020.HK", "as_of": "1 March"})
    assert response.status_code == 400
    assert "is not a date in the form YYYY-MM-DD" in response.text


def test_about_page_shows_the_manifest(client: TestClient) -> None:
    manifest = portfolio_check.load_reference().manifest
    html = client.get("/about").text
    assert manifest["version"] in html
    for listed in manifest["lists"]:
        assert listed["sha256"] in html
        assert listed["title"] in html


def test_security_headers(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # the API docs are served from shipped assets, under the same policy
    docs = client.get("/docs")
    assert docs.headers["content-security-policy"] == response.headers["content-security-policy"]
    assert "cdn" not in docs.text.lower() and "<script>" not in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_docs_are_swagger_ui_5_from_this_server_and_redoc_is_not_served(
    client: TestClient,
) -> None:
    """/docs loads its scripts and styles from this server only, and a Swagger UI that renders
    OpenAPI 3.1 (FastAPI's; Swagger UI 4 shows "Unable to render this definition"); /redoc,
    whose ReDoc bundle needs inline styles the CSP refuses, is not served."""
    docs = client.get("/docs").text
    sources = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', docs)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in docs and "style=" not in docs
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/docs-assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "OpenAPI31" in bundle.text
    assert client.get("/redoc").status_code == 404


def test_css_status_colours_are_the_reports() -> None:
    css = (STATIC_DIR / "app.css").read_text(encoding="utf-8")
    found = dict(re.findall(r"--s-([A-Z]+): (#[0-9A-Fa-f]{6});", css))
    assert found == STATUS_COLOURS


def test_installed_package_carries_templates_and_assets(tmp_path: Path) -> None:
    # From outside the checkout the interpreter imports the installed package (non-editable in
    # CI), which must carry its templates and static files as package data.
    code = (
        "from portfolio_check.web.app import STATIC_DIR, templates; "
        "print(STATIC_DIR); print(sorted(p.name for p in STATIC_DIR.iterdir())); "
        "print(all(templates.get_template(n) for n in "
        "('index.html', 'results.html', 'about.html', 'login.html', 'message.html')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1:] == ["['app.css', 'app.js', 'docs.js']", "True"]


def test_static_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/app.js").status_code == 200
    assert "text/css" in client.get("/static/app.css").headers["content-type"]


def test_download_cache_json_is_valid(client: TestClient) -> None:
    html = _post_sensetime(client, as_of="2021-12-20")
    link = re.search(r'href="(/download/[^"]+/result\.json)"', html)
    assert link
    data = json.loads(client.get(link.group(1)).content)
    assert data["as_of"] == "2021-12-20"
    assert data["summary"]["by_status"]["PENDING"] == 5

"""End to end in a real browser: Debian's headless Chromium driven by Playwright's Python client.

The server runs on a free loopback port; the browser uploads the SenseTime example, reads the
flagged rows on the page, downloads the Excel report and opens it with openpyxl. Screenshots go
to tests/artifacts/ (ignored by git). Playwright never downloads a browser of its own here: the
test uses the system's chromium and is skipped, saying so, only when there is none.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from portfolio_check.web import create_app
from tests.paths import REPO, SENSETIME_WORKBOOK
from tests.web.test_web_support import (
    holdings_csv,
    live_server,
    settings_for,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "tests" / "artifacts"
# Milliseconds Playwright waits for a page or an element.
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium executable on PATH: install Debian's package (apt-get install chromium; "
    ".ci/run does); Playwright's own browser download is not used",
)


@pytest.fixture
def site(root: Path) -> Iterator[str]:
    with live_server(create_app(settings_for(root))) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Browser) -> Page:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def test_upload_sensetime_read_flags_download_report(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    page = _page(browser)
    page.goto(site + "/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_upload_page.png"), full_page=True)

    page.set_input_files("#files", str(SENSETIME_WORKBOOK))
    expect(page.locator("#file-list li")).to_have_count(1)
    expect(page.locator("#file-list li").first).to_contain_text(SENSETIME_WORKBOOK.name)
    page.fill("#as_of", "2022-03-01")
    with page.expect_navigation():
        page.click("#check-button")

    expect(page.locator("h1")).to_have_text("Results as of 2022-03-01")
    flagged = page.locator("#holdings tbody[data-status=PROHIBITED]")
    expect(flagged).to_have_count(5)
    first_rows = page.locator("#holdings tbody[data-status]").evaluate_all(
        "rows => rows.slice(0, 5).map(r => r.dataset.status)"
    )
    assert first_rows == ["PROHIBITED"] * 5  # flagged holdings come first
    for i in range(5):
        row = flagged.nth(i)
        expect(row.locator(".divestment-date")).to_have_text("2022-12-10")
        expect(row.locator(".action").first).to_have_text("prohibited")
        expect(row.locator(".action").nth(1)).to_have_text("only to divest, until 2022-12-10")
    names = flagged.locator(".holding .name").all_inner_texts()
    assert "商湯集團股份有限公司－Ｗ" in names

    # The evidence opens in place.
    flagged.first.locator("summary").click()
    expect(flagged.first.locator(".finding").first).to_contain_text("SENSETIME GROUP LIMITED")
    expect(flagged.first.locator(".finding").first).to_contain_text("33114")

    # Filter by status.
    page.click('[data-filter="PROHIBITED"]')
    expect(page.locator("#holdings tbody[data-status=CLEAR]").first).to_be_hidden()
    expect(flagged.first).to_be_visible()
    page.click('[data-filter="all"]')
    expect(page.locator("#holdings tbody[data-status=CLEAR]").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "web_results_sensetime.png"), full_page=True)

    with page.expect_download() as info:
        page.click("text=Download Excel report")
    download = info.value
    assert download.suggested_filename == "portfolio-check-2022-03-01.xlsx"
    report = tmp_path / "report.xlsx"
    download.save_as(report)
    book = openpyxl.load_workbook(report, read_only=True)
    rows = [
        [str(v) for v in row if v is not None]
        for row in book["Holdings"].iter_rows(values_only=True)
    ]
    book.close()
    prohibited = [row for row in rows if "PROHIBITED" in row]
    assert len(prohibited) == 5
    assert all(any("2022-12-10" in cell for cell in row) for row in prohibited)


def test_drop_a_file_and_ask_a_pretrade_question(browser: Browser, site: str) -> None:
    page = _page(browser)
    page.goto(site + "/")
    csv = holdings_csv([("SenseTime Group Inc.", "0020.HK", "1000"), ("Apple Inc", "AAPL US", "5")])
    # A drop as the browser delivers it: a DataTransfer holding a File.
    page.evaluate(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "text/csv"}));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        ["dropped orders.csv", base64.b64encode(csv).decode()],
    )
    expect(page.locator("#file-list li")).to_contain_text("dropped orders.csv")
    assert page.eval_on_selector("#files", "input => input.files.length") == 1
    page.fill("#as_of", "2021-12-20")
    with page.expect_navigation():
        page.click("#check-button")
    expect(page.locator("#holdings tbody[data-status=PENDING]")).to_have_count(1)
    expect(page.locator(".meta").first).to_contain_text("dropped orders.csv")

    page.goto(site + "/")
    page.fill("#pt-id", "0020.HK")
    page.select_option("#pt-side", "buy")
    page.fill("#pt-as-of", "2022-03-01")
    with page.expect_navigation():
        page.click("#pretrade button[type=submit]")
    answer = page.locator("#pretrade-answer")
    expect(answer).to_contain_text("PROHIBITED")
    expect(answer).to_contain_text("NOT allowed")
    page.screenshot(path=str(ARTIFACTS / "web_pretrade.png"), full_page=True)


def test_a_wrong_file_type_is_stopped_in_the_page(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    page = _page(browser)
    page.goto(site + "/")
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.7")
    page.set_input_files("#files", str(notes))
    expect(page.locator("#client-problem")).to_contain_text("notes.pdf: not a holdings spreadsheet")
    page.click("#check-button")
    expect(page.locator("h1")).to_have_text("Check holdings against investment prohibition lists")


def test_api_docs_render_offline_under_the_csp(browser: Browser, site: str) -> None:
    """/docs shows the API (OpenAPI 3.1) from the shipped Swagger UI, with no script, style or
    request refused by the content security policy."""
    page = _page(browser)
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(site + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OAS 3.1")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock-summary-path").all_inner_texts()[:1] == ["/api/check"]
    assert not refused, refused

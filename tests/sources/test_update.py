"""``reference update`` / ``history`` / ``check --reference`` / ``--compare-reference``.

A real HTTP server on 127.0.0.1 serves OFAC's shared official files under OFAC's names, with a
redirect to a "signed storage" address as OFAC's Sanctions List Service answers, and is made to
fail: a 500, no answer in time, a transfer cut short, a file with half its entries, a file that
changed between two runs. The snapshot store is a private folder per test module.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import openpyxl
import pytest
from click.testing import CliRunner, Result

from portfolio_check.cli import main
from portfolio_check.sources import store
from tests.paths import SENSETIME_WORKBOOK, shared_path

EXPORTS = "/api/PublicationPreview/exports/"


class OfacServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytes] = {}
        self.modes: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) is not the server's error

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{EXPORTS}"


class _Handler(BaseHTTPRequestHandler):
    server: OfacServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        name = path.rsplit("/", 1)[-1]
        self.server.requests.append((path, self.headers.get("User-Agent", "")))
        if name not in self.server.files:
            self.send_error(404)
            return
        mode = self.server.modes.get(name, "ok")
        if path.startswith(EXPORTS):
            if mode == "500":
                self.send_error(500)
                return
            # OFAC answers with a redirect to a short-lived signed storage address.
            self.send_response(302)
            self.send_header("Location", f"/storage/{name}?signature=made-up&expires=60")
            self.end_headers()
            return
        body = self.server.files[name]
        if mode == "slow":
            time.sleep(1.5)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if mode == "truncated" else body)


@pytest.fixture(scope="module")
def server() -> Iterator[OfacServer]:
    httpd = OfacServer()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def fresh(server: OfacServer) -> OfacServer:
    server.files.clear()
    server.modes.clear()
    server.requests.clear()
    return server


def legacy(year_month: str) -> bytes:
    return shared_path(
        "data", "ofac", f"consolidated_xml_{year_month}", "consolidated.xml"
    ).read_bytes()


def without(raw: bytes, uids: set[str]) -> bytes:
    """The file without the entries of these uids (Record_Count adjusted): a changed list."""
    text = raw.decode("utf-8")
    kept = [
        block
        for block in re.findall(r"<sdnEntry>.*?</sdnEntry>", text, flags=re.DOTALL)
        if re.search(r"<uid>(\d+)</uid>", block).group(1) not in uids  # type: ignore[union-attr]
    ]
    head = text[: text.index("<sdnEntry>")]
    head = re.sub(
        r"<Record_Count>\d+</Record_Count>", f"<Record_Count>{len(kept)}</Record_Count>", head
    )
    return (head + "\n".join(kept) + "\n</sdnList>\n").encode("utf-8")


def half(raw: bytes, *, fix_count: bool) -> bytes:
    """Every other entry gone; the file's own Record_Count left as it was unless fixed."""
    text = raw.decode("utf-8")
    blocks = re.findall(r"<sdnEntry>.*?</sdnEntry>", text, flags=re.DOTALL)
    head = text[: text.index("<sdnEntry>")]
    if fix_count:
        count = len(blocks[::2])
        head = re.sub(
            r"<Record_Count>\d+</Record_Count>", f"<Record_Count>{count}</Record_Count>", head
        )
    return (head + "\n".join(blocks[::2]) + "\n</sdnList>\n").encode("utf-8")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def update(url: str, *extra: str) -> Result:
    return run("reference", "update", "--base-url", url, "--retries", "2", "--timeout", "5", *extra)


def nothing_changed(before: str | None) -> None:
    assert store.current_version() == before
    staging = store.data_dir() / "staging"
    assert not staging.exists() or not any(staging.iterdir())


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("user-data")
    patch = pytest.MonkeyPatch()
    patch.setenv(store.DATA_ENV, str(folder))
    patch.setenv("PORTFOLIO_CHECK_OFAC_URL", "http://127.0.0.1:9/unused/")
    yield folder
    patch.undo()


@pytest.fixture(scope="module")
def versions(server: OfacServer, data_dir: Path) -> dict[str, str]:
    """Three updates from the server: 2024-05, 2025-06 without SenseTime, 2025-06."""
    found: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for label, raw in (
        ("2024-05", legacy("2024-05")),
        ("2025-06 without SenseTime", without(legacy("2025-06"), {"33114"})),
        ("2025-06", legacy("2025-06")),
    ):
        server.files.clear()
        server.modes.clear()
        server.files["CONSOLIDATED.XML"] = raw
        result = update(server.url)
        assert result.exit_code == 0, result.output
        found[label] = str(store.current_version())
        outputs[label] = result.stdout
    found["outputs"] = json.dumps(outputs)
    return found


def test_updates_from_the_server_switch_and_print_what_changed(
    versions: dict[str, str], server: OfacServer
) -> None:
    outputs = json.loads(versions["outputs"])
    first = outputs["2024-05"]
    assert f"snapshot {versions['2024-05']} (now current)" in first
    assert "ns-cmic: 68 entries, published 2024-05-06 [stated in the file]" in first
    # OFAC's file set without SDN files: that list is carried over, and the output says so.
    assert "note: sdn: no new file; kept from snapshot" in first
    removed = outputs["2025-06 without SenseTime"]
    assert "ns-cmic: 0 added, 1 removed, 0 changed" in removed
    assert "  - 33114 SENSETIME GROUP LIMITED" in removed
    assert "row for ns-cmic entry 33114 left out" in removed
    added = outputs["2025-06"]
    assert "ns-cmic: 1 added, 0 removed, 0 changed" in added
    assert "  + 33114 SENSETIME GROUP LIMITED" in added
    assert len(set(versions) - {"outputs"}) == 3
    assert len({versions[k] for k in versions if k != "outputs"}) == 3


def test_requests_carry_a_user_agent_and_follow_the_redirect(
    fresh: OfacServer, data_dir: Path
) -> None:
    fresh.files["CONSOLIDATED.XML"] = legacy("2025-06")
    before = store.current_version()
    result = update(fresh.url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "not switched (--dry-run)" in result.stdout
    nothing_changed(before)
    paths = [path for path, _ in fresh.requests]
    assert f"{EXPORTS}CONS_ENHANCED.XML" in paths  # preferred, not published here: 404
    assert f"{EXPORTS}CONSOLIDATED.XML" in paths and "/storage/CONSOLIDATED.XML" in paths
    assert all(agent.startswith("portfolio-check/") for _, agent in fresh.requests)


def test_history_lists_every_snapshot(versions: dict[str, str]) -> None:
    result = run("reference", "history")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for label in ("2024-05", "2025-06 without SenseTime", "2025-06"):
        assert any(versions[label] in line for line in lines), label
    assert any(line.startswith(f"* {versions['2025-06']}") for line in lines)
    assert (
        "ns-cmic: published 2024-05-06 (stated in the file), 68 entries of 443 records"
        in result.stdout
    )
    assert "ns-cmic: published 2025-06-30 (stated in the file), 67 entries" in result.stdout
    assert "fetched" in result.stdout and "127.0.0.1" in result.stdout
    data = json.loads(run("reference", "history", "--json").stdout)
    assert [item["current"] for item in data].count(True) == 1


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("500", "HTTP 500"),
        ("slow", "no answer within 0.3 s"),
        ("truncated", "transfer cut short"),
    ],
)
def test_a_failed_download_changes_nothing(
    versions: dict[str, str], fresh: OfacServer, mode: str, says: str
) -> None:
    fresh.files["CONSOLIDATED.XML"] = legacy("2024-05")
    fresh.modes["CONSOLIDATED.XML"] = mode
    before = store.current_version()
    result = run(
        "reference", "update", "--base-url", fresh.url, "--retries", "2", "--timeout", "0.3"
    )
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("portfolio-check: error: ") and says in line and "after 2 tries" in line
    assert "Traceback" not in result.output
    nothing_changed(before)
    assert before == versions["2025-06"]


@pytest.mark.parametrize(
    ("fix_count", "says"),
    [
        (False, "says 443 records, but the file holds 222 sdnEntry elements"),
        (True, "more than 5%"),
    ],
)
def test_a_file_with_half_its_entries_is_refused(
    versions: dict[str, str], fresh: OfacServer, fix_count: bool, says: str
) -> None:
    fresh.files["CONSOLIDATED.XML"] = half(legacy("2024-05"), fix_count=fix_count)
    before = store.current_version()
    result = update(fresh.url)
    assert result.exit_code == 2, result.output
    assert "refused" in result.stderr and says in result.stderr, result.stderr
    assert "nothing was changed" in result.stderr
    nothing_changed(before)


def test_force_accepts_a_drop_but_not_a_wrong_count(fresh: OfacServer, data_dir: Path) -> None:
    fresh.files["CONSOLIDATED.XML"] = half(legacy("2025-06"), fix_count=True)
    before = store.current_version()
    result = update(fresh.url, "--force", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "note: accepted with --force: ns-cmic" in result.stdout
    nothing_changed(before)
    fresh.files["CONSOLIDATED.XML"] = half(legacy("2025-06"), fix_count=False)
    assert update(fresh.url, "--force").exit_code == 2
    nothing_changed(before)


def test_an_interrupted_update_leaves_the_old_snapshot_current(
    versions: dict[str, str], fresh: OfacServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portfolio_check.sources.reference_build as reference_build
    from portfolio_check.sources.update import update_reference

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(reference_build, "derive_tables", interrupted)
    fresh.files["CONSOLIDATED.XML"] = legacy("2024-05")
    before = store.current_version()
    with pytest.raises(KeyboardInterrupt):
        update_reference(url=fresh.url, retries=1)
    nothing_changed(before)
    assert before == versions["2025-06"]


def test_check_uses_the_snapshot_asked_for(versions: dict[str, str], tmp_path: Path) -> None:
    day = ["--as-of", "2022-03-01", "--json", "-"]
    default = json.loads(run("check", str(SENSETIME_WORKBOOK), *day).stdout)
    assert default["reference"]["version"] == versions["2025-06"]
    older = json.loads(
        run("check", str(SENSETIME_WORKBOOK), *day, "--reference", versions["2024-05"]).stdout
    )
    assert older["reference"]["version"] == versions["2024-05"]
    assert older["reference"]["lists"][0]["published_date"] == "2024-05-06"
    shipped = json.loads(
        run("check", str(SENSETIME_WORKBOOK), *day, "--reference", "shipped").stdout
    )
    assert shipped["reference"]["version"] not in versions.values()
    folder = store.snapshots_dir() / versions["2024-05"]
    by_path = json.loads(
        run("check", str(SENSETIME_WORKBOOK), *day, "--reference", str(folder)).stdout
    )
    assert by_path["reference"]["version"] == versions["2024-05"]
    unknown = run("check", str(SENSETIME_WORKBOOK), "--reference", "1999-01-01.deadbeef")
    assert unknown.exit_code == 2 and "is neither a stored snapshot" in unknown.stderr


def test_compare_reference_names_every_holding_that_changed(
    versions: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report.xlsx"
    result = run(
        "check",
        str(SENSETIME_WORKBOOK),
        "--as-of",
        "2022-03-01",
        "--reference",
        versions["2025-06"],
        "--compare-reference",
        versions["2025-06 without SenseTime"],
        "--json",
        "-",
    )
    assert result.exit_code == 1  # the newer snapshot's answer: SenseTime is PROHIBITED
    data = json.loads(result.stdout)
    changes = data["changes"]
    assert changes["old_version"] == versions["2025-06 without SenseTime"]
    assert changes["new_version"] == versions["2025-06"]
    assert changes["compared"] == len(data["holdings"])
    changed = changes["changed"]
    assert len(changed) == 5 and {c["new_status"] for c in changed} == {"PROHIBITED"}
    assert all("+ NS-CMIC 33114 SENSETIME GROUP LIMITED (PROHIBITED)" in c["what"] for c in changed)
    by_row = {(c["file"], c["sheet"], c["row"]) for c in changed}
    prohibited = {
        (h["file"], h["sheet"], h["row"]) for h in data["holdings"] if h["status"] == "PROHIBITED"
    }
    assert by_row == prohibited
    text = run(
        "check",
        str(SENSETIME_WORKBOOK),
        "--as-of",
        "2022-03-01",
        "--compare-reference",
        versions["2025-06 without SenseTime"],
        "--report",
        str(report),
    )
    assert "changes since reference" in text.stdout and "-> PROHIBITED" in text.stdout
    book = openpyxl.load_workbook(report, read_only=True)
    assert book.sheetnames[0] == "Changes"
    rows = list(book["Changes"].iter_rows(values_only=True))
    assert rows[0][:6] == ("File", "Sheet", "Row", "Security", "Before", "Status")
    assert len(rows) == 6 and {r[5] for r in rows[1:]} == {"PROHIBITED"}


def test_the_2024_05_and_2025_06_legacy_xml_give_the_same_answers(versions: dict[str, str]) -> None:
    # The 68 CMIC entries did not change between these two files: no holding changes, and
    # the comparison says so rather than staying silent.
    result = run(
        "check",
        str(SENSETIME_WORKBOOK),
        "--as-of",
        "2022-03-01",
        "--reference",
        versions["2025-06"],
        "--compare-reference",
        versions["2024-05"],
        "--json",
        "-",
    )
    changes = json.loads(result.stdout)["changes"]
    assert changes["changed"] == [] and changes["compared"] == 13


def test_an_update_from_a_folder_with_the_enhanced_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path / "data"))
    folder = shared_path("data", "ofac", "enhanced_2025-01")
    alone = run("reference", "update", "--from", str(folder / "CONS_ENHANCED.XML"), "--dry-run")
    assert alone.exit_code == 0 and "published 2025-01-10" in alone.stdout, alone.output
    result = run("reference", "update", "--from", str(folder))
    assert result.exit_code == 0, result.output
    assert "ns-cmic: 68 entries, published 2025-01-10 [stated in the file]" in result.stdout
    history = run("reference", "history").stdout
    assert "fetched" in history and "a local folder (--from)" in history
    answer = run("check-security", "商湯集團有限公司", "--as-of", "2022-03-01", "--json", "-")
    assert answer.exit_code == 1
    data = json.loads(answer.stdout)
    assert data["status"] == "PROHIBITED"
    (finding,) = data["findings"]
    assert finding["matched_on"] == "strong alias" and "商湯集團有限公司" in finding["explanation"]
    assert finding["source"].startswith("OFAC Consolidated Sanctions List (non-SDN), enhanced XML")
    assert finding["source_url"] == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=33114"


def test_an_update_from_a_folder_with_the_legacy_xml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path / "data"))
    result = run(
        "reference",
        "update",
        "--from",
        str(shared_path("data", "ofac", "consolidated_xml_2025-06")),
    )
    assert result.exit_code == 0, result.output
    assert "ns-cmic: 68 entries, published 2025-06-30" in result.stdout
    # The shipped NS-CMIC came from the enhanced file: only its dates and scripts differ.
    assert "listed_from: 2021-12-10 -> (none)" in result.stdout
    assert run("reference", "history").stdout.startswith("* ")
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = run("reference", "update", "--from", str(empty))
    assert refused.exit_code == 2 and "holds none of OFAC's files" in refused.stderr


def test_the_web_page_and_api_compare_with_a_stored_snapshot(
    versions: dict[str, str], root: Path
) -> None:
    from fastapi.testclient import TestClient

    from portfolio_check.web import create_app
    from tests.web.test_web_support import settings_for

    upload = [("files", ("fund.xlsx", SENSETIME_WORKBOOK.read_bytes(), "application/vnd.ms-excel"))]
    old = versions["2025-06 without SenseTime"]
    with TestClient(create_app(settings_for(root, max_upload_bytes=2_000_000))) as client:
        form = client.get("/")
        assert f'<option value="{old}">' in form.text
        fields = {"as_of": "2022-03-01", "investor": "us-person", "compare_reference": old}
        page = client.post("/check", files=upload, data=fields)
        assert page.status_code == 200, page.text
        assert 'id="changes"' in page.text and "5 of 13 holdings changed" in page.text
        assert "fund.xlsx" in page.text and str(root) not in page.text
        api = client.post("/api/check", files=upload, data=fields)
        changes = api.json()["changes"]
        assert len(changes["changed"]) == 5 and changes["changed"][0]["file"] == "fund.xlsx"
        bad = client.post("/api/check", files=upload, data={**fields, "compare_reference": "/etc"})
        assert bad.status_code == 400 and "Unknown snapshot" in bad.text
    # The check workers were started with this module's snapshot store in their environment:
    # end them, so the next test's workers start with its own.
    from portfolio_check.web import workers

    for pool in list(workers._POOLS.values()):
        pool.close()
    workers._POOLS.clear()


def test_a_csv_set_from_a_folder_is_dated_by_its_newest_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    monkeypatch.setenv(store.DATA_ENV, str(tmp_path / "data"))
    folder = tmp_path / "sdn-set"
    shutil.copytree(shared_path("data", "ofac", "sdn_fixture_2025-05"), folder)
    stamp = 1_747_353_600  # 2025-05-16 00:00 UTC
    for path in folder.iterdir():
        os.utime(path, (stamp, stamp))
    # Seven SDN entities against the shipped 6,884: refused, unless forced.
    refused = run("reference", "update", "--from", str(folder))
    assert refused.exit_code == 2 and "sdn: 7 entries against 6,884" in refused.stderr
    assert store.current_version() is None
    result = run("reference", "update", "--from", str(folder), "--force")
    assert result.exit_code == 0, result.output
    assert (
        "sdn: 7 entries, published unknown (OFAC's legacy CSV files carry no date); newest "
        "file time of the folder 2025-05-16 [newest file time of the folder]"
    ) in result.stdout
    listed = [line.split(":")[0] for line in result.stdout.splitlines()[1:4]]
    assert listed == ["ns-cmic", "sdn", "dod-1260h"]

"""Hostile, broken and costly input (issue 13): every case of tests/hostile_corpus.py through the
CLI and through ``/api/check``; output failures, environment variables, dates, the other
readers; the far-cell workbook uploaded to a running server, which then still checks a normal
upload."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from portfolio_check.cli import main
from portfolio_check.web import create_app
from portfolio_check.web.workers import WorkerLimits
from tests.hostile_corpus import AS_OF, CASES, SENSETIME, Case, build
from tests.web.test_web_support import (
    XLSX_TYPE,
    assert_nothing_left,
    live_server,
    settings_for,
    upload_root,
)

CSV_TYPE = "text/csv"
UPLOAD_TYPES = {
    ".xlsx": XLSX_TYPE,
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".xls": "application/vnd.ms-excel",
}


def strict_json(text: str) -> Any:
    """Parse JSON as a strict parser does: NaN and Infinity are errors."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("hostile"))


def _cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    outcome = CliRunner(env=env).invoke(main, args)
    return outcome.exit_code, outcome.stdout, outcome.stderr


def assert_one_line(code: int, err: str, *words: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def assert_outcome(case: Case, body: dict[str, Any]) -> None:
    """The expectations of an ``ok`` case on a JSON result."""
    summary = body["summary"]
    assert summary["rows_read"] == summary["positions"] + summary["other_rows"]
    assert len(body["holdings"]) == summary["positions"]
    if case.positions is not None:
        assert summary["positions"] == case.positions, body["holdings"]
    status = {h["row"]: h["status"] for h in body["holdings"]}
    for row, expected in case.statuses.items():
        assert status.get(row) == expected, (row, status)
    problems = " | ".join(i["problem"] for i in body["input_issues"])
    assert len(body["input_issues"]) >= case.issues, problems
    for word in case.words:
        assert word in problems, (word, problems)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_hostile_case_through_the_cli(case: Case, corpus: dict[str, Path]) -> None:
    path = corpus[case.name]
    started = time.perf_counter()
    code, out, err = _cli(["check", str(path), "--as-of", AS_OF, "--json", "-"])
    elapsed = time.perf_counter() - started
    if case.outcome == "error":
        line = assert_one_line(code, err, *case.words)
        assert str(path) in line
    else:
        assert code in (0, 1), err
        assert "Traceback" not in err
        assert_outcome(case, strict_json(out))
    # cost stays bounded (the issue's 1 MB files took 28-65 s; the CLI runs in-process here)
    assert elapsed < 30, f"{case.name} took {elapsed:.1f} s"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    root = tmp_path_factory.mktemp("uploads")
    app = create_app(settings_for(root, max_upload_bytes=20_000_000))
    with TestClient(app) as test_client:
        yield test_client, root


UPLOADABLE = [c for c in CASES if c.uploadable]


@pytest.mark.parametrize("case", UPLOADABLE, ids=[c.name for c in UPLOADABLE])
def test_every_hostile_case_through_the_api(
    case: Case, corpus: dict[str, Path], client: tuple[TestClient, Path]
) -> None:
    test_client, root = client
    path = corpus[case.name]
    kind = UPLOAD_TYPES.get(path.suffix, CSV_TYPE)
    response = test_client.post(
        "/api/check",
        files=[("files", (path.name, path.read_bytes(), kind))],
        data={"as_of": AS_OF},
    )
    body = strict_json(response.text)
    if case.outcome == "error":
        assert response.status_code == 422, response.text
        for word in case.words:
            assert word in body["detail"], (word, body)
        assert path.name in body["detail"]
    else:
        assert response.status_code == 200, response.text
        assert_outcome(case, body)
    assert_nothing_left(root)


# --------------------------------------------------------------------------------------------
# Outputs, environment variables, dates
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--json", "--report"])
def test_an_unwritable_output_is_one_line(option: str, corpus: dict[str, Path]) -> None:
    import stat

    full = Path("/dev/full")
    if not full.exists() or not stat.S_ISCHR(full.stat().st_mode):
        pytest.skip("no /dev/full device on this system")
    holdings = corpus["Big5"]
    code, _out, err = _cli(["check", str(holdings), "--as-of", AS_OF, option, str(full)])
    assert_one_line(code, err, "/dev/full", "cannot write", "No space left")
    # written to, never replaced: an atomic write by rename would put a file in its place
    assert stat.S_ISCHR(full.stat().st_mode)


@pytest.mark.parametrize("value", ["nan", "inf", "-3", "lots"])
def test_a_bad_size_limit_variable_is_one_line(value: str, corpus: dict[str, Path]) -> None:
    code, _out, err = _cli(
        ["check", str(corpus["Big5"]), "--json", "-"], env={"PORTFOLIO_CHECK_MAX_FILE_MB": value}
    )
    assert_one_line(code, err, "PORTFOLIO_CHECK_MAX_FILE_MB")


@pytest.mark.parametrize("day", ["0001-01-01", "2019-12-31", "9999-12-31"])
def test_as_of_dates_outside_the_data_are_refused(day: str, corpus: dict[str, Path]) -> None:
    code, _out, err = _cli(["check", str(corpus["Big5"]), "--as-of", day])
    assert_one_line(code, err, day, "--any-date")


def test_any_date_accepts_and_says_no_list_data_exists(corpus: dict[str, Path]) -> None:
    code, out, err = _cli(
        ["check", str(corpus["Big5"]), "--as-of", "0001-01-01", "--any-date", "--json", "-"]
    )
    assert code in (0, 1), err
    issues = strict_json(out)["input_issues"]
    assert any("no list data exists for 0001-01-01" in i["problem"] for i in issues)


def test_non_finite_values_are_issues_and_json_stays_valid(corpus: dict[str, Path]) -> None:
    code, out, err = _cli(["check", str(corpus["inf and 1e309"]), "--as-of", AS_OF, "--json", "-"])
    assert code in (0, 1), err
    body = strict_json(out)
    assert all(i["value"] in ("inf", "1e309", "-Infinity") for i in body["input_issues"])


# --------------------------------------------------------------------------------------------
# The other readers: firm lists and decisions
# --------------------------------------------------------------------------------------------

FIRM_HEADER = "name,isin,ticker,exchange,list type,start date,end date,note"
DECISION_HEADER = "decided_at,decided_by,isin,ticker,name,list_id,entry_id,decision,reason"


def _holdings(tmp_path: Path) -> Path:
    path = tmp_path / "holdings.csv"
    path.write_text(
        "Name,ISIN,Quantity\nTencent,KYG875721634,1\nAlibaba,KYG017191142,2\n", encoding="utf-8"
    )
    return path


def test_every_firm_list_given_applies_and_is_named(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(f"{FIRM_HEADER}\nTencent,KYG875721634,,,prohibited,2021-01-01,,A\n")
    second.write_text(f"{FIRM_HEADER}\nAlibaba,KYG017191142,,,prohibited,2021-01-01,,B\n")
    code, out, err = _cli(
        [
            *("check", str(_holdings(tmp_path)), "--as-of", AS_OF, "--json", "-"),
            *("--firm-list", str(first), "--firm-list", str(second)),
        ]
    )
    assert code == 1, err
    body = strict_json(out)
    assert [h["status"] for h in body["holdings"]] == ["PROHIBITED", "PROHIBITED"]
    titles = " ".join(item["title"] for item in body["reference"]["lists"])
    assert "a.csv" in titles and "b.csv" in titles


def test_firm_list_workbook_goes_through_the_reader_guards(
    tmp_path: Path, corpus: dict[str, Path]
) -> None:
    code, _out, err = _cli(
        ["check", str(_holdings(tmp_path)), "--firm-list", str(corpus["far cell"])]
    )
    assert_one_line(code, err, "far_cell.xlsx", "XFD1048576")


def test_firm_list_cell_over_the_csv_field_limit_is_one_line(tmp_path: Path) -> None:
    firm = tmp_path / "firm.csv"
    firm.write_text(f'{FIRM_HEADER}\n"{"x" * 140_000}",KYG875721634,,,watch,,,\n')
    code, _out, err = _cli(["check", str(_holdings(tmp_path)), "--firm-list", str(firm)])
    assert_one_line(code, err, "firm.csv", "longer than")


def test_decisions_repeat_and_a_cell_over_the_limit_is_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        f"{DECISION_HEADER}\n2024-01-01,ann,{SENSETIME[1]},,,ns-cmic,33114,is-a-match,seen\n"
    )
    long = tmp_path / "long.csv"
    long.write_text(
        f'{DECISION_HEADER}\n2024-01-01,ann,,,"{"x" * 140_000}",ns-cmic,1,is-a-match,r\n'
    )
    holdings = _holdings(tmp_path)
    code, _out, err = _cli(
        ["check", str(holdings), "--decisions", str(good), "--decisions", str(long)]
    )
    assert_one_line(code, err, "long.csv", "line 2", "longer than")


def test_a_decision_for_an_unknown_list_is_one_line(tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        f"{DECISION_HEADER}\n2024-01-01,ann,KYG875721634,,,no-such,1,is-a-match,r\n"
    )
    code, _out, err = _cli(["check", str(_holdings(tmp_path)), "--decisions", str(decisions)])
    assert_one_line(code, err, "decisions.csv, line 2", "'no-such'")


# --------------------------------------------------------------------------------------------
# A running server
# --------------------------------------------------------------------------------------------


def _post(base: str, path: Path) -> httpx2.Response:
    kind = UPLOAD_TYPES.get(path.suffix, CSV_TYPE)
    with httpx2.Client(base_url=base, timeout=120, trust_env=False) as http:
        return http.post(
            "/api/check",
            files=[("files", (path.name, path.read_bytes(), kind))],
            data={"as_of": AS_OF},
        )


def test_far_cell_upload_to_a_running_server_then_a_normal_one(
    tmp_path: Path, corpus: dict[str, Path]
) -> None:
    root = upload_root(tmp_path)
    with live_server(create_app(settings_for(root))) as base:
        refused = _post(base, corpus["far cell"])
        assert refused.status_code == 422, refused.text
        assert "XFD1048576" in refused.json()["detail"]
        assert_nothing_left(root)
        normal = _post(base, corpus["Big5"])
        assert normal.status_code == 200, normal.text
        assert normal.json()["summary"]["by_status"]["PROHIBITED"] == 2
        assert httpx2.get(f"{base}/healthz", trust_env=False).status_code == 200
    assert_nothing_left(root)


def test_a_worker_past_its_limit_fails_alone(tmp_path: Path, corpus: dict[str, Path]) -> None:
    """A check that outlives its wall-clock allowance ends its worker process; that request
    gets a 422, the folder goes, and the next upload is checked by a fresh worker."""
    root = upload_root(tmp_path)
    limits = WorkerLimits(wall_seconds=3)
    big = tmp_path / "big.csv"
    lines = ["Name,ISIN,Quantity"] + [f"COMPANY {i} HOLDINGS LTD,,{i}" for i in range(400_000)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = settings_for(root, worker_limits=limits, max_upload_bytes=50_000_000)
    with live_server(create_app(settings)) as base:
        small = _post(base, corpus["Big5"])  # starts the worker (it loads the reference)
        assert small.status_code == 200, small.text
        stopped = _post(base, big)
        assert stopped.status_code == 422, stopped.text
        assert "worker process" in stopped.json()["detail"]
        assert_nothing_left(root)
        again = _post(base, corpus["Big5"])
        assert again.status_code == 200, again.text
    assert_nothing_left(root)


# --------------------------------------------------------------------------------------------
# Web: sessions, origins, download owners, stalled bodies, uploads per client
# --------------------------------------------------------------------------------------------


def test_cross_site_posts_are_refused(tmp_path: Path, corpus: dict[str, Path]) -> None:
    root = upload_root(tmp_path)
    with TestClient(create_app(settings_for(root))) as test_client:
        files = [("files", ("big5.csv", corpus["Big5"].read_bytes(), CSV_TYPE))]
        for headers in (
            {"sec-fetch-site": "cross-site"},
            {"origin": "https://evil.example"},
            {"origin": "null"},
            {"origin": "null", "sec-fetch-site": "cross-site"},
        ):
            refused = test_client.post("/api/check", files=files, headers=headers)
            assert refused.status_code == 403, (headers, refused.text)
        # a form posted from the server's own page under "Referrer-Policy: no-referrer":
        # the browser says Origin: null, and Sec-Fetch-Site: same-origin
        own_page = test_client.post(
            "/api/check",
            files=files,
            data={"as_of": AS_OF},
            headers={"sec-fetch-site": "same-origin", "origin": "null"},
        )
        assert own_page.status_code == 200, own_page.text
        same = test_client.post(
            "/api/check",
            files=files,
            data={"as_of": AS_OF},
            headers={"sec-fetch-site": "same-origin", "origin": "http://testserver"},
        )
        assert same.status_code == 200, same.text
    assert_nothing_left(root)


def test_download_links_work_only_for_the_browser_that_made_them(
    tmp_path: Path, corpus: dict[str, Path]
) -> None:
    import re

    root = upload_root(tmp_path)
    app = create_app(settings_for(root))
    with TestClient(app) as mine, TestClient(app) as other:
        page = mine.post(
            "/check",
            files=[("files", ("big5.csv", corpus["Big5"].read_bytes(), CSV_TYPE))],
            data={"as_of": AS_OF},
        )
        assert page.status_code == 200, page.text
        link = re.search(r'href="(/download/[^"]+/report\.xlsx)"', page.text)
        assert link, page.text
        assert mine.get(link.group(1)).status_code == 200
        assert other.get(link.group(1)).status_code == 404


def test_a_stalled_upload_body_times_out(tmp_path: Path) -> None:
    import socket

    root = upload_root(tmp_path)
    with live_server(create_app(settings_for(root, body_timeout_seconds=1.0))) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            head = (
                "POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
                '--b\r\nContent-Disposition: form-data; name="files"; filename="x.csv"\r\n\r\n'
            )
            sock.sendall(head.encode())
            answer = sock.recv(4096).decode("latin-1")
        assert answer.startswith("HTTP/1.1 408"), answer
    assert_nothing_left(root)


# --------------------------------------------------------------------------------------------
# Outputs: one escaping rule, header rows included; Excel's cell limit
# --------------------------------------------------------------------------------------------


def test_the_csv_beside_a_report_escapes_its_header_row(tmp_path: Path) -> None:
    import csv

    import openpyxl

    import portfolio_check

    holdings = tmp_path / "formula_header.csv"
    holdings.write_text(
        "Name,ISIN,Quantity,=1+1\n"
        f"{SENSETIME[0]},{SENSETIME[1]},100,@SUM(A1)\n"
        "CHINA MOBILE LTD,HK0941009539,5,-2+3\n",
        encoding="utf-8",
    )
    result = portfolio_check.check(holdings, as_of=AS_OF)
    report = result.write_report(tmp_path / "report.xlsx", row_limit=1, holdings_format="csv")
    (beside,) = [p for p in tmp_path.iterdir() if p.suffix == ".csv" and p != holdings]
    with beside.open(encoding="utf-8-sig", newline="") as handle:
        header, *body = list(csv.reader(handle))
    assert "'=1+1" in header and "=1+1" not in header
    cells = {cell for row in body for cell in row}
    assert "'@SUM(A1)" in cells and "'-2+3" in cells
    book = openpyxl.load_workbook(report)
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert all(
        c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row
    ), "a text became a formula in the report"
    assert texts


def test_a_text_over_excels_limit_reaches_the_report_cut_and_marked(
    corpus: dict[str, Path], tmp_path: Path
) -> None:
    import openpyxl

    import portfolio_check

    result = portfolio_check.check(corpus["a cell over 32,767 characters"], as_of=AS_OF)
    report = result.write_report(tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(report)
    longest = max(
        (
            c.value
            for ws in book.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str)
        ),
        key=len,
    )
    assert len(longest) <= 32_767 and "characters in all]" in longest


# --------------------------------------------------------------------------------------------
# Damaged reference data: one line naming the file and the line
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", [b"\x00", b"\xff\xfe"], ids=["NUL", "not UTF-8"])
@pytest.mark.parametrize("part", ["curated/securities.csv", "masters/hkex.csv"])
def test_a_damaged_snapshot_csv_names_the_file_and_line(
    tmp_path: Path, part: str, damage: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with a locally edited snapshot accepted (past the manifest's hash check), a
    damaged file is one line naming the file and the line."""
    import shutil

    monkeypatch.setenv("PORTFOLIO_CHECK_ACCEPT_EDITED_REFERENCE", "1")

    from portfolio_check.errors import ReferenceDataError, SourceFormatError
    from portfolio_check.refdata import default_reference_dir, load_reference

    folder = tmp_path / "snapshot"
    shutil.copytree(default_reference_dir(), folder)
    target = folder / part
    body = target.read_bytes()
    cut = body.index(b"\n", body.index(b"\n") + 1) + 5  # inside the second data line
    target.write_bytes(body[:cut] + damage + body[cut:])
    with pytest.raises((ReferenceDataError, SourceFormatError)) as caught:
        load_reference(folder)
    message = str(caught.value)
    assert "\n" not in message
    assert f"{target}, line 3" in message


@pytest.mark.parametrize(
    "case",
    [
        "far cell",
        "xls: DIMENSIONS forged to 4 billion rows",
        "ods: far value after repeated empties",
    ],
)
def test_an_exchange_master_goes_through_the_reader_guards(
    case: str, corpus: dict[str, Path]
) -> None:
    """The HKEX and CSI masters are read by calamine too: a crafted download is refused in one
    line naming the file, never allowed to abort the process."""
    from portfolio_check.errors import InputFileError
    from portfolio_check.sources.masters import read_hkex_list

    with pytest.raises(InputFileError) as caught:
        read_hkex_list(corpus[case])
    assert str(corpus[case]) in str(caught.value) and "\n" not in str(caught.value)

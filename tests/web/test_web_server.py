"""A real uvicorn server over loopback: concurrent uploads, and the `serve` command itself."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from portfolio_check.web import create_app
from portfolio_check.web.app import WebState
from portfolio_check.web.security import TOKEN_ENV
from tests.paths import REPO, SENSETIME_WORKBOOK
from tests.web.test_web_support import (
    SERVER_WAIT,
    XLSX_TYPE,
    assert_nothing_left,
    holdings_csv,
    live_server,
    sensetime_bytes,
    settings_for,
    upload_root,
)

UPLOADS = 20
# (as_of, investor) -> what the five SenseTime rows must be (README's table).
CASES: list[tuple[str, str, str]] = [
    ("2021-12-01", "us-person", "CLEAR"),
    ("2021-12-20", "us-person", "PENDING"),
    ("2022-03-01", "us-person", "PROHIBITED"),
    ("2023-01-15", "us-person", "PROHIBITED"),
    ("2022-03-01", "non-us-person", "WATCH"),
]


async def _post_all(base: str, workbook: bytes) -> list[tuple[int, str, str, httpx2.Response]]:
    limits = httpx2.Limits(max_connections=UPLOADS)
    async with httpx2.AsyncClient(
        base_url=base, timeout=120, limits=limits, trust_env=False
    ) as client:

        async def one(i: int) -> tuple[int, str, str, httpx2.Response]:
            as_of, investor, _ = CASES[i % len(CASES)]
            response = await client.post(
                "/api/check",
                files=[("files", (f"fund-{i}.xlsx", workbook, XLSX_TYPE))],
                data={"as_of": as_of, "investor": investor},
            )
            return i, as_of, investor, response

        return await asyncio.gather(*(one(i) for i in range(UPLOADS)))


def test_twenty_concurrent_uploads_get_twenty_correct_answers(tmp_path: Path) -> None:
    root = upload_root(tmp_path)
    app = create_app(settings_for(root, uploads_per_client=UPLOADS))
    workbook = sensetime_bytes()
    with live_server(app) as base:
        answers = asyncio.run(_post_all(base, workbook))
    assert len(answers) == UPLOADS
    for i, as_of, investor, response in answers:
        assert response.status_code == 200, response.text
        body = response.json()
        expected = CASES[i % len(CASES)][2]
        assert (body["as_of"], body["investor"]) == (as_of, investor)
        sensetime = [h["status"] for h in body["holdings"] if h["issuer"]["id"] == "ns-cmic:33114"]
        assert sensetime == [expected] * 5 or (expected == "CLEAR" and not sensetime)
        assert body["summary"]["positions"] == 13
        assert {h["file"] for h in body["holdings"]} == {f"fund-{i}.xlsx"}
        if expected == "CLEAR":
            assert body["summary"]["by_status"]["CLEAR"] == 13
    state: WebState = app.state.web
    # The checks ran in worker threads, several at once; none is left running.
    assert state.peak_checks_running >= 2
    assert state.checks_running == 0
    assert_nothing_left(root)


def test_oversize_upload_over_a_real_socket_is_413(tmp_path: Path) -> None:
    root = upload_root(tmp_path)
    app = create_app(settings_for(root, max_upload_bytes=50_000))
    big = holdings_csv([("APPLE INC", "AAPL US", "1")] * 5000)
    assert len(big) > 50_000
    with (
        live_server(app) as base,
        httpx2.Client(base_url=base, timeout=30, trust_env=False) as client,
    ):
        response = client.post("/api/check", files=[("files", ("big.csv", big, "text/csv"))])
        assert response.status_code == 413
        assert "the limit is 50.0 kB" in response.json()["detail"]
        fine = client.post(
            "/api/check",
            files=[
                ("files", ("ok.csv", holdings_csv([("Apple Inc", "AAPL US", "1")]), "text/csv"))
            ],
        )
        assert fine.status_code == 200
    assert_nothing_left(root)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_command_starts_a_local_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    env["TMPDIR"] = str(upload_root(tmp_path))  # the private folders are made here
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from portfolio_check.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--max-upload-mb",
            "0.05",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx2.Client(base_url=base, timeout=30, trust_env=False) as client:
            deadline = time.monotonic() + SERVER_WAIT
            while True:
                assert process.poll() is None, process.communicate()
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                assert time.monotonic() < deadline, "serve did not answer /healthz"
                time.sleep(0.1)
            page = client.get("/")
            assert page.status_code == 200 and 'id="check-form"' in page.text
            answer = client.post(
                "/api/check",
                files=[("files", (SENSETIME_WORKBOOK.name, sensetime_bytes(), XLSX_TYPE))],
                data={"as_of": "2022-03-01"},
            )
            assert answer.json()["summary"]["by_status"]["PROHIBITED"] == 5
            big = holdings_csv([("APPLE INC", "AAPL US", "1")] * 5000)
            refused = client.post("/api/check", files=[("files", ("big.csv", big, "text/csv"))])
            assert refused.status_code == 413
            # Bound to loopback, it answers only to loopback names (no DNS rebinding).
            foreign = client.get("/healthz", headers={"host": "rebind.example"})
            assert foreign.status_code == 400
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=SERVER_WAIT)
    assert f"serving on http://127.0.0.1:{port}/" in out
    assert process.returncode == 0, err
    assert_nothing_left(tmp_path / "uploads")


def test_serve_help_names_the_safe_default() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from portfolio_check.cli import main; main()", "serve", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    text = " ".join(done.stdout.split())
    assert "--host TEXT" in text and "[default: 127.0.0.1]" in text
    assert "--port INTEGER RANGE [default: 8000; 0<=x<=65535]" in text
    assert "--max-upload-mb FLOAT RANGE" in text and "[default: 50]" in text

"""Helpers shared by the web tests (no tests here): settings with a private upload root, a real
uvicorn server on a free loopback port, small holdings files made on the spot."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from portfolio_check.web import Settings
from tests.paths import SENSETIME_WORKBOOK

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Seconds a test waits for a server thread to start or stop.
SERVER_WAIT = 20.0


def upload_root(tmp_path: Path) -> Path:
    """The folder under which the app makes each request's private folder."""
    root = tmp_path / "uploads"
    root.mkdir()
    return root


def settings_for(root: Path, **overrides: Any) -> Settings:
    return Settings(temp_dir=root, **overrides)


def assert_nothing_left(root: Path) -> None:
    left = sorted(p.name for p in root.iterdir())
    assert left == [], f"upload folders left behind: {left}"


def sensetime_bytes() -> bytes:
    return SENSETIME_WORKBOOK.read_bytes()


def holdings_csv(rows: list[tuple[str, str, str]]) -> bytes:
    """A CSV with Name, Ticker, Market Value columns."""
    lines = ["Name,Ticker,Market Value"]
    for name, ticker, value in rows:
        quoted = '"' + name.replace('"', '""') + '"'
        lines.append(f"{quoted},{ticker},{value}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_WAIT
        while not server.started:
            assert thread.is_alive(), "the server thread stopped while starting"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_WAIT)
        sock.close()
        assert not thread.is_alive(), "the server thread did not stop"

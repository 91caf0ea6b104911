"""The access token, the host check and the small safety pieces, in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portfolio_check.web import Settings, create_app
from portfolio_check.web.cache import DownloadCache
from portfolio_check.web.security import (
    COOKIE_NAME,
    TOKEN_ENV,
    host_name,
    is_loopback,
    safe_next,
)
from portfolio_check.web.uploads import display_name
from tests.web.test_web_support import (
    XLSX_TYPE,
    sensetime_bytes,
    settings_for,
)

TOKEN = "correct horse battery staple"


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(root, token=TOKEN))) as test_client:
        yield test_client


def test_token_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, " s3cret ")
    assert Settings.from_env().token == "s3cret"
    monkeypatch.setenv(TOKEN_ENV, "")
    assert Settings.from_env(max_files=3) == Settings(max_files=3)


def test_healthz_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/security?id=0020.HK", "/openapi.json", "/api/reference"])
def test_api_without_token_is_401(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert TOKEN_ENV in response.json()["detail"]


def test_upload_without_token_is_401_and_leaves_nothing(client: TestClient) -> None:
    response = client.post(
        "/api/check", files=[("files", ("h.xlsx", sensetime_bytes(), XLSX_TYPE))]
    )
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/", "/about", "/docs", "/pretrade?id=x"])
def test_pages_without_token_go_to_the_login_form(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2F")


def test_bearer_token_opens_the_api(client: TestClient) -> None:
    good = {"authorization": f"Bearer {TOKEN}"}
    response = client.get("/api/security", params={"id": "0020.HK"}, headers=good)
    assert response.status_code == 200
    wrong = {"authorization": "Bearer nope"}
    assert client.get("/api/security", params={"id": "0020.HK"}, headers=wrong).status_code == 401
    upload = client.post(
        "/api/check",
        files=[("files", ("h.xlsx", sensetime_bytes(), XLSX_TYPE))],
        data={"as_of": "2022-03-01"},
        headers=good,
    )
    assert upload.status_code == 200
    assert upload.json()["summary"]["by_status"]["PROHIBITED"] == 5


def test_login_form_sets_a_cookie_that_opens_the_pages(client: TestClient) -> None:
    form = client.get("/login?next=/about")
    assert form.status_code == 200
    assert 'name="next" value="/about"' in form.text
    refused = client.post("/login", data={"token": "guess", "next": "/about"})
    assert refused.status_code == 401
    assert "That access token is not right." in refused.text
    assert COOKIE_NAME not in client.cookies
    accepted = client.post(
        "/login", data={"token": TOKEN, "next": "/about"}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/about"
    cookie = accepted.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert TOKEN not in cookie  # the cookie holds a random session id, not the token
    session = client.cookies[COOKIE_NAME]
    assert "max-age" in cookie.lower()  # it expires
    about = client.get("/about")
    assert about.status_code == 200 and "Log out" in about.text
    # another login makes another session
    again = client.post("/login", data={"token": TOKEN, "next": "/"}, follow_redirects=False)
    assert again.status_code == 303 and client.cookies[COOKIE_NAME] != session
    session = client.cookies[COOKIE_NAME]
    logout = client.post("/logout", follow_redirects=False)
    assert logout.status_code == 303
    # the session is over: the old cookie no longer opens the pages
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, session)
    assert client.get("/api/reference").status_code == 401
    client.cookies.clear()
    assert (
        client.get("/about", headers={"accept": "text/html"}, follow_redirects=False).status_code
        == 303
    )


def test_login_reads_only_a_small_url_encoded_form(client: TestClient) -> None:
    multipart = client.post(
        "/login", files=[("token", ("t.txt", TOKEN.encode(), "text/plain"))], data={"next": "/"}
    )
    assert multipart.status_code == 401
    padded = client.post("/login", data={"token": TOKEN, "next": "/" + "x" * 10_000})
    assert padded.status_code == 401
    assert COOKIE_NAME not in client.cookies


def test_login_never_redirects_off_site(client: TestClient) -> None:
    response = client.post(
        "/login", data={"token": TOKEN, "next": "//evil.example/"}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


def test_host_check_refuses_other_names(root: Path) -> None:
    app = create_app(settings_for(root, allowed_hosts=frozenset({"127.0.0.1", "localhost"})))
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        assert test_client.get("/healthz").status_code == 200
        evil = test_client.get("/healthz", headers={"host": "rebind.evil.example:8000"})
        assert evil.status_code == 400
        assert "is not served here" in evil.text


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("LocalHost", "localhost"),
        ("::1", "::1"),
    ],
)
def test_host_name(header: str, host: str) -> None:
    assert host_name(header) == host


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/about", "/about"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\x", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, safe: str) -> None:
    assert safe_next(target) == safe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\Users\\me\\holdings.xlsx", "holdings.xlsx"),
        ("bad\x00name\n.csv", "badname.csv"),
        ("", "upload-3"),
        ("x" * 300 + ".csv", "x" * 200),
    ],
)
def test_display_name(raw: str, shown: str) -> None:
    assert display_name(raw, 3) == shown


def test_download_cache_is_bounded_and_expires() -> None:
    now = [0.0]
    cache = DownloadCache(max_entries=2, max_bytes=100, ttl=60, clock=lambda: now[0])
    first = cache.put(b"a" * 10, b"{}", "one")
    second = cache.put(b"b" * 10, b"{}", "two")
    third = cache.put(b"c" * 10, b"{}", "three")
    assert first and second and third
    assert cache.get(first) is None  # the oldest went first
    assert cache.get(third) is not None
    assert cache.put(b"x" * 200, b"{}", "huge") is None
    big = cache.put(b"d" * 90, b"{}", "big")
    assert big and len(cache) == 1  # room was made by bytes, too
    now[0] = 61.0
    assert cache.get(big) is None and len(cache) == 0

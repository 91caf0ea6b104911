"""The JSON API in-process: the same JSON as the CLI, clear refusals, nothing left on disk."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import portfolio_check
from portfolio_check.web import create_app
from tests.paths import SENSETIME_WORKBOOK
from tests.web.test_web_support import (
    XLSX_TYPE,
    holdings_csv,
    sensetime_bytes,
    settings_for,
)

NAME = SENSETIME_WORKBOOK.name


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(root, max_upload_bytes=2_000_000))) as test_client:
        yield test_client


def _as_uploaded(
    expected: dict[str, Any], name: str, got: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The CLI's JSON for a path, with the file named as the upload names it (and the run's
    own id and time taken from ``got``: two runs never share them)."""
    data = copy.deepcopy(expected)
    for key in ("holdings", "other_rows", "input_issues", "tables"):
        for item in data[key]:
            item["file"] = name
    for item in data["run"]["files"]:
        item["name"] = name
    if got is not None:
        data["run"]["id"], data["run"]["at"] = got["run"]["id"], got["run"]["at"]
    return data


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_api_check_gives_the_cli_json(client: TestClient) -> None:
    response = client.post(
        "/api/check",
        files=[("files", (NAME, sensetime_bytes(), XLSX_TYPE))],
        data={"as_of": "2022-03-01", "investor": "us-person"},
    )
    assert response.status_code == 200, response.text
    expected = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2022-03-01").to_dict()
    body = response.json()
    assert body == _as_uploaded(expected, NAME, body)
    assert body["summary"]["by_status"]["PROHIBITED"] == 5
    assert {h["file"] for h in body["holdings"]} == {NAME}


def test_api_check_several_files_keep_their_names(client: TestClient) -> None:
    csv = holdings_csv([("SenseTime Group Inc.", "0020.HK", "1000"), ("Apple Inc", "AAPL US", "5")])
    response = client.post(
        "/api/check",
        files=[
            ("files", (NAME, sensetime_bytes(), XLSX_TYPE)),
            ("files", ("desk b/orders.csv", csv, "text/csv")),
            ("files", ("orders.csv", csv, "text/csv")),
        ],
        data={"as_of": "2023-01-15", "investor": "non-us-person"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    by_file: dict[str, list[str]] = {}
    for holding in body["holdings"]:
        by_file.setdefault(holding["file"], []).append(holding["status"])
    # The path part of an uploaded name is dropped; a repeated name gets a number.
    assert set(by_file) == {NAME, "orders.csv", "orders (2).csv"}
    assert by_file["orders.csv"] == ["WATCH", "CLEAR"]
    sheets = {h["sheet"] for h in body["holdings"] if h["file"] != NAME}
    assert sheets == {"orders", "orders (2)"}
    assert body["investor"] == "non-us-person"


def test_the_chosen_lists_are_the_ones_applied(client: TestClient) -> None:
    others = [i for i in portfolio_check.load_reference().lists if i != "ns-cmic"]
    if not others:
        pytest.skip("the snapshot has no list besides NS-CMIC")
    response = client.post(
        "/api/check",
        files=[("files", (NAME, sensetime_bytes(), XLSX_TYPE))],
        data={"as_of": "2022-03-01", "lists": others},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["id"] for item in body["reference"]["lists"]] == others
    expected = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2022-03-01", lists=others)
    assert body == _as_uploaded(expected.to_dict(), NAME, body)
    assert body["summary"]["by_status"]["PROHIBITED"] == 0


def test_api_security_gives_the_cli_json(client: TestClient) -> None:
    response = client.get(
        "/api/security",
        params={"id": "0020.HK", "as_of": "2022-03-01", "side": "sell", "investor": "us-person"},
    )
    assert response.status_code == 200, response.text
    expected = portfolio_check.check_security("0020.HK", as_of="2022-03-01", side="sell")
    assert response.json() == expected.to_dict()
    assert response.json()["status"] == "PROHIBITED"
    assert response.json()["actions"]["sell"] == "only to divest, until 2022-12-10"


def test_api_security_with_an_exchange(client: TestClient) -> None:
    response = client.get(
        "/api/security", params={"id": "00020", "exchange": "XHKG", "as_of": "2021-12-01"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "CLEAR"
    assert response.json()["allowed"] is True


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"id": "0020.HK", "as_of": "2022-13-01"}, "is not a date in the form YYYY-MM-DD"),
        ({"id": "  "}, "Enter a security identifier"),
    ],
)
def test_api_security_refuses_bad_arguments(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/api/security", params=params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_api_security_validates_enums(client: TestClient) -> None:
    response = client.get("/api/security", params={"id": "0020.HK", "side": "short"})
    assert response.status_code == 422


def test_too_large_upload_is_413_with_a_clear_message(client: TestClient) -> None:
    big = b"Name,Ticker,Market Value\n" + b"APPLE INC,AAPL US,1\n" * 150_000
    response = client.post("/api/check", files=[("files", ("big.csv", big, "text/csv"))])
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "the limit is 2.0 MB" in detail
    assert "--max-upload-mb" in detail


def test_too_large_upload_without_a_declared_length_is_413(client: TestClient) -> None:
    boundary = "portfolio-check-test-boundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        yield b"Name,Ticker,Market Value\n"
        for _ in range(300):
            yield b"APPLE INC,AAPL US,1\n" * 500
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        "/api/check",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The upload is too large; the limit is 2.0 MB.")


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("holdings.pdf", b"%PDF-1.7", 415, "files of type '.pdf' are not accepted"),
        ("holdings", b"a,b\n", 415, "'(no extension)' are not accepted"),
        ("holdings.xlsx", b"Name,Ticker\nA,B\n", 415, "the content is plain text"),
        ("holdings.csv", b"PK\x03\x04rest", 415, "the content is a zip package"),
        ("holdings.xls", b"Name\n", 415, "the content is plain text"),
        ("holdings.csv", b"", 422, "holdings.csv: the file is empty"),
    ],
)
def test_wrong_types_are_refused(
    client: TestClient, name: str, content: bytes, status: int, message: str
) -> None:
    response = client.post("/api/check", files=[("files", (name, content, "text/plain"))])
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_reader_errors_are_422_naming_the_upload(client: TestClient, root: Path) -> None:
    no_table = b"Hello\nthis is not a holdings list\n"
    response = client.post("/api/check", files=[("files", ("notes.csv", no_table, "text/csv"))])
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("notes.csv")
    assert "no recognisable holdings table" in detail
    assert str(root) not in detail and "upload-1" not in detail


def test_a_legacy_xls_gets_the_readers_message(client: TestClient) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    response = client.post("/api/check", files=[("files", ("old.xls", ole, "x"))])
    # Accepted at the door (the magic bytes say .xls); the reader says what it makes of it.
    assert response.status_code == 422
    assert response.json()["detail"].startswith("old.xls")


@pytest.mark.parametrize(
    ("data", "files", "message"),
    [
        ({"as_of": "01/03/2022"}, True, "is not a date in the form YYYY-MM-DD"),
        ({"investor": "martian"}, True, "investor 'martian' is not one of"),
        ({"lists": "no-such-list"}, True, "Unknown list 'no-such-list'"),
        ({"lists_given": "1"}, True, "Choose at least one list"),
        ({"as_of": "2022-03-01"}, False, "No file was uploaded"),
    ],
)
def test_bad_form_fields_are_400(
    client: TestClient, data: dict[str, str], files: bool, message: str
) -> None:
    parts = [("files", (NAME, sensetime_bytes(), XLSX_TYPE))] if files else []
    if not parts:
        parts = [("files", ("", b"", "application/octet-stream"))]
    response = client.post("/api/check", files=parts, data=data)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_body_that_is_not_multipart_is_400(client: TestClient) -> None:
    response = client.post("/api/check", json={"files": []})
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["detail"]


def test_too_many_files_are_refused(root: Path) -> None:
    app = create_app(settings_for(root, max_files=2))
    csv = holdings_csv([("Apple Inc", "AAPL US", "5")])
    with TestClient(app) as test_client:
        response = test_client.post(
            "/api/check", files=[("files", (f"h{i}.csv", csv, "text/csv")) for i in range(3)]
        )
    assert response.status_code == 400
    assert "at most 2" in response.json()["detail"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/api/check", "/api/security", "/api/reference", "/healthz"}
    body = schema["paths"]["/api/check"]["post"]["requestBody"]["content"]
    assert body["multipart/form-data"]["schema"]["properties"]["files"]["type"] == "array"
    params = {p["name"] for p in schema["paths"]["/api/security"]["get"]["parameters"]}
    assert params == {"id", "as_of", "investor", "side", "exchange"}
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_api_reference_is_the_manifest(client: TestClient) -> None:
    response = client.get("/api/reference")
    assert response.json() == portfolio_check.load_reference().manifest

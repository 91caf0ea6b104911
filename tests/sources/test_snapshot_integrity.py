"""The snapshot is verified when loaded: every file against the manifest's hashes.

The attack of issue 13: delete SenseTime's entry and its curated rows from a copy of the
shipped snapshot, and SenseTime would be CLEAR with exit 0. Now loading fails loudly, unless
the edit is accepted on purpose, and then every report says so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from portfolio_check.cli import main
from portfolio_check.errors import ReferenceDataError
from portfolio_check.pipeline import check, check_security
from portfolio_check.refdata import load_reference, shipped_reference_dir
from portfolio_check.sources.snapshot import seal_snapshot, snapshot_version, verify_snapshot
from tests.paths import SENSETIME_WORKBOOK


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "snapshot"
    shutil.copytree(shipped_reference_dir(), folder)
    return folder


def drop_sensetime(folder: Path) -> None:
    """Delete entry 33114 and every curated and derived row of it (the attack)."""
    path = folder / "lists" / "ns_cmic.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"] = [e for e in data["entries"] if e["entry_id"] != "33114"]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for table in [*(folder / "curated").glob("*.csv"), *(folder / "derived").glob("*.csv")]:
        lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
        table.write_text("".join(ln for ln in lines if "33114" not in ln), encoding="utf-8")


def test_the_shipped_snapshot_hashes_every_file() -> None:
    folder = shipped_reference_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    parts = {name.split("/")[0] for name in manifest["files"]}
    assert {"curated", "derived", "masters", "lists"} <= parts
    assert verify_snapshot(folder, manifest) == []
    assert load_reference().manifest["verification"]["status"] == "verified"
    version, content = snapshot_version(folder)
    assert version == manifest["version"] and version.endswith(content[:8])


def test_an_edited_snapshot_fails_to_load(copy: Path) -> None:
    drop_sensetime(copy)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(copy)
    message = str(caught.value)
    assert "does not match its manifest" in message
    assert "differs from its recorded hash" in message
    assert "--accept-edited-reference" in message and "\n" not in message


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda f: (f / "curated" / "names.csv").unlink(), "curated/names.csv is missing"),
        (lambda f: (f / "curated" / "extra.csv").write_text("x\n"), "curated/extra.csv is not in"),
        (
            lambda f: (f / "derived" / "names.csv").write_bytes(
                (f / "derived" / "names.csv").read_bytes().replace(b"ns-cmic", b"ns-cmic ", 1)
            ),
            "derived/names.csv differs",
        ),
    ],
)
def test_every_kind_of_change_is_caught(copy: Path, edit, problem: str) -> None:  # type: ignore[no-untyped-def]
    edit(copy)
    with pytest.raises(ReferenceDataError, match=problem):
        load_reference(copy)


def test_an_accepted_edit_is_said_in_every_report(copy: Path, tmp_path: Path) -> None:
    drop_sensetime(copy)
    reference = load_reference(copy, accept_edited=True)
    verification = reference.manifest["verification"]
    assert verification["status"] == "edited"
    assert "LOCALLY EDITED SNAPSHOT" in verification["note"]
    result = check(SENSETIME_WORKBOOK, as_of="2022-03-01", reference=reference)
    assert result.to_dict()["reference"]["verification"]["status"] == "edited"
    report = result.write_report(tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(report, read_only=True)
    for sheet in ("Summary", "About"):
        labels = [row[0] for row in book[sheet].iter_rows(values_only=True)]
        assert "WARNING: snapshot edited" in labels, sheet
    answer = check_security("SENSETIME", as_of="2022-03-01", reference=reference)
    assert answer.to_dict()["reference"]["verification"]["status"] == "edited"


def test_the_cli_refuses_an_edited_snapshot_unless_told(copy: Path, tmp_path: Path) -> None:
    drop_sensetime(copy)
    args = ["check", str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01", "--reference", str(copy)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("portfolio-check: error: ") and "does not match its manifest" in line
    accepted = CliRunner().invoke(main, [*args, "--accept-edited-reference", "--json", "-"])
    assert "warning: LOCALLY EDITED SNAPSHOT" in accepted.stderr
    data = json.loads(accepted.stdout)
    assert data["reference"]["verification"]["status"] == "edited"


def test_the_version_changes_when_any_file_does(copy: Path) -> None:
    before = snapshot_version(copy)[0]
    path = copy / "curated" / "names.csv"
    path.write_text(path.read_text(encoding="utf-8") + "", encoding="utf-8")
    assert seal_snapshot(copy).version == before  # the same bytes: the same version
    with path.open("a", encoding="utf-8") as handle:
        handle.write("ns-cmic,33114,Another Name,en,,a public document\n")
    after = seal_snapshot(copy).version
    assert after != before
    assert load_reference(copy).version == after


def test_a_garbled_manifest_is_one_line(copy: Path) -> None:
    (copy / "manifest.json").write_bytes(b"\x00\x01{not json")
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(copy)
    assert "manifest.json" in str(caught.value) and "\n" not in str(caught.value)


def test_a_nul_bearing_curated_file_is_one_line_naming_it(copy: Path) -> None:
    path = copy / "curated" / "names.csv"
    path.write_bytes(path.read_bytes() + b"ns-cmic,1\x00\n")
    for accept in (False, True):
        with pytest.raises(ReferenceDataError) as caught:
            load_reference(copy, accept_edited=accept)
        message = str(caught.value)
        assert "curated/names.csv" in message and "\n" not in message

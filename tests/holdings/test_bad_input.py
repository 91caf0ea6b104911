"""Bad holdings input: exit code 2 and one line naming the file (and sheet), never a traceback.

Each kind of bad file the issue lists has its test here: corrupt, truncated, password-protected,
an extension that lies, empty, a sheet with no table, zip and XML bombs (memory and time stay
bounded), and a file beyond the configurable size limit.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from portfolio_check.cli import main
from portfolio_check.errors import InputFileError
from portfolio_check.holdings import MAX_FILE_ENV, read_holdings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "holdings"


def run_check(path: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    outcome = CliRunner(env=env).invoke(main, ["check", str(path), "--json", "-"])
    return outcome.exit_code, outcome.stderr


def assert_one_line(code: int, err: str, path: Path, *words: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(path) in lines[0]
    message = lines[0].replace(str(path), "<file>")
    for word in words:
        assert word in message, (word, message)


def workbook_bytes(rows: list[list[object]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows or [["Name", "ISIN", "Quantity"], ["CHINA MOBILE LTD", "HK0941009539", 100]]:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_part(package: bytes, name: str, data: bytes) -> bytes:
    """The zip package with part ``name`` replaced by ``data`` (deflated)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = data if info.filename == name else source.read(info.filename)
            target.writestr(info.filename, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


# --------------------------------------------------------------------------------------------
# Damaged files
# --------------------------------------------------------------------------------------------


def test_corrupt_binary_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    assert_one_line(*run_check(path), path, "binary data")


def test_damaged_zip_package(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x13\x37" * 500)
    assert_one_line(*run_check(path), path, "damaged")


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = workbook_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert_one_line(*run_check(path), path, "truncated")


def test_truncated_xls(tmp_path: Path) -> None:
    data = (FIXTURES / "custodian_triplets.xls").read_bytes()
    path = tmp_path / "truncated.xls"
    path.write_bytes(data[: len(data) // 2])
    assert_one_line(*run_check(path), path, "damaged")


def test_zip_member_whose_data_is_corrupt(tmp_path: Path) -> None:
    package = replace_part(workbook_bytes(), SHEET, b"<worksheet>" + b"<row/>" * 5000 + b"</x>")
    info = zipfile.ZipFile(io.BytesIO(package)).getinfo(SHEET)
    name_len, extra_len = struct.unpack_from("<HH", package, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len + 8  # inside the deflated data
    broken = package[:start] + bytes(b ^ 0xFF for b in package[start : start + 32])
    path = tmp_path / "bitrot.xlsx"
    path.write_bytes(broken + package[start + 32 :])
    assert_one_line(*run_check(path), path, "sheet1.xml")


# --------------------------------------------------------------------------------------------
# Password-protected
# --------------------------------------------------------------------------------------------


def test_password_protected_xlsx() -> None:
    path = FIXTURES / "encrypted.xlsx"
    assert_one_line(*run_check(path), path, "password-protected")


def test_password_protected_xlsx_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "protected.xls"
    path.write_bytes((FIXTURES / "encrypted.xlsx").read_bytes())
    assert_one_line(*run_check(path), path, "password-protected")


# --------------------------------------------------------------------------------------------
# Extensions that lie
# --------------------------------------------------------------------------------------------


def test_csv_text_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "holdings.xlsx"
    path.write_text("Name,Quantity\nCHINA MOBILE,1\n")
    assert_one_line(*run_check(path), path, "content is plain text")


def test_workbook_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "holdings.csv"
    path.write_bytes(workbook_bytes())
    assert_one_line(*run_check(path), path, "content is a zip package")


def test_xlsx_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "holdings.xls"
    path.write_bytes(workbook_bytes())
    assert_one_line(*run_check(path), path, "legacy Excel", "zip package")


def test_xls_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "holdings.xlsx"
    path.write_bytes((FIXTURES / "custodian_triplets.xls").read_bytes())
    assert_one_line(*run_check(path), path, "legacy Office file")


def test_html_export_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><table><tr><td>Name</td><td>Quantity</td></tr></table></html>")
    assert_one_line(*run_check(path), path, "plain text")


# --------------------------------------------------------------------------------------------
# Empty files and files without a table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx", "empty.xls", "blank.csv"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else b" \r\n\t\n")
    assert_one_line(*run_check(path), path, "empty")


def test_sheet_without_a_table(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_bytes(workbook_bytes([["Monthly commentary"], ["Markets were calm.", 12]]))
    code, err = run_check(path)
    assert_one_line(code, err, path, "sheet 'Sheet'", "no recognisable holdings table")
    with pytest.raises(InputFileError) as info:
        read_holdings([path])
    assert (info.value.file, info.value.sheet) == (str(path), "Sheet")


def test_trades_only_workbook_says_why(tmp_path: Path) -> None:
    path = tmp_path / "trades.xlsx"
    rows: list[list[object]] = [
        ["Trade Date", "Description", "Broker", "Quantity", "Price"],
        ["2021-08-02", "CHINA MOBILE LTD", "GS", 1000, 50.0],
    ]
    path.write_bytes(workbook_bytes(rows))
    assert_one_line(*run_check(path), path, "trades (a broker column)")


# --------------------------------------------------------------------------------------------
# Bombs: memory and time stay bounded
# --------------------------------------------------------------------------------------------


def test_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    padding = b" " * (64 * 1024 * 1024)  # 64 MB of XML whitespace: packs to ~64 KB
    sheet = b'<?xml version="1.0"?><worksheet>' + padding + b"<sheetData/></worksheet>"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(replace_part(workbook_bytes(), SHEET, sheet))
    assert path.stat().st_size < 1024 * 1024
    # refused from the sizes the archive declares, before inflating it (its cost is measured in
    # benchmarks/, not here: unit tests assert no timings)
    code, err = run_check(path)
    assert_one_line(code, err, path, "zip bomb")


def test_zip_that_lies_about_sizes_is_refused(tmp_path: Path) -> None:
    package = replace_part(workbook_bytes(), SHEET, b"<worksheet>" + b"0" * 2_000_000 + b"</x>")
    # claim in the central directory that the sheet unpacks to 100 bytes
    entry = package.index(b"PK\x01\x02")
    while package[entry + 46 : entry + 46 + len(SHEET)] != SHEET.encode():
        entry = package.index(b"PK\x01\x02", entry + 4)
    lying = bytearray(package)
    struct.pack_into("<I", lying, entry + 24, 100)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(lying))
    assert_one_line(*run_check(path), path)


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "lol">{laughs}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(replace_part(workbook_bytes(), SHEET, sheet))
    assert_one_line(*run_check(path), path, "XML")


def test_external_entity_is_refused(tmp_path: Path) -> None:
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<worksheet><sheetData/></worksheet>"
    )
    path = tmp_path / "xxe.xlsx"
    path.write_bytes(replace_part(workbook_bytes(), SHEET, sheet))
    assert_one_line(*run_check(path), path, "entities")


# --------------------------------------------------------------------------------------------
# Size limits
# --------------------------------------------------------------------------------------------


def _csv_of(kilobytes: int) -> str:
    lines = ["Name,ISIN,Quantity"]
    while sum(len(x) + 1 for x in lines) < kilobytes * 1024:
        lines.append("CHINA MOBILE LTD,HK0941009539,100")
    return "\n".join(lines) + "\n"


def test_file_beyond_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(_csv_of(300))
    code, err = run_check(path, env={MAX_FILE_ENV: "0.25"})
    assert_one_line(code, err, path, "above the limit", MAX_FILE_ENV)
    # the same file within a larger limit is read
    code, _ = run_check(path, env={MAX_FILE_ENV: "1"})
    assert code in (0, 1)


def test_size_limit_as_an_argument(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(_csv_of(300))
    with pytest.raises(InputFileError, match="above the limit"):
        read_holdings([path], max_file_mb=0.1)
    assert len(read_holdings([path], max_file_mb=1).positions) > 1000


def test_unpacked_size_counts_against_the_limit(tmp_path: Path) -> None:
    # random two-letter text: 4 MB unpacked packs to ~0.6 MB (far from a bomb's ratio)
    import random

    rng = random.Random(4)
    text = "".join(rng.choice("ab") for _ in range(4_000_000))
    sheet = f"<worksheet><!-- {text} --><sheetData/></worksheet>".encode()
    path = tmp_path / "wide.xlsx"
    path.write_bytes(replace_part(workbook_bytes(), SHEET, sheet))
    assert path.stat().st_size < 0.75 * 1024 * 1024
    code, err = run_check(path, env={MAX_FILE_ENV: "0.75"})  # unpacked limit: 4 x 0.75 MB
    assert_one_line(code, err, path, "would unpack to")


def test_bad_size_limit_setting(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(_csv_of(1))
    code, err = run_check(path, env={MAX_FILE_ENV: "lots"})
    assert code == 2 and MAX_FILE_ENV in err and "Traceback" not in err


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_of_blank_bytes_is_empty_and_one_other_byte_is_not(
    tmp_path: Path, seed: int, suffix: str
) -> None:
    """Spaces, tabs, line ends and NULs in any mix and length are an empty file; the same
    bytes with one other byte anywhere are not (whatever else is wrong with them)."""
    import random

    rng = random.Random(seed)
    blank = bytes(rng.choice(b" \t\r\n\x00") for _ in range(rng.randint(0, 3000)))
    path = tmp_path / f"blank{suffix}"
    path.write_bytes(blank)
    with pytest.raises(InputFileError, match="the file is empty"):
        read_holdings([path])
    at = rng.randint(0, len(blank))
    path.write_bytes(blank[:at] + bytes([rng.choice(b"x,\xff\x01")]) + blank[at:])
    with pytest.raises(InputFileError) as raised:
        read_holdings([path])
    assert "the file is empty" not in str(raised.value)

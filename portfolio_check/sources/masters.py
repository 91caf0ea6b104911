"""Security masters: the exchanges' own lists of what is listed, read from their files.

* HKEX "List of Securities" (.xlsx): stock code, short name, category, sub-category, ISIN,
  trading currency, RMB counter. Its sheet dimension record is wrong (openpyxl's read-only mode
  sees 8 rows), so it is read with python-calamine, which reads the cells themselves.
* CSI 300 constituents (.xls, bilingual header): A-share code, Chinese and English short name,
  exchange.
* A/H share pairs (.csv ``name,cn_code,c``): the A-share and H-share codes of one issuer.

Each importer returns plain rows; :func:`write_masters` writes them as CSV under
``reference/masters/`` with a manifest fragment (file, sha256, rows). Rows keep their source
row number so a derived fact can cite where it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from portfolio_check.errors import SourceFormatError
from portfolio_check.identifiers import SHANGHAI, SHENZHEN, exchange_to_market, normalize_isin
from portfolio_check.reference import HkexSecurity


@dataclass(frozen=True)
class AShare:
    code: str
    mic: str
    name_zh: str
    name_en: str
    source_row: int


@dataclass(frozen=True)
class AHPair:
    a_code: str
    a_mic: str
    h_code: str
    name_zh: str
    source_row: int


def _sheet_rows(path: Path) -> list[list[Any]]:
    """The first sheet's rows, after the holdings reader's guards (a regular file within the
    size limit; a zip package's bombs and far cells, an .xls's DIMENSIONS and sheets): an
    exchange's download is read by the same native reader a crafted upload can abort."""
    from portfolio_check.holdings.guards import read_regular_file
    from portfolio_check.holdings.readers import MAX_FILE_ENV, ReadLimits, check_package, sniff_kind
    from portfolio_check.holdings.xls_guard import check_xls

    limits = ReadLimits.from_env()
    data = read_regular_file(path, str(path), limits.max_file_bytes, f"set {MAX_FILE_ENV}")
    kind = sniff_kind(data[:4096])
    if kind == "zip":
        check_package(data, str(path), limits)
    elif kind == "ole":
        check_xls(data, str(path))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [list(row) for row in book.get_sheet_by_index(0).to_python()]
    except Exception as exc:  # calamine raises its own error types per format
        raise SourceFormatError(f"{path}: cannot be read as a workbook ({exc})") from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_header(rows: Sequence[Sequence[Any]], must: Sequence[str], path: Path) -> int:
    for index, row in enumerate(rows[:30]):
        cells = [_text(c).lower() for c in row]
        if all(any(word in cell for cell in cells) for word in must):
            return index
    raise SourceFormatError(f"{path}: no header row with {', '.join(must)} in the first 30 rows")


_UPDATED_RE = re.compile(r"updated\s+as\s+at\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)
_DMY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _dmy(text: str) -> str:
    """HKEX writes dates day/month/year; ISO text, or "" when the cell holds none."""
    if isinstance(text, dt.date):
        return text.isoformat()[:10]
    match = _DMY_RE.match(_text(text))
    if not match:
        return ""
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _master_date(rows: Sequence[Sequence[Any]], path: Path) -> str:
    for row in rows[:10]:
        for cell in row:
            if match := _UPDATED_RE.search(_text(cell)):
                day, month, year = (int(g) for g in match.groups())
                return dt.date(year, month, day).isoformat()
    raise SourceFormatError(f"{path}: no 'Updated as at DD/MM/YYYY' line above the table")


def read_master_date(path: Path) -> str:
    """The "Updated as at" date of an HKEX List of Securities, ISO."""
    return _master_date(_sheet_rows(path), path)


def read_hkex_list(path: Path) -> list[HkexSecurity]:
    """The HKEX List of Securities, every row (equities, warrants, CBBCs, debt, ETPs)."""
    rows = _sheet_rows(path)
    master_date = _master_date(rows, path)
    header_at = _find_header(rows, ("stock code", "name of securities", "isin"), path)
    header = [_text(c).lower() for c in rows[header_at]]

    def column(word: str, *, required: bool = True) -> int:
        for index, text in enumerate(header):
            if text.startswith(word):
                return index
        if required:
            raise SourceFormatError(f"{path}: no column {word!r} in the header {header}")
        return -1  # older lists (2021) have no trading currency or RMB counter columns

    def cell(row: Sequence[Any], index: int) -> str:
        return _text(row[index]) if 0 <= index < len(row) else ""

    code, name, category = column("stock code"), column("name of securities"), column("category")
    sub, isin = column("sub-category"), column("isin")
    currency = column("trading currency", required=False)
    rmb = column("rmb counter", required=False)
    expiry = column("expiry date", required=False)
    found = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        raw_code = _text(row[code])
        if not raw_code.isdigit():
            continue
        found.append(
            HkexSecurity(
                code=raw_code.zfill(5),
                name=_text(row[name]),
                category=_text(row[category]),
                sub_category=_text(row[sub]),
                isin=normalize_isin(row[isin]) or "",
                currency=cell(row, currency),
                rmb_counter=cell(row, rmb).zfill(5) if cell(row, rmb) else "",
                source_row=offset,
                expiry=_dmy(row[expiry]) if 0 <= expiry < len(row) else "",
                master_date=master_date,
            )
        )
    if not found:
        raise SourceFormatError(f"{path}: no securities below the header")
    return found


def read_csi_constituents(path: Path) -> list[AShare]:
    """A CSI index constituents file (bilingual header; codes as text)."""
    rows = _sheet_rows(path)
    header_at = _find_header(rows, ("constituent code", "exchange"), path)
    header = [_text(c) for c in rows[header_at]]

    def column(*words: str) -> int:
        for index, text in enumerate(header):
            if all(word.lower() in text.lower() for word in words):
                return index
        raise SourceFormatError(f"{path}: no column with {words} in the header {header}")

    code = column("Constituent Code")
    name_zh = column("成份券名称")
    name_en = column("Constituent Name(Eng)")
    exchange_en = column("Exchange(Eng)")
    found = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        raw = _text(row[code])
        if not raw.isdigit():
            continue
        mic = exchange_to_market(_text(row[exchange_en]))
        if mic not in (SHANGHAI, SHENZHEN):
            raise SourceFormatError(f"{path}, row {offset}: unknown exchange {row[exchange_en]!r}")
        found.append(AShare(raw.zfill(6), mic, _text(row[name_zh]), _text(row[name_en]), offset))
    return found


def read_ah_pairs(path: Path) -> list[AHPair]:
    """A/H pairs as ``name,cn_code,c`` with codes like ``601728.SH`` and ``00728.HK``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{path}: cannot be read ({exc})") from None
    found = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if line == 1 or len(row) < 3:
            continue
        a_raw, h_raw = row[1].strip().upper(), row[2].strip().upper()
        a_code, _, a_suffix = a_raw.partition(".")
        h_code, _, h_suffix = h_raw.partition(".")
        mic = exchange_to_market(a_suffix)
        if not (a_code.isdigit() and h_code.isdigit() and h_suffix == "HK" and mic):
            raise SourceFormatError(f"{path}, line {line}: not an A/H pair: {row!r}")
        found.append(AHPair(a_code.zfill(6), mic, h_code.zfill(5), row[0].strip(), line))
    return found


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_rows(path: Path, rows: Sequence[Any], row_type: type) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in fields(row_type)])
    for row in rows:
        writer.writerow(list(asdict(row).values()))
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_hkex_lists(paths: Sequence[Path]) -> list[HkexSecurity]:
    """Several dated HKEX Lists of Securities, oldest first (each row keeps its master date)."""
    dated = sorted((read_hkex_list(path) for path in paths), key=lambda rows: rows[0].master_date)
    return [row for rows in dated for row in rows]


def newest_hkex(rows: Sequence[HkexSecurity]) -> list[HkexSecurity]:
    """The rows of the newest master among several."""
    latest = max((row.master_date for row in rows), default="")
    return [row for row in rows if row.master_date == latest]


def write_masters(
    out_dir: Path,
    *,
    hkex: Sequence[Path] = (),
    csi: Path | None,
    ah_pairs: Path | None,
) -> list[dict[str, Any]]:
    """Import each given master file and write it under ``out_dir/masters``; manifest entries.

    Several HKEX lists (dated) go into one table, each row with its master's date.
    """
    entries: list[dict[str, Any]] = []
    jobs: list[tuple[str, str, Sequence[Path], Any, type]] = [
        ("hkex", "HKEX List of Securities", hkex, read_hkex_lists, HkexSecurity),
        ("csi", "CSI index constituents", [csi] if csi else [], read_csi_constituents, AShare),
        ("ah-pairs", "A/H share pairs", [ah_pairs] if ah_pairs else [], read_ah_pairs, AHPair),
    ]
    for master_id, title, paths, reader, row_type in jobs:
        if not paths:
            continue
        rows = reader(paths) if master_id == "hkex" else reader(paths[0])
        target = out_dir / "masters" / f"{master_id}.csv"
        digest = _write_rows(target, rows, row_type)
        sources = [{"name": path.name, "sha256": sha256_of(path)} for path in paths]
        entry: dict[str, Any] = {
            "id": master_id,
            "title": title,
            "file": f"masters/{master_id}.csv",
            "sha256": digest,
            "rows": len(rows),
            "source_file": sources[0] if len(sources) == 1 else sources[-1],
        }
        if master_id == "hkex":
            entry["source_files"] = sources
            entry["dates"] = sorted({row.master_date for row in rows})
        entries.append(entry)
    return entries


def load_master_rows(path: Path, row_type: type[Any]) -> list[Any]:
    """Read a master CSV written by :func:`write_masters` back into its row type."""
    names = [f.name for f in fields(row_type)]
    from portfolio_check.sources.csvrows import checked_text

    # a byte that is not UTF-8 or a NUL: one line naming the file and line (csvrows)
    with io.StringIO(checked_text(path), newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != names:
            raise SourceFormatError(f"{path}: expected columns {names}, found {header}")
        # Positional rows (not csv.DictReader): the HKEX master has 34,000 of them, read on
        # every load of the snapshot.
        at = names.index("source_row") if "source_row" in names else -1
        rows = []
        for line, values in enumerate(reader, start=2):
            if len(values) != len(names):
                raise SourceFormatError(
                    f"{path}, line {line}: {len(values)} cells, not {len(names)}"
                )
            if at >= 0:
                values[at] = int(values[at])  # type: ignore[call-overload]
            rows.append(row_type(*values))
        return rows

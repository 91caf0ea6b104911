"""ISO 10383 Market Identifier Codes: the registration authority's CSV, as a master file.

The published file (``ISO10383_MIC.csv``, UTF-8, every field quoted) has one row per MIC with
the columns ``MIC``, ``OPERATING MIC``, ``OPRT/SGMT`` (an operating MIC or a segment of one),
``MARKET NAME-INSTITUTION DESCRIPTION``, ``LEGAL ENTITY NAME``, ``LEI``, ``MARKET CATEGORY
CODE``, ``ACRONYM``, ``ISO COUNTRY CODE (ISO 3166)``, ``CITY``, ``WEBSITE``, ``STATUS``
(``ACTIVE``, ``UPDATED``, ``EXPIRED``), ``CREATION DATE``, ``LAST UPDATE DATE``, ``LAST
VALIDATION DATE``, ``EXPIRY DATE`` and ``COMMENTS``. Older publications (the Excel era) named
some columns differently (``MARKET NAME-INSTITUTION DESCRIPTION`` as ``NAME-INSTITUTION
DESCRIPTION``, ``ISO COUNTRY CODE (ISO 3166)`` as ``ISO COUNTRY CODE``); both are accepted.

:func:`read_mic_file` returns the rows that :func:`write_mic_master` writes as
``reference/masters/mic.csv`` (``mic, operating_mic, kind, name, acronym, country, city,
status, source_row``); :mod:`portfolio_check.identifiers` reads that shipped file to turn MICs,
market names and acronyms in holdings into markets.

    python -m portfolio_check.sources.mic ../shared/data/mic/ISO10383_MIC.csv reference
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from portfolio_check.errors import SourceFormatError

MASTER_FILE = "masters/mic.csv"

_MIC = re.compile(r"^[A-Z0-9]{4}$")
# Accepted header spellings of each field (normalised: upper case, single spaces).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "mic": ("MIC",),
    "operating_mic": ("OPERATING MIC",),
    "kind": ("OPRT/SGMT",),
    "name": ("MARKET NAME-INSTITUTION DESCRIPTION", "NAME-INSTITUTION DESCRIPTION"),
    "acronym": ("ACRONYM",),
    "country": ("ISO COUNTRY CODE (ISO 3166)", "ISO COUNTRY CODE"),
    "city": ("CITY",),
    "status": ("STATUS",),
}


@dataclass(frozen=True)
class MarketCode:
    """One ISO 10383 MIC: its operating MIC, kind (OPRT/SGMT), name, acronym and place."""

    mic: str
    operating_mic: str
    kind: str
    name: str
    acronym: str
    country: str
    city: str
    status: str
    source_row: int


def _header_key(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).upper()


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def read_mic_file(path: Path) -> list[MarketCode]:
    """Read the ISO 10383 CSV; ``source_row`` is the line of the record (header = 1)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot read the MIC file ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_header_key(h) for h in next(reader)]
    except StopIteration:
        raise SourceFormatError(f"{path}: the MIC file is empty") from None
    where: dict[str, int] = {}
    for field_name, spellings in _COLUMNS.items():
        found = next((header.index(s) for s in spellings if s in header), None)
        if found is None:
            raise SourceFormatError(
                f"{path}: not an ISO 10383 MIC file (no {spellings[0]!r} column)"
            )
        where[field_name] = found
    rows: list[MarketCode] = []
    seen: set[str] = set()
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        cells = {k: _text(values[i]) if i < len(values) else "" for k, i in where.items()}
        mic = cells["mic"].upper()
        if not _MIC.match(mic):
            raise SourceFormatError(f"{path}: line {line}: {cells['mic']!r} is not a MIC")
        if mic in seen:
            raise SourceFormatError(f"{path}: line {line}: MIC {mic} appears twice")
        seen.add(mic)
        operating = cells["operating_mic"].upper() or mic
        rows.append(
            MarketCode(
                mic=mic,
                operating_mic=operating,
                kind=cells["kind"].upper(),
                name=cells["name"],
                acronym=cells["acronym"],
                country=cells["country"].upper(),
                city=cells["city"],
                status=cells["status"].upper(),
                source_row=line,
            )
        )
    if not rows:
        raise SourceFormatError(f"{path}: the MIC file has no records")
    return rows


MASTER_COLUMNS = [f.name for f in fields(MarketCode)]


def master_csv(rows: Sequence[MarketCode]) -> str:
    """The master file's text: sorted by MIC, one header line, ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MASTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r.mic):
        writer.writerow(asdict(row))
    return out.getvalue()


def write_mic_master(source: Path, out_dir: Path) -> dict[str, Any]:
    """Import ``source`` into ``out_dir/masters/mic.csv``; returns a manifest fragment."""
    rows = read_mic_file(source)
    data = master_csv(rows).encode("utf-8")
    target = out_dir / MASTER_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return {
        "id": "mic",
        "file": MASTER_FILE,
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": len(rows),
        "source": f"ISO 10383 Market Identifier Codes ({source.name}, "
        f"sha256 {hashlib.sha256(source.read_bytes()).hexdigest()})",
    }


def load_mic_master(path: Path) -> list[MarketCode]:
    """Read a master written by :func:`write_mic_master`."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            MarketCode(**{**row, "source_row": int(row["source_row"])})  # type: ignore[arg-type]
            for row in csv.DictReader(handle)
        ]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m portfolio_check.sources.mic ISO10383_MIC.csv REFERENCE_DIR")
        return 2
    fragment = write_mic_master(Path(args[0]), Path(args[1]))
    print(f"{fragment['file']}: {fragment['rows']} MICs, sha256 {fragment['sha256']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The .ods measure's two readings agree, and real-looking files take the fast one (issue 13).

The pattern over ``content.xml``'s bytes (``OdsFastScanner``) must measure every sheet exactly
as the expat reading (``OdsParser``) does, or hand the part to it; a LibreOffice body, whose
automatic styles name the ``table-cell`` family, must not fall back (that cost twice the time).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from portfolio_check.holdings.ods_guard import OdsFastScanner, OdsParser, OdsSheet
from tests.hostile_corpus import CASES, Case, _rows, build, ods_empty, ods_table, write_ods

ODS_CASES = [c for c in CASES if c.file.endswith(".ods")]

# What LibreOffice writes before the body: styles naming the cell and row families.
_STYLES = (
    b'<office:automatic-styles><style:style style:name="ro1" style:family="table-row">'
    b'<style:table-row-properties style:row-height="0.2in"/></style:style>'
    b'<style:style style:name="ce1" style:family="table-cell">'
    b'<style:table-cell-properties style:rotation-align="none"/></style:style>'
    b"</office:automatic-styles>"
)


def _measures(content: bytes, chunk: int) -> tuple[OdsFastScanner, OdsParser]:
    fast = OdsFastScanner()
    for at in range(0, len(content), chunk):
        fast.feed(content[at : at + chunk])
    fast.finish()
    parser = OdsParser()
    parser.feed(content, final=True)
    return fast, parser


def _summary(sheets: list[OdsSheet]) -> list[tuple[object, ...]]:
    return [(s.name, s.extent, s.stored, s.added, s.largest) for s in sheets]


@pytest.mark.parametrize("case", ODS_CASES, ids=[c.name for c in ODS_CASES])
@pytest.mark.parametrize("chunk", [61, 1 << 20])
def test_the_fast_measure_agrees_with_the_parser_or_hands_over(
    case: Case, chunk: int, tmp_path: Path
) -> None:
    path = build(tmp_path, [case])[case.name]
    content = zipfile.ZipFile(path).read("content.xml")
    fast, parser = _measures(content, chunk)
    if not fast.needs_parser:
        assert _summary(fast.sheets) == _summary(parser.sheets)
        assert not fast.error and not parser.error


def test_a_libreoffice_body_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "styled.ods"
    table = ods_table("Holdings", _rows(), ods_empty(1024, 1_048_000))
    write_ods(path, [table])
    content = zipfile.ZipFile(path).read("content.xml")
    content = content.replace(b"<office:body>", _STYLES + b"<office:body>", 1)
    fast, parser = _measures(content, 1 << 12)
    assert not fast.needs_parser
    assert _summary(fast.sheets) == _summary(parser.sheets)
    assert fast.sheets[0].extent.max_row == len(_rows())  # trailing empties cost nothing

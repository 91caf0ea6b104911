"""The report as printed: LibreOffice headless converts it to PDF, which is read back.

Each page's header names its sheet (``&A``), so the pages of each sheet are counted from the
PDF's own text; each page's text size (font size times the page's scale) says whether it can
be read. Outside CI a machine without LibreOffice skips this test; in CI (``.ci/run`` installs
LibreOffice and sets PORTFOLIO_CHECK_CI=1) it fails instead.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from portfolio_check import check
from portfolio_check.result import CheckResult
from tests.paths import SENSETIME_WORKBOOK, shared_path

SHEETS = ("Summary", "Holdings", "Findings", "Exposures", "Other rows", "Input issues", "About")
# The smallest text a page may print (points): 11-point cells at the report's least scale.
MIN_TEXT_POINTS = 6.0
# The page header and footer sit within this many points of the page's top and bottom edge.
MARGIN_POINTS = 45.0


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("PORTFOLIO_CHECK_CI"):
        pytest.fail("LibreOffice (soffice) is not installed: .ci/run installs it")
    pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it for CI")


def to_pdf(workbook: Path) -> Path:
    """``soffice --headless --convert-to pdf``, with a profile of its own (a user's running
    LibreOffice, or another test, would otherwise hold the default one)."""
    profile = workbook.parent / "lo-profile"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workbook.parent),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return workbook.with_suffix(".pdf")


def pages_by_sheet(pdf: Path) -> tuple[Counter[str], list[float]]:
    """Pages per sheet (from the page header) and each page's median text size in points."""
    import pypdf

    counts: Counter[str] = Counter()
    sizes: list[float] = []
    for page in pypdf.PdfReader(pdf).pages:
        seen: list[float] = []
        height = float(page.mediabox.height)

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            seen: list[float] = seen,
            height: float = height,
        ) -> None:
            y = cm[3] * tm[5] + cm[5]
            # the page header and footer (in the margins) are not the sheet's text
            if text.strip() and MARGIN_POINTS < y < height - MARGIN_POINTS:
                seen.append(size * (abs(cm[0] * tm[0]) or abs(cm[3] * tm[3])))

        text = " ".join(page.extract_text(visitor_text=visit).split())
        sheet = next((name for name in SHEETS if f" {name} run " in f" {text}"), "?")
        counts[sheet] += 1
        sizes.append(statistics.median(seen) if seen else 0.0)
    return counts, sizes


def test_the_example_prints_on_at_most_three_pages_per_sheet(tmp_path: Path) -> None:
    _soffice()
    result = check(SENSETIME_WORKBOOK, as_of="2022-03-01")
    counts, sizes = pages_by_sheet(to_pdf(result.write_report(tmp_path / "report.xlsx")))
    assert set(counts) == set(SHEETS), counts
    assert max(counts.values()) <= 3, counts
    assert min(sizes) >= MIN_TEXT_POINTS, sizes


def test_the_bloomberg_exports_columns_print_readably(tmp_path: Path) -> None:
    """Its 42 input columns, on the first 60 positions (every column, fewer pages: all 1,440
    rows take LibreOffice minutes to print, and readability is a matter of the columns)."""
    _soffice()
    full: CheckResult = check(
        shared_path("holdings", "bbg_aim_mav_multifund_2020-05-29.xlsx"), as_of="2022-03-01"
    )
    flagged = full.holdings["status"] != "CLEAR"
    part = pd.concat([full.holdings[flagged], full.holdings[~flagged].head(20)])
    result = dataclasses.replace(full, holdings=part.copy())
    counts, sizes = pages_by_sheet(to_pdf(result.write_report(tmp_path / "report.xlsx")))
    assert "?" not in counts and counts["Summary"] <= 3, counts
    assert min(sizes) >= MIN_TEXT_POINTS, sizes

"""One identifier module: one class per format, one validator the reader and resolution share.

Generated codes of every shape (valid and one digit off) must get the same answer from the
reader's column checks, from resolution's normalising, and from the vectorised check digits
that find bad check digits in a whole column at once.
"""

from __future__ import annotations

import random
import string

import pytest
from stdnum import cusip as stdnum_cusip
from stdnum import isin as stdnum_isin
from stdnum.gb import sedol as stdnum_sedol

from portfolio_check.holdings import cells
from portfolio_check.identifiers import (
    CUSIP,
    FORMATS,
    ISIN,
    SEDOL,
    IdentifierFormat,
    normalize_cusip,
    normalize_isin,
    normalize_sedol,
)

SEDOL_LETTERS = "0123456789BCDFGHJKLMNPQRSTVWXYZ"


def _codes(kind: str, rng: random.Random, n: int) -> list[str]:
    """``n`` codes of ``kind``'s shape: half with their true check digit, half one off."""
    out = []
    for i in range(n):
        if kind == "isin":
            body = rng.choice(["US", "HK", "KY", "CN", "GB", "XS"]) + "".join(
                rng.choice(string.ascii_uppercase + string.digits) for _ in range(9)
            )
            digit = int(stdnum_isin.calc_check_digit(body))
        elif kind == "cusip":
            first = rng.choice(string.digits + "GHK")  # CINS start with a letter
            body = first + "".join(
                rng.choice(string.ascii_uppercase + string.digits) for _ in range(7)
            )
            digit = int(stdnum_cusip.calc_check_digit(body))
        else:
            body = "".join(rng.choice(SEDOL_LETTERS) for _ in range(6))
            digit = int(stdnum_sedol.calc_check_digit(body))
        out.append(body + str(digit if i % 2 == 0 else (digit + 1) % 10))
    return out


@pytest.mark.parametrize("kind", ["isin", "cusip", "sedol"])
def test_reader_resolution_and_vectorised_checks_agree(kind: str) -> None:
    rng = random.Random(f"formats-{kind}")
    codes = _codes(kind, rng, 400)
    fmt = FORMATS[kind]
    reader = {"isin": cells.is_isin, "cusip": cells.is_cusip, "sedol": cells.is_sedol}[kind]
    normal = {"isin": normalize_isin, "cusip": normalize_cusip, "sedol": normalize_sedol}[kind]
    vectorised = cells.check_digits_ok(codes, kind).tolist()
    for code, fast in zip(codes, vectorised, strict=True):
        assert fmt.has_shape(code)
        assert reader(code) == (normal(code) is not None) == fmt.is_valid(code), code
        # the vectorised check digit accepts every code the full check accepts (a failure it
        # reports as an Input issue is a real one); the full check has further rules
        # (a SEDOL that starts with a digit has digits only; 000000000 is no CUSIP)
        assert fast or not fmt.checks(code), code
    assert sum(vectorised) == len(codes) // 2


def test_each_format_is_one_class_with_its_shape() -> None:
    assert set(FORMATS.values()) == {ISIN, CUSIP, SEDOL}
    assert all(issubclass(f, IdentifierFormat) for f in FORMATS.values())
    assert (
        ISIN.shape,
        CUSIP.shape,
        SEDOL.shape,
    ) == (cells.ISIN_SHAPE, cells.CUSIP_SHAPE, cells.SEDOL_SHAPE)


@pytest.mark.parametrize(
    ("fmt", "written", "canonical"),
    [
        (ISIN, "kyg8062l1041", "KYG8062L1041"),
        (ISIN, "ＫＹＧ８０６２Ｌ１０４１", "KYG8062L1041"),  # full-width
        (ISIN, "KY G8062L 1041", "KYG8062L1041"),
        (CUSIP, "G8062L104", "G8062L104"),  # a CINS: SenseTime's national part
        (CUSIP, "037833100", "037833100"),
        (SEDOL, "b03mlx2", "B03MLX2"),
    ],
)
def test_normalising_folds_how_codes_are_written(
    fmt: type[IdentifierFormat], written: str, canonical: str
) -> None:
    assert fmt.normalize(written) == canonical


@pytest.mark.parametrize(
    ("fmt", "code"),
    [
        (ISIN, "KYG8062L1042"),  # check digit off
        (ISIN, "KYG8062L104"),  # one short
        (CUSIP, "000000000"),  # a placeholder, not a CUSIP
        (CUSIP, "037833101"),
        (SEDOL, "B03MLX3"),
        (SEDOL, "A03MLX2"),  # vowels are not SEDOL characters
    ],
)
def test_invalid_codes_are_refused_everywhere(fmt: type[IdentifierFormat], code: str) -> None:
    assert fmt.normalize(code) is None
    assert not {"isin": cells.is_isin, "cusip": cells.is_cusip, "sedol": cells.is_sedol}[fmt.kind](
        code
    )


_ISIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@pytest.mark.parametrize("seed", range(10))
def test_isin_check_is_python_stdnums_on_generated_codes(seed: int) -> None:
    """The ISIN check (a known prefix and the Luhn digit, worked out here for speed) answers
    as python-stdnum does: every two-letter prefix with right and wrong check digits, bodies
    of letters and digits, and texts of other shapes (lower case, short, long, signs)."""
    from portfolio_check.identifiers import _isin_checks

    rng = random.Random(seed)
    letters = _ISIN_CHARS[10:]
    codes: list[str] = []
    for first in letters:
        for second in letters:
            body = first + second + "".join(rng.choice(_ISIN_CHARS) for _ in range(9))
            right = stdnum_isin.calc_check_digit(body)
            codes += [body + right, body + rng.choice([d for d in "0123456789" if d != right])]
    codes += ["".join(rng.choice(_ISIN_CHARS + "a-. ") for _ in range(rng.randint(0, 14)))]
    codes += [c.lower() for c in codes[:50]] + [c[:11] for c in codes[:50]]
    codes += [c + end for c in codes[:20] for end in ("\n", "\r\n", " ", "\t")]
    for code in codes:
        assert _isin_checks.__wrapped__(code) == bool(stdnum_isin.is_valid(code)), code
    # the checks pass and fail alike here: both kinds are among the generated codes
    answers = {_isin_checks.__wrapped__(code) for code in codes}
    assert answers == {True, False}

"""A derivative's underlying abbreviation (``TENCT``, ``PINAN``, ``CMOB``) and the HKEX equity
short names it can stand for: the index's pattern search answers as the plain rule does."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from portfolio_check.pretrade import active_reference, security_index
from portfolio_check.resolve.index import _abbreviation_pattern, equity_short_name


def _stands_for(abbreviation: str, name: str) -> bool:
    """The rule, letter by letter: the abbreviation's letters and digits stand in the name's
    (upper case) in order, the first at the name's start."""
    letters = [c for c in abbreviation if c.isalnum()]
    text = [c for c in name.upper() if c.isalnum()]
    if not letters or not text or letters[0] != text[0]:
        return False
    position = 0
    for letter in letters:
        while position < len(text) and text[position] != letter:
            position += 1
        if position == len(text):
            return False
        position += 1
    return True


def _pattern_says(abbreviation: str, name: str) -> bool:
    pattern = _abbreviation_pattern(abbreviation)
    letters = "".join(c for c in name.upper() if c.isalnum())
    return pattern is not None and pattern.match(letters) is not None


@pytest.mark.parametrize("seed", range(20))
def test_pattern_is_the_rule_on_generated_names(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "ABCDEFGHAAEE0129 -.&()中国ßİ"
    for _ in range(400):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.5 and name:  # letters taken from the name, in or out of order
            picked = [c for c in name if rng.random() < 0.5]
            if rng.random() < 0.3:
                rng.shuffle(picked)
            abbreviation = "".join(picked)
        else:
            abbreviation = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.2:
            abbreviation = abbreviation.lower()
        assert _pattern_says(abbreviation, name) == _stands_for(abbreviation, name), (
            abbreviation,
            name,
        )


@pytest.mark.parametrize("day", [None, dt.date(2021, 12, 31), dt.date(2025, 6, 30)])
def test_candidates_of_the_shipped_masters_are_the_rules(day: dt.date | None) -> None:
    """Every equity of the day's masters tested by the rule, against the index's search, for
    curated and generated abbreviations (CMOB, TENCT, SMIC, ... and letters of real names)."""
    index = security_index(active_reference(None, None))
    rng = random.Random(7)
    lines = [
        line
        for code in sorted(set().union(*index.equity_codes_by_initial.values()))
        if (line := index.hkex_line(code, day)) is not None and line.category == "Equity"
    ]
    assert len(lines) > 1000
    abbreviations = ["CMOB", "TENCT", "SMIC", "PINAN", "CTEL", "CUNI", "SENTM", "HSBC", "x", ""]
    for line in rng.sample(lines, 60):
        short = equity_short_name(line.name)
        abbreviations.append("".join(c for c in short if c.isalnum() and rng.random() < 0.6))
    for abbreviation in abbreviations:
        want = sorted(
            (line for line in lines if _stands_for(abbreviation, equity_short_name(line.name))),
            key=lambda line: line.code,
        )
        got = index.abbreviation_candidates(abbreviation, day)
        assert [line.code for line in got] == [line.code for line in want], abbreviation

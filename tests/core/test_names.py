from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio_check.names import core_tokens, normalize_name


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("SENSETIME GROUP LIMITED", "SENSETIME GROUP"),
        ("SenseTime Group Inc.", "SENSETIME GROUP"),
        ("SENSETIME GROUP INC-CL B", "SENSETIME GROUP"),
        ("SENSETIME-W", "SENSETIME"),
        ("ＳｅｎｓｅＴｉｍｅ Ｇｒｏｕｐ Ｉｎｃ．", "SENSETIME GROUP"),
        ("商湯集團股份有限公司", "商汤集团"),
        ("商汤集团股份有限公司", "商汤集团"),
        ("商汤集团 股份有限公司", "商汤集团"),
        ("商湯集團股份有限公司－Ｗ", "商汤集团"),
        ("CHINA MOBILE LTD", "CHINA MOBILE"),
        ("China Mobile Limited", "CHINA MOBILE"),
        ("CHINA MOBILE LTD COMMON STOCK HKD 0", "CHINA MOBILE"),
        ("CHINA MOBILE LTD-SPON ADR", "CHINA MOBILE"),
        ("CNOOC 7 ½ 07/30/39", "CNOOC"),
        ("CNOOC 4 3/8 05/02/28", "CNOOC"),
        ("ZTE CORP-H", "ZTE"),
        ("PING AN INSURANCE GROUP CO-H", "PING AN INSURANCE GROUP"),
        ("CHINA COMMUNICATIONS CONSTRUCTION CO., LTD.", "CHINA COMMUNICATIONS CONSTRUCTION"),
        ("Moody's Corp", "MOODYS"),
    ],
)
def test_normalize_name(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


def test_generic_words_do_not_carry_a_name() -> None:
    assert core_tokens(normalize_name("China Group Holdings International Ltd")) == ()
    assert core_tokens(normalize_name("SENSETIME GROUP LTD")) == ("SENSETIME",)
    assert core_tokens(normalize_name("中国移动有限公司")) == ("移动",)


def test_look_alikes_keep_their_own_words() -> None:
    keys = {
        normalize_name(n) for n in ("Sensata Technologies", "Hisense", "RoboSense", "SenseTime")
    }
    assert len(keys) == 4


_names = st.text(
    alphabet=st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ abc.,-()&'商湯集團中国移动")),
    max_size=40,
)


@given(_names)
def test_normalising_twice_equals_once(name: str) -> None:
    once = normalize_name(name)
    assert normalize_name(once) == once


@given(
    st.sampled_from(["SenseTime Group", "China Mobile", "CNOOC", "Sugon Information"]),
    st.sampled_from(["Ltd", "Limited", "Inc.", "Co., Ltd.", "Corporation", "PLC", "S.A."]),
)
def test_adding_a_legal_form_never_changes_the_key(name: str, form: str) -> None:
    assert normalize_name(f"{name} {form}") == normalize_name(name)

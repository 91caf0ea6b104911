"""The UN XML and Consolidated Screening List importers (issue 15), on small files in the
publishers' formats written here, and on the real files in ../shared when present."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import Investor, ListEntry, Status
from portfolio_check.regimes import ssi
from portfolio_check.sources.csl import import_csl
from portfolio_check.sources.un import import_un_xml
from tests.paths import shared_path

UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>SOMEONE</FIRST_NAME>
      <REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER><LISTED_ON>2010-01-01</LISTED_ON>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY><DATAID>2</DATAID><FIRST_NAME>ADF</FIRST_NAME><UN_LIST_TYPE>DRC</UN_LIST_TYPE>
      <REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER><LISTED_ON>2014-06-30</LISTED_ON>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Allied Democratic Forces</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>The Forces Group</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ADDRESS><COUNTRY>Democratic Republic of the Congo</COUNTRY></ENTITY_ADDRESS>
    </ENTITY>
    <ENTITY><DATAID>3</DATAID><FIRST_NAME>EXAMPLE TRADING CORPORATION ; EXAMPLE TRADING</FIRST_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER>
      <LISTED_ON>2017-09-11</LISTED_ON><NAME_ORIGINAL_SCRIPT>조선무역</NAME_ORIGINAL_SCRIPT>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"""


def _un(tmp_path: Path, text: str = UN_XML) -> Path:
    path = tmp_path / "consolidated.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_un_entities_with_reference_number_date_and_alias_quality(tmp_path: Path) -> None:
    result = import_un_xml(_un(tmp_path))
    assert result.individuals == 1
    assert str(result.generated) == "2026-02-27"
    adf, example = result.entries
    # a one-word name is an acronym others share: weak; the entry takes its long alias
    assert adf.name == "Allied Democratic Forces"
    assert adf.weak_aliases == ("ADF", "The Forces Group")  # the UN's Low quality: weak
    assert (adf.entry_id, str(adf.listed_from), adf.programs) == ("CDe.001", "2014-06-30", ("DRC",))
    assert example.name == "EXAMPLE TRADING CORPORATION"
    assert example.strong_aliases == ("EXAMPLE TRADING", "조선무역")


def test_un_file_that_is_not_the_list_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="not the UN Consolidated List"):
        import_un_xml(_un(tmp_path, "<sdnList/>"))
    with pytest.raises(SourceFormatError, match="not a readable UN XML file"):
        import_un_xml(_un(tmp_path, "<CONSOLIDATED_LIST>"))


COLUMNS = ["_id", "source", "entity_number", "type", "programs", "name", "alt_names"]
COLUMNS += ["addresses", "federal_register_notice", "start_date", "end_date"]
COLUMNS += ["license_requirement", "remarks", "ids"]


def _csl(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "consolidated.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


ROWS = [
    {
        "_id": "abc1",
        "source": "Entity List (EL) - Bureau of Industry and Security",
        "name": "Example Vision Technology Co., Ltd.",
        "alt_names": "Example Shijue Co., Ltd., and ExVision",
        "start_date": "2019-10-09",
        "federal_register_notice": "84 FR 54002",
    },
    {
        "_id": "abc2",
        "source": "Military End User (MEU) List - Bureau of Industry and Security",
        "name": "Example Aero Engine Co. Ltd.",
        "start_date": "2020-12-23",
    },
    {
        "_id": "17018",
        "entity_number": "17018",
        "type": "Entity",
        "source": "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
        "name": "EXAMPLE BANK OF RUSSIA",
        "ids": "Subject to Directive 1, Executive Order 13662 Directive Determination -",
    },
    {
        "_id": "30923",
        "entity_number": "30923",
        "source": "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - "
        "Treasury Department",
        "name": "CHINA MOBILE LIMITED",
    },
    {
        "_id": "21944",
        "entity_number": "21944",
        "source": "Specially Designated Nationals (SDN) - Treasury Department",
        "name": "SOMEONE",
    },
    {"_id": "d1", "source": "Denied Persons List (DPL) - Bureau of Industry and Security"},
]


def test_csl_gives_three_lists_and_recognises_ofac_rows(tmp_path: Path) -> None:
    result = import_csl(_csl(tmp_path, ROWS), {"ns-cmic": {"30923"}, "sdn": set()})
    (entity,) = result.entries["entity-list"]
    assert entity.strong_aliases == ("Example Shijue Co., Ltd.", "ExVision")
    assert str(entity.listed_from) == "2019-10-09"
    assert [e.name for e in result.entries["meu"]] == ["Example Aero Engine Co. Ltd."]
    (bank,) = result.entries["ssi"]
    assert bank.entry_id == "17018"
    # OFAC's own rows: counted, matched to the OFAC lists by ent_num, never entries here
    assert result.ofac_rows == {"ns-cmic": 1, "sdn": 1}
    assert result.ofac_rows_known == {"ns-cmic": 1}
    assert result.dropped["entity-list"]["other lists of the file: Denied Persons List (DPL)"] == 1
    outcome = ssi(bank, dt.date(2025, 1, 1), Investor.US_PERSON)
    assert outcome.status is Status.REVIEW
    assert "Directive 1" in outcome.explanation


def test_csl_without_its_columns_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not the Consolidated Screening List CSV"):
        import_csl(path)


def test_real_un_file() -> None:
    result = import_un_xml(shared_path("data", "un", "UN_consolidated_2026-02-27.xml"))
    assert (len(result.entries), result.individuals) == (273, 730)
    kp = {e.entry_id: e for e in result.entries}["KPe.001"]
    assert kp.name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"


def test_real_csl_file() -> None:
    result = import_csl(shared_path("data", "us_csl_2025-02", "consolidated.csv"))
    counts = {k: len(v) for k, v in result.entries.items()}
    assert counts == {"entity-list": 2001, "meu": 71, "ssi": 290}
    assert result.ofac_rows == {"sdn": 10026, "ns-cmic": 68}
    sensetime: list[ListEntry] = [e for e in result.entries["entity-list"] if "Sensetime" in e.name]
    assert [str(e.listed_from) for e in sensetime] == ["2019-10-09"]

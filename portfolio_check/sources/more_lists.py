"""Issue 15's lists in the snapshot build: the UN list and the three lists of the CSL.

Each is registered in :data:`portfolio_check.sources.snapshot.LIST_BUILDERS` under its id, so
``reference build --un XML --csl CSV`` (and ``build_snapshot(..., extra=...)``) imports it
with this project's importers. The CSL's three lists come from one file; each builder reads
it (a few seconds) so that any of them can be rebuilt alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from portfolio_check.sources.csl import CSL_LISTS, csl_list_parts, import_csl
from portfolio_check.sources.snapshot import (
    KNOWN_MIRRORS,
    STATED,
    Dating,
    Published,
    _build_list,
    _Built,
    _published,
    register_list,
)
from portfolio_check.sources.un import UN_ID, import_un_xml, un_list_parts

CSL_FLAG = "csl"
"""The build's option for the Consolidated Screening List; its lists are ``CSL_LIST_IDS``."""
CSL_LIST_IDS = tuple(item.list_id for item in CSL_LISTS)


def _un(path: Path, dating: Dating) -> _Built:
    result = import_un_xml(path)
    parts = un_list_parts(result)
    day = result.generated
    parts["published"] = (
        Published(day.isoformat(), day, STATED)
        if day
        else _published(None, result.files, "no dateGenerated", source=path, dating=dating)
    )
    return _build_list(**parts)  # type: ignore[arg-type]


def _csl_builder(list_id: str) -> Callable[[Path, Dating], _Built]:
    def build(path: Path, dating: Dating) -> _Built:
        result = import_csl(path)
        parts = next(p for p in csl_list_parts(result) if p["list_id"] == list_id)
        parts["published"] = _published(
            None, (result.file,), "the CSV carries no date", source=path, dating=dating
        )
        return _build_list(**parts)  # type: ignore[arg-type]

    return build


# The CSL copy in ../shared/data (SOURCES.md): its public mirror dates it, as for OFAC's CSVs.
KNOWN_MIRRORS["80e780b91b7b50e193c0077b17d75ec6f6dbd8223ae0bd54b343d297db5e767f"] = (
    "moov-io/watchman pkg/sources/csl_us/testdata/consolidated.csv.gz @ a8dfe527",
    dt.date(2025, 2, 27),
)
register_list(UN_ID, _un)
for _list_id in CSL_LIST_IDS:
    register_list(_list_id, _csl_builder(_list_id))

"""Importers of published list formats (I/O edge), and the shipped snapshot built from them.

- ``ofac_csv``: OFAC's SDN and Consolidated legacy CSV sets -> ``ListEntry`` + ``ParseWarning``.
- ``ofac_xml``: OFAC's legacy XML files (``sdn.xml``, ``consolidated.xml``), any namespace,
  defused; the same entries as the CSV importer for the same facts.
- ``dod_1260h``: the DoD Section 1260H list, one entry per entity over its tranches.
- ``firm_list``: a firm's own restricted / watch list (xlsx/csv template), read at check time.
- ``snapshot``: builds ``reference/lists/*.json`` and ``reference/manifest.json`` from them.
- ``diff``: entries added, removed and changed between two snapshots or two sets of OFAC files.
- ``masters``, ``derive``, ``reference_build``: exchange security masters and the tables derived
  from them (see each module).
"""

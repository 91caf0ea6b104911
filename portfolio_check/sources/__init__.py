"""Importers of published list formats (I/O edge): OFAC's legacy CSV files, the shipped snapshot.

- ``ofac_csv``: OFAC's SDN and Consolidated CSV sets -> ``ListEntry`` + ``ParseWarning``.
- ``snapshot``: builds ``reference/lists/*.json`` and ``reference/manifest.json`` from them.
"""

"""A generator of labelled holdings files (issue 12): real export layouts, hostile cases.

Labels come from the reference files, the HKEX masters and the brief's rules; the checker is
never run here (benchmarks/corpus.py, the runner, is the only part that calls it).
"""

from .generate import DEFAULT_SEED, PLAN, Corpus, FileSpec, generate
from .layouts import LAYOUTS
from .model import RowLabel

__all__ = ["DEFAULT_SEED", "LAYOUTS", "PLAN", "Corpus", "FileSpec", "RowLabel", "generate"]

"""Dask at data-lake scale: positions as Parquet partitions, screened by ``check-dataset``.

Generates ``--rows`` positions (default 10,000,000) as Parquet part files of
``--partition-rows`` each: one firm-wide draw of ``positions.py`` (about 30,000 security lines
in several notations, cash lines, look-alikes) per partition size, each partition a fresh
permutation of it with its own quantities and accounts, so that every partition holds the whole
universe as a real book's would. Cached under the system's temporary folder by rows and
partition size.

Then, for each worker count of ``--workers`` (default 1 and 2), on a fresh
``distributed.LocalCluster`` of that many single-threaded worker processes: the whole job as
``portfolio-check check-dataset`` runs it (distributed unique, resolving on the client, the
join on the workers, the results written as Parquet, the findings workbook), timed from the
first task to the last file; printed as rows per second, and per worker.

    python benchmarks/dask_bench.py                      # 10M rows, 1 and 2 workers
    python benchmarks/dask_bench.py --rows 2000000       # a smaller run
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "portfolio_check_speed"
AS_OF = "2024-06-28"


def make_dataset(rows: int, partition_rows: int, workdir: Path, seed: int = 6) -> Path:
    """The Parquet dataset (made once per rows and partition size)."""
    folder = workdir / f"lake_{rows}_{partition_rows}_{seed}"
    if (folder / "_done").exists():
        return folder
    from positions import generate_positions

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = generate_positions(partition_rows, seed).replace("", None)
    table = pa.Table.from_pandas(base, preserve_index=False)
    rng = np.random.default_rng(seed)
    written = 0
    part = 0
    while written < rows:
        size = min(partition_rows, rows - written)
        order = rng.permutation(len(base))[:size]
        piece = table.take(pa.array(order))
        quantity = np.round(rng.lognormal(7.0, 1.5, size=size), 0)
        piece = piece.set_column(
            piece.schema.get_field_index("Quantity"), "Quantity", pa.array(quantity)
        )
        accounts = [f"ACC{part:04d}{a:05d}" for a in rng.integers(0, 2000, size=size).tolist()]
        piece = piece.set_column(
            piece.schema.get_field_index("Account"), "Account", pa.array(accounts)
        )
        pq.write_table(piece, folder / f"part.{part:05d}.parquet")
        written += size
        part += 1
    (folder / "_done").write_text(f"{rows} rows in {part} partitions\n")
    return folder


def run(folder: Path, workers: int, out: Path) -> dict[str, float]:
    """One timed check-dataset run on a fresh local cluster."""
    from distributed import Client, LocalCluster

    from portfolio_check.dask import check_dataset, read_dataset, write_findings

    shutil.rmtree(out, ignore_errors=True)
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("portfolio_check.dask"))  # workers warm, as a cluster is
        start = time.perf_counter()
        result = check_dataset(read_dataset(folder), as_of=AS_OF)
        screened = time.perf_counter()
        client.compute(
            result.positions.to_parquet(str(out / "positions"), write_index=False, compute=False),
            sync=True,
        )
        write_findings(result, out / "findings.xlsx")
        done = time.perf_counter()
    seconds = done - start
    return {
        "rows": float(result.rows),
        "distinct": float(len(result.verdicts)),
        "flagged": float(len(result.findings)),
        "check_seconds": screened - start,
        "seconds": seconds,
        "rows_per_second": result.rows / seconds,
        "rows_per_second_per_worker": result.rows / seconds / workers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partition-rows", type=int, default=250_000)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("PORTFOLIO_CHECK_CACHE", str(args.workdir / "compiled"))
    t0 = time.perf_counter()
    folder = make_dataset(args.rows, args.partition_rows, args.workdir)
    print(f"dataset: {folder} ({time.perf_counter() - t0:.1f} s to make or find)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for workers in [int(w) for w in args.workers.split(",")]:
        figures = run(folder, workers, args.workdir / f"lake_out_{workers}")
        print(
            f"workers={workers} rows={int(figures['rows']):,} distinct={int(figures['distinct']):,} "
            f"flagged={int(figures['flagged']):,} check={figures['check_seconds']:.1f}s "
            f"total={figures['seconds']:.1f}s rows/s={figures['rows_per_second']:,.0f} "
            f"rows/s/worker={figures['rows_per_second_per_worker']:,.0f}"
        )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

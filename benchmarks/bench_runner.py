"""The report runner: overhead per page, and a page per unit against one page.

Prints, in one run:

1. runner overhead per page: the wall time of ``cxlab report satisfaction`` (a fresh process,
   as cron starts it) minus the sum of its cells' own durations, read from the executed
   notebook's metadata (``papermill.duration`` of each cell). Goal: under 1.5 s.
2. ``cxlab report satisfaction --each store --jobs 2`` over 20 units against one
   ``cxlab report satisfaction`` run on the same file. Goal: at most 4x on 2 cores.

The sample survey has five regions; the benchmark writes a copy of it with a ``store``
column (20 stores, respondent ``i`` in store ``i mod 20``, about 250 respondents each, about
64 in the latest wave) and a codebook naming ``store`` as a segment, in a scratch folder.

Where a page's time goes: each run's ``cxlab.log`` (in the ``--out`` folder) has a line
``N page(s) planned (start, parameters, imports, check s)`` for the runner's own work before the
first page (``check`` is the time still waited for the zygote's survey check after the runner's
own imports), with ``--each`` ``kernels rehearsed NAME (K section(s)) in S s`` (the first unit's
page run once in the process kernels are forked from, before all kernels but the first one are:
``cxlab.rehearsal``), and per page ``done ... (kernel, execute, render, write, index s)``.

Run: ``python benchmarks/bench_runner.py [--repeat N]``. Put the code to measure first on
``PYTHONPATH`` (e.g. ``PYTHONPATH=/work/main`` for the code before a change); a runner without
``--each`` prints ``n/a`` for the second figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UNITS = 20


def cxlab(*args: str) -> tuple[float, int, str]:
    """Run ``cxlab ...`` in a fresh process; wall seconds, exit code, stderr."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cxlab.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=tempfile.gettempdir(),  # `-m` puts the working folder first: use PYTHONPATH's cxlab
        check=False,
    )
    return time.perf_counter() - t0, done.returncode, done.stderr


def cell_seconds(notebook: Path) -> float:
    """Sum of the cells' own durations recorded by papermill in an executed notebook."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return sum(
        (c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0) for c in nb["cells"]
    )


def survey_with_stores(folder: Path) -> tuple[Path, Path]:
    """The sample survey with a 20-value ``store`` column, and its codebook."""
    import pandas as pd
    import yaml

    from cxlab.paths import SAMPLE_DIR

    df = pd.read_csv(SAMPLE_DIR / "survey.csv", dtype=str, keep_default_na=False)
    df.insert(3, "store", [f"S{i % UNITS + 1:02d}" for i in range(len(df))])
    data = folder / "survey.csv"
    df.to_csv(data, index=False)
    book = yaml.safe_load((SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))
    book["segments"] = {**book.get("segments", {}), "store": "门店"}
    codebook = folder / "codebook.yaml"
    codebook.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    return data, codebook


def overhead(out: Path, data: Path) -> tuple[float, float]:
    wall, code, err = cxlab("report", "satisfaction", "--data", str(data), "--out", str(out), "-q")
    if code != 0:
        sys.exit(f"cxlab report satisfaction failed ({code}): {err[-2000:]}")
    executed = out / dt.date.today().isoformat() / "satisfaction.ipynb"
    return wall, cell_seconds(executed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="single-page runs (default 2)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-runner-") as tmp:
        tmp = Path(tmp)
        data, _ = survey_with_stores(tmp)
        walls, cells = [], []
        for i in range(args.repeat):
            wall, cell = overhead(tmp / f"one{i}", data)
            walls.append(wall)
            cells.append(cell)
            print(f"single page run {i + 1}: wall {wall:.2f} s, cells {cell:.2f} s")
        over = statistics.median(w - c for w, c in zip(walls, cells, strict=True))
        one = statistics.median(walls)
        print(f"runner overhead per page (median): {over:.2f} s  (goal < 1.5 s)")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        wall, code, err = cxlab(
            "report",
            "satisfaction",
            "--data",
            str(data),
            "--each",
            "store",
            "--jobs",
            "2",
            "--out",
            str(tmp / "each"),
            "-q",
        )
        if code == 2 and "--each" in err:
            print("--each store: n/a (this runner has no --each)")
            return
        if code != 0:
            sys.exit(f"--each failed ({code}): {err[-2000:]}")
        pages = len(list((tmp / "each" / dt.date.today().isoformat()).glob("*.html")))
        print(
            f"--each store --jobs 2: {pages} pages in {wall:.1f} s = {wall / one:.2f}x one page "
            f"({one:.1f} s)  (goal <= 4x, on {os.cpu_count()} cores)"
        )


if __name__ == "__main__":
    main()

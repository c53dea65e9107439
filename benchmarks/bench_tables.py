"""Table book speed: 100 tables x a banner of Total + 4 segment variables (20 columns), weighted,
with significance tests, on 200,000 respondents, against ``pandas.crosstab`` computing only the
weighted counts of the same 400 crosstabs (100 items x 4 banner variables), in the same run.

Rounds are interleaved (baseline, book, baseline, book...) and the medians compared, since the
shared machine drifts between runs. The Excel write of the book is timed too (goal < 5 s).

    PYTHONPATH=$PWD python benchmarks/bench_tables.py [--n 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.codebook import Codebook
from cxlab.tables import table_book, to_excel

SEGMENTS = {"region": 5, "channel": 5, "tier": 5, "age": 4}  # 19 columns + Total = 20


def survey(n: int, seed: int = 0) -> tuple[pd.DataFrame, Codebook]:
    """A survey of ``n`` respondents with 100 closed items (scales, NPS, categories, binaries)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    items: dict[str, dict] = {}
    for seg, k in SEGMENTS.items():
        cols[seg] = rng.choice([f"{seg}{i}" for i in range(k)], size=n)
    shift = rng.normal(0, 0.3, size=n)
    for i in range(60):
        x = np.clip(np.round(3.4 + shift + rng.normal(0, 1, n)), 1, 5)
        x[rng.random(n) < 0.05] = np.nan
        cols[f"s{i}"] = x
        items[f"s{i}"] = {"type": "scale", "min": 1, "max": 5}
    for i in range(10):
        cols[f"p{i}"] = np.clip(np.round(7 + 2 * shift + rng.normal(0, 2, n)), 0, 10)
        items[f"p{i}"] = {"type": "nps"}
    for i in range(20):
        cols[f"c{i}"] = rng.integers(1, 7, n).astype(float)
        items[f"c{i}"] = {"type": "category", "values": {str(v): f"选项{v}" for v in range(1, 7)}}
    for i in range(10):
        cols[f"b{i}"] = (rng.random(n) < 0.4).astype(float)
        items[f"b{i}"] = {"type": "binary"}
    cols["w"] = rng.lognormal(0, 0.4, n)
    book = Codebook.from_dict({"id": "id", "segments": list(SEGMENTS), "items": items})
    return pd.DataFrame(cols), book


def baseline(df: pd.DataFrame, items: list[str]) -> None:
    for item in items:
        for seg in SEGMENTS:
            pd.crosstab(df[item], df[seg], values=df["w"], aggfunc="sum")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    df, book = survey(args.n)
    items = list(book.items)
    print(f"{args.n:,} respondents, {len(items)} tables, banner of 20 columns, weighted")
    base_t, book_t = [], []
    for r in range(args.rounds):
        t0 = time.perf_counter()
        baseline(df, items)
        t1 = time.perf_counter()
        result = table_book(df, codebook=book, weight="w")
        t2 = time.perf_counter()
        base_t.append(t1 - t0)
        book_t.append(t2 - t1)
        print(f"round {r + 1}: pandas.crosstab x400 {t1 - t0:.2f} s   table_book {t2 - t1:.2f} s")
    assert result.banner.shape[0] == 20 and result.tables.shape[0] == 100
    ratios = [b / a for a, b in zip(base_t, book_t, strict=True)]
    print(
        f"median: pandas.crosstab {statistics.median(base_t):.2f} s, table_book "
        f"{statistics.median(book_t):.2f} s, ratio {statistics.median(ratios):.2f} (goal <= 1.0)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = to_excel(result, Path(tmp) / "book.xlsx")
        t1 = time.perf_counter()
        size = path.stat().st_size / 1e6
    print(
        f"Excel: {len(result.cells):,} cells written in {t1 - t0:.2f} s ({size:.1f} MB; goal < 5 s)"
    )


if __name__ == "__main__":
    main()

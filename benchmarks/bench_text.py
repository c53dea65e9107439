"""Throughput of cxlab.text.analyze against plain jieba.lcut, on one core, two processes and dask.

Corpus: COMMENTS comments (default 200,000) built deterministically from the sample survey's
comments (1-3 of them joined per comment, numpy seed 0), so lengths and vocabulary are those of
real-looking CX comments. Prints MB/s (UTF-8 bytes) and comments/s, medians of REPEAT runs,
and checks that every engine returns exactly the same table.
Run: python benchmarks/bench_text.py [comments]
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from cxlab import text
from cxlab.io import load_survey
from cxlab.paths import SAMPLE_DATA

COMMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
REPEAT = 3


def corpus(n: int) -> pd.Series:
    base = load_survey(SAMPLE_DATA).data["comment"].dropna().tolist()
    rng = np.random.default_rng(0)
    k = rng.integers(1, 4, n)
    picks = rng.integers(0, len(base), (n, 3))
    return pd.Series(
        ["".join(base[j] for j in row[:m]) for row, m in zip(picks, k, strict=True)], name="comment"
    )


def timed(fn):
    times, out = [], None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    import jieba

    jieba.initialize()
    texts = corpus(COMMENTS)
    mb = texts.str.encode("utf-8").str.len().sum() / 1e6
    text.analyze(
        texts.head(100), progress=False
    )  # load resources once, as a long-running process would
    t_jieba, _ = timed(lambda: [jieba.lcut(t) for t in texts])
    t_one, one = timed(lambda: text.analyze(texts, progress=False))
    t_two, two = timed(lambda: text.analyze(texts, engine="processes", n_jobs=2, progress=False))
    pd.testing.assert_frame_equal(one, two)

    def rate(t):
        return f"{mb / t:6.2f} MB/s {len(texts) / t:9,.0f} comments/s"

    print(f"{len(texts):,} comments, {mb:.1f} MB UTF-8 (median of {REPEAT})")
    print(f"  plain jieba.lcut, 1 core      {t_jieba:6.2f} s  {rate(t_jieba)}")
    print(
        f"  cxlab analyze, 1 core         {t_one:6.2f} s  {rate(t_one)}  = {t_jieba / t_one:.2f} x jieba (goal >= 0.75)"
    )
    print(
        f"  cxlab analyze, 2 processes    {t_two:6.2f} s  {rate(t_two)}  = {t_one / t_two:.2f} x one core (goal >= 1.7)"
    )
    from dask.distributed import LocalCluster

    t0 = time.perf_counter()
    text.analyze(texts.head(10), engine="dask", n_jobs=2)
    t_start = time.perf_counter() - t0
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        text.analyze(texts.head(10), scheduler=address)  # workers load the dictionary once
        t_dask, dk = timed(lambda: text.analyze(texts, scheduler=address, engine="dask"))
    pd.testing.assert_frame_equal(one, dk)
    print(
        f"  dask LocalCluster, 2 workers  {t_dask:6.2f} s  {rate(t_dask)}  = {t_one / t_dask:.2f} x one core; identical results"
    )
    print(f"  dask fixed cost: a new LocalCluster for 10 comments takes {t_start:.1f} s")


if __name__ == "__main__":
    main()

"""Throughput of cxlab.text.analyze against plain jieba.lcut, on one core, two processes and dask.

Corpus: COMMENTS comments (default 200,000) built deterministically from the sample survey's
comments (1-3 of them joined per comment, numpy seed 0), so lengths and vocabulary are those of
real-looking CX comments. Prints MB/s (UTF-8 bytes) and comments/s, medians of REPEAT rounds
(jieba, one core and two processes run in turn in each round; ratios are medians of the
per-round ratios, which the shared machine's drift affects least),
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
REPEAT = 5


def corpus(n: int) -> pd.Series:
    base = load_survey(SAMPLE_DATA).data["comment"].dropna().tolist()
    rng = np.random.default_rng(0)
    k = rng.integers(1, 4, n)
    picks = rng.integers(0, len(base), (n, 3))
    return pd.Series(
        ["".join(base[j] for j in row[:m]) for row, m in zip(picks, k, strict=True)], name="comment"
    )


def interleaved(fns: dict) -> tuple[dict, dict, dict]:
    """Run each function once per round, REPEAT rounds, in turn (so the shared machine's
    drift hits all of them alike); returns median times, each one's last result, and the
    per-round times."""
    rounds: dict = {k: [] for k in fns}
    out = {}
    for _ in range(REPEAT):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            out[k] = fn()
            rounds[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in rounds.items()}, out, rounds


def median_ratio(a: list[float], b: list[float]) -> float:
    """Median over rounds of a / b (each round measured a and b back to back)."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def main() -> None:
    import jieba

    jieba.initialize()
    texts = corpus(COMMENTS)
    mb = texts.str.encode("utf-8").str.len().sum() / 1e6
    text.analyze(
        texts.head(100), progress=False
    )  # load resources once, as a long-running process would
    med, out, rounds = interleaved(
        {
            "jieba": lambda: [jieba.lcut(t) for t in texts],
            "one": lambda: text.analyze(texts, progress=False),
            "two": lambda: text.analyze(texts, engine="processes", n_jobs=2, progress=False),
        }
    )
    t_jieba, t_one, t_two = med["jieba"], med["one"], med["two"]
    one = out["one"]
    pd.testing.assert_frame_equal(one, out["two"])
    vs_jieba = median_ratio(rounds["jieba"], rounds["one"])
    vs_one = median_ratio(rounds["one"], rounds["two"])

    def rate(t):
        return f"{mb / t:6.2f} MB/s {len(texts) / t:9,.0f} comments/s"

    print(
        f"{len(texts):,} comments, {mb:.1f} MB UTF-8; medians of {REPEAT} interleaved rounds, "
        "ratios = median of the per-round ratios"
    )
    print(
        "  rounds (s): "
        + "; ".join(f"{k} " + " ".join(f"{t:.1f}" for t in v) for k, v in rounds.items())
    )
    print(f"  plain jieba.lcut, 1 core      {t_jieba:6.2f} s  {rate(t_jieba)}")
    print(
        f"  cxlab analyze, 1 core         {t_one:6.2f} s  {rate(t_one)}  = {vs_jieba:.2f} x jieba (goal >= 0.75)"
    )
    print(
        f"  cxlab analyze, 2 processes    {t_two:6.2f} s  {rate(t_two)}  = {vs_one:.2f} x one core (goal >= 1.7)"
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
        med_d, out_d, _ = interleaved(
            {"dask": lambda: text.analyze(texts, scheduler=address, engine="dask")}
        )
        t_dask, dk = med_d["dask"], out_d["dask"]
    pd.testing.assert_frame_equal(one, dk)
    print(
        f"  dask LocalCluster, 2 workers  {t_dask:6.2f} s  {rate(t_dask)}  = {t_one / t_dask:.2f} x one core; identical results"
    )
    print(f"  dask fixed cost: a new LocalCluster for 10 comments takes {t_start:.1f} s")


if __name__ == "__main__":
    main()

